#!/usr/bin/env bash
# Load run: `hotline serve` (release) on a loopback port with a fresh SQLite store, wrk with
# 2 threads and 64 connections for 10 s posting one new report per request (two reporters),
# then the store is counted: every request wrk saw answered must be there. With the shipped
# config each report is answered 202 (pending) and fetched by the fetch service in the
# background (dns: off, so the example hosts fail fast and nothing outside is reached).
set -euo pipefail
. "$(dirname "$0")/common.sh"
binary=${1:-.build/release/hotline}
data=$(mktemp -d /tmp/hotline-load.XXXXXX)
port=$((20000 + RANDOM % 12000))
# Two reporters, one per wrk thread: one token alone reaches the shipped per-token limit
# (api.report_rate, 10,000/s with a burst of twice that) and is answered 429 past it, which
# measures the limiter, not intake.
token=$("$binary" tokens create --role reporter --label load-1 --data-dir "$data" | tail -1),$("$binary" tokens create --role reporter --label load-2 --data-dir "$data" | tail -1)
"$binary" serve --data-dir "$data" --port "$port" --work-interval 60 >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
# BATCH=100 posts {"reports": [...]} of 100 per request (the figure is then requests/s x 100).
# RATE=150 paces the 64 connections to about 150 requests/s in all, at random moments (see
# post_reports.lua): the latency at a given rate, where without it every connection waits for
# its answer and sends again at once, so 64 x BATCH reports always queue.
batch=${BATCH:-1}
rate=${RATE:-0}
script="$(dirname "$0")/post_reports.lua"
if [ "$rate" != "0" ]; then
    cat "$script" "$(dirname "$0")/paced_delay.lua" >"$data/paced.lua"
    script="$data/paced.lua"
fi
result=$(wrk -t2 -c64 -d10s --latency -s "$script" "http://127.0.0.1:$port" -- "$token" "$batch" "$rate" 64 | tail -1)
kill -TERM $server
wait $server || true
stored=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from reports').fetchone()[0])" "$data/hotline.sqlite")
paced=""
[ "$rate" != "0" ] && paced=", paced to about $rate requests/s"
echo "http load (batches of $batch$paced): $result; stored after shutdown: $stored reports"
# No peer: the goal stands beside it.
reports=$(python3 -c "import re,sys; print(round(float(re.search(r'([0-9.]+) requests/s', sys.argv[1]).group(1)) * $batch))" "$result")
p99=$(echo "$result" | sed -n 's/.*p99 \([0-9.]* ms\).*/\1/p')
goal=">= 8,000/s, p99 < 50 ms"
[ "$batch" -gt 1 ] && goal=">= 15,000/s, p99 < 50 ms"
ratio_row "HTTP POST /v1/reports, batches of $batch, 64 connections$paced" "$reports reports/s, p99 $p99" "-" "no peer" "-" "$goal"
