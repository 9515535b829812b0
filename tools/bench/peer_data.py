"""Helpers shared by the Python peers in tools/bench/: data, the BPR step's
loss, and timing whole batches."""
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


def bpr_l2_loss(final, e0, u, i, j, count, decay):
    """bitrec's BPR + L2 batch loss (docs/methods.md §2): mean softplus(−margin) on
    the final embeddings, λ/(2B)·Σ‖e0 rows‖² on layer 0; i, j are node ids."""
    import torch
    margin = (final[u] * final[i]).sum(1) - (final[u] * final[j]).sum(1)
    reg = 0.5 * (e0[u].pow(2).sum() + e0[i].pow(2).sum() + e0[j].pow(2).sum()) / count
    return torch.nn.functional.softplus(-margin).mean() + decay * reg


def time_batches(step, n_batches, batch, samples, device):
    """Seconds of step(count) over batches 0..n_batches−1 of an epoch of
    `samples` triples, the device synchronised before and after."""
    import time
    import torch
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for b in range(n_batches):
        step(min(batch, samples - b * batch))
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start
