#!/usr/bin/env bash
# `hotline ingest` as an operator runs it, on the shared realistic stream
# (../shared/bench/workload.py: re-reports, listed MD5s, near PDQs, 2,000 host names): a whole
# process, DNS from dnsmasq on loopback (the workload's hosts file), the hash list and the IP
# table imported first, the shipped rules, SQLite durable per batch (synchronous=FULL).
# Intake fetching is off (nothing on the documentation addresses answers) and the stream's
# hashes count as evidence (--trust-hashes), as for a partner's feed. With DNS on, --wait
# looks up each batch's hosts together and decides the batch; the figure is reports decided
# per second of that process's wall time, with its peak memory. PROFILE="perf record -g --"
# runs it under a profiler (and skips the peer).
# Then IntelMQ 3.5's pipeline of shipped bots on the same stream in the same run
# (Benchmarks/reference/intelmq_pipeline.py; `make bench-deps` installs it), and the ratio.
# Usage: ingest_workload.sh HOTLINE [N] [WORKLOAD_PY]
set -euo pipefail
hotline=$(realpath "$1")
count=${2:-20000}
root=$(cd "$(dirname "$0")/../.." && pwd)
workload=${3:-$root/../shared/bench/workload.py}
[ -f "$workload" ] || { echo "ingest-workload: $workload not found (pass its path)"; exit 0; }
work=$(mktemp -d)
trap 'kill $(cat "$work/dnsmasq.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
source "$root/Benchmarks/load/common.sh"
workload_setup "$root" "$workload" "$work" "$count"
port=$dns_port
# OFFLINE=1: no DNS (directory and imported table only), decided as each batch is stored.
resolving="--dns 127.0.0.1:$port --wait"
[ -n "${OFFLINE:-}" ] && resolving="--offline"
# A two-word command (hashes import, ipdb import) on this config and data directory.
run() { "$hotline" "$1" "$2" --config "$work/hotline.yaml" --data-dir "$work/data" "${@:3}"; }
run hashes import --format csv --list workload "$work/in/known.csv" >/dev/null
run ipdb import "$work/in/ip2asn.tsv" >/dev/null
# Three runs, each on a fresh copy of the imported data written to disk first (an import's
# dirty pages otherwise slow the first run's fsyncs), and the median: single runs on this
# shared machine vary by a third.
cp -a "$work/data" "$work/imported"
runs=${RUNS:-3}
[ -n "${PROFILE:-}" ] && runs=1
for run_number in $(seq "$runs"); do
    rm -rf "$work/data" && cp -a "$work/imported" "$work/data" && sync
    ${PROFILE:-} /usr/bin/time -f "%e %M" -o "$work/time" "$hotline" ingest --config "$work/hotline.yaml" --data-dir "$work/data" \
        $resolving --trust-hashes "$work/in/reports.jsonl" >"$work/out.jsonl" 2>"$work/ingest.err" || { cat "$work/ingest.err" >&2; exit 1; }
    cat "$work/time" >>"$work/times"
done
python3 - "$work/out.jsonl" "$work/times" "$count" <<'EOF'
import collections, json, os, sys
path, times, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = [(float(elapsed), int(peak)) for elapsed, peak in (line.split() for line in open(times))]
elapsed = sorted(e for e, _ in runs)[len(runs) // 2]
peak = max(p for _, p in runs)
outcomes = collections.Counter()
for line in open(path):
    outcome = json.loads(line).get("outcome", "?")
    # --wait prints a pending line as each report is stored, then its decision.
    if outcome != "pending":
        outcomes[outcome] += 1
mode = "offline" if os.environ.get("OFFLINE") else "dnsmasq on loopback"
open(path + ".rate", "w").write(f"{count / elapsed}")
each = ", ".join(f"{count / e:.0f}" for e, _ in runs)
print(f"ingest of the shared workload ({count} reports; {mode}; SQLite, durable per batch): "
      f"{count / elapsed:.0f} reports/s (median of {len(runs)}: {each}; {elapsed:.2f} s), peak RSS {peak // 1024} MiB; decided {sum(outcomes.values())}: {dict(outcomes)}")
EOF

[ -n "${PROFILE:-}" ] && exit 0
row_measure="ingest, shared workload, whole process"
row_goal=">= 20x, >= 10,000/s"
if ! python3 -c "import intelmq, pyasn, geoip2, mmdb_writer, pendulum, textx, psutil" 2>/dev/null || ! command -v redis-server >/dev/null; then
    echo "IntelMQ: not run (make bench-deps installs intelmq 3.5 and redis-server)"
    ratio_row "$row_measure" "$(printf %.0f "$(cat "$work/out.jsonl.rate")") reports/s" "not run" "IntelMQ 3.5" "-" "$row_goal"
    exit 0
fi
python3 "$root/Benchmarks/reference/intelmq_pipeline.py" "$work/in" >"$work/intelmq.json"
python3 - "$work/intelmq.json" "$work/out.jsonl.rate" <<'EOF'
import json, sys
peer = json.load(open(sys.argv[1]))
ours = float(open(sys.argv[2]).read())
print(f"IntelMQ 3.5 (file collector -> JSON parser -> deduplicator -> ASN lookup -> GeoIP -> Sieve -> file, over Redis): "
      f"{peer['reports_per_s']:.0f} reports/s ({peer['seconds']:.2f} s, {peer['events_out']} events out), peak RSS {peer['peak_rss_mib']} MiB summed")
print(f"ratio: {ours / peer['reports_per_s']:.1f}x (goal >= 20x)")
print(f"{ours:.0f} reports/s\t{peer['reports_per_s']:.0f} reports/s\t{ours / peer['reports_per_s']:.2f}x", file=open(sys.argv[2] + ".row", "w"))
EOF
IFS=$'\t' read -r ours theirs ratio <"$work/out.jsonl.rate.row"
ratio_row "$row_measure" "$ours" "$theirs" "IntelMQ 3.5 pipeline" "$ratio" "$row_goal"
