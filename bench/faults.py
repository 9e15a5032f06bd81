#!/usr/bin/env python3
"""The random-kill run: every writing command killed (SIGKILL) at random moments, and
after each kill the workspace checked as a user would find it.

    python3 bench/faults.py [--recon PATH] [--kills 120] [--orders 2000] [--seed 7] [--keep]

Commands killed, in turn: import, imports undo, reconcile, CREATE TABLE, CREATE VIEW,
user add, CREATE OR REPLACE VIEW. Each is first timed once, then killed at a random moment
between its start and a little after its usual end (so some kills land after the
commit). After each kill the next command must work, and:
- partial state: every live import holds exactly the rows the import log says, and no
  table, view, run or user is half there (the catalog opens, every file it lists exists);
- audit: `recon audit verify` passes, and the log holds one line per import the
  catalog knows (committed imports, undone or not), one per undo and one per user
  added, no more, no fewer;
- debris: once the next writer has run, no `.*.tmp-<pid>` file in the workspace root,
  nothing in tmp/, no data file the catalog does not list, no empty spill folder.
Prints each kill's outcome and a summary line; exits 1 if anything was found."""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

from benchlib import OUT, PASSWORD, RECON

# An import's kind, where it is not the table's name.
TABLES = {"bank": "bank_txns"}


class Run:
    def __init__(self, recon, work):
        self.recon, self.ws = recon, os.path.join(work, "ws")
        self.env = dict(
            os.environ, RECON_USER="admin", RECON_PASSWORD=PASSWORD, RECON_NEW_PASSWORD=PASSWORD + "-new"
        )

    def cmd(self, *args):
        return [self.recon, "--workspace", self.ws, *args]

    def ok(self, *args):
        p = subprocess.run(self.cmd(*args), env=self.env, capture_output=True, text=True)
        if p.returncode:
            raise RuntimeError(f"recon {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()[:400]}")
        return p.stdout

    def csv(self, sql):
        out = self.ok("sql", "--format", "csv", "-c", sql).strip().splitlines()
        return [line.split(",") for line in out[1:]]


def check(r):
    """What is wrong with the workspace now, as a list of findings (empty: all good)."""
    found = []
    try:
        imports = r.csv("SELECT id, kind, rows_stored, undone_at IS NULL FROM imports")
    except RuntimeError as e:
        return [f"the workspace does not open: {e}"]
    # Each live import's rows are all in its table (a row with fee columns may be
    # stored as several), and no table holds rows of an import that is not live.
    live = {}
    for id_, kind, rows, is_live in imports:
        if is_live == "true" and int(rows) > 0:
            live.setdefault(TABLES.get(kind, kind), {})[int(id_)] = int(rows)
    for table in set(TABLES.get(k, k) for _, k, _, _ in imports):
        held = {int(i): int(n) for i, n in r.csv(f"SELECT import_id, count(*) FROM {table} GROUP BY 1")}
        want = live.get(table, {})
        for i in sorted(set(held) | set(want)):
            if i not in want:
                found.append(f"partial state: {table} holds {held[i]} rows of import {i}, which is not live")
            elif held.get(i, 0) < want[i]:
                found.append(f"partial state: {table} holds {held.get(i, 0)} rows of import {i}, its log {want[i]}")
    catalog = json.load(open(os.path.join(r.ws, "catalog.json")))
    for imp in catalog.get("imports", []):
        for key in ("data_file", "rejects_file"):
            f = imp.get(key)
            if f and imp.get("undone") is None and not os.path.exists(os.path.join(r.ws, f)):
                found.append(f"partial state: import {imp['id']} lists {f}, which is missing")
    p = subprocess.run(r.cmd("audit", "verify"), env=r.env, capture_output=True, text=True)
    if p.returncode:
        found.append(f"audit: {p.stderr.strip()[:300]}")
    # An import that stored nothing is audited but not committed.
    lines = [l for l in r.ok("audit", "--event", "import").splitlines() if l.strip() and "(0 rows stored" not in l]
    if len(lines) != len(catalog.get("imports", [])):
        found.append(f"audit: {len(lines)} import lines for {len(catalog.get('imports', []))} imports")
    undos = [l for l in r.ok("audit", "--event", "undo").splitlines() if l.strip()]
    undone = sum(1 for i in catalog.get("imports", []) if i.get("undone"))
    if len(undos) != undone:
        found.append(f"audit: {len(undos)} undo lines for {undone} undone imports")
    # Every user but the first admin came with a user_add line, and no line without one.
    users = json.load(open(os.path.join(r.ws, "users.json")))["users"]
    adds = [l for l in r.ok("audit", "--event", "user_add").splitlines() if l.strip()]
    if len(adds) != len(users) - 1:
        found.append(f"audit: {len(adds)} user_add lines for {len(users) - 1} added users")
    return found


