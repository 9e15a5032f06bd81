#!/usr/bin/env python3
"""Which built-in views hold the most memory: runs each view's own query under EXPLAIN
ANALYZE over a workspace whose answers are kept (run `recon reconcile` first, so every
view reads its inputs from their files), and prints the views by the largest hash table
a join of theirs built, with the query's time.

A large build is usually DataFusion hashing the big side of a join because it could not
know that side's size (the output of another join): take the small side's filter or
lookup out as a view of its own, or apply it to a stored table first. The peak of a
whole run is found by sampling the process's RSS against RECON_VIEW_TIMES' lines.

    python3 bench/view_memory.py --workspace DIR [--as-of "2026-10-15 12:00:00"] [--top 15]

The workspace's user and password come from RECON_USER / RECON_PASSWORD.
"""

import argparse
import csv
import io
import re
import subprocess
import time

from benchlib import RECON

UNITS = {"B": 1e-6, "KB": 1e-3, "MB": 1.0, "GB": 1e3}


def sql(workspace, as_of, text):
    return subprocess.run([RECON, "--workspace", workspace, "--as-of", as_of, "sql", "--format", "csv", "-c", text],
                          capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--as-of", default="2026-10-15 12:00:00")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    csv.field_size_limit(1 << 30)
    listing = sql(args.workspace, args.as_of,
                  "SELECT table_name, definition FROM information_schema.views WHERE table_schema = 'public'")
    found = []
    for name, definition in list(csv.reader(io.StringIO(listing.stdout)))[1:]:
        body = re.search(r"(?is)CREATE\s+VIEW\s+\S+\s+AS\s+(.*)$", definition)
        if not body:
            continue
        query = body.group(1).rstrip().rstrip("'").rstrip().rstrip(";")
        t0 = time.perf_counter()
        p = sql(args.workspace, args.as_of, "EXPLAIN ANALYZE " + query)
        took = time.perf_counter() - t0
        if p.returncode != 0:
            continue
        builds = [float(v) * UNITS[u] for v, u in re.findall(r"build_mem_used=([0-9.]+) ?([KMG]?B)", p.stdout)]
        found.append((max(builds, default=0.0), took, name))
    print(f"{'largest build MB':>16} {'time s':>7}  view")
    for mb, took, name in sorted(found, reverse=True)[: args.top]:
        print(f"{mb:>16.1f} {took:>7.2f}  {name}")


if __name__ == "__main__":
    main()
