#!/usr/bin/env bash
# Bulk hash checks: `hotline serve` (release) with a list of 1,000,000 MD5s imported, wrk with
# 2 threads and 8 connections for 10 s, each request POST /v1/hashcheck/batch with 10,000
# MD5s (half of them listed). Prints batches/s, hashes/s and the latency percentiles.
set -euo pipefail
binary=${1:-.build/release/hotline}
data=$(mktemp -d /tmp/hotline-hashcheck.XXXXXX)
port=$((20000 + RANDOM % 12000))
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
python3 - "$data" <<'PY'
import hashlib, json, sys
directory = sys.argv[1]
listed = [hashlib.md5(b"listed-%d" % i).hexdigest() for i in range(1_000_000)]
with open(directory + "/list.csv", "w") as f:
    f.write("md5,classification\n")
    for value in listed:
        f.write(value + ",A1\n")
query = [{"algorithm": "md5", "value": listed[i * 97] if i % 2 == 0 else hashlib.md5(b"other-%d" % i).hexdigest()} for i in range(10_000)]
with open(directory + "/batch.json", "w") as f:
    json.dump({"hashes": query}, f)
PY
"$binary" hashes import --list bench --format csv "$data/list.csv" --data-dir "$data" --config builtin >/dev/null
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/Benchmarks/load/common.sh"
bench_config "$root" "$data/hotline.yaml"
token=$("$binary" tokens create --role provider --org example-hosting-nl --label bench --data-dir "$data" --config "$data/hotline.yaml" | tail -1)
"$binary" serve --config "$data/hotline.yaml" --data-dir "$data" --port "$port" --work-interval 60 >"$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
check=$(curl -s -H "Authorization: Bearer $token" -H "Content-Type: application/json" --data-binary @"$data/batch.json" "http://127.0.0.1:$port/v1/hashcheck/batch" | python3 -c "import json,sys; print(json.load(sys.stdin)['counts'])")
echo "hashcheck batch: one request answers $check"
cat >"$data/batch.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
local f = io.open("$data/batch.json", "r")
wrk.body = f:read("*a")
f:close()
LUA
out=$(wrk -t2 -c8 -d10s --latency -s "$data/batch.lua" "http://127.0.0.1:$port/v1/hashcheck/batch")
rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
echo "hashcheck batch: ${rate} batches/s of 10,000 = $(python3 -c "print(int(float('$rate') * 10000))") hashes/s; p50 $p50, p99 $p99; non-2xx: ${non2xx:-0}"