def debris(r):
    """What a killed process left that the next writer should have cleared."""
    found = [n for n in os.listdir(r.ws) if ".tmp-" in n]
    tmp = os.path.join(r.ws, "tmp")
    if os.path.isdir(tmp) and os.listdir(tmp):
        found += [f"tmp/{n}" for n in os.listdir(tmp)]
    catalog = json.load(open(os.path.join(r.ws, "catalog.json")))
    listed = set()
    for imp in catalog.get("imports", []):
        if imp.get("undone") is None:
            listed.update(f for f in (imp.get("data_file"), imp.get("rejects_file")) if f)
    listed.update(t["file"] for t in catalog.get("tables", []))
    for run in catalog.get("runs", []):
        listed.update(f"{run['dir']}/{v}.parquet" for v in run.get("views", {}))
    for d in ("tables", "rejects", "runs"):
        for dirpath, _, files in os.walk(os.path.join(r.ws, d)):
            for f in files:
                rel = os.path.relpath(os.path.join(dirpath, f), r.ws)
                if rel not in listed:
                    found.append(rel)
    spill = os.path.join(r.ws, "spill")
    if os.path.isdir(spill):
        found += [f"spill/{n}" for n in os.listdir(spill) if not os.listdir(os.path.join(spill, n))]
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recon", default=RECON)
    ap.add_argument("--kills", type=int, default=120)
    ap.add_argument("--orders", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.recon):
        sys.exit(f"no recon binary at {args.recon}: cargo build --release, or pass --recon")
    work = os.path.join(OUT, "faults")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    r = Run(args.recon, work)
    r.ok("init")
    data = os.path.join(work, "data")
    subprocess.run(
        [args.recon + "-gen", "--orders", str(args.orders), "--seed", "2026", "--noise", "high", "--out", data],
        check=True,
        capture_output=True,
    )
    files = sorted(
        os.path.join(d, f)
        for d, _, fs in os.walk(data)
        if "truth" not in d
        for f in fs
        if f.endswith((".csv", ".xlsx"))
    )
    r.ok("import", "--no-progress", *files)
    rng = random.Random(args.seed)
    n = [0]

    def fresh(prefix):
        n[0] += 1
        return f"{prefix}{n[0]}"

    commands = [
        ("import", lambda: ["import", "--no-progress", rng.choice(files)]),
        ("undo", lambda: ["imports", "undo", r.csv("SELECT max(id) FROM imports WHERE undone_at IS NULL")[0][0]]),
        ("reconcile", lambda: ["reconcile", "--no-progress"]),
        ("create table", lambda: ["sql", "-c", f"CREATE TABLE {fresh('t')} AS SELECT * FROM orders"]),
        ("create view", lambda: ["sql", "-c", f"CREATE VIEW {fresh('v')} AS SELECT order_id FROM orders"]),
        ("user add", lambda: ["user", "add", fresh("u"), "--role", "viewer"]),
        ("replace view", lambda: ["sql", "-c", f"CREATE OR REPLACE VIEW {fresh('w')} AS SELECT * FROM bank_txns"]),
    ]
    usual = {}
    for name, make in commands:
        t0 = time.perf_counter()
        r.ok(*make())
        usual[name] = time.perf_counter() - t0
    print("usual durations: " + ", ".join(f"{k} {v:.2f}s" for k, v in usual.items()))
    kills = partial = audit = left = 0
    for i in range(args.kills):
        name, make = commands[i % len(commands)]
        argv = make()
        delay = rng.uniform(0, usual[name] * 1.2)
        p = subprocess.Popen(r.cmd(*argv), env=r.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        finished = p.poll() is not None
        if not finished:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
        findings = check(r)
        # The next writer clears what the kill left.
        r.ok("sql", "-c", f"CREATE OR REPLACE TABLE probe AS SELECT {i} AS n")
        stray = debris(r)
        partial += sum(f.startswith("partial") for f in findings)
        audit += sum(f.startswith("audit") for f in findings)
        left += bool(stray)
        state = "finished" if finished else f"killed at {delay:.2f}s"
        print(f"{i + 1:>4} {name:<13} {state:<18} {'; '.join(findings + [f'debris: {s}' for s in stray]) or 'ok'}")
    print(f"{kills} kills over {args.kills} commands: {partial} partial states, {audit} audit failures, "
          f"{left} times debris left after the next writer")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if partial or audit or left else 0)


if __name__ == "__main__":
    main()
