#!/usr/bin/env python3
"""Table (and plot) of the warm-start study (tools/study/warm_start_study.sh).

Reads ROOT/*/report.json and metrics.jsonl and prints one Markdown row per
run: its protocol, then test Recall@50/100 and NDCG@50/100 in Hamming mode
(LightGCN's NDCG, and ndcg_hit with the run's kmax: 1000 under the papers'
protocol), final and at the selected epoch (best on validation, or the best
test epoch under the papers' protocol), with hier and real R@50 beside them
so that the encoder's share stays visible.

usage: warm_start_table.py ROOT [--plot OUT.png]
"""
import argparse
import json
import pathlib
import sys


def load(root):
    runs = []
    for report_path in sorted(pathlib.Path(root).glob("*/report.json")):
        run = report_path.parent
        report = json.loads(report_path.read_text())
        rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
        runs.append((run.name, report, rows))
    return runs


def cell(block, mode, metric):
    value = block.get(mode, {}).get(metric)
    return "–" if value is None else f"{value:.4f}"


def table(runs):
    out = ["| run | protocol | epochs | selected epoch | mode | R@50 | R@100 | N@50 | N@100 | ndcg_hit@50 | ndcg_hit@100 | hier R@50 | real R@50 |",
           "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r, _ in runs:
        mode = "hamming" if r.get("bits", 0) else "real"
        protocol = "paper" if "paper" in r else "validation"
        for label, block, epoch in (("final", r.get("metrics", {}), r.get("epochs")),
                                    ("best", r.get("best", {}), r.get("best", {}).get("epoch"))):
            out.append(
                f"| {name} ({label}) | {protocol} | {r.get('epochs')} | {epoch} | {mode} | "
                + " | ".join(cell(block, mode, m) for m in ("recall@50", "recall@100", "ndcg@50", "ndcg@100",
                                                              "ndcg_hit@50", "ndcg_hit@100"))
                + f" | {cell(block, 'hier', 'recall@50')} | {cell(block, 'real', 'recall@50')} |")
    return "\n".join(out)


def plot(runs, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("warm_start_table: matplotlib is missing (Debian python3-matplotlib); no plot", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    hashed = [(name, r, rows) for name, r, rows in runs if r.get("bits")]
    for k, (name, r, rows) in enumerate(hashed):
        # 20 distinct colours; runs with a teacher (distill) solid, the rest dashed.
        style = dict(marker="o", color=plt.cm.tab20.colors[k % 20], label=name,
                     linestyle="-" if "distill" in name else "--")
        epochs = [row["epoch"] for row in rows]
        axes[0].plot(epochs, [row["metrics"]["hamming"]["recall@50"] for row in rows], **style)
        axes[1].plot(epochs, [row["metrics"]["real"]["recall@50"] for row in rows], **style)
    axes[0].set_title("test Hamming recall@50")
    axes[1].set_title("test real-valued recall@50 (the run's embeddings)")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot written to {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--plot")
    args = parser.parse_args()
    runs = load(args.root)
    if not runs:
        sys.exit(f"warm_start_table: no run with report.json under {args.root}")
    print(table(runs))
    if args.plot:
        plot(runs, args.plot)


if __name__ == "__main__":
    main()
