#!/usr/bin/env python3
"""Plots an anvil optimize report: footprint against accuracy drop (the Pareto front of the
analog designs and of the decoupled digital baselines over the budgets, when swept), the
chosen design and its baselines, and the design's cells per layer.

Usage: plot_optimize.py REPORT.json OUT.png
Reads only the report; writes the PNG atomically (temp file + rename).
"""
import sys

import plotting


def main() -> int:
    (src, out), plt = plotting.start("REPORT.json OUT.png", 2)
    rep = plotting.load_json(src)
    fig, (ax, bars) = plt.subplots(1, 2, figsize=(13, 5.4), gridspec_kw={"width_ratios": [1.3, 1]})
    kinds = [("design", "analog design (joint)", "o", "tab:blue"),
             ("decoupled_slc", "decoupled SLC", "s", "tab:orange"),
             ("decoupled_mlc2", "decoupled 2-bit MLC", "D", "tab:green")]
    front = rep.get("pareto", [])
    for key, label, marker, color in kinds:
        pts = [(p[key]["drop_pp"], p[key]["cells_per_original_weight"], p[key]["ci95"] * 100)
               for p in front if key in p]
        if pts:
            pts.sort()
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts], xerr=[p[2] for p in pts],
                        marker=marker, color=color, label=label + " (budget sweep)", capsize=3,
                        alpha=0.7)
    chosen = [("design", rep["design"]["row"])] + [(k, rep["baselines"].get(k)) for k in
                                                   ("decoupled_slc", "decoupled_mlc2")]
    for key, row in chosen:
        if not row:
            continue
        label, marker, color = {k: (l, m, c) for k, l, m, c in kinds}[key]
        ax.errorbar([row["drop_pp"]], [row["cells_per_original_weight"]], xerr=[row["ci95"] * 100],
                    marker=marker, color=color, markersize=11, markeredgecolor="black",
                    linestyle="none", capsize=3, label=f"{label} at the budget")
        ax.annotate(f'{row["cells_per_original_weight"]:.3f}', (row["drop_pp"],
                    row["cells_per_original_weight"]), textcoords="offset points", xytext=(6, 6))
    fp32 = rep["baselines"]["fp32_slc_secded"]
    ax.axhline(fp32["cells_per_original_weight"], color="gray", linestyle=":",
               label=f'fp32 SLC SECDED ({fp32["cells_per_original_weight"]:.0f})')
    ax.axvline(rep["budget_pp"], color="red", linestyle="--", label=f'budget {rep["budget_pp"]} pp')
    ax.set_yscale("log")
    ax.set_xlabel("accuracy drop from the uncompressed network (pp; bars: 95 % CI)")
    ax.set_ylabel("cells per original weight (log)")
    ax.set_title(f'{rep["experiment"]["name"]}: footprint vs accuracy')
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)

    alloc = rep["design"]["allocation"]
    names = [a["tensor"].replace(".weight", "") for a in alloc]
    orig = [a["original_weights"] for a in alloc]
    cells = [a["weight_cells"] + a["index_bits"] / 2 for a in alloc]
    x = range(len(alloc))
    bars.bar([i - 0.2 for i in x], orig, width=0.4, color="lightgray", label="original weights")
    bars.bar([i + 0.2 for i in x], cells, width=0.4, color="tab:blue",
             label="design cells (+ index on MLC)")
    for i, a in enumerate(alloc):
        code = f'L{a["levels"]}' + (f'x{a["split"]}' if a["split"] > 1 else "")
        bars.annotate(code, (i + 0.2, cells[i]), ha="center", va="bottom", fontsize=8)
    bars.set_xticks(list(x))
    bars.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    bars.set_yscale("log")
    bars.set_title("per layer: original weights vs cells")
    bars.legend(fontsize=8)
    fig.tight_layout()
    plotting.save(fig, out, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
