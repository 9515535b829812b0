#!/usr/bin/env python3
"""Compares the model state of two bitrec checkpoints bit for bit.

    tools/regress/compare_checkpoints.py A/checkpoint.bin B/checkpoint.bin

Reads checkpoint.bin as host/io/checkpoint.cpp writes it (versions 1-3) and
compares everything that is the model: shapes, epochs, the Adam step, E0 and
Adam's moments, the in-epoch position and loss sum, every parameter block,
and each evaluation's loss, metrics and code health. It ignores what may
differ between two runs of the same model: the config's paths and the
evaluations' timings. Exit 0 when identical, 1 with the differences listed.
"""
import struct
import sys


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 12  # magic (8) + version (4)

    def get(self, fmt):
        size = struct.calcsize(fmt)
        value = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += size
        return value[0] if len(value) == 1 else value

    def string(self):
        n = self.get("Q")
        s = self.data[self.pos:self.pos + n].decode("utf-8", "replace")
        self.pos += n
        return s

    def floats(self):
        n = self.get("Q")
        raw = self.data[self.pos:self.pos + 4 * n]
        self.pos += 4 * n
        return raw  # compared as bytes: bit for bit

    def metrics(self):
        return {self.string(): self.get("d") for _ in range(self.get("Q"))}

    def modes(self):
        return {self.string(): self.metrics() for _ in range(self.get("Q"))}


# Config keys that name places or machines, not the model.
IGNORED_CONFIG = {"out", "overwrite", "threads", "device", "data"}


def load(path):
    data = open(path, "rb").read()
    if data[:8] != b"BITRECCK":
        sys.exit(f"{path}: not a bitrec checkpoint")
    version = struct.unpack_from("<I", data, 8)[0]
    r = Reader(data)
    state = {"version": version}
    state["config"] = {k: v for k, v in (
        (r.string(), r.string()) for _ in range(r.get("Q"))) if k not in IGNORED_CONFIG}
    for name, fmt in (("n_users", "i"), ("n_items", "i"), ("dim", "i"), ("epochs_done", "i"),
                      ("adam_step", "q")):
        state[name] = r.get(fmt)
    state["e0"], state["adam_m"], state["adam_v"] = r.floats(), r.floats(), r.floats()
    if version >= 2:
        state["epoch_batches_done"] = r.get("q")
        state["epoch_loss_sum"] = struct.pack("<f", r.get("f"))
        history = []
        for _ in range(r.get("Q")):
            epoch = r.get("i")
            r.get("d"), r.get("d")  # train_seconds, eval_seconds: timings
            point = {"epoch": epoch, "loss": r.get("d"), "hashed": r.get("B"),
                     "test": r.modes(), "valid": r.modes(),
                     "codes": (r.get("q"), r.get("q"), r.get("d"), r.get("d"))}
            history.append(point)
        state["history"] = history
    if version >= 3:
        blocks = []
        for _ in range(r.get("Q")):
            blocks.append((r.string(), r.get("q"), r.get("q"), r.floats(), r.floats(), r.floats()))
        state["blocks"] = blocks
    return state


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = load(sys.argv[1]), load(sys.argv[2])
    differ = [key for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]
    if differ:
        print(f"DIFFER: {sys.argv[1]} vs {sys.argv[2]}: " + ", ".join(differ))
        return 1
    print(f"same: {sys.argv[1]} = {sys.argv[2]} (epochs {a['epochs_done']}, "
          f"{len(a['e0']) // 4} E0 values, {len(a.get('blocks', []))} blocks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
