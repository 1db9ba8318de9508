#!/usr/bin/env python3
"""The peer side of `HotlineBench vpdq`.

  vpdq_bench.py make DIR N   N generated 720p clips of 60 s (the frames of the tests'
                             generator: gradients and moving rectangles; nothing else)
  vpdq_bench.py hash DIR     hashes each clip with PyPI vpdq (Meta's C++, its default
                             threads); prints {"seconds": {file: s}, "frames": {file: [[frame,
                             hex, quality], ...]}}; timing is vpdq.computeHash alone
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "HotlineVideoTests", "Reference"))


def make(directory, count):
    from vpdq_reference import encode

    os.makedirs(directory, exist_ok=True)
    for index in range(count):
        path = os.path.join(directory, f"clip-{index}.mp4")
        if not os.path.exists(path):
            encode(path, 100 + index, 1280, 720, 60, 30, ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"])
    print(json.dumps(sorted(f for f in os.listdir(directory) if f.endswith(".mp4"))))


def hash_all(directory):
    import vpdq

    seconds, frames = {}, {}
    for name in sorted(f for f in os.listdir(directory) if f.endswith(".mp4")):
        started = time.perf_counter()
        features = vpdq.computeHash(os.path.join(directory, name))
        seconds[name] = time.perf_counter() - started
        frames[name] = [[f.frame_number, f.hex, f.quality] for f in features]
    print(json.dumps({"seconds": seconds, "frames": frames}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]))
    else:
        hash_all(sys.argv[2])
