#!/usr/bin/env python3
"""Report benchmark on the workspace `bench/reconcile_bench.py` builds (`recon-gen
--orders N --noise high`, imported and reconciled): wall time and peak RSS of a fresh
`recon` process that runs the receivables view, the collection summary, the bank
reconciliation statement, and exports of 100 000 receivables rows to xlsx
(rust_xlsxwriter's constant-memory mode) and to PDF, and of the collection summary to
PDF. Each figure is the best of three. Needs a release build and a CJK font for the PDF.

    python3 bench/reconcile_bench.py --orders 1000000   # once, to build the workspace
    python3 bench/report_bench.py [--orders 1000000]
"""

import argparse
import os
import sys
import tempfile

from benchlib import OUT, PASSWORD, RECON, parse_args, timed
ROWS = 100_000


def best(cmd, env, runs=3):
    results = [timed(cmd, env) for _ in range(runs)]
    wall = min(r[0] for r in results)
    rss = max(r[1] for r in results)
    return wall, rss, results[0][2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    args = parse_args(ap)
    ws = os.path.join(OUT, f"ws-reconcile-{args.orders}")
    if not os.path.exists(os.path.join(ws, "catalog.json")):
        sys.exit(f"no workspace at {ws}: run python3 bench/reconcile_bench.py --orders {args.orders} first")
    env = {**os.environ, "RECON_PASSWORD": PASSWORD, "RECON_AS_OF": "2026-11-01 00:00:00"}
    base = [RECON, "--workspace", ws]
    with tempfile.TemporaryDirectory() as tmp:
        listing = f"SELECT * FROM receivables ORDER BY outstanding DESC, order_id LIMIT {ROWS}"
        steps = [
            ("receivables (count)", ["sql", "-c", "SELECT status, count(*), sum(outstanding) FROM receivables GROUP BY status"]),
            ("collection_summary", ["sql", "-c", "SELECT count(*), sum(sold), sum(outstanding) FROM collection_summary"]),
            ("bank_reconciliation", ["sql", "-c", "SELECT * FROM bank_reconciliation"]),
            ("collection_summary -> pdf", ["report", "collection_summary", "--force", "-o", os.path.join(tmp, "cs.pdf")]),
            (f"{ROWS} receivables -> xlsx", ["sql", "-c", f"{listing}; .export --force {tmp}/r.xlsx"]),
            (f"{ROWS} receivables -> pdf", ["sql", "-c", f"{listing}; .export --force {tmp}/r.pdf"]),
        ]
        for name, cmd in steps:
            # Scripts with a dot-command go through a file: -c takes SQL only.
            if any(part.startswith(".export") or "; .export" in part for part in cmd):
                script = os.path.join(tmp, "step.sql")
                sql, dot = cmd[2].split("; ", 1)
                with open(script, "w") as f:
                    f.write(f"{sql};\n{dot}\n")
                cmd = ["sql", "-f", script]
            wall, rss, _ = best(base + cmd, env)
            print(f"{name:32} {wall:6.2f} s   peak RSS {rss:6.0f} MB")
        for f in ("r.xlsx", "r.pdf", "cs.pdf"):
            path = os.path.join(tmp, f)
            print(f"{f:10} {os.path.getsize(path) / 1e6:7.1f} MB")


if __name__ == "__main__":
    main()
