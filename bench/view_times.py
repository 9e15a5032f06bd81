#!/usr/bin/env python3
"""Where a workspace's first answer goes: runs one query in a new process with
RECON_VIEW_TIMES=1 (each computed view prints its time, the views it reads included) and
prints the views by time with each one's own share — its time less the longest view
finished inside it, which is exact for the matching chain (each level reads the one
before) and an estimate where a view reads several.

    python3 bench/view_times.py --workspace DIR [--sql "SELECT count(*) FROM receivables"] [--top 15]

The workspace's user and password come from RECON_USER / RECON_PASSWORD.
"""

import argparse
import os
import re
import subprocess
import time

from benchlib import RECON


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--sql", default="SELECT count(*) FROM receivables")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    t0 = time.perf_counter()
    p = subprocess.run([RECON, "--workspace", args.workspace, "sql", "-c", args.sql],
                       env={**os.environ, "RECON_VIEW_TIMES": "1"}, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    # Views print as they finish; a view's time covers the views finished inside it.
    done = [(m.group(1), int(m.group(2))) for m in re.finditer(r"view (\w+): (\d+) ms", p.stderr)]
    own = []
    for i, (name, ms) in enumerate(done):
        inside = [t for _, t in done[:i] if t <= ms]
        own.append((ms - max(inside, default=0), ms, name))
    print(f"{len(done)} views computed, {wall:.1f} s in all")
    print(f"{'own s':>8} {'with inputs s':>14}  view")
    for mine, total, name in sorted(own, reverse=True)[: args.top]:
        print(f"{mine / 1000:>8.1f} {total / 1000:>14.1f}  {name}")


if __name__ == "__main__":
    main()
