#!/usr/bin/env python3
"""Generates test images and hashes them with the reference PDQ (the `pdqhash` package,
which wraps Meta's C++). Writes the images into OUT_DIR and prints JSON lines:
{"file", "width", "height", "pdq", "quality", "dihedral": [8 hex]}.

Only generated content: noise, gradients, shapes, checkerboards. Nothing else.
"""
import json
import os
import sys

import numpy as np
import pdqhash
from PIL import Image, ImageDraw


def to_hex(bits):
    bits = [int(b) for b in bits]
    return "".join("%x" % (bits[i] << 3 | bits[i + 1] << 2 | bits[i + 2] << 1 | bits[i + 3]) for i in range(0, 256, 4))


def images(rng):
    sizes = [(64, 64), (100, 80), (257, 513), (512, 512), (1000, 750), (31, 40), (1920, 1080), (7, 300)]
    for w, h in sizes:
        yield "noise", (rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
        x = np.linspace(0, 255, w)[None, :, None]
        y = np.linspace(0, 255, h)[:, None, None]
        grad = np.concatenate([np.broadcast_to(x, (h, w, 1)), np.broadcast_to(y, (h, w, 1)), np.broadcast_to((x + y) / 2, (h, w, 1))], axis=2)
        yield "gradient", grad.astype(np.uint8)
        img = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(0, 256, 3)))
        draw = ImageDraw.Draw(img)
        for _ in range(12):
            x0, x1 = sorted(rng.integers(0, w, 2))
            y0, y1 = sorted(rng.integers(0, h, 2))
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            if rng.integers(0, 2):
                draw.rectangle([x0, y0, x1, y1], fill=colour)
            else:
                draw.ellipse([x0, y0, x1, y1], fill=colour)
        yield "shapes", np.asarray(img)
        cell = max(1, min(w, h) // 8)
        yy, xx = np.mgrid[0:h, 0:w]
        board = (((yy // cell) + (xx // cell)) % 2 * 255).astype(np.uint8)
        yield "checker", np.stack([board, 255 - board, board // 2], axis=2)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261130)
    for index, (kind, array) in enumerate(images(rng)):
        h, w = array.shape[:2]
        variants = [("png", {}), ("jpg", {"quality": 90})]
        if index % 5 == 0:
            variants.append(("alpha.png", {}))
        if index % 7 == 0:
            variants.append(("grey.png", {}))
        for suffix, options in variants:
            name = os.path.join(out, "%03d-%s-%dx%d.%s" % (index, kind, w, h, suffix))
            image = Image.fromarray(array, "RGB")
            if suffix == "alpha.png":
                alpha = Image.fromarray(rng.integers(0, 256, (h, w), dtype=np.uint8), "L")
                image = image.copy()
                image.putalpha(alpha)
            elif suffix == "grey.png":
                image = image.convert("L")
            image.save(name, **options)
            decoded = np.asarray(Image.open(name).convert("RGB"))
            bits, quality = pdqhash.compute(decoded)
            dihedral, _ = pdqhash.compute_dihedral(decoded)
            print(json.dumps({"file": name, "width": w, "height": h, "pdq": to_hex(bits), "quality": int(quality), "dihedral": [to_hex(d) for d in dihedral]}))


if __name__ == "__main__":
    main()
