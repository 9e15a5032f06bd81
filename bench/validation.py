#!/usr/bin/env python3
"""Matching accuracy on data recon did not generate: for every set under
`../shared/validation/` (a merchant's exports with the true answer beside them), a fresh
workspace, every file of `data/` imported as a user would (no flags), `recon reconcile` as
of the set's period end, `bank_matches` and `receivables` exported to CSV and scored by
the set's own `score.py`. Prints each set's score lines and, at the end, one summary line
per set.

    python3 bench/validation.py [--recon PATH] [--set low] [--verbose] [--keep]

`--recon` picks the binary (default: the release build; a debug build works too, these
sets are small). Nothing of `../shared` is copied into the repository: the workspaces
live under bench/out/validation/ and are removed unless `--keep`."""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

from benchlib import OUT, PASSWORD, RECON, ROOT

SHARED = os.path.join(os.path.dirname(ROOT), "shared", "validation")


def run(cmd, env, out=None):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(p.stdout)
    return p.stdout


def score_set(recon, set_dir, work, verbose):
    name = os.path.basename(set_dir)
    ws = os.path.join(work, name, "ws")
    shutil.rmtree(os.path.join(work, name), ignore_errors=True)
    os.makedirs(os.path.join(work, name))
    env = {**os.environ, "RECON_PASSWORD": PASSWORD, "RECON_USER": "analyst"}
    with open(os.path.join(set_dir, "truth", "counts.json"), encoding="utf-8") as fh:
        as_of = json.load(fh)["as_of"]
    files = sorted(glob.glob(os.path.join(set_dir, "data", "*")))
    t0 = time.perf_counter()
    run([recon, "--workspace", ws, "--user", "analyst", "init"], env)
    imported = run([recon, "--workspace", ws, "import", *files], env)
    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    run([recon, "--workspace", ws, "--as-of", as_of, "reconcile"], env)
    t_reconcile = time.perf_counter() - t1
    m = os.path.join(work, name, "matches.csv")
    r = os.path.join(work, name, "receivables.csv")
    base = [recon, "--workspace", ws, "--as-of", as_of, "sql", "--format", "csv", "-c"]
    run(base + ["SELECT * FROM bank_matches"], env, m)
    run(base + ["SELECT * FROM receivables"], env, r)
    cmd = [sys.executable, os.path.join(SHARED, "score.py"), "--truth", os.path.join(set_dir, "truth"),
           "--matches", m, "--receivables", r]
    if verbose:
        cmd.append("--verbose")
    report = subprocess.run(cmd, capture_output=True, text=True)
    if report.returncode:
        sys.exit(f"score.py failed on {name}:\n{report.stderr}")
    print(f"=== {name} ({len(files)} files; import {t_import:.1f} s, reconcile {t_reconcile:.1f} s) ===")
    if verbose:
        print(imported)
    print(report.stdout)
    lines = report.stdout.strip().splitlines()
    return name, [l for l in lines if l.startswith(("detail:", "bank_links"))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--recon", default=RECON, help="the recon binary (default: the release build)")
    ap.add_argument("--set", action="append", help="only this set (low, high …); may repeat")
    ap.add_argument("--verbose", action="store_true", help="the import report and score.py --verbose")
    ap.add_argument("--keep", action="store_true", help="keep the workspaces under bench/out/validation")
    args = ap.parse_args()
    if not os.path.isdir(SHARED):
        sys.exit(f"no validation sets at {SHARED}: they live in ../shared beside the repository")
    if not os.path.exists(args.recon):
        sys.exit(f"no recon binary at {args.recon}: cargo build --release, or give --recon")
    sets = sorted(d for d in glob.glob(os.path.join(SHARED, "*")) if os.path.isdir(os.path.join(d, "truth")))
    if args.set:
        sets = [s for s in sets if os.path.basename(s) in args.set]
    work = os.path.join(OUT, "validation")
    summary = [score_set(args.recon, s, work, args.verbose) for s in sets]
    print("=== summary ===")
    for name, lines in summary:
        for line in lines:
            print(f"{name:>6}: {line}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
