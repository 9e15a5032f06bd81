#!/usr/bin/env python3
"""How honest the cash forecast's range is: on generated histories (several seeds), at
each month end from March to September, the 30-day forecast (`cash_forecast_range`'s last
day) against what the generator's truth says came into the bank in those 30 days.
Prints, per window, the expected total, the 80% range and what came; then how often what
came fell inside the range (calibration: 70–90% is honest), and how often the platforms'
part was within 10% of what they paid.

    python3 bench/forecast_calibration.py [--orders 3000] [--seeds 4,5,6,7] [--noise none]
                                          [--start 2025-01-01 --days 669]

A history from 2025 (`--start 2025-01-01 --days 669`, twice the orders for the same
density) gives the forecast last year's season to learn from. `--every-month` forecasts at
every month end whose 30 days the history holds, from the second month on (20 a seed on
the two-year history), instead of March to September 2026.

RECON_BIN=…/debug/recon runs it on a debug build.
"""

import argparse
import csv
import datetime as dt
import os
import shutil
import subprocess

from benchlib import OUT, PASSWORD, RECON, parse_args

MONTH_ENDS = ["2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30"]


def read(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def when(s):
    return dt.datetime.strptime(s[:19], "%Y-%m-%d %H:%M:%S")


def workspace(orders, seed, noise, start=None, days=None):
    span = f"-{start}-{days}" if start else ""
    base = os.path.join(OUT, f"forecast-{orders}-{seed}-{noise}{span}")
    ws, data = os.path.join(base, "ws"), os.path.join(base, "data")
    env = {**os.environ, "RECON_PASSWORD": PASSWORD, "RECON_USER": "admin"}
    if not os.path.exists(os.path.join(base, "ready")):
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(base)
        gen = os.path.join(os.path.dirname(RECON), "recon-gen")
        span = ["--start", start, "--days", str(days)] if start else []
        subprocess.run([gen, "--orders", str(orders), "--seed", str(seed), "--noise", noise, *span, "--out", data],
                       check=True, capture_output=True)
        files = [os.path.join(d, f) for d, _, fs in os.walk(data) for f in fs
                 if "truth" not in d and not f.endswith(".md")]
        subprocess.run([RECON, "--workspace", ws, "init"], env=env, check=True, capture_output=True)
        subprocess.run([RECON, "--workspace", ws, "import", "--no-progress", *files], env=env, check=True,
                       capture_output=True)
        open(os.path.join(base, "ready"), "w").close()
    return ws, data, env


def forecast(ws, env, as_of):
    """source → (expected, p10, p90) over the 30 days after `as_of`."""
    sql = ("SELECT source, expected, p10, p90 FROM cash_forecast_range "
           "WHERE day = (SELECT max(day) FROM cash_forecast_range)")
    out = subprocess.run([RECON, "--workspace", ws, "--as-of", f"{as_of} 23:59:59", "sql", "--format", "csv",
                          "-c", sql], env=env, check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(out.splitlines()))[1:]
    return {r[0]: tuple(float(x) for x in r[1:]) for r in rows}


def realised(data, as_of):
    """What came into the bank in the 30 days after `as_of`: the platforms' payouts, and
    money paid straight to the bank for orders."""
    start = when(f"{as_of} 23:59:59")
    end = start + dt.timedelta(days=30)
    bank = {r["bank_txn_id"]: (when(r["txn_time"]), float(r["amount"])) for r in read(f"{data}/truth/bank.csv")}

    def inside(txn):
        t = bank.get(txn)
        return t[1] if t and start < t[0] <= end else 0.0

    # One credit can carry several payouts, or pay several orders: each counts once.
    platforms = sum(inside(t) for t in {p["bank_txn_id"] for p in read(f"{data}/truth/payouts.csv")})
    direct = sum(inside(t) for t in {p["bank_txn_id"] for p in read(f"{data}/truth/b2b_payments.csv")})
    return platforms, direct


def month_ends(args):
    """Every month end after the history's first month whose next 30 days it holds."""
    first = dt.date.fromisoformat(args.start or "2026-01-01")
    last = first + dt.timedelta(days=(args.days if args.start else 304) - 1)
    ends, y, m = [], first.year, first.month + 1
    while True:
        end = dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        if end + dt.timedelta(days=30) > last:
            return ends
        ends.append(end.isoformat())
        y, m = y + m // 12, m % 12 + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=3000)
    ap.add_argument("--seeds", default="4,5,6,7")
    ap.add_argument("--noise", default="none")
    ap.add_argument("--start", help="first day of the generated history (default: the generator's)")
    ap.add_argument("--days", type=int, default=669, help="days of history, with --start")
    ap.add_argument("--every-month", action="store_true",
                    help="every month end from the history's second month to the last with 30 days after it")
    args = parse_args(ap)
    inside = platforms_close = windows = 0
    print(f"{'seed':>4} {'as of':<10} {'expected':>12} {'p10':>12} {'p90':>12} {'came':>12}  platforms: forecast, came, off;"
          " B2B: expected, p10, p90, came")
    for seed in [int(s) for s in args.seeds.split(",")]:
        ws, data, env = workspace(args.orders, seed, args.noise, args.start, args.days)
        for as_of in month_ends(args) if args.every_month else MONTH_ENDS:
            f = forecast(ws, env, as_of)
            platforms, direct = realised(data, as_of)
            came = platforms + direct
            expected, p10, p90 = f["total"]
            platform_forecast = f["open_orders"][0] + f["new_sales"][0]
            off = (platform_forecast - platforms) / platforms if platforms else 0.0
            windows += 1
            inside += p10 <= came <= p90
            platforms_close += abs(off) <= 0.10
            mark = "" if p10 <= came <= p90 else "  outside"
            b2b = [f["b2b_invoices"][i] + f["new_b2b"][i] for i in range(3)]
            print(f"{seed:>4} {as_of:<10} {expected:>12,.2f} {p10:>12,.2f} {p90:>12,.2f} {came:>12,.2f}  "
                  f"{platform_forecast:,.0f} {platforms:,.0f} {off:+.3f}; {b2b[0]:,.0f} {b2b[1]:,.0f} {b2b[2]:,.0f} {direct:,.0f}{mark}")
    print(f"\n{windows} windows: what came fell inside the 80% range in {inside} ({inside / windows:.0%}); "
          f"the platforms' part was within 10% in {platforms_close} ({platforms_close / windows:.0%})")


if __name__ == "__main__":
    main()
