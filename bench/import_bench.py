#!/usr/bin/env python3
"""Import benchmark: `recon import` of everything `recon-gen --orders N` writes, against
DuckDB reading the same CSV files into Parquet. Prints rows/s, MB/s, peak RSS and the
time ratio. Needs a release build (`cargo build --release`) and `pip install duckdb`.

    python3 bench/import_bench.py [--orders 1000000] [--seed 1] [--noise low]

Work files go to bench/out/ (ignored by git). DuckDB cannot read GBK without an
extension from the network, so GBK files are converted to UTF-8 for it beforehand
(untimed); its workbooks (.xlsx) are left out of the comparison, and recon is timed
on the CSV files alone as well as on everything."""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time

from benchlib import OUT, PASSWORD, RECON


def run_measured(cmd, env=None):
    """Runs cmd in a child; returns (seconds, peak RSS in MB of that child)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        if env:
            os.environ.update(env)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024


def files_of(gen_dir):
    out = []
    for folder in ("orders", "settlements", "bank"):
        for name in sorted(os.listdir(os.path.join(gen_dir, folder))):
            out.append(os.path.join(gen_dir, folder, name))
    return out


def header_line(text_lines):
    """1-based line of the header: the first line with many fields below any preamble."""
    for i, line in enumerate(text_lines[:200]):
        if line.count(",") >= 5 and not line.startswith("#") and "：" not in line.split(",")[0]:
            return i + 1
    return 1


def utf8_copy_for_duckdb(path, dest_dir):
    """DuckDB reads UTF-8 only (without a network extension): GBK files are converted,
    and the preamble and `#` footer lines are cut so its sniffer sees a plain table."""
    raw = open(path, "rb").read()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    lines = text.splitlines()
    h = header_line(lines)
    body = [l for l in lines[h - 1:] if l and not l.startswith("#")]
    dest = os.path.join(dest_dir, os.path.basename(path))
    with open(dest, "w", encoding="utf-8") as f:
        f.write("\n".join(body) + "\n")
    return dest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--noise", default="low")
    ap.add_argument("--big-rows", type=int, default=8_000_000,
                    help="rows of the one large bank statement imported to show memory stays flat (0: skip)")
    args = ap.parse_args()
    if not os.path.exists(RECON):
        sys.exit(f"no release build at {RECON}: run cargo build --release")
    import duckdb

    gen = os.path.join(OUT, f"gen-{args.orders}-{args.seed}-{args.noise}")
    if not os.path.exists(os.path.join(gen, "truth", "summary.json")):
        shutil.rmtree(gen, ignore_errors=True)
        t, rss = run_measured([RECON + "-gen", "--orders", str(args.orders), "--seed", str(args.seed), "--noise", args.noise, "--out", gen])
        print(f"gen: {t:.1f} s, peak RSS {rss:.0f} MB")
    files = files_of(gen)
    csvs = [f for f in files if f.endswith(".csv")]
    env = {"RECON_PASSWORD": PASSWORD}

    results = []
    for label, subset in (("recon import, all files", files), ("recon import, CSV files", csvs)):
        ws = os.path.join(OUT, "ws")
        shutil.rmtree(ws, ignore_errors=True)
        run_measured([RECON, "--workspace", ws, "init"], env)
        t, rss = run_measured([RECON, "--workspace", ws, "import", "--no-progress", *subset], env)
        rows = int(subprocess.run([RECON, "--workspace", ws, "sql", "--format", "csv", "-c",
                                   "SELECT sum(rows_stored) FROM imports"], env={**os.environ, **env},
                                  capture_output=True, text=True, check=True).stdout.split()[1])
        mb = sum(os.path.getsize(f) for f in subset) / 1e6
        results.append((label, rows, mb, t, rss))

    plain = os.path.join(OUT, "duckdb-in")
    shutil.rmtree(plain, ignore_errors=True)
    os.makedirs(plain)
    converted = [utf8_copy_for_duckdb(f, plain) for f in csvs]
    parquet_dir = os.path.join(OUT, "duckdb-out")
    shutil.rmtree(parquet_dir, ignore_errors=True)
    os.makedirs(parquet_dir)
    script = os.path.join(OUT, "duckdb_import.py")
    with open(script, "w") as f:
        f.write("import duckdb, os, sys\ncon = duckdb.connect()\nrows = 0\n")
        f.write(f"for src in {converted!r}:\n")
        f.write(f"    dst = os.path.join({parquet_dir!r}, os.path.basename(src) + '.parquet')\n")
        # A file DuckDB's reader refuses (a generated export's quirks) is left out and named.
        f.write("    try:\n")
        f.write("        con.execute(f\"COPY (SELECT * FROM read_csv('{src}', header=true, all_varchar=false)) TO '{dst}' (FORMAT parquet, COMPRESSION snappy)\")\n")
        f.write("    except duckdb.Error as e:\n")
        f.write("        print(f'DuckDB cannot read {os.path.basename(src)}: left out', file=sys.stderr)\n")
        f.write("        continue\n")
        f.write("    rows += con.execute(f\"SELECT count(*) FROM '{dst}'\").fetchone()[0]\n")
        f.write("open(sys.argv[1], 'w').write(str(rows))\n")
    count_file = os.path.join(OUT, "duckdb_rows")
    t, rss = run_measured([sys.executable, script, count_file])
    mb = sum(os.path.getsize(f) for f in converted) / 1e6
    results.append(("DuckDB read_csv → Parquet, CSV files", int(open(count_file).read()), mb, t, rss))

    print(f"\n{args.orders:,} orders (seed {args.seed}, noise {args.noise}), {os.cpu_count()} cores")
    print(f"{'':42} {'rows':>10} {'MB':>8} {'seconds':>8} {'rows/s':>10} {'MB/s':>7} {'peak RSS MB':>12}")
    for label, rows, mb, t, rss in results:
        print(f"{label:42} {rows:>10,} {mb:>8.1f} {t:>8.2f} {rows / t:>10,.0f} {mb / t:>7.1f} {rss:>12.0f}")
    ratio = results[1][3] / results[2][3]
    print(f"\nrecon / DuckDB time on the same CSV files: {ratio:.2f}x (target: at most 1.5x)")

    if args.big_rows:
        big = os.path.join(OUT, f"big-bank-{args.big_rows}.csv")
        if not os.path.exists(big):
            write_big_bank_file(big, args.big_rows)
        ws = os.path.join(OUT, "ws-big")
        shutil.rmtree(ws, ignore_errors=True)
        run_measured([RECON, "--workspace", ws, "init"], env)
        t, rss = run_measured([RECON, "--workspace", ws, "import", "--no-progress", big], env)
        mb = os.path.getsize(big) / 1e6
        print(f"\none bank statement of {args.big_rows:,} rows ({mb:,.0f} MB): {t:.1f} s, "
              f"{args.big_rows / t:,.0f} rows/s, {mb / t:.0f} MB/s, peak RSS {rss:.0f} MB (target: under 1 GB)")


def write_big_bank_file(path, rows):
    """A corporate statement far larger than the generated ones, written in chunks."""
    names = ["支付宝（中国）网络技术有限公司", "财付通支付科技有限公司", "深圳市腾跃科技有限公司", "上海寻梦信息技术有限公司"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要\n")
        chunk = []
        for i in range(rows):
            day = 1 + i % 28
            amount = f"{(i * 7919) % 5_000_000 / 100:.2f}"
            debit, credit = (amount, "") if i % 3 == 0 else ("", amount)
            chunk.append(f"2026-{1 + i % 12:02}-{day:02} {i % 24:02}:{i % 60:02}:{(i * 7) % 60:02},"
                         f"B{i:012d},{debit},{credit},,{names[i % 4]},6222{i % 10_000:08d},提现 {i}\n")
            if len(chunk) == 100_000:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))


if __name__ == "__main__":
    main()
