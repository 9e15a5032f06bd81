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
import os
import shutil
import sys

from benchlib import OUT, RECON, ROOT, score

SHARED = os.path.join(os.path.dirname(ROOT), "shared", "validation")


def score_set(recon, set_dir, work, verbose):
    name = os.path.basename(set_dir)
    base_dir = os.path.join(work, name)
    shutil.rmtree(base_dir, ignore_errors=True)
    os.makedirs(base_dir)
    files = sorted(glob.glob(os.path.join(set_dir, "data", "*")))
    imported, t_import, t_reconcile, out, summary = score(
        recon, files, os.path.join(set_dir, "truth"), base_dir, verbose
    )
    print(f"=== {name} ({len(files)} files; import {t_import:.1f} s, reconcile {t_reconcile:.1f} s) ===")
    if verbose:
        print(imported)
    print(out)
    return name, summary


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
