#!/usr/bin/env python3
"""Prints the README's joint-optimizer headline table from out/optimize/NAME/report.json, one
row per configs/optimize/NAME.yaml, each with the command that produced it.

Usage: optimize_table.py [OUT_DIR]   (default out/optimize)
"""
import json
import os
import sys

NAMES = ["lenet300-pcm", "lenet300-measured", "lenet5-pcm", "lenet5-measured",
         "resnet-pcm", "resnet-measured", "lenet5-mnist-pcm", "lenet5-mnist-measured"]
LABEL = {"lenet300": "LeNet-300-100, Fashion-MNIST", "lenet5": "LeNet-5, Fashion-MNIST",
         "resnet": "residual CNN, Fashion-MNIST", "lenet5-mnist": "LeNet-5, MNIST"}


def reduction(rep, key, base):
    red, b = rep["reductions"], rep["baselines"].get(base)
    if key not in red or not b:
        return "none within budget"
    return f'{red[key]:.2f}x ({b["cells_per_original_weight"]:.3f}, int{b["bits"]}, {b["candidate"]})'


def main() -> int:
    out = sys.argv[1] if len(sys.argv) > 1 else "out/optimize"
    print("| network | channel | design (network) | cells | cells / original weight | "
          "accuracy % (95% CI) | drop pp | vs fp32-SLC-SECDED | vs decoupled SLC | "
          "vs decoupled 2-bit MLC | command |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name in NAMES:
        net, channel = name.rsplit("-", 1)
        cmd = f"`anvil optimize configs/optimize/{name}.yaml --out {out}/{name}`"
        path = os.path.join(out, name, "report.json")
        if not os.path.exists(path):
            print(f"| {LABEL[net]} | {channel} | not run | | | | | | | | {cmd} |")
            continue
        with open(path) as f:
            rep = json.load(f)
        d = rep["design"]["row"]
        miss = "" if d["within_budget"] else " ✗"
        print(f'| {LABEL[net]} | {channel} | {rep["design"]["candidate"]} | {d["cells"]} | '
              f'{d["cells_per_original_weight"]:.3f} | {d["accuracy"] * 100:.2f} ± '
              f'{d["ci95"] * 100:.2f} | {d["drop_pp"]:+.2f}{miss} | '
              f'{rep["reductions"]["vs_fp32_slc_secded"]:.1f}x | '
              f'{reduction(rep, "vs_decoupled_slc", "decoupled_slc")} | '
              f'{reduction(rep, "vs_decoupled_mlc2", "decoupled_mlc2")} | {cmd} |')
    return 0


if __name__ == "__main__":
    sys.exit(main())
