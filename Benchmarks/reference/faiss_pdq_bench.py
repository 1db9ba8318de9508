#!/usr/bin/env python3
"""The peer side of `HotlineBench pdq-lookup`: FAISS (PyPI faiss-cpu) on the same hashes.

  faiss_pdq_bench.py DIR THRESHOLD IMAGES [multihash]

DIR holds stored.bin (N hashes of 32 bytes, as HotlineBench generated them) and queries.bin
(images x 8 variants x 32 bytes). Each of the first IMAGES images is searched with its 8
variants at once, one thread, by:
  flat              IndexBinaryFlat (exhaustive; exact)
  multihash         IndexBinaryMultiHash(256, 16, 16), nflip = 1, as python-threatexchange and
                    HMA configure it (exact at threshold 31: some 16-bit chunk is within 1 bit)
  multihash-nflip0  the same with nflip = 0 (not exact)
Prints {"n": N, name: {"images": k, "seconds": s, "images_per_s": r, "build_s": b,
"hits": [[ids found for image 0], ...]}} so HotlineBench checks the planted matches.
"""
import json
import os
import sys
import time

import faiss
import numpy as np


def main():
    directory, threshold, images = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with_multihash = len(sys.argv) > 4 and sys.argv[4] == "multihash"
    faiss.omp_set_num_threads(1)
    stored = np.fromfile(os.path.join(directory, "stored.bin"), dtype=np.uint8).reshape(-1, 32)
    queries = np.fromfile(os.path.join(directory, "queries.bin"), dtype=np.uint8).reshape(-1, 8, 32)
    images = min(images, len(queries))
    result = {"n": int(len(stored))}

    def measure(name, index, count):
        hits = []
        start = time.perf_counter()
        for image in range(count):
            # FAISS's binary range search keeps distances strictly below the radius.
            limits, _, ids = index.range_search(np.ascontiguousarray(queries[image]), threshold + 1)
            hits.append(sorted(set(int(i) for i in ids)))
        elapsed = time.perf_counter() - start
        result[name]["images"] = count
        result[name]["seconds"] = elapsed
        result[name]["images_per_s"] = count / elapsed
        result[name]["hits"] = hits

    start = time.perf_counter()
    flat = faiss.IndexBinaryFlat(256)
    flat.add(stored)
    result["flat"] = {"build_s": time.perf_counter() - start}
    measure("flat", flat, images)
    del flat
    if with_multihash:
        start = time.perf_counter()
        multi = faiss.IndexBinaryMultiHash(256, 16, 16)
        multi.add(stored)
        built = time.perf_counter() - start
        multi.nflip = 1
        result["multihash"] = {"build_s": built}
        measure("multihash", multi, max(1, images // 4))
        multi.nflip = 0
        result["multihash-nflip0"] = {"build_s": built}
        measure("multihash-nflip0", multi, images)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
