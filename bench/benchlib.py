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
# RECON_BIN measures another build (say, the one before a change); recon-gen is looked
# for beside it.
RECON = os.environ.get("RECON_BIN") or os.path.join(TARGET, "release", "recon")
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


SCORE = os.path.join(os.path.dirname(ROOT), "shared", "validation", "score.py")


def run(cmd, env, out=None):
    """Stdout of a command that must succeed (written to `out` too, if given)."""
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(p.stdout)
    return p.stdout


def score(recon, files, truth, base_dir, verbose):
    """What a new user does with a merchant's files, scored by the validation sets'
    `score.py`: a fresh workspace in `base_dir`, every file imported (no flags),
    `reconcile` as of the truth's `as_of`, `bank_matches` and `receivables` exported to
    CSV. Returns the import report, import and reconcile seconds, score.py's output and
    its summary lines."""
    import json

    ws = os.path.join(base_dir, "ws")
    env = {**os.environ, "RECON_PASSWORD": PASSWORD, "RECON_USER": "analyst"}
    with open(os.path.join(truth, "counts.json"), encoding="utf-8") as fh:
        as_of = json.load(fh)["as_of"]
    run([recon, "--workspace", ws, "--user", "analyst", "init"], env)
    t0 = time.perf_counter()
    imported = run([recon, "--workspace", ws, "import", "--no-progress", *files], env)
    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    run([recon, "--workspace", ws, "--as-of", as_of, "reconcile", "--no-progress"], env)
    t_reconcile = time.perf_counter() - t1
    m = os.path.join(base_dir, "matches.csv")
    r = os.path.join(base_dir, "receivables.csv")
    sql = [recon, "--workspace", ws, "--as-of", as_of, "sql", "--format", "csv", "-c"]
    run(sql + ["SELECT * FROM bank_matches"], env, m)
    run(sql + ["SELECT * FROM receivables"], env, r)
    cmd = [sys.executable, SCORE, "--truth", truth, "--matches", m, "--receivables", r]
    if verbose:
        cmd.append("--verbose")
    report = subprocess.run(cmd, capture_output=True, text=True)
    if report.returncode:
        sys.exit(f"score.py failed on {base_dir}:\n{report.stderr}")
    lines = report.stdout.strip().splitlines()
    summary = [l for l in lines if l.startswith(("detail:", "bank_links"))]
    return imported, t_import, t_reconcile, report.stdout, summary
