#!/usr/bin/env python3
"""Plots accuracy against area and against read energy per full weight fetch, one point per
scheme (analog: circles, digital baselines: squares) with its 95 % CI.

Usage: plot_cost.py REPORT.json OUT.png
Reads only the report (rows' metrics area_mm2 and read_energy_nj, written by flow/cost);
writes the PNG atomically (temp file + rename).
"""
import sys

import plotting


def main() -> int:
    (src, out), plt = plotting.start("REPORT.json OUT.png", 2)
    rep = plotting.load_json(src)
    rows = [r for r in rep["schemes"] if "area_mm2" in r.get("metrics", {})]
    if not rows:
        print("plot_cost: no cost metrics in the report; no plot", file=sys.stderr)
        return 0
    ref = rep["reference"]["accuracy"] * 100
    budget = rep["experiment"]["accuracy_drop_pp"]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
    styles = {"analog": ("o", "tab:blue"), "digital": ("s", "tab:gray")}
    panels = (("area_mm2", "area: array + codec logic (mm^2, log)"),
              ("read_energy_nj", "read energy per full weight fetch (nJ, log)"))
    for ax, (key, label) in zip(axes, panels):
        for r in rows:
            marker, color = styles.get(r["kind"], ("o", "tab:blue"))
            x = r["metrics"][key]
            y = r["accuracy"]["mean"] * 100
            ax.errorbar(x, y, yerr=r["accuracy"]["ci95"] * 100, fmt=marker, color=color,
                        capsize=4, markersize=7)
            ax.annotate(r["name"], (x, y), textcoords="offset points", xytext=(5, 3), fontsize=7)
        ax.axhline(ref, color="black", lw=1, ls="--", label=f"uncompressed fp32 {ref:.2f} %")
        ax.axhline(ref - budget, color="tab:red", lw=1, ls=":", label=f"budget: -{budget:g} pp")
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.grid(True, which="both", alpha=0.3)
        lo = min(r["accuracy"]["mean"] * 100 for r in rows)
        ax.set_ylim(max(0, min(lo - 2, ref - 10)), min(100, ref + 2))
    axes[0].set_ylabel("top-1 test accuracy (%)")
    axes[1].legend(loc="lower right", fontsize=8)
    cost = rep.get("cost", {})
    fig.suptitle(f"{rep['network']['name']}: accuracy against area and energy "
                 f"(cell {cost.get('cell', '?')}, {cost.get('node_nm', 0):g} nm)", fontsize=10)
    fig.tight_layout()
    plotting.save(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
