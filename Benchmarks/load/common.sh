#!/usr/bin/env bash
# Shared by the load scripts: the shipped config with absolute paths and the per-token batch
# limit lifted, so that a benchmark measures the server rather than its limit.
# Usage: bench_config ROOT OUT
bench_config() {
    sed -e "s|^rules: ../Rules|rules: $1/Rules|" -e "s|^contacts: contacts.yaml|contacts: $1/Config/contacts.yaml|" \
        -e "s|^templates: templates|templates: $1/Config/templates|" -e "s|^api:|api:\n  hashcheck_batch_rate: 100000000|" \
        "$1/Config/hotline.yaml" >"$2"
}

# One row of `make bench`'s closing table, appended to $BENCH_RATIOS when it is set (the
# Makefile sets it and prints the table with ratio_table.py). Fields: what was measured, the
# gateway's figure, the peer's figure ("-" without one), which peer, the ratio ("-"), the goal.
# Usage: ratio_row MEASURE OURS THEIRS PEER RATIO GOAL
ratio_row() {
    [ -n "${BENCH_RATIOS:-}" ] || return 0
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_RATIOS"
}
