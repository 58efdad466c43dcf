#!/usr/bin/env python3
"""Plots an anvil report: accuracy vs cells per weight, one point per scheme with its 95 % CI.

Usage: plot_report.py REPORT.json OUT.png
Reads only the report; writes the PNG atomically (temp file + rename).
"""
import json
import os
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: plot_report.py REPORT.json OUT.png", file=sys.stderr)
        return 2
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot_report: python3-matplotlib missing (scripts/setup.sh); no plot", file=sys.stderr)
        return 3
    with open(sys.argv[1]) as f:
        rep = json.load(f)
    rows = rep["schemes"]
    ref = rep["reference"]["accuracy"] * 100
    budget = rep["experiment"]["accuracy_drop_pp"]
    fig, ax = plt.subplots(figsize=(8.5, 5.2))
    styles = {"analog": ("o", "tab:blue"), "digital": ("s", "tab:gray")}
    for r in rows:
        marker, color = styles.get(r["kind"], ("o", "tab:blue"))
        acc = r["accuracy"]
        y = acc["mean"] * 100
        ok = r.get("within_budget", False)
        ax.errorbar(r["cells_per_weight"], y, yerr=acc["ci95"] * 100, fmt=marker,
                    color="tab:green" if ok and r["kind"] == "analog" else color,
                    capsize=4, markersize=7)
        ax.annotate(r["name"], (r["cells_per_weight"], y), textcoords="offset points",
                    xytext=(6, 4), fontsize=8)
    ax.axhline(ref, color="black", lw=1, ls="--", label=f"uncompressed fp32 {ref:.2f} %")
    ax.axhline(ref - budget, color="tab:red", lw=1, ls=":",
               label=f"budget: -{budget:g} pp")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("physical cells per weight (metadata included, log2)")
    ax.set_ylabel("top-1 test accuracy (%)")
    dev = rep.get("device", {})
    ax.set_title(f"{rep['network']['name']} on {rep['dataset']['name']}, channel "
                 f"{dev.get('channel', '?')}, read after {dev.get('read_time_s', 0):g} s, "
                 f"{rep['trials']} trials, seed {rep['seed']}", fontsize=9)
    lo = min(r["accuracy"]["mean"] * 100 - r["accuracy"]["ci95"] * 100 for r in rows)
    ax.set_ylim(max(0, min(lo - 2, ref - 10)), min(100, ref + 2))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    out = sys.argv[2]
    tmp = out + ".tmp.png"
    fig.savefig(tmp, dpi=120)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
