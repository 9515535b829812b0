#!/usr/bin/python3
"""All-user Hamming top-K with FAISS IndexBinaryFlat on the codes that
`bitrec bench --codes-out FILE` wrote, for the comparison in BENCHMARKS.md.

    build/bitrec bench --data DIR --codes-out /tmp/codes.npy   # prints n_users
    /usr/bin/python3 tools/bench/faiss_hamming.py /tmp/codes.npy --users N [--k 50]

Uses Debian's python3-faiss and python3-numpy (system python3). FAISS does
not exclude train items; compare with bitrec's no-exclusion figure.
"""
import argparse
import statistics
import sys
import time

import numpy as np

try:
    import faiss
except ImportError:
    sys.exit("faiss_hamming.py: needs Debian's python3-faiss (apt-get install python3-faiss)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("codes", help=".npy uint8 [users + items, bytes] from bitrec bench --codes-out")
    parser.add_argument("--users", type=int, required=True, help="rows that are users (the rest are items)")
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 0], help="0 = all cores")
    args = parser.parse_args()

    codes = np.load(args.codes)
    if codes.dtype != np.uint8 or codes.ndim != 2:
        sys.exit(f"{args.codes}: expected a 2-D uint8 array, got {codes.dtype} {codes.shape}")
    users, items = codes[: args.users], codes[args.users:]
    bits = codes.shape[1] * 8
    index = faiss.IndexBinaryFlat(bits)
    index.add(np.ascontiguousarray(items))
    for threads in args.threads:
        faiss.omp_set_num_threads(threads if threads > 0 else faiss.omp_get_max_threads())
        used = faiss.omp_get_max_threads()
        index.search(users[:256], args.k)  # warm-up
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            index.search(users, args.k)
            times.append(time.perf_counter() - start)
        print(f"faiss IndexBinaryFlat top-{args.k}, {bits} bits, {len(users)} users x {len(items)} items, "
              f"{used} thread(s): median {statistics.median(times) * 1e3:.2f} ms over {args.repeats}")


if __name__ == "__main__":
    main()
