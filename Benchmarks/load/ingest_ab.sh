#!/usr/bin/env bash
# A/B of `hotline ingest` builds on the shared workload, without IntelMQ: the workload, dnsmasq
# and the imports are set up once, then the binaries run in turn, RUNS times each, each on a
# fresh copy of the imported data; prints each run's seconds, then whether the last runs of the
# first and last binary gave the same outcomes. Alternate builds this way: the machine's speed
# drifts by more than most changes between separate runs.
# Usage: ingest_ab.sh BINARY... (RUNS=6 by default; N=20000 reports)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
workload=${WORKLOAD:-$root/../shared/bench/workload.py}
runs=${RUNS:-6}
count=${N:-20000}
work=$(mktemp -d)
trap 'kill $(cat "$work/dnsmasq.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
source "$root/Benchmarks/load/common.sh"
workload_setup "$root" "$workload" "$work" "$count"
port=$dns_port
"$1" hashes import --config "$work/hotline.yaml" --data-dir "$work/data" --format csv --list workload "$work/in/known.csv" >/dev/null
"$1" ipdb import --config "$work/hotline.yaml" --data-dir "$work/data" "$work/in/ip2asn.tsv" >/dev/null
cp -a "$work/data" "$work/imported"
outcomes() { python3 -c "import json,sys; [print(json.loads(l).get('outcome'), json.loads(l).get('rule')) for l in open(sys.argv[1])]" "$1"; }
for _ in $(seq "$runs"); do
    for index in $(seq $#); do
        binary=${!index}
        rm -rf "$work/data" && cp -a "$work/imported" "$work/data" && sync
        /usr/bin/time -f "%e" -o "$work/time" "$binary" ingest --config "$work/hotline.yaml" --data-dir "$work/data" \
            --dns "127.0.0.1:$port" --wait --trust-hashes "$work/in/reports.jsonl" >"$work/out-$index.jsonl" 2>/dev/null
        echo "$index $binary $(cat "$work/time") s"
    done
done
if cmp -s <(outcomes "$work/out-1.jsonl") <(outcomes "$work/out-$#.jsonl"); then echo "same outcomes"; else echo "outcomes differ"; fi
