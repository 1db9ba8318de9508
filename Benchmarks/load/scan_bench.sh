#!/usr/bin/env bash
# hotline scan against hotline serve (release) on loopback: COUNT generated photo-like images
# of 0.3, 1, 2 and 4 MP (JPEG), hashed in memory (digests and PDQ) and checked in batches; then
# pdqhash (Meta's C++ through PyPI) computes PDQ of the same files, decoded by PIL, in the same
# run. Prints files/s of each and the ratio.
set -euo pipefail
binary=${1:-.build/release/hotline}
count=${2:-1000}
data=$(mktemp -d /tmp/hotline-scanbench.XXXXXX)
port=$((20000 + RANDOM % 12000))
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
python3 - "$data/tree" "$count" <<'PY'
import os, sys
import numpy as np
from PIL import Image
root, count = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(20261202)
sizes = [(640, 480), (1152, 864), (1632, 1224), (2304, 1728)]
for i in range(count):
    w, h = sizes[i % 4]
    folder = os.path.join(root, "d%02d" % (i % 50))
    os.makedirs(folder, exist_ok=True)
    # Photo-like: smooth colour fields with shapes and a little noise, not pure noise.
    x = np.linspace(0, 1, w)[None, :]
    y = np.linspace(0, 1, h)[:, None]
    a, b, c = rng.random(3) * 6
    base = np.stack([np.sin(a * x + b * y), np.cos(b * x - c * y), np.sin(c * x * y + a)], axis=2)
    pixels = ((base + 1) * 110 + rng.normal(0, 6, (h, w, 3))).clip(0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(os.path.join(folder, "p%05d.jpg" % i), quality=88)
PY
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/Benchmarks/load/common.sh"
bench_config "$root" "$data/hotline.yaml"
token=$("$binary" tokens create --role provider --org example-hosting-nl --label bench --data-dir "$data" --config "$data/hotline.yaml" | tail -1)
"$binary" serve --config "$data/hotline.yaml" --data-dir "$data" --port "$port" --work-interval 60 >"$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
megabytes=$(du -sm "$data/tree" | cut -f1)
start=$(date +%s.%N)
HOTLINE_TOKEN=$token "$binary" scan "$data/tree" --gateway "http://127.0.0.1:$port" >"$data/scan.out" 2>"$data/scan.err"
end=$(date +%s.%N)
scan=$(python3 -c "print($count / ($end - $start))")
summary=$(tail -1 "$data/scan.out")
start=$(date +%s.%N)
python3 - "$data/tree" <<'PY'
import glob, sys
import numpy as np, pdqhash
from PIL import Image
for path in sorted(glob.glob(sys.argv[1] + "/*/*.jpg")):
    pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
PY
end=$(date +%s.%N)
reference=$(python3 -c "print($count / ($end - $start))")
echo "scan: $count images (0.3-4 MP JPEG, ${megabytes} MB): hotline scan $(printf %.1f "$scan") files/s, pdqhash (PIL decode) $(printf %.1f "$reference") files/s, ratio $(python3 -c "print(round($scan / $reference, 1))")x; $summary"
ratio_row "hoster scan, $count JPEGs" "$(printf %.1f "$scan") files/s" "$(printf %.1f "$reference") files/s" "pdqhash (PIL decode)" "$(python3 -c "print(f'{$scan / $reference:.2f}x')")" "-"
