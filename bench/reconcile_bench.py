#!/usr/bin/env python3
"""Reconciliation benchmark on `recon-gen --orders N --noise high`: wall time and peak
RSS of `recon reconcile` (all three levels, written to a run), against the same passes
written as DuckDB SQL over the same Parquet files, run the same way (a fresh process
that reads the files and writes each result to Parquet). Then the fuzzy UDF alone:
jaro_winkler pairs per second in recon and DuckDB's jaro_winkler_similarity. Needs a
release build and `pip install duckdb`.

    python3 bench/reconcile_bench.py [--orders 1000000]

The DuckDB script follows recon's passes where SQL can: level 1 summed by kind, level 2
by reference, exact amount and amount-less-fee with each side's single best, level 3 by
amount and jaro_winkler of normalised names, receivables with a due date per order. It has no first-in-first-out pairing and no
subset sums (recon's Rust aggregates), and counts calendar rather than working days, so
it does somewhat less work than recon."""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

from benchlib import OUT, PASSWORD, RECON, parse_args, timed
PAIRS = 2_000_000

DUCK_SQL = r"""
CREATE TEMP TABLE o AS SELECT * FROM read_parquet('{ws}/tables/orders/*.parquet');
CREATE TEMP TABLE s AS SELECT * FROM read_parquet('{ws}/tables/settlements/*.parquet');
CREATE TEMP TABLE b AS SELECT * FROM read_parquet('{ws}/tables/bank_txns/*.parquet');

CREATE TEMP TABLE order_settlement AS
WITH l AS (
    SELECT regexp_replace(trim(order_id, ' `'), '^T200P', '') AS k,
        sum(CASE WHEN kind = 'sale' THEN amount ELSE 0 END) AS sold,
        -sum(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS refunded,
        -sum(CASE WHEN kind IN ('commission', 'fee', 'shipping', 'promotion') THEN amount ELSE 0 END) AS fees,
        sum(amount) AS settled
    FROM s WHERE order_id IS NOT NULL AND kind NOT IN ('withdrawal', 'deposit') GROUP BY 1
)
SELECT o.platform, o.order_id, coalesce(o.paid_amount, o.order_amount) AS expected,
    coalesce(l.sold, 0) AS sold, coalesce(l.refunded, 0) AS refunded, coalesce(l.fees, 0) AS fees,
    CASE WHEN coalesce(l.sold, 0) = 0 AND coalesce(l.refunded, 0) = 0 THEN
            CASE WHEN o.status LIKE '%关闭%' OR o.status LIKE '%取消%' OR o.status LIKE '%退款%' THEN 'refunded' ELSE 'unsettled' END
         WHEN l.refunded >= l.sold THEN 'refunded'
         WHEN l.sold <> coalesce(o.paid_amount, o.order_amount) THEN 'discrepancy'
         WHEN l.refunded > 0 THEN 'partial' ELSE 'settled' END AS status
FROM o LEFT JOIN l ON l.k = regexp_replace(trim(o.order_id, ' `'), '^T200P', '');

CREATE TEMP TABLE payouts AS
SELECT platform, coalesce(payout_ref, txn_id) AS payout_id, txn_time AS payout_time, -amount AS amount
FROM s WHERE kind = 'withdrawal';

CREATE TEMP TABLE credits AS
SELECT line_id, txn_time, amount, memo,
    regexp_replace(regexp_replace(lower(counterparty_name), '[（(][^）)]*[）)]|\s', '', 'g'),
                   '(股份有限公司|有限责任公司|有限公司|客户备付金|备付金)', '', 'g') AS party
FROM b WHERE amount > 0;

CREATE TEMP TABLE credit_platforms AS
SELECT DISTINCT c.line_id, pp.platform FROM credits c
JOIN (VALUES ('tmall', '支付宝'), ('jd', '网银在线'), ('jd', '京东'), ('douyin', '抖音'), ('douyin', '字节跳动'),
             ('douyin', '合众易宝'), ('pdd', '寻梦'), ('pdd', '付费通'), ('pdd', '拼多多')) pp(platform, pattern)
  ON strpos(c.party, pp.pattern) > 0;

CREATE TEMP TABLE candidates AS
WITH pairs AS (
    SELECT p.payout_id, c.line_id, 'reference' AS rule, p.amount AS pa, c.amount AS ba,
        date_diff('day', p.payout_time, c.txn_time) AS lag
    FROM payouts p JOIN credits c ON strpos(c.memo, p.payout_id) > 0
    UNION ALL
    SELECT p.payout_id, c.line_id, 'amount', p.amount, c.amount, date_diff('day', p.payout_time, c.txn_time)
    FROM payouts p JOIN credits c ON c.amount = p.amount
    JOIN credit_platforms cp ON cp.line_id = c.line_id AND cp.platform = p.platform
    UNION ALL
    SELECT p.payout_id, c.line_id, 'amount_fee', p.amount, c.amount, date_diff('day', p.payout_time, c.txn_time)
    FROM payouts p JOIN credit_platforms cp ON cp.platform = p.platform JOIN credits c ON c.line_id = cp.line_id
    WHERE c.amount < p.amount AND c.amount >= p.amount - 5
)
SELECT *, CASE rule WHEN 'reference' THEN 3 WHEN 'amount' THEN 2 ELSE 1 END + 0.1 * (1 - lag / 8.0) AS score
FROM pairs WHERE lag BETWEEN 0 AND 7 AND ba <= pa AND ba >= pa - 5;

CREATE TEMP TABLE pairs AS
SELECT payout_id, line_id, rule, score FROM candidates
QUALIFY rank() OVER (PARTITION BY payout_id ORDER BY score DESC) = 1
    AND count(*) OVER (PARTITION BY payout_id, score) = 1
    AND rank() OVER (PARTITION BY line_id ORDER BY score DESC) = 1
    AND count(*) OVER (PARTITION BY line_id, score) = 1;

CREATE TEMP TABLE direct AS
SELECT order_id, order_time, coalesce(paid_amount, order_amount) AS amount,
    regexp_replace(regexp_replace(lower(buyer_name), '[（(][^）)]*[）)]|\s', '', 'g'),
                   '(股份有限公司|有限责任公司|有限公司)', '', 'g') AS party
FROM o WHERE platform = 'b2b';

CREATE TEMP TABLE l3 AS
SELECT d.order_id, c.line_id, jaro_winkler_similarity(d.party, c.party) AS name_score
FROM direct d JOIN credits c ON c.amount <= d.amount
WHERE date_diff('day', d.order_time, c.txn_time) BETWEEN -1 AND 60
  AND c.line_id NOT IN (SELECT line_id FROM pairs)
  AND jaro_winkler_similarity(d.party, c.party) >= 0.85;

CREATE TEMP TABLE unmatched_payouts AS SELECT * FROM payouts WHERE payout_id NOT IN (SELECT payout_id FROM pairs);
CREATE TEMP TABLE unmatched_bank AS
SELECT * FROM credits WHERE line_id NOT IN (SELECT line_id FROM pairs) AND line_id NOT IN (SELECT line_id FROM l3);

CREATE TEMP TABLE receivables AS
SELECT os.*, coalesce(o.pay_time, o.order_time) + INTERVAL 20 DAY AS due_date,
    CASE WHEN os.status IN ('settled', 'refunded') THEN 0 ELSE greatest(os.expected - os.sold, 0) END AS outstanding,
    CASE WHEN os.status IN ('unsettled', 'partial') AND coalesce(o.pay_time, o.order_time) + INTERVAL 20 DAY < now()
         THEN 'overdue' ELSE os.status END AS receivable_status
FROM order_settlement os JOIN o ON o.platform = os.platform AND o.order_id = os.order_id;

COPY order_settlement TO '{out}/order_settlement.parquet' (FORMAT parquet);
COPY receivables TO '{out}/receivables.parquet' (FORMAT parquet);
COPY pairs TO '{out}/pairs.parquet' (FORMAT parquet);
COPY l3 TO '{out}/l3.parquet' (FORMAT parquet);
COPY unmatched_payouts TO '{out}/unmatched_payouts.parquet' (FORMAT parquet);
COPY unmatched_bank TO '{out}/unmatched_bank.parquet' (FORMAT parquet);
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    args = parse_args(ap)
    import duckdb  # noqa: F401  (the child process needs it)

    env = {**os.environ, "RECON_PASSWORD": PASSWORD}
    gen = os.path.join(OUT, f"gen-{args.orders}-1-high")
    if not os.path.exists(os.path.join(gen, "truth", "summary.json")):
        subprocess.run([RECON + "-gen", "--orders", str(args.orders), "--seed", "1", "--noise", "high", "--out", gen],
                       check=True, capture_output=True)
    ws = os.path.join(OUT, f"ws-reconcile-{args.orders}")
    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run([RECON, "--workspace", ws, "init"], env=env, check=True, capture_output=True)
    files = sorted(glob.glob(os.path.join(gen, "orders", "*")) + glob.glob(os.path.join(gen, "settlements", "*"))
                   + glob.glob(os.path.join(gen, "bank", "*")))
    subprocess.run([RECON, "--workspace", ws, "import", "--no-progress", *files], env=env, check=True,
                   capture_output=True)
    counts = subprocess.run([RECON, "--workspace", ws, "sql", "--format", "csv", "-c",
                             "SELECT (SELECT count(*) FROM orders) AS o, (SELECT count(*) FROM settlements) AS s, "
                             "(SELECT count(*) FROM bank_txns) AS b"], env=env, check=True, capture_output=True,
                            text=True).stdout.splitlines()[1]
    print(f"workspace: orders, settlement lines, bank lines = {counts}")

    recon_wall, recon_rss, summary = timed([RECON, "--workspace", ws, "reconcile", "--no-progress"], env)
    matched = re.search(r"\| total\s+\|\s+(\d+)", summary)
    print(f"recon reconcile: {recon_wall:.2f} s, peak RSS {recon_rss:.0f} MB, "
          f"{matched.group(1) if matched else '?'} matched links")

    duck_out = os.path.join(OUT, "duck-reconcile")
    shutil.rmtree(duck_out, ignore_errors=True)
    os.makedirs(duck_out)
    script = os.path.join(OUT, "duck-reconcile.py")
    with open(script, "w") as f:
        f.write("import duckdb, sys\ncon = duckdb.connect()\n")
        f.write(f"con.execute({DUCK_SQL.format(ws=ws, out=duck_out)!r})\n")
        f.write("print(con.execute('SELECT count(*) FROM pairs').fetchone()[0])\n")
    duck_wall, duck_rss, duck_pairs = timed([sys.executable, script])
    print(f"DuckDB same passes: {duck_wall:.2f} s, peak RSS {duck_rss:.0f} MB, {duck_pairs.strip()} level-2 pairs")
    print(f"ratio recon/DuckDB: {recon_wall / duck_wall:.2f} (target: at most 1), RSS target under 2048 MB")

    # The UDF alone: the same generated name pairs in both engines.
    make = "concat('深圳市腾跃科技', CAST({c} % 1000 AS VARCHAR), '有限公司')"
    other = "concat('腾跃科技', CAST({c} % 997 AS VARCHAR))"
    q_recon = (f"SELECT sum(jaro_winkler({make.format(c='value')}, {other.format(c='value')})) "
               f"FROM range({PAIRS})")
    q_base_recon = (f"SELECT sum(length({make.format(c='value')}) + length({other.format(c='value')})) "
                    f"FROM range({PAIRS})")
    out = subprocess.run([RECON, "--workspace", ws, "sql", "--timer", "-c",
                          ";".join([q_recon] * 3 + [q_base_recon] * 3)], env=env, check=True, capture_output=True,
                         text=True).stdout
    times = [float(t) for t in re.findall(r"Run time: ([0-9.]+) s", out)]
    r_jw, r_base = min(times[:3]), min(times[3:])
    con = duckdb.connect()
    q_duck = (f"SELECT sum(jaro_winkler_similarity({make.format(c='range')}, {other.format(c='range')})) "
              f"FROM range({PAIRS})")
    q_base_duck = (f"SELECT sum(length({make.format(c='range')}) + length({other.format(c='range')})) "
                   f"FROM range({PAIRS})")

    def best(q):
        ts = []
        for _ in range(3):
            t0 = time.perf_counter()
            con.execute(q).fetchall()
            ts.append(time.perf_counter() - t0)
        return min(ts)

    d_jw, d_base = best(q_duck), best(q_base_duck)
    print(f"jaro_winkler over {PAIRS} pairs: recon {PAIRS / r_jw / 1e6:.2f} M pairs/s "
          f"({PAIRS / max(r_jw - r_base, 1e-9) / 1e6:.2f} M/s without building the strings), "
          f"DuckDB {PAIRS / d_jw / 1e6:.2f} M pairs/s ({PAIRS / max(d_jw - d_base, 1e-9) / 1e6:.2f} M/s)")


if __name__ == "__main__":
    main()
