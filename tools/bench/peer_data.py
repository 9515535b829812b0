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
