#!/usr/bin/env python3
"""Session split of a SASRec-style sequence file for the official GRU4Rec.

Usage: gru4rec_split.py SEQUENCES OUTDIR [--valid]

SEQUENCES has one `user item` pair per line, each user's lines in
chronological order (e.g. ../shared/datasets/video-games/sequences.txt).
Writes TAB-separated OUTDIR/train.tsv and OUTDIR/test.tsv (and valid.tsv
with --valid), header `SessionId<TAB>ItemId<TAB>Time`, and prints counts.

The rule:
  * every user's sequence is one session, SessionId = user id;
  * Time = the event's 1-based line number in SEQUENCES, so events keep
    their order and sessions are ordered by their first event (file order);
  * test sessions: users with id % 10 == 0; with --valid, validation
    sessions: users with id % 10 == 1; train: all other users;
  * in test (and validation), events whose item never occurs in train are
    dropped, then sessions with fewer than 2 events are dropped.

Without --valid the Video Games file gives 259,083 train events in 27,912
sessions and 27,628 test events in 3,099 sessions.
"""
import os
import sys


def read_sessions(path):
    """Return {user: [(time, item), ...]} in file order (dicts keep order)."""
    sessions = {}
    with open(path) as f:
        for line_no, line in enumerate(f, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2:
                sys.exit(f"{path}:{line_no}: expected `user item`, got {line.rstrip()!r}")
            user, item = int(fields[0]), int(fields[1])
            sessions.setdefault(user, []).append((line_no, item))
    return sessions


def filter_to_items(sessions, items):
    """Drop events with items outside `items`, then sessions under 2 events."""
    kept = {}
    for user, events in sessions.items():
        events = [e for e in events if e[1] in items]
        if len(events) >= 2:
            kept[user] = events
    return kept


def write_tsv(path, sessions):
    n_events = 0
    with open(path, "w") as f:
        f.write("SessionId\tItemId\tTime\n")
        for user, events in sessions.items():
            for time, item in events:
                f.write(f"{user}\t{item}\t{time}\n")
            n_events += len(events)
    return n_events


def main(argv):
    args = [a for a in argv if a != "--valid"]
    with_valid = len(args) != len(argv)
    if len(args) != 2 or any(a.startswith("-") for a in args):
        sys.exit(__doc__.split("\n\n")[1])
    sequences, outdir = args
    sessions = read_sessions(sequences)

    def part(user):
        if user % 10 == 0:
            return "test"
        if with_valid and user % 10 == 1:
            return "valid"
        return "train"

    parts = {"train": {}, "valid": {}, "test": {}}
    for user, events in sessions.items():
        parts[part(user)][user] = events
    train_items = {item for events in parts["train"].values() for _, item in events}
    for name in ("valid", "test"):
        parts[name] = filter_to_items(parts[name], train_items)

    os.makedirs(outdir, exist_ok=True)
    names = ("train", "valid", "test") if with_valid else ("train", "test")
    for name in names:
        n_events = write_tsv(os.path.join(outdir, f"{name}.tsv"), parts[name])
        print(f"{name}: {n_events} events in {len(parts[name])} sessions")
    print(f"train items: {len(train_items)}")


if __name__ == "__main__":
    main(sys.argv[1:])
