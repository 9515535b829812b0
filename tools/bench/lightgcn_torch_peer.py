#!/usr/bin/python3
"""The peer for bitrec's epoch benchmark: LightGCN trained the way
LightGCN-PyTorch does it (torch.sparse.mm over the whole normalised graph
every batch, BPR + L2 on layer-0 rows, Adam), with bitrec's hyperparameters
and batch count. CPU or CUDA, whichever torch sees (--device).

    /usr/bin/python3 tools/bench/lightgcn_torch_peer.py ../shared/datasets/gowalla [--batches N]

Prints seconds per epoch (measured over --batches batches, scaled to the
epoch's ceil(|train| / batch) batches when fewer are timed).
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_data import bpr_l2_loss, normalised_edges, read_lightgcn, time_batches  # noqa: E402


def normalised_graph(users, items, n_users, n_items, device):
    rows, cols, values, n = normalised_edges(users, items, n_users, n_items)
    graph = torch.sparse_coo_tensor(np.vstack([rows, cols]), values, (n, n)).coalesce()
    return graph.to_sparse_csr().to(device) if device != "cpu" else graph


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", help="folder with train.txt")
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--batch", type=int, default=2048)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--decay", type=float, default=1e-4)
    p.add_argument("--batches", type=int, default=0, help="batches to time (0 = a whole epoch)")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--eval", action="store_true",
                   help="also time a full evaluation: every test user, all items scored, train items masked, top-100")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    users, items = read_lightgcn(os.path.join(args.data, "train.txt"))
    n_users, n_items = int(users.max()) + 1, int(items.max()) + 1
    test_path = os.path.join(args.data, "test.txt")
    if os.path.exists(test_path):
        tu, ti = read_lightgcn(test_path)
        n_users, n_items = max(n_users, int(tu.max()) + 1), max(n_items, int(ti.max()) + 1)
    device = torch.device(args.device)
    graph = normalised_graph(users, items, n_users, n_items, args.device)
    positives = [set() for _ in range(n_users)]
    for u, i in zip(users, items):
        positives[u].add(int(i))
    user_items = [np.fromiter(s, dtype=np.int64) for s in positives]
    active = np.array([u for u in range(n_users) if 0 < len(positives[u]) < n_items])

    torch.manual_seed(2020)
    emb = torch.nn.Parameter(torch.randn(n_users + n_items, args.dim, device=device) * 0.1)
    opt = torch.optim.Adam([emb], lr=args.lr)
    samples = len(users)
    batches = (samples + args.batch - 1) // args.batch
    timed = batches if args.batches <= 0 else min(args.batches, batches)
    rng = np.random.default_rng(2020)

    def sample(count):  # docs/methods.md §1 scheme (a), LightGCN-PyTorch's Python sampler
        u = active[rng.integers(0, len(active), count)]
        pos = np.empty(count, dtype=np.int64)
        neg = np.empty(count, dtype=np.int64)
        for t, user in enumerate(u):
            its = user_items[user]
            pos[t] = its[rng.integers(0, len(its))]
            while True:
                j = int(rng.integers(0, n_items))
                if j not in positives[user]:
                    neg[t] = j
                    break
        return (torch.from_numpy(u).to(device), torch.from_numpy(pos + n_users).to(device),
                torch.from_numpy(neg + n_users).to(device))

    def step(count):
        u, i, j = sample(count)
        layer, total = emb, emb
        for _ in range(args.layers):
            layer = torch.sparse.mm(graph, layer)
            total = total + layer
        final = total / (args.layers + 1)
        loss = bpr_l2_loss(final, emb, u, i, j, count, args.decay)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    step(args.batch)  # warm-up
    elapsed = time_batches(step, timed, args.batch, samples, device)
    per_epoch = elapsed / timed * batches
    print(f"torch {torch.__version__} LightGCN ({args.device}, {torch.get_num_threads()} threads): "
          f"{timed} of {batches} batches in {elapsed:.2f} s -> {per_epoch:.2f} s per epoch")
    if args.eval:
        evaluate(args, emb, graph, n_users, user_items, test_path, device)


def evaluate(args, emb, graph, n_users, user_items, test_path, device, k=100, chunk=2048):
    """LightGCN-PyTorch's Test(): propagate, score user chunks against all
    items, mask train items, top-k; recall@20 as a sanity figure."""
    tu, ti = read_lightgcn(test_path)
    truth = {}
    for u, i in zip(tu, ti):
        truth.setdefault(int(u), set()).add(int(i))
    test_users = np.array(sorted(truth))
    start = time.perf_counter()
    with torch.no_grad():
        layer, total = emb, emb
        for _ in range(args.layers):
            layer = torch.sparse.mm(graph, layer)
            total = total + layer
        final = total / (args.layers + 1)
        users_e, items_e = final[:n_users], final[n_users:]
        hits = 0.0
        for c in range(0, len(test_users), chunk):
            batch = test_users[c:c + chunk]
            scores = users_e[torch.from_numpy(batch).to(device)] @ items_e.T
            rows = np.concatenate([np.full(len(user_items[u]), r) for r, u in enumerate(batch)])
            cols = np.concatenate([user_items[u] for u in batch])
            scores[torch.from_numpy(rows).to(device), torch.from_numpy(cols).to(device)] = -np.inf
            top = torch.topk(scores, k).indices.cpu().numpy()
            for r, u in enumerate(batch):
                hits += len(set(top[r, :20].tolist()) & truth[int(u)]) / len(truth[int(u)])
    elapsed = time.perf_counter() - start
    print(f"full evaluation ({len(test_users)} test users, top-{k}): {elapsed:.2f} s "
          f"(recall@20 {hits / len(test_users):.4f})")


if __name__ == "__main__":
    main()
