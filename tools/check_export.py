#!/usr/bin/env python3
"""Checks a `bitrec export` folder with numpy and FAISS (docs/serving.md).

Reads every file with numpy / faiss.read_index_binary, checks shapes, dtypes
and the bit order against the embeddings' signs, and when the export holds
topk.tsv recomputes every user's top-K independently (FAISS's Hamming search
for hamming, numpy inner products for real) with the pairs in
excluded_pairs.npy left out, and compares. Hamming distances tie often and
FAISS orders ties its own way, so lists are compared as distance sequences
plus the items strictly inside the K-th distance, never position by position.

Usage: tools/check_export.py EXPORT_DIR [--users N]   (exit 0: all checks pass)
Needs numpy and faiss (Debian: apt-get install python3-numpy python3-faiss).
"""
import argparse
import json
import os
import sys

import numpy as np


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def load_id_map(path):
    ids = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n")
        require(header == "dense_id\texternal_id", f"{path}: header is {header!r}")
        for number, line in enumerate(f, start=2):
            dense, external = line.rstrip("\n").split("\t")
            require(int(dense) == len(ids), f"{path}:{number}: dense ids are not 0, 1, 2, ...")
            ids.append(external)
    return ids


def load_topk(path, user_index, item_index):
    """{dense user: ([dense items], [scores])} in file order."""
    lists = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n")
        require(header == "user\trank\titem\tscore", f"{path}: header is {header!r}")
        for number, line in enumerate(f, start=2):
            user, rank, item, score = line.rstrip("\n").split("\t")
            u = user_index[user]
            items, scores = lists.setdefault(u, ([], []))
            require(int(rank) == len(items) + 1, f"{path}:{number}: rank {rank} out of order")
            items.append(item_index[item])
            scores.append(float(score))
    return lists


