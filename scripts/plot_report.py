#!/usr/bin/env python3
"""Plots an anvil report: accuracy vs cells per weight, one point per scheme with its 95 % CI.

Usage: plot_report.py REPORT.json OUT.png
Reads only the report; writes the PNG atomically (temp file + rename).
"""
import sys

import plotting


def main() -> int:
    (src, out), plt = plotting.start("REPORT.json OUT.png", 2)
    rep = plotting.load_json(src)
    rows = rep["schemes"]
    ref = rep["reference"]["accuracy"] * 100
    budget = rep["experiment"]["accuracy_drop_pp"]
    # Left: every scheme; right: zoom on the budget region, where the good schemes crowd.
    fig, (ax, zoom) = plt.subplots(1, 2, figsize=(13, 5.4), gridspec_kw={"width_ratios": [1, 1.2]})
    styles = {"analog": ("o", "tab:blue"), "digital": ("s", "tab:gray")}
    zlo, zhi = ref - max(4 * budget, 3.0), ref + 0.6
    for panel in (ax, zoom):
        for r in rows:
            marker, color = styles.get(r["kind"], ("o", "tab:blue"))
            acc = r["accuracy"]
            y = acc["mean"] * 100
            ok = r.get("within_budget", False)
            panel.errorbar(r["cells_per_weight"], y, yerr=acc["ci95"] * 100, fmt=marker,
                           color="tab:green" if ok and r["kind"] == "analog" else color,
                           capsize=4, markersize=7)
            if panel is ax and y >= zlo:
                continue  # labelled in the zoom
            if panel is zoom and not (zlo <= y <= zhi):
                continue
            panel.annotate(r["name"], (r["cells_per_weight"], y), textcoords="offset points",
                           xytext=(6, 4), fontsize=8)
        panel.axhline(ref, color="black", lw=1, ls="--", label=f"uncompressed fp32 {ref:.2f} %")
        panel.axhline(ref - budget, color="tab:red", lw=1, ls=":",
                      label=f"budget: -{budget:g} pp")
        panel.set_xscale("log", base=2)
        panel.set_xlabel("physical cells per weight (metadata included, log2)")
        panel.grid(True, which="both", alpha=0.3)
    ax.set_ylabel("top-1 test accuracy (%)")
    dev = rep.get("device", {})
    fig.suptitle(f"{rep['network']['name']} on {rep['dataset']['name']}, channel "
                 f"{dev.get('channel', '?')}, read after {dev.get('read_time_s', 0):g} s, "
                 f"{rep['trials']} trials, seed {rep['seed']}", fontsize=10)
    lo = min(r["accuracy"]["mean"] * 100 - r["accuracy"]["ci95"] * 100 for r in rows)
    ax.set_ylim(max(0, min(lo - 2, ref - 10)), min(100, ref + 2))
    ax.axhspan(zlo, zhi, color="tab:olive", alpha=0.08)
    ax.set_title("all schemes (shaded: the zoom)", fontsize=9)
    zoom.set_ylim(zlo, zhi)
    zoom.set_title("zoom on the accuracy budget", fontsize=9)
    zoom.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    plotting.save(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
