#!/usr/bin/env python3
"""Table (markdown) and plot of tools/study/session_hash_study.sh's runs:
per code length, test Recall@20 / MRR@20 of gru4rec-hash's learned codes
(hamming, hier, real) against gru4rec's real scores and its post-hoc sign
(hamming, hier).

Usage: session_hash_table.py ROOT [--plot FILE.png]
"""
import argparse
import json
import os
import re


def metrics(path, mode):
    with open(path) as f:
        return json.load(f)["metrics"][mode]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root")
    parser.add_argument("--plot")
    args = parser.parse_args()
    lengths = sorted({int(m.group(1)) for name in os.listdir(args.root)
                      for m in [re.fullmatch(r"gru4rec-hash-(\d+)", name)] if m})
    rows = []
    for bits in lengths:
        learned = os.path.join(args.root, f"gru4rec-hash-{bits}", "report.json")
        real = os.path.join(args.root, f"gru4rec-{bits}", "report.json")
        if not (os.path.exists(learned) and os.path.exists(real)):
            continue
        row = {"bits": bits}
        for mode in ("hamming", "hier", "real"):
            row[f"learned {mode}"] = metrics(learned, mode)
        row["real model"] = metrics(real, "real")
        for mode in ("hamming", "hier"):
            row[f"post-hoc {mode}"] = metrics(os.path.join(args.root, f"posthoc-{bits}-{mode}.json"), mode)
        rows.append(row)
    columns = ["learned hamming", "post-hoc hamming", "learned hier", "post-hoc hier", "learned real", "real model"]
    print("| bits | " + " | ".join(f"{c} R@20 / MRR@20" for c in columns) + " |")
    print("|---:|" + "---|" * len(columns))
    for row in rows:
        cells = [f"{row[c]['recall@20']:.4f} / {row[c]['mrr@20']:.4f}" for c in columns]
        print(f"| {row['bits']} | " + " | ".join(cells) + " |")
    if args.plot and rows:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 4))
        bits = [r["bits"] for r in rows]
        for c, style in zip(columns, ["o-", "o--", "s-", "s--", "^-", "k:"]):
            ax.plot(bits, [r[c]["recall@20"] for r in rows], style, label=c)
        ax.set_xscale("log", base=2)
        ax.set_xticks(bits)
        ax.set_xticklabels([str(b) for b in bits])
        ax.set_xlabel("code length (bits)")
        ax.set_ylabel("test Recall@20")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)


if __name__ == "__main__":
    main()
