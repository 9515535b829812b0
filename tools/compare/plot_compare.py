#!/usr/bin/env python3
"""Plot of a `bitrec compare` (docs/compare.md): recall@K against code length
and against bytes per item, one line per method.

Reads COMPARE.json (written by `bitrec compare`) and draws one row of two
panels per K of its topk list: final test recall@K in each run's primary
retrieval mode (Hamming for codes, real for floats) against the code length
in bits (left) and the bytes one item takes (right), both on log2 axes.
Real-valued methods (lightgcn) are one point at 32·d bits / 4·d bytes with a
dashed horizontal line: the full-precision reference a code has to reach.

usage: plot_compare.py COMPARE.json OUT.png   (python3 + matplotlib)
"""
import argparse
import json
import os
import sys


def series(runs, k):
    """method -> sorted [(bits, bytes, recall)] of its runs."""
    out = {}
    for run in runs:
        mode = run["mode"]
        recall = run.get("final", {}).get(mode, {}).get(f"recall@{k}")
        if recall is None:
            continue
        bits = run["bits"] if run["bits"] > 0 else 32 * run["dim"]
        real = run["bits"] == 0
        out.setdefault((run["method"], real, run["dim"] if real else 0), []).append(
            (bits, run["bytes_per_item"], recall))
    return {key: sorted(points) for key, points in out.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compare_json")
    parser.add_argument("png")
    args = parser.parse_args()
    with open(args.compare_json, encoding="utf-8") as f:
        data = json.load(f)
    runs, topk = data.get("runs", []), data.get("topk", [])
    if not runs or not topk:
        sys.exit(f"plot_compare: no runs in {args.compare_json}")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(topk), 2, figsize=(10, 3.4 * len(topk)), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for row, k in enumerate(topk):
        lines = series(runs, k)
        for col, (xlabel, index) in enumerate((("code length (bits)", 0), ("bytes per item", 1))):
            ax = axes[row][col]
            for n, ((method, real, dim), points) in enumerate(lines.items()):
                color = colors[n % len(colors)]
                xs = [p[index] for p in points]
                ys = [p[2] for p in points]
                if real:
                    label = f"{method} (float32, d={dim})"
                    ax.axhline(ys[0], color=color, linestyle="--", linewidth=1)
                    ax.plot(xs, ys, marker="s", linestyle="none", color=color, label=label)
                else:
                    ax.plot(xs, ys, marker="o", color=color, label=method)
            ax.set_xscale("log", base=2)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(f"recall@{k}")
            ax.grid(True, alpha=0.3)
            if row == 0 and col == 0:
                ax.legend(fontsize=8)
    name = data.get("dataset", {}).get("name", "")
    fig.suptitle(f"bitrec compare{': ' + name if name else ''} (test, train items excluded)")
    fig.tight_layout()
    # Written beside the target and renamed: a reader never sees half a PNG.
    tmp = args.png + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, args.png)


if __name__ == "__main__":
    main()
