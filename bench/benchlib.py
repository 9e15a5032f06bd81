"""What the benchmark scripts share: where the release binary and the generated data
live, the workspaces' password, and timing a command with its peak RSS."""

import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.expanduser("~"), ".cache", "recon-target"))
RECON = os.path.join(TARGET, "release", "recon")
PASSWORD = "bench-ledger-2026"


def timed(cmd, env=None):
    """Wall seconds, peak RSS (MB) and stdout of a command, by GNU time."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return wall, rss_kb / 1024, p.stdout


def parse_args(ap):
    """The parsed command line, once there is a release build to measure."""
    args = ap.parse_args()
    if not os.path.exists(RECON):
        sys.exit(f"no release build at {RECON}: run cargo build --release")
    return args