def check_codes(export, manifest, n_users, n_items):
    bits = manifest["bits"]
    cu = np.load(os.path.join(export, "codes_users.npy"))
    ci = np.load(os.path.join(export, "codes_items.npy"))
    for name, codes, rows in (("codes_users", cu, n_users), ("codes_items", ci, n_items)):
        require(codes.dtype == np.uint8, f"{name}.npy: dtype {codes.dtype}, expected uint8")
        require(codes.shape == (rows, bits // 8), f"{name}.npy: shape {codes.shape}, expected {(rows, bits // 8)}")

    import faiss
    index = faiss.read_index_binary(os.path.join(export, "items.faiss"))
    require(index.d == bits, f"items.faiss: d = {index.d}, expected {bits}")
    require(index.ntotal == n_items, f"items.faiss: ntotal = {index.ntotal}, expected {n_items}")
    require(index.code_size == bits // 8, f"items.faiss: code_size = {index.code_size}")
    stored = faiss.vector_to_array(faiss.downcast_IndexBinary(index).xb).reshape(n_items, bits // 8)
    require(np.array_equal(stored, ci), "items.faiss: codes differ from codes_items.npy")

    # Bit order (docs/contract.md "Codes"): bit k = 1 iff E[k] >= 0, little-endian bit order within bytes.
    emb_path = os.path.join(export, "emb_items.npy")
    if os.path.exists(emb_path):
        for name, codes, emb_name in (("codes_users", cu, "emb_users.npy"), ("codes_items", ci, "emb_items.npy")):
            emb = np.load(os.path.join(export, emb_name))
            expected = np.packbits(emb >= 0, axis=1, bitorder="little")
            require(np.array_equal(codes, expected), f"{name}.npy: bits differ from sign(E) in {emb_name}")
    return cu, ci, index


def excluded_by_user(export, n_users):
    pairs = np.load(os.path.join(export, "excluded_pairs.npy"))
    require(pairs.dtype == np.int32 and pairs.ndim == 2 and pairs.shape[1] == 2,
            f"excluded_pairs.npy: dtype {pairs.dtype} shape {pairs.shape}, expected int32 [n, 2]")
    order = np.argsort(pairs[:, 0], kind="stable")
    pairs = pairs[order]
    bounds = np.searchsorted(pairs[:, 0], np.arange(n_users + 1))
    return [pairs[bounds[u]:bounds[u + 1], 1] for u in range(n_users)]


def compare_hamming(users, lists, excluded, cu, ci, index, k, n_items):
    """FAISS's top-(k + |excluded|) per user, excluded items dropped, against bitrec's list."""
    checked = 0
    block = 1024
    for first in range(0, len(users), block):
        part = users[first:first + block]
        extra = max(len(excluded[u]) for u in part)
        fetch = min(k + extra, n_items)
        dist, ids = index.search(cu[part], fetch)
        for row, u in enumerate(part):
            keep = ~np.isin(ids[row], excluded[u]) & (ids[row] >= 0)
            f_ids, f_dist = ids[row][keep][:k], dist[row][keep][:k]
            b_ids, b_dist = lists.get(u, ([], []))
            require(len(b_ids) == len(f_ids),
                    f"user {u}: bitrec lists {len(b_ids)} items, FAISS {len(f_ids)}")
            require(list(np.asarray(b_dist, dtype=np.int64)) == list(f_dist.astype(np.int64)),
                    f"user {u}: distances differ: bitrec {b_dist[:10]}..., FAISS {list(f_dist[:10])}...")
            require(not np.isin(b_ids, excluded[u]).any(), f"user {u}: bitrec lists an excluded item")
            actual = np.unpackbits(cu[u] ^ ci[b_ids], axis=1).sum(axis=1) if len(b_ids) else []
            require(list(actual) == list(np.asarray(b_dist, dtype=np.int64)),
                    f"user {u}: listed distances are not the codes' Hamming distances")
            if len(b_ids):
                last = b_dist[-1]
                inside_b = {i for i, d in zip(b_ids, b_dist) if d < last}
                inside_f = {int(i) for i, d in zip(f_ids, f_dist) if d < last}
                require(inside_b == inside_f, f"user {u}: items closer than distance {last} differ")
            checked += 1
    return checked


def compare_real(users, lists, excluded, export, k):
    """numpy inner products against bitrec's scores; ties and float rounding tolerated."""
    eu = np.load(os.path.join(export, "emb_users.npy"))
    ei = np.load(os.path.join(export, "emb_items.npy"))
    for u in users:
        scores = ei @ eu[u]
        scores[excluded[u]] = -np.inf
        b_ids, b_scores = lists.get(u, ([], []))
        require(np.allclose(scores[b_ids], b_scores, rtol=1e-4, atol=1e-5), f"user {u}: scores are not E_u . E_i")
        kth = np.sort(scores)[::-1][min(k, len(scores)) - 1]
        require(min(b_scores) >= kth - 1e-4 * max(1.0, abs(kth)), f"user {u}: an item better than the list's last is missing")
    return len(users)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", help="folder written by `bitrec export`")
    parser.add_argument("--users", type=int, default=0, help="check only the first N users' lists (0: all)")
    args = parser.parse_args()
    export = args.export
    try:
        with open(os.path.join(export, "export.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        require(manifest.get("format") == "bitrec-export", "export.json: not a bitrec export")
        n_users, n_items, dim = manifest["users"], manifest["items"], manifest["dim"]
        files = set(manifest["files"])
        users_ids = load_id_map(os.path.join(export, "users.tsv"))
        items_ids = load_id_map(os.path.join(export, "items.tsv"))
        require(len(users_ids) == n_users and len(items_ids) == n_items, "users.tsv / items.tsv: wrong length")
        summary = [f"{n_users} users, {n_items} items"]

        if "emb_users.npy" in files:
            for name, rows in (("emb_users.npy", n_users), ("emb_items.npy", n_items)):
                emb = np.load(os.path.join(export, name))
                require(emb.dtype == np.float32, f"{name}: dtype {emb.dtype}, expected float32")
                require(emb.shape == (rows, dim), f"{name}: shape {emb.shape}, expected {(rows, dim)}")
                require(np.isfinite(emb).all(), f"{name}: holds NaN or Inf")
            summary.append(f"embeddings d={dim}")
        cu = ci = index = None
        if "codes_users.npy" in files:
            cu, ci, index = check_codes(export, manifest, n_users, n_items)
            summary.append(f"codes {manifest['bits']} bits, items.faiss opened by FAISS")

        if "topk.tsv" in files:
            k, mode = manifest["topk"]["k"], manifest["topk"]["mode"]
            user_index = {u: i for i, u in enumerate(users_ids)}
            item_index = {i: j for j, i in enumerate(items_ids)}
            lists = load_topk(os.path.join(export, "topk.tsv"), user_index, item_index)
            excluded = excluded_by_user(export, n_users)
            users = list(range(n_users if args.users <= 0 else min(args.users, n_users)))
            if mode == "hamming":
                require(index is not None, "topk.tsv: hamming lists need the codes (export --what codes,topk)")
                checked = compare_hamming(users, lists, excluded, cu, ci, index, k, n_items)
            elif mode == "real":
                require("emb_users.npy" in files, "topk.tsv: real lists need the embeddings")
                checked = compare_real(users, lists, excluded, export, k)
            else:
                checked = 0
                summary.append(f"topk mode {mode}: not recomputed")
            if checked:
                summary.append(f"top-{k} ({mode}) of {checked} users matches {'FAISS' if mode == 'hamming' else 'numpy'}")
    except CheckFailed as e:
        print(f"check_export: FAIL: {e}", file=sys.stderr)
        return 1
    except (OSError, KeyError, ValueError) as e:
        print(f"check_export: FAIL: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print("check_export: OK: " + "; ".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
