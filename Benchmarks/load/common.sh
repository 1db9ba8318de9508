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

# The shared workload in WORK for ingest runs: the stream (COUNT reports) generated into
# WORK/in, dnsmasq answering its hosts on a free loopback port (its pid in WORK/dnsmasq.pid,
# the port in $dns_port), and WORK/hotline.yaml, the bench config with intake fetching off
# (the stream's hosts are documentation addresses that nothing answers on).
# Usage: workload_setup ROOT WORKLOAD WORK COUNT
workload_setup() {
    python3 "$2" "$3/in" "$4" >/dev/null
    dns_port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$(command -v dnsmasq || echo /usr/sbin/dnsmasq)" --port="$dns_port" --listen-address=127.0.0.1 --bind-interfaces --no-resolv \
        --no-hosts --addn-hosts="$3/in/hosts" --pid-file="$3/dnsmasq.pid" --cache-size=10000 --user="$(id -un)"
    bench_config "$1" "$3/hotline.yaml"
    python3 - "$3/hotline.yaml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
open(path, "w").write(re.sub(r"(\n  intake:\n    enabled:) true", r"\1 false", text, count=1))
PY
    grep -q "^    enabled: false" "$3/hotline.yaml" || { echo "workload_setup: could not turn intake fetching off" >&2; return 1; }
}
