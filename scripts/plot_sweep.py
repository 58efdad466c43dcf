#!/usr/bin/env python3
"""Plots a merged anvil sweep: the Pareto fronts and each axis's effect.

Usage: plot_sweep.py SWEEP_DIR
Reads SWEEP_DIR/sweep.json, results.jsonl and pareto.csv; writes pareto.png (accuracy against
every front's cost column, all points grey, the front in colour) and effects.png (per axis:
mean and best accuracy of the done rows at each value). PNGs are written atomically.
"""
import csv
import json
import os
import sys
from collections import defaultdict

import plotting


def main() -> int:
    (d,), plt = plotting.start("SWEEP_DIR", 1)
    with open(os.path.join(d, "sweep.json")) as f:
        axes = json.load(f)["axes"]
    with open(os.path.join(d, "results.jsonl")) as f:
        rows = [r for r in map(json.loads, f) if r.get("status") == "done"]
    with open(os.path.join(d, "pareto.csv")) as f:
        front = list(csv.DictReader(f))
    if not rows:
        print("plot_sweep: no done points; no plot", file=sys.stderr)
        return 0
    ref = rows[0]["reference_accuracy"] * 100

    costs = list(dict.fromkeys(r["front"] for r in front))
    fig, panels = plt.subplots(1, len(costs), figsize=(7 * len(costs), 5.2), squeeze=False)
    for ax, cost in zip(panels[0], costs):
        ax.scatter([r[cost] for r in rows if cost in r], [r["accuracy_mean"] * 100 for r in rows if cost in r],
                   s=10, color="0.7", label="all points")
        groups = list(dict.fromkeys(r["group"] for r in front if r["front"] == cost))
        y = []
        for i, g in enumerate(groups):
            f = [r for r in front if r["front"] == cost and r["group"] == g]
            fx = [float(r["cost"]) for r in f]
            fy = [float(r["accuracy_mean"]) * 100 for r in f]
            color = plt.cm.tab10(i % 10)
            ax.step(fx, fy, where="post", color=color, lw=1.5)
            ax.scatter(fx, fy, color=color, s=24, zorder=3, label=f"front {g}" if g else "Pareto front")
            y += fy
        ax.axhline(ref, color="black", ls="--", lw=1, label=f"uncompressed fp32 {ref:.2f} %")
        ax.set_xlabel(cost.replace("_", " "))
        ax.set_ylabel("accuracy %")
        ax.set_xscale("log", base=2)
        ax.set_ylim(max(0, min(y + [ref]) - 3), ref + 1.0)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(f"{os.path.basename(os.path.normpath(d))}: {len(rows)} rows, front of accuracy vs cost")
    fig.tight_layout()
    plotting.save(fig, os.path.join(d, "pareto.png"), dpi=110)

    fig, panels = plt.subplots(1, len(axes), figsize=(3.6 * len(axes), 3.8), squeeze=False)
    for ax, name in zip(panels[0], axes):
        by = defaultdict(list)
        for r in rows:
            if r.get(name) is not None:
                by[json.dumps(r[name])].append(r["accuracy_mean"] * 100)
        keys = sorted(by, key=lambda k: (not isinstance(json.loads(k), (int, float)), json.loads(k)
                                         if isinstance(json.loads(k), (int, float)) else k))
        xs = range(len(keys))
        ax.plot(xs, [sum(by[k]) / len(by[k]) for k in keys], "o-", label="mean")
        ax.plot(xs, [max(by[k]) for k in keys], "s--", label="best")
        labels = [f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in map(json.loads, keys)]
        ax.set_xticks(list(xs), labels, rotation=30, fontsize=8)
        ax.set_title(name, fontsize=9)
        ax.set_ylabel("accuracy %")
        ax.grid(alpha=0.3)
    panels[0][0].legend(fontsize=8)
    fig.tight_layout()
    plotting.save(fig, os.path.join(d, "effects.png"), dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
