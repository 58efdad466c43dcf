#!/usr/bin/env python3
"""Plots an anvil drift sweep: accuracy vs time since programming, one line per scheme.

Usage: plot_drift.py DRIFT.json OUT.png
"""
import sys

import plotting


def main() -> int:
    (src, out), plt = plotting.start("DRIFT.json OUT.png", 2)
    d = plotting.load_json(src)
    by = {}
    for p in d["points"]:
        by.setdefault(p["scheme"], []).append(p)
    fig, ax = plt.subplots(figsize=(8.5, 5.2))
    for name, pts in by.items():
        pts.sort(key=lambda p: p["read_time_s"])
        t = [max(p["read_time_s"], 0.5) for p in pts]
        ax.errorbar(t, [p["accuracy"] * 100 for p in pts], yerr=[p["ci95"] * 100 for p in pts],
                    marker="o", capsize=3, label=name)
    ref = d["reference_accuracy"] * 100
    ax.axhline(ref, color="black", lw=1, ls="--", label=f"uncompressed {ref:.2f} %")
    ax.axhline(ref - d["accuracy_drop_pp"], color="tab:red", lw=1, ls=":", label="budget")
    ax.set_ylim(0, 100)  # t-based CIs of 3 trials can reach past the physical range
    ax.set_xscale("log")
    ticks = [1, 60, 3600, 86400, 2592000, 31536000, 315360000]
    ax.set_xticks(ticks, ["1 s", "1 min", "1 h", "1 day", "1 month", "1 year", "10 years"])
    ax.set_xlabel("time since programming")
    ax.set_ylabel("top-1 test accuracy (%)")
    ax.set_title(f"{d['network']}: drift of {d['device']['channel']} cells, seed {d['seed']}",
                 fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    plotting.save(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
