#!/usr/bin/env python3
"""A smaller LightGCN-format dataset from a larger one, for checking that a
preset holds on data of another size (docs/recall_hash_study.md).

Keeps every EVERY-th user (by id), their train and test items, then the items
that remain in train; users and items are renumbered densely in id order.
Deterministic: the same input and EVERY give the same files.

usage: subsample_users.py SRC_DIR OUT_DIR [--every 25]
"""
import argparse
import pathlib
import sys


def read(path):
    rows = {}
    for line_no, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        try:
            ids = [int(f) for f in fields]
        except ValueError:
            sys.exit(f"{path}:{line_no}: not a list of integer ids")
        rows[ids[0]] = ids[1:]
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("src")
    p.add_argument("out")
    p.add_argument("--every", type=int, default=25)
    a = p.parse_args()
    src, out = pathlib.Path(a.src), pathlib.Path(a.out)
    train, test = read(src / "train.txt"), read(src / "test.txt")
    users = [u for u in sorted(train) if u % a.every == 0 and train[u]]
    items = sorted({i for u in users for i in train[u]})
    item_id = {i: k for k, i in enumerate(items)}
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "train.txt", "w") as f:
        for k, u in enumerate(users):
            f.write(" ".join(str(x) for x in [k] + [item_id[i] for i in train[u]]) + "\n")
    with open(out / "test.txt", "w") as f:
        for k, u in enumerate(users):
            kept = [item_id[i] for i in test.get(u, []) if i in item_id]
            f.write(" ".join(str(x) for x in [k] + kept) + "\n")
    print(f"{out}: {len(users)} users, {len(items)} items")


if __name__ == "__main__":
    main()
