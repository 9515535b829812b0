#!/usr/bin/python3
"""PyTorch Geometric peers for bitrec's GPU epoch benchmark (BENCHMARKS.md):
PyG's `LightGCN` model trained with bitrec's data, hyperparameters and
batch count (BPR + L2 on layer-0 rows, Adam, `--batch` triples per batch,
ceil(|train| / batch) batches per epoch), on two of PyG's paths:

- `edge_index` (PyG's default): message passing over a [2, 2|train|]
  edge list, `gcn_norm` recomputed inside every LGConv call;
- `sparse`: the normalised adjacency precomputed once as a torch sparse
  CSR tensor, LGConv(normalize=False) then runs SpMM (cuSPARSE on CUDA).

Triples are drawn on the device by a vectorised sampler (docs/methods.md §1
scheme (a): user uniform over users with train items, positive uniform over
the user's items, negative uniform over items not in them), so neither peer
is slowed by a Python sampling loop.

    python3 tools/bench/pyg_lightgcn_peer.py ../shared/datasets/gowalla --path edge_index --epochs 3
    python3 tools/bench/pyg_lightgcn_peer.py ../shared/datasets/gowalla --path sparse --epochs 3 --json out.json

Prints seconds per epoch of each timed epoch and their median (after one
warm-up epoch), and the peak CUDA memory.
"""
import argparse
import json
import os
import statistics
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_data import bpr_l2_loss, normalised_edges, read_lightgcn, time_batches  # noqa: E402


def device_sampler(users, items, n_users, n_items, device, seed):
    """Vectorised scheme (a) sampler on `device`; returns sample(count)."""
    order = np.lexsort((items, users))
    users, items = users[order], items[order]
    counts = np.bincount(users, minlength=n_users)
    offsets = np.zeros(n_users + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    active = np.flatnonzero((counts > 0) & (counts < n_items))
    # One sorted key per train pair: membership of (u, j) by searchsorted.
    keys = torch.from_numpy(users * n_items + items).to(device)
    offsets_d = torch.from_numpy(offsets).to(device)
    counts_d = torch.from_numpy(counts).to(device)
    items_d = torch.from_numpy(items).to(device)
    active_d = torch.from_numpy(active).to(device)
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)

    def sample(count):
        u = active_d[torch.randint(len(active), (count,), device=device, generator=gen)]
        pick = (torch.rand(count, device=device, generator=gen) * counts_d[u]).long()
        pos = items_d[offsets_d[u] + torch.minimum(pick, counts_d[u] - 1)]
        neg = torch.randint(n_items, (count,), device=device, generator=gen)
        while True:  # redraw negatives that are train items of their user
            key = u * n_items + neg
            at = torch.searchsorted(keys, key).clamp(max=len(keys) - 1)
            bad = keys[at] == key
            if not bool(bad.any()):
                return u, pos, neg
            neg = torch.where(bad, torch.randint(n_items, (count,), device=device, generator=gen), neg)

    return sample


def normalised_adjacency(users, items, n_users, n_items, device):
    """D^-1/2 A D^-1/2 of the bipartite graph as a torch sparse CSR tensor."""
    rows, cols, values, n = normalised_edges(users, items, n_users, n_items)
    coo = torch.sparse_coo_tensor(torch.from_numpy(np.vstack([rows, cols])), torch.from_numpy(values), (n, n))
    return coo.coalesce().to_sparse_csr().to(device)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", help="folder with train.txt (LightGCN format)")
    p.add_argument("--path", choices=["edge_index", "sparse"], default="edge_index")
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--batch", type=int, default=2048)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--decay", type=float, default=1e-4)
    p.add_argument("--epochs", type=int, default=3, help="timed epochs (after one warm-up epoch)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--json", help="write the figures here as JSON")
    args = p.parse_args()

    import torch_geometric
    from torch_geometric.nn.models import LightGCN

    device = torch.device(args.device)
    users, items = read_lightgcn(os.path.join(args.data, "train.txt"))
    n_users, n_items = int(users.max()) + 1, int(items.max()) + 1
    test_path = os.path.join(args.data, "test.txt")
    if os.path.exists(test_path):
        tu, ti = read_lightgcn(test_path)
        n_users, n_items = max(n_users, int(tu.max()) + 1), max(n_items, int(ti.max()) + 1)
    n_nodes = n_users + n_items

    if args.path == "edge_index":
        src = np.concatenate([users, items + n_users])
        dst = np.concatenate([items + n_users, users])
        graph = torch.from_numpy(np.vstack([src, dst])).to(device)
        model = LightGCN(n_nodes, args.dim, args.layers).to(device)
    else:
        graph = normalised_adjacency(users, items, n_users, n_items, device)
        model = LightGCN(n_nodes, args.dim, args.layers, normalize=False).to(device)
    torch.manual_seed(2020)
    with torch.no_grad():
        model.embedding.weight.normal_(0.0, 0.1)  # bitrec's init (PyG: xavier)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sample = device_sampler(users, items, n_users, n_items, device, 2020)
    samples = len(users)
    batches = (samples + args.batch - 1) // args.batch

    def step(count):
        u, i, j = sample(count)
        final = model.get_embedding(graph)
        i, j = i + n_users, j + n_users
        loss = bpr_l2_loss(final, model.embedding.weight, u, i, j, count, args.decay)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def epoch():
        return time_batches(step, batches, args.batch, samples, device)

    epoch()  # warm-up: kernels, cuSPARSE buffers, allocator
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    seconds = [epoch() for _ in range(args.epochs)]
    peak = torch.cuda.max_memory_allocated() if device.type == "cuda" else None
    name = torch.cuda.get_device_name() if device.type == "cuda" else "cpu"
    result = {
        "peer": f"PyG {torch_geometric.__version__} LightGCN ({args.path})",
        "torch": torch.__version__,
        "device": name,
        "dim": args.dim, "layers": args.layers, "batch": args.batch, "batches_per_epoch": batches,
        "epoch_seconds": seconds,
        "epoch_seconds_median": statistics.median(seconds),
        "peak_memory_bytes": peak,
    }
    print(f"{result['peer']} on {name}: {batches} batches per epoch, epochs "
          f"{', '.join(f'{s:.3f}' for s in seconds)} s, median {result['epoch_seconds_median']:.3f} s"
          + (f", peak memory {peak / 2**20:.0f} MiB" if peak is not None else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
