#!/usr/bin/env python3
"""Times the reference PDQ (pdqhash, Meta's C++) on the files HotlineBench wrote:
decoded 512x512 images (hash only) and JPEG files (decode with Pillow + hash).
Prints one JSON object with images per second for each."""
import glob
import json
import sys
import time

import numpy as np
import pdqhash
from PIL import Image


def main():
    directory = sys.argv[1]
    squares = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(glob.glob(directory + "/square-*.png"))]
    rounds = 3
    start = time.perf_counter()
    for _ in range(rounds):
        for image in squares:
            pdqhash.compute(image)
    decoded_rate = rounds * len(squares) / (time.perf_counter() - start)
    result = {"decoded_512": decoded_rate}
    for megapixels in (1, 2, 4):
        files = sorted(glob.glob(directory + "/photo-%dmp-*.jpg" % megapixels))
        start = time.perf_counter()
        for path in files:
            pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
        result["jpeg_%dmp" % megapixels] = len(files) / (time.perf_counter() - start)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
