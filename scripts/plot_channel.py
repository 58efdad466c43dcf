#!/usr/bin/env python3
"""Plots a device response written by `anvil channel`: mean +- std of the read value vs the
write setting, with the write levels selected for L = 2, 4, 8, 16 marked.

Usage: plot_channel.py CHANNEL.json OUT.png
Reads only the JSON; writes the PNG atomically (temp file + rename).
"""
import os
import sys

import plotting


def main() -> int:
    (src, out), plt = plotting.start("CHANNEL.json OUT.png", 2)
    ch = plotting.load_json(src)
    rows = ch["response"]
    x = [r["write_setting"] for r in rows]
    m = [r["mean"] for r in rows]
    s = [r["std"] for r in rows]
    fig, ax = plt.subplots(figsize=(8.5, 5.2))
    ax.fill_between(x, [a - b for a, b in zip(m, s)], [a + b for a, b in zip(m, s)],
                    color="tab:blue", alpha=0.25, label="mean $\\pm$ std")
    ax.plot(x, m, "-", color="tab:blue", lw=1.2, marker="." if len(x) <= 64 else None)
    markers = ["o", "s", "^", "D"]
    colors = ["tab:red", "tab:orange", "tab:green", "tab:purple"]
    k = 0
    for e in ch["levels"]:
        if e["all"]:
            continue
        by_dac = {r["dac"]: r for r in rows}
        xs = [by_dac[d]["write_setting"] for d in e["dacs"]]
        ys = [by_dac[d]["mean"] for d in e["dacs"]]
        ax.plot(xs, ys, linestyle="none", marker=markers[k % 4], mfc="none", ms=6 + 2 * k,
                color=colors[k % 4],
                label=f"L={e['levels']}: min sep {e['min_separation'] or float('inf'):.2f}, "
                      f"C={e['capacity_bits']:.2f} b")
        k += 1
    full = [e for e in ch["levels"] if e["all"]]
    title = f"{os.path.basename(ch['device'])}: {ch['channel']}, read at {ch['read_time_s']:g} s"
    if full:
        title += f", {ch['adc_bits']}-bit ADC, C(all {full[0]['levels']}) = " \
                 f"{full[0]['capacity_bits']:.2f} bits/cell"
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("write setting")
    ax.set_ylabel(f"read value [{ch['unit']}]")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    plotting.save(fig, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
