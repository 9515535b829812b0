"""Data helpers shared by the Python peers in tools/bench/."""
import numpy as np


def read_lightgcn(path):
    """(users, items) int64 arrays of a LightGCN `user item item …` file."""
    users, items = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            u = int(parts[0])
            for it in parts[1:]:
                users.append(u)
                items.append(int(it))
    return np.array(users, dtype=np.int64), np.array(items, dtype=np.int64)


def normalised_edges(users, items, n_users, n_items):
    """(rows, cols, values, n) of D^-1/2 A D^-1/2 over the bipartite graph
    (users first, items after them), both directions of every pair."""
    rows = np.concatenate([users, items + n_users])
    cols = np.concatenate([items + n_users, users])
    n = n_users + n_items
    degree = np.bincount(rows, minlength=n).astype(np.float32)
    inv_sqrt = np.where(degree > 0, 1.0 / np.sqrt(np.maximum(degree, 1)), 0.0).astype(np.float32)
    return rows, cols, inv_sqrt[rows] * inv_sqrt[cols], n
