#!/usr/bin/env python3
"""The reference PDQ (pdqhash, Meta's C++) on the files HotlineBench wrote.

  pdq_reference_bench.py DIR             images/s: decoded 512x512 squares (hash only) and
                                         JPEG files (read, decode with Pillow, hash), one JSON object
  pdq_reference_bench.py variants DIR    writes altered copies of each photo (resized, recompressed,
                                         cropped, brightened), as the same picture reaches a hotline
  pdq_reference_bench.py hashes DIR      the reference hash and quality of every JPEG, one JSON object
"""
import glob
import json
import os
import sys
import time

import numpy as np
import pdqhash
from PIL import Image, ImageEnhance


def rates(directory):
    squares = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(glob.glob(directory + "/square-*.png"))]
    rounds = 3
    start = time.perf_counter()
    for _ in range(rounds):
        for image in squares:
            pdqhash.compute(image)
    result = {"decoded_512": rounds * len(squares) / (time.perf_counter() - start)}
    for megapixels in (1, 2, 4):
        files = sorted(glob.glob(directory + "/photo-%dmp-*.jpg" % megapixels))
        start = time.perf_counter()
        for path in files:
            pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
        result["jpeg_%dmp" % megapixels] = len(files) / (time.perf_counter() - start)
    return result


def variants(directory):
    for path in sorted(glob.glob(directory + "/photo-*.jpg")):
        base = os.path.basename(path)[:-4]
        image = Image.open(path).convert("RGB")
        width, height = image.size
        image.resize((width // 2, height // 2), Image.LANCZOS).save("%s/variant-%s-half.jpg" % (directory, base), quality=85)
        image.save("%s/variant-%s-q40.jpg" % (directory, base), quality=40)
        image.crop((width // 20, height // 20, width - width // 20, height - height // 20)).save(
            "%s/variant-%s-crop.jpg" % (directory, base), quality=85)
        ImageEnhance.Brightness(image).enhance(1.15).save("%s/variant-%s-bright.jpg" % (directory, base), quality=85)


def hashes(directory):
    result = {}
    for path in sorted(glob.glob(directory + "/*.jpg")):
        vector, quality = pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
        # The hex form Tests/HotlineHashingTests/Reference/pdq_reference.py writes and
        # PDQHash(hex:) reads: the bits in pdqhash's order, four to a digit.
        bits = [int(bit) for bit in vector]
        digits = "".join("%x" % (bits[i] << 3 | bits[i + 1] << 2 | bits[i + 2] << 1 | bits[i + 3]) for i in range(0, 256, 4))
        result[os.path.basename(path)] = [digits, int(quality)]
    return result


def main():
    if sys.argv[1] == "variants":
        variants(sys.argv[2])
    elif sys.argv[1] == "hashes":
        print(json.dumps(hashes(sys.argv[2])))
    else:
        print(json.dumps(rates(sys.argv[1])))


if __name__ == "__main__":
    main()
