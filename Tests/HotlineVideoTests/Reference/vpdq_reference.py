#!/usr/bin/env python3
"""Makes test videos from generated frames (gradients and moving rectangles, a new scene
every two seconds: nothing else) with Debian's ffmpeg, and hashes them with Meta's vPDQ
(PyPI `vpdq`). Clips: originals, re-encoded, trimmed, scaled and unrelated ones. For each
pair it also prints python-threatexchange's match decision (its VPDQ signal type).

Usage: vpdq_reference.py OUT_DIR. Prints one JSON object:
{"files": {name: [[frame, hex, quality, timestamp], ...]}, "pairs": [{"query", "target",
"query_percent", "target_percent", "match"}]}
"""
import json
import os
import subprocess
import sys

import numpy as np
import vpdq
from threatexchange.extensions.vpdq.vpdq import VPDQSignal
from threatexchange.extensions.vpdq.vpdq_util import VpdqCompactFeature, vpdq_to_json


def frames(seed, width, height, seconds, fps):
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 255, width)[None, :]
    y = np.linspace(0, 255, height)[:, None]
    for second in range(0, seconds, 2):
        base = np.stack([np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width)),
                         np.broadcast_to((x * rng.random() + y * rng.random()) / 2, (height, width))], axis=2)
        base = np.roll(base, int(rng.integers(0, width)), axis=1).astype(np.uint8)
        boxes = [(rng.integers(0, width), rng.integers(0, height), rng.integers(width // 10, width // 3),
                  rng.integers(height // 10, height // 3), rng.integers(0, 256, 3), rng.integers(-6, 7, 2)) for _ in range(6)]
        for step in range(2 * fps):
            frame = base.copy()
            for bx, by, bw, bh, colour, (dx, dy) in boxes:
                x0 = int(bx + dx * step) % width
                y0 = int(by + dy * step) % height
                frame[y0:y0 + bh, x0:x0 + bw] = colour
            yield frame


def encode(path, seed, width, height, seconds, fps, codec):
    args = ["ffmpeg", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
            "-r", str(fps), "-i", "-"] + codec + [path]
    process = subprocess.Popen(args, stdin=subprocess.PIPE)
    for frame in frames(seed, width, height, seconds, fps):
        process.stdin.write(frame.tobytes())
    process.stdin.close()
    if process.wait() != 0:
        sys.exit(f"ffmpeg failed for {path}")


def transcode(source, path, options):
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", source] + options + [path], check=True)


def main(out):
    os.makedirs(out, exist_ok=True)
    x264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18"]
    clips = {}
    clips["a.mp4"] = lambda p: encode(p, 1, 480, 270, 16, 15, x264)
    clips["b.mp4"] = lambda p: encode(p, 2, 480, 270, 16, 15, x264)
    clips["hd.mp4"] = lambda p: encode(p, 3, 1280, 720, 6, 25, x264)
    for name, make in clips.items():
        make(os.path.join(out, name))
    a = os.path.join(out, "a.mp4")
    transcode(a, os.path.join(out, "a-reencoded.webm"), ["-c:v", "libvpx-vp9", "-b:v", "600k", "-deadline", "realtime", "-cpu-used", "8"])
    transcode(a, os.path.join(out, "a-trimmed.mp4"), ["-ss", "4", "-t", "8"] + x264)
    transcode(a, os.path.join(out, "a-scaled.mp4"), ["-vf", "scale=320:180"] + x264)
    transcode(a, os.path.join(out, "a-crf35.mp4"), ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "35"])
    names = ["a.mp4", "b.mp4", "hd.mp4", "a-reencoded.webm", "a-trimmed.mp4", "a-scaled.mp4", "a-crf35.mp4"]
    files = {}
    compact = {}
    for name in names:
        features = vpdq.computeHash(os.path.join(out, name))
        files[name] = [[f.frame_number, f.hex, f.quality, f.timestamp] for f in features]
        compact[name] = vpdq_to_json([VpdqCompactFeature.from_vpdq_feature(f) for f in features])
    pairs = []
    for query in names:
        for target in names:
            if query == target:
                continue
            result = VPDQSignal.compare_hash(compact[query], compact[target])
            pairs.append({"query": query, "target": target, "match": bool(result.match),
                          "query_percent": result.distance.query_match_percent,
                          "target_percent": result.distance.compared_match_percent})
    print(json.dumps({"files": files, "pairs": pairs}))


if __name__ == "__main__":
    main(sys.argv[1])
