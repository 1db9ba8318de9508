#!/usr/bin/env bash
# Shared by the load scripts: the shipped config with absolute paths and the per-token batch
# limit lifted, so that a benchmark measures the server rather than its limit.
# Usage: bench_config ROOT OUT
bench_config() {
    sed -e "s|^rules: ../Rules|rules: $1/Rules|" -e "s|^contacts: contacts.yaml|contacts: $1/Config/contacts.yaml|" \
        -e "s|^templates: templates|templates: $1/Config/templates|" -e "s|^api:|api:\n  hashcheck_batch_rate: 100000000|" \
        "$1/Config/hotline.yaml" >"$2"
}
