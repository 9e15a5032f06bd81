#!/usr/bin/env python3
"""Matching accuracy on recon's own generated data, scored like the validation sets: for
each noise level asked for, `recon-gen` writes a merchant (orders, wallets, bank, and in
`truth/score/` the answer in the validation sets' format), a fresh workspace imports
every data file as a user would (no flags), `recon reconcile` runs as of the period's last
second, and `bank_matches` and `receivables` exported to CSV are scored by the validation
sets' own `score.py`. Prints each set's score lines and, at the end, one summary line per
set.

    python3 bench/gen_score.py [--recon PATH] [--orders 3000] [--seed 1] [--noise low]
                               [--noise high] [--verbose] [--keep]

`--recon` picks the binary (default: the release build; a debug build works too at a few
thousand orders). The data and workspaces live under bench/out/gen_score/ and are removed
unless `--keep`."""

import argparse
import glob
import os
import shutil
import sys
import time

from benchlib import OUT, RECON, SCORE, run, score

FOLDERS = ["orders", "settlements", "bank"]


def score_set(recon, noise, orders, seed, work, verbose):
    name = f"{noise}-{orders}-s{seed}"
    base_dir = os.path.join(work, name)
    shutil.rmtree(base_dir, ignore_errors=True)
    os.makedirs(base_dir)
    data = os.path.join(base_dir, "data")
    t0 = time.perf_counter()
    run([recon + "-gen", "--orders", str(orders), "--seed", str(seed), "--noise", noise, "--out", data], None)
    t_gen = time.perf_counter() - t0
    files = [f for folder in FOLDERS for f in sorted(glob.glob(os.path.join(data, folder, "*")))]
    imported, t_import, t_reconcile, out, summary = score(
        recon, files, os.path.join(data, "truth", "score"), base_dir, verbose
    )
    print(f"=== {name} ({len(files)} files; gen {t_gen:.1f} s, import {t_import:.1f} s, "
          f"reconcile {t_reconcile:.1f} s) ===")
    if verbose:
        print(imported)
    print(out)
    return name, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--recon", default=RECON, help="the recon binary (default: the release build)")
    ap.add_argument("--orders", type=int, default=3000)
    ap.add_argument("--seed", type=int, action="append", help="seed (default 1); may repeat")
    ap.add_argument("--noise", action="append", choices=["none", "low", "high"],
                    help="noise level (default: low and high); may repeat")
    ap.add_argument("--verbose", action="store_true", help="the import report and score.py --verbose")
    ap.add_argument("--keep", action="store_true", help="keep data and workspaces under bench/out/gen_score")
    args = ap.parse_args()
    if not os.path.isfile(SCORE):
        sys.exit(f"no score.py at {SCORE}: it lives in ../shared/validation beside the repository")
    if not os.path.exists(args.recon):
        sys.exit(f"no recon binary at {args.recon}: cargo build --release, or give --recon")
    work = os.path.join(OUT, "gen_score")
    summary = []
    for noise in args.noise or ["low", "high"]:
        for seed in args.seed or [1]:
            summary.append(score_set(args.recon, noise, args.orders, seed, work, args.verbose))
    print("=== summary ===")
    for name, lines in summary:
        for line in lines:
            print(f"{name:>16}: {line}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
