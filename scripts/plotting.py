"""What every anvil plot script shares: its command line, matplotlib without a display, and
the atomic write of the PNG (temp file + rename, so a reader never sees half a plot).

Exit codes, as flow/plot.cpp reports them: 2 a wrong command line, 3 no matplotlib.
"""
import json
import os
import sys


def start(usage: str, nargs: int):
    """The script's arguments and matplotlib.pyplot, or exits with 2 or 3."""
    name = os.path.basename(sys.argv[0])
    if len(sys.argv) != nargs + 1:
        print(f"usage: {name} {usage}", file=sys.stderr)
        sys.exit(2)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"{os.path.splitext(name)[0]}: python3-matplotlib missing (scripts/setup.sh); no plot", file=sys.stderr)
        sys.exit(3)
    return sys.argv[1:], plt


def load_json(path: str):
    with open(path) as f:
        return json.load(f)


def save(fig, path: str, dpi: int = 120) -> None:
    tmp = f"{path}.tmp.{os.getpid()}.png"
    fig.savefig(tmp, dpi=dpi)
    os.replace(tmp, path)
