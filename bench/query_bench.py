#!/usr/bin/env python3
"""Query benchmark on a workspace of `recon-gen --orders N`: time to the shell's first
prompt, and two queries (a GROUP BY over orders, a join of orders to settlements) in
recon and in DuckDB over the same Parquet files. Needs a release build and
`pip install duckdb`.

    python3 bench/query_bench.py [--orders 1000000]

Query times are the best of 5 runs, measured inside each engine (recon's `--timer`,
DuckDB around execute+fetch), so process start and login are not counted."""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

from benchlib import OUT, PASSWORD, RECON, parse_args
RUNS = 5

QUERIES = {
    "group by": "SELECT platform, count(*) AS n, sum(paid_amount) AS paid FROM orders GROUP BY 1 ORDER BY 1",
    "join": "SELECT o.platform, count(*) AS lines, sum(s.amount) AS settled "
            "FROM orders o JOIN settlements s ON s.order_id = o.order_id GROUP BY 1 ORDER BY 1",
}


def recon(ws, *args, stdin=None):
    env = {**os.environ, "RECON_PASSWORD": PASSWORD}
    return subprocess.run([RECON, "--workspace", ws, *args], env=env, input=stdin,
                          capture_output=True, text=True, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    args = parse_args(ap)
    import duckdb

    gen = os.path.join(OUT, f"gen-{args.orders}-1-low")
    if not os.path.exists(os.path.join(gen, "truth", "summary.json")):
        subprocess.run([RECON + "-gen", "--orders", str(args.orders), "--seed", "1", "--out", gen], check=True,
                       capture_output=True)
    ws = os.path.join(OUT, f"ws-query-{args.orders}")
    if not os.path.exists(os.path.join(ws, "catalog.json")):
        shutil.rmtree(ws, ignore_errors=True)
        recon(ws, "init")
        files = sorted(glob.glob(os.path.join(gen, "orders", "*")) + glob.glob(os.path.join(gen, "settlements", "*"))
                       + glob.glob(os.path.join(gen, "bank", "*")))
        recon(ws, "import", "--no-progress", *files)
    rows = recon(ws, "sql", "--format", "csv", "-c",
                 "SELECT (SELECT count(*) FROM orders) AS o, (SELECT count(*) FROM settlements) AS s").stdout
    print(f"workspace: {rows.splitlines()[1].split(',')[0]} orders, {rows.splitlines()[1].split(',')[1]} settlement lines")

    # Time to the first prompt: the shell reports it (RECON_TRACE), with the part spent
    # checking the password (argon2id, deliberately slow) apart.
    starts = []
    for _ in range(RUNS):
        env = {**os.environ, "RECON_PASSWORD": PASSWORD, "RECON_TRACE": "1"}
        t0 = time.perf_counter()
        p = subprocess.run([RECON, "--workspace", ws, "--user", "admin", "shell"], env=env, input=".quit\n",
                           capture_output=True, text=True, check=True)
        wall = (time.perf_counter() - t0) * 1000
        m = re.search(r"startup: (\d+) ms to the prompt, (\d+) ms of it checking", p.stderr)
        starts.append((int(m.group(1)), int(m.group(2)), wall))
    best = min(starts)
    print(f"shell start: {best[0]} ms to the prompt, of which {best[1]} ms checking the password "
          f"-> {best[0] - best[1]} ms without it (target: under 200 ms); whole process incl. exit {best[2]:.0f} ms")

    script = "".join(f"{q};\n" for q in QUERIES.values() for _ in range(RUNS))
    out = recon(ws, "sql", "--timer", "--format", "csv", "-c", script).stdout
    times = [float(t) for t in re.findall(r"Run time: ([0-9.]+) s", out)]
    recon_best = {name: min(times[i * RUNS:(i + 1) * RUNS]) for i, name in enumerate(QUERIES)}

    con = duckdb.connect()
    for table in ("orders", "settlements"):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{ws}/tables/{table}/*.parquet')")
    duck_best = {}
    for name, q in QUERIES.items():
        best_t = None
        for _ in range(RUNS):
            t0 = time.perf_counter()
            con.execute(q).fetchall()
            t = time.perf_counter() - t0
            best_t = t if best_t is None else min(best_t, t)
        duck_best[name] = best_t

    print(f"\n{'query':10} {'recon s':>9} {'DuckDB s':>9} {'ratio':>6}  (target: ratio at most 1.5)")
    for name in QUERIES:
        r, d = recon_best[name], duck_best[name]
        print(f"{name:10} {r:>9.3f} {d:>9.3f} {r / d:>6.2f}")


if __name__ == "__main__":
    main()
