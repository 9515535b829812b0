#!/usr/bin/env python3
"""Curves and table of a recall-hash study (tools/study/recall_hash_study.sh).

Reads every RUN/metrics.jsonl under ROOT and draws validation Hamming
recall@50 against the epoch, one panel per knob (tau_rank, tau_cut, beta
schedule, BPR mixing, code length), the preset in every panel. Prints a
Markdown table of each run's last and best validation recall@50 (and the
test figures of its last evaluation, for reference only: choices are made
on validation).

usage: plot_study.py ROOT OUT.png [--metric recall@50]
"""
import argparse
import json
import pathlib
import sys

GROUPS = [
    ("τ_rank", "tau_rank_"),
    ("τ_cut", "tau_cut_"),
    ("β schedule", "beta_"),
    ("BPR weight", "bpr_"),
    ("code length", "bits_"),
]


def load_runs(root):
    runs = {}
    for path in sorted(pathlib.Path(root).glob("*/metrics.jsonl")):
        if path.parent.name.startswith("."):  # a run still in its staging folder
            continue
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if rows:
            runs[path.parent.name] = rows
    return runs


def curve(rows, split, mode, metric):
    xs, ys = [], []
    for row in rows:
        block = row.get(split) if split == "valid" else row.get("metrics")
        if block and mode in block and metric in block[mode]:
            xs.append(row["epoch"])
            ys.append(block[mode][metric])
    return xs, ys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("png")
    parser.add_argument("--metric", default="recall@50")
    parser.add_argument("--mode", default="hamming")
    args = parser.parse_args()
    runs = load_runs(args.root)
    if not runs:
        sys.exit(f"plot_study: no RUN/metrics.jsonl under {args.root}")

    print(f"| run | epochs | valid {args.metric} last | best (epoch) | test {args.metric} last |")
    print("|---|---|---|---|---|")
    for name, rows in runs.items():
        xs, ys = curve(rows, "valid", args.mode, args.metric)
        _, test = curve(rows, "test", args.mode, args.metric)
        if not ys:
            continue
        best = max(range(len(ys)), key=ys.__getitem__)
        print(f"| {name} | {xs[-1]} | {ys[-1]:.4f} | {ys[best]:.4f} ({xs[best]}) | {test[-1]:.4f} |")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(GROUPS), figsize=(4 * len(GROUPS), 3.6), sharey=True)
    for ax, (title, prefix) in zip(axes, GROUPS):
        for name, rows in runs.items():
            if name != "preset" and not name.startswith(prefix):
                continue
            xs, ys = curve(rows, "valid", args.mode, args.metric)
            style = dict(color="black", linewidth=2) if name == "preset" else {}
            ax.plot(xs, ys, marker="o", markersize=3, label=name, **style)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel(f"valid {args.mode} {args.metric}")
    fig.tight_layout()
    fig.savefig(args.png, dpi=110)
    print(f"\nwrote {args.png}", file=sys.stderr)


if __name__ == "__main__":
    main()
