#!/usr/bin/env python3
"""End-to-end benchmark: recon as a new user runs it, against a hand-written DuckDB
pipeline doing comparable work from the same files, alternating in one run. Wall time and
peak RSS (GNU time) of every step, and the ratio recon/DuckDB for import + reconcile +
receivables (the issue's target: at most 1.0x at 200k and 1M orders).

    python3 bench/e2e_bench.py [--orders 200000,1000000] [--no-validation] [--repeat 1]
                               [--recon PATH] [--keep]
    RECON_BIN=/tmp/recon-prev/recon python3 bench/e2e_bench.py --orders 200000

Data sets: `recon-gen --orders N --seed 1 --noise high` for each N (kept in
bench/out/gen-N-1-high, reused when there; a size the generator refuses is reported and
skipped; 10000000 takes it about 2.5 minutes and 1.7 GB, half the 20M run, and 11 GB of
disk), and each `../shared/validation/*/data` set. Every data file is used (orders,
settlements, bank, and for generated data also shipments, returns, courier bills and
stock movements); the as-of
is the truth's `as_of` (truth/score/counts.json or truth/counts.json), the period's last
second.

recon, each step a new process, all with the same `--as-of`: `init` (shown, not counted),
`import` of every file in one command, `reconcile`, then `sql --format csv -c "SELECT *
FROM receivables"` into a CSV file, and the same for the `risks` view and the `anomalies`
view (the closest to "risks" and "anomalies": `recon report` has no risks report of its
own; the analysis report is a PDF/XLSX of several views).

DuckDB, one new Python process (`duckdb` module, in-memory, default threads), timed as a
whole with phase marks inside:
  load        every CSV read as it is: UTF-8 or GB18030 decided by decoding its start,
              title/`#` lines above the header and summary lines below cut, GB18030
              transcoded to UTF-8 in Python (streamed; DuckDB's encodings extension is not
              available offline), then read_csv (all VARCHAR) and mapped column by column
              into orders, settlements, bank_txns, payments, shipments, returns,
              courier_bills and inventory, hand-written per layout and found by header
              names (alipay 账务明细, 抖店 动账明细 expanded into a sale and a fee line,
              both 拼多多 ledgers, 京东 wallet, WeChat 资金账单/交易账单, the order
              exports, 借方/贷方 and 收入/支出 bank statements, the logistics files);
              duplicate rows (a second export, the xlsx copy of a statement) dropped by
              their line ids. The .xlsx files are converted to CSV BEFORE timing
              (python-calamine or openpyxl if installed, else a small stdlib reader):
              DuckDB's excel extension is not available offline, so DuckDB is not
              charged for reading workbooks while recon is.
  match       reconcile_bench.py's passes on these tables: orders against settlement
              lines by normalised order id, summed by kind (level 1); payouts against bank
              credits by a reference token of the memo, exact amount (bank payer of the
              platform), or amount less a fee up to 5, within 10 days, each side's unique
              best, then first-in-first-out among payouts and credits of one amount
              (level 2); B2B orders against the remaining credits by an order number in
              the memo, or amount and jaro_winkler >= 0.85 of normalised names, one order
              per credit (level 3).
  receivables per order: expected, received, outstanding, due date (ship or pay time +
              15 days, not recon's learned terms), days overdue, aging bucket, status;
              written to CSV.
  risks       a cheap stand-in for recon's `risks`: fee-rate robust z by platform-month,
              slow and missing payouts against the platform's p90 lag, overdue orders,
              the same credit twice within a day, payout ids on two lines, refund over
              order, settlement lines of unknown orders, refund spikes, unexplained round
              or weekend credits; to CSV.
  anomalies   a stand-in for recon's `anomalies`: settlement discrepancies, shipped not
              ordered, paid not shipped, quantity differences, settled before shipment,
              missing logistics, returns not carried / not in returns / state differs,
              courier bills twice, stock out differs, stock counts that differ; to CSV.
It does less than recon: no subset sums or grouping of several payouts into one credit,
one matching round, calendar days and a fixed 15-day term, no workspace (nothing
persisted, no audit log, no run kept, no import log or rejects file, no per-row
provenance beyond the file name), only the layouts in these files, no prefix/suffix
reference hits, no courier contract rates, no explanations per row. Its load does GB18030
transcoding in Python, slower than a native reader would. The DuckDB "import + reconcile
+ receivables" figure is the process's wall time less its risks and anomalies phases (so
it includes starting Python and DuckDB); its peak RSS is the whole process's.

Results go to bench/out/e2e/ (ignored by git); the workspaces are removed unless --keep.
A recon step that fails (at 10M orders a statement may pass recon's default 600 s limit:
set RECON_TIMEOUT=0) is reported and left out of the sums. The machine may be busy
(another build): times are noisy, run with --repeat 2 or more."""

import argparse
import csv
import datetime
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
import xml.etree.ElementTree as ET

from benchlib import OUT, PASSWORD, RECON, ROOT

SHARED = os.path.join(os.path.dirname(ROOT), "shared", "validation")
WORK = os.path.join(OUT, "e2e")
FOLDERS = ["orders", "settlements", "bank", "shipments", "returns", "courier", "inventory"]
CORE = ("import", "reconcile", "receivables")


# ---------------------------------------------------------------------------------------
# Timing


def measure(cmd, env=None, stdout_path=None):
    """(wall s, peak RSS MB, error or None, stdout text or None) of a command, by GNU time.
    Stdout goes to `stdout_path` when given (a CSV the user asked for), else is returned."""
    stats = os.path.join(WORK, ".time")
    out = open(stdout_path, "w") if stdout_path else subprocess.PIPE
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", stats, *cmd], env=env, stdout=out,
                       stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if stdout_path:
        out.close()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(stats).read())
    rss = int(m.group(1)) / 1024 if m else float("nan")
    err = None
    if p.returncode:
        tail = (p.stderr or "").strip().splitlines()[-5:]
        err = f"exit {p.returncode}: " + " | ".join(tail)
    return wall, rss, err, (None if stdout_path else p.stdout)


# ---------------------------------------------------------------------------------------
# Data sets


def as_of_of(truth_dir):
    for name in ("score/counts.json", "counts.json"):
        path = os.path.join(truth_dir, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)["as_of"]
    with open(os.path.join(truth_dir, "summary.json"), encoding="utf-8") as fh:
        return json.load(fh)["period_to"]


def generated(recon, orders):
    """(name, files, as_of) of `recon-gen --orders N --seed 1 --noise high`, generating it
    if absent; None (with the reason printed) if the generator fails."""
    gen = os.path.join(OUT, f"gen-{orders}-1-high")
    if not os.path.exists(os.path.join(gen, "truth", "summary.json")):
        shutil.rmtree(gen, ignore_errors=True)
        print(f"generating {orders:,} orders into {gen} …", flush=True)
        t0 = time.perf_counter()
        p = subprocess.run([recon + "-gen", "--orders", str(orders), "--seed", "1", "--noise", "high",
                            "--out", gen], capture_output=True, text=True)
        if p.returncode:
            reason = " | ".join((p.stderr or p.stdout).strip().splitlines()[-3:])
            print(f"recon-gen --orders {orders} failed after {time.perf_counter() - t0:.0f} s "
                  f"(exit {p.returncode}): {reason}\n  → {orders:,} orders skipped", flush=True)
            shutil.rmtree(gen, ignore_errors=True)
            return None
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
    files = [f for d in FOLDERS for f in sorted(glob.glob(os.path.join(gen, d, "*")))]
    return f"gen {orders // 1000}k" if orders < 1_000_000 else f"gen {orders / 1e6:g}M", files, \
        as_of_of(os.path.join(gen, "truth"))


def validation_sets():
    if not os.path.isdir(SHARED):
        print(f"no validation sets at {SHARED}: skipped")
        return []
    out = []
    for d in sorted(glob.glob(os.path.join(SHARED, "*"))):
        if not os.path.isdir(os.path.join(d, "data")) or not os.path.isdir(os.path.join(d, "truth")):
            continue
        files = sorted(glob.glob(os.path.join(d, "data", "*")))
        out.append((f"validation {os.path.basename(d)}", files, as_of_of(os.path.join(d, "truth"))))
    return out


# ---------------------------------------------------------------------------------------
# xlsx → CSV for DuckDB, before timing


def xlsx_to_csv(src, dst):
    """The first sheet of a workbook as a UTF-8 CSV: python-calamine or openpyxl if
    installed, else a streaming stdlib reader (shared strings, inline strings, numbers,
    date-formatted numbers as timestamps)."""
    def fmt(v):
        if v is None:
            return ""
        if isinstance(v, datetime.datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, datetime.date):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    try:
        from python_calamine import CalamineWorkbook
        rows = CalamineWorkbook.from_path(src).get_sheet_by_index(0).to_python(skip_empty_area=False)
        with open(dst, "w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([[fmt(v) for v in r] for r in rows])
        return "python-calamine"
    except ImportError:
        pass
    try:
        import openpyxl
        wb = openpyxl.load_workbook(src, read_only=True, data_only=True)
        with open(dst, "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out)
            for r in wb.worksheets[0].iter_rows(values_only=True):
                w.writerow([fmt(v) for v in r])
        return "openpyxl"
    except ImportError:
        pass
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

    def col(ref):
        n = 0
        for ch in ref:
            if not ch.isalpha():
                break
            n = n * 26 + ord(ch.upper()) - 64
        return n - 1

    with zipfile.ZipFile(src) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            for _, el in ET.iterparse(z.open("xl/sharedStrings.xml")):
                if el.tag == ns + "si":
                    shared.append("".join(t.text or "" for t in el.iter(ns + "t")))
                    el.clear()
        dates = set()
        if "xl/styles.xml" in names:
            st = ET.parse(z.open("xl/styles.xml")).getroot()
            custom = {nf.get("numFmtId"): nf.get("formatCode", "") for nf in st.iter(ns + "numFmt")}
            xfs = st.find(ns + "cellXfs")
            for i, xf in enumerate(xfs if xfs is not None else []):
                fid = int(xf.get("numFmtId", "0"))
                code = re.sub(r'"[^"]*"|\[[^]]*\]', "", custom.get(str(fid), ""))
                if 14 <= fid <= 22 or 45 <= fid <= 47 or re.search(r"[yd]|h+:m", code, re.I):
                    dates.add(str(i))
        wb = ET.parse(z.open("xl/workbook.xml")).getroot()
        rid = wb.find(f"{ns}sheets/{ns}sheet").get(rns + "id")
        rels = ET.parse(z.open("xl/_rels/workbook.xml.rels")).getroot()
        target = next(r.get("Target") for r in rels if r.get("Id") == rid).lstrip("/")
        sheet = target if target.startswith("xl/") else "xl/" + target
        with open(dst, "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out)
            for _, el in ET.iterparse(z.open(sheet)):
                if el.tag != ns + "row":
                    continue
                vals = {}
                for c in el.iter(ns + "c"):
                    t, v = c.get("t"), c.find(ns + "v")
                    if t == "s":
                        val = shared[int(v.text)]
                    elif t == "inlineStr":
                        val = "".join(x.text or "" for x in c.iter(ns + "t"))
                    elif v is None or v.text is None:
                        val = ""
                    elif t in ("str", "b", "e") or c.get("s") not in dates:
                        val = v.text
                    else:
                        d = datetime.datetime(1899, 12, 30) + datetime.timedelta(days=float(v.text))
                        d = (d + datetime.timedelta(microseconds=500_000)).replace(microsecond=0)
                        val = fmt(d.date() if d.time() == datetime.time(0) else d)
                    vals[col(c.get("r"))] = val
                el.clear()
                w.writerow([vals.get(i, "") for i in range(max(vals) + 1)] if vals else [])
    return "stdlib zipfile/xml reader"


# ---------------------------------------------------------------------------------------
# The DuckDB pipeline: a script run in its own process, `python3 duck_pipeline.py config`

DUCK_PIPELINE = r'''
import codecs, csv, json, os, sys, time
T0 = time.perf_counter()
import duckdb

cfg = json.load(open(sys.argv[1], encoding="utf-8"))
OUTD, TMP, AS_OF = cfg["out"], cfg["tmp"], cfg["as_of"]
marks = {}
con = duckdb.connect()
q = con.execute
q(f"SET temp_directory = '{TMP}'")

q(r"""
CREATE MACRO c(x) AS nullif(trim(CAST(x AS VARCHAR), ' `"' || chr(9) || chr(13)), '');
CREATE MACRO num(x) AS TRY_CAST(replace(replace(c(x), ',', ''), '¥', '') AS DECIMAL(18, 2));
CREATE MACRO ts(x) AS coalesce(try_strptime(c(x), '%Y-%m-%d %H:%M:%S'), try_strptime(c(x), '%Y%m%d %H:%M:%S'),
    try_strptime(c(x), '%Y/%m/%d %H:%M:%S'), try_strptime(c(x), '%Y-%m-%d'), try_strptime(c(x), '%Y%m%d'));
CREATE MACRO okey(x) AS regexp_replace(c(x), '^T200P', '');
CREATE MACRO plat(x) AS CASE
    WHEN x LIKE '%天猫%' OR x LIKE '%淘宝%' THEN 'tmall' WHEN x LIKE '%京东%' THEN 'jd'
    WHEN x LIKE '%抖%' THEN 'douyin' WHEN x LIKE '%拼多多%' THEN 'pdd'
    WHEN x LIKE '%微信%' OR x LIKE '%小程序%' THEN 'wechat' WHEN x LIKE '%线下%' OR x LIKE '%企业%' THEN 'b2b'
    ELSE lower(x) END;
CREATE TABLE orders (platform VARCHAR, shop VARCHAR, order_id VARCHAR, order_key VARCHAR, order_time TIMESTAMP,
    pay_time TIMESTAMP, ship_time TIMESTAMP, status VARCHAR, order_amount DECIMAL(18, 2), paid_amount DECIMAL(18, 2),
    buyer VARCHAR, tracking_no VARCHAR, courier VARCHAR, sku VARCHAR, quantity BIGINT, src VARCHAR);
CREATE TABLE settlements (platform VARCHAR, shop VARCHAR, txn_id VARCHAR, trade_id VARCHAR, order_id VARCHAR,
    order_key VARCHAR, txn_time TIMESTAMP, kind VARCHAR, amount DECIMAL(18, 2), memo VARCHAR, src VARCHAR);
CREATE TABLE bank_txns (txn_id VARCHAR, txn_time TIMESTAMP, amount DECIMAL(18, 2), counterparty_name VARCHAR,
    counterparty_account VARCHAR, memo VARCHAR, src VARCHAR);
CREATE TABLE payments (platform VARCHAR, order_id VARCHAR, trade_id VARCHAR, txn_time TIMESTAMP,
    amount DECIMAL(18, 2), fee DECIMAL(18, 2), refund DECIMAL(18, 2), src VARCHAR);
CREATE TABLE shipments (platform VARCHAR, shop VARCHAR, order_id VARCHAR, order_key VARCHAR, courier VARCHAR,
    tracking_no VARCHAR, ship_time TIMESTAMP, sku VARCHAR, quantity BIGINT, src VARCHAR);
CREATE TABLE returns (return_id VARCHAR, order_id VARCHAR, platform VARCHAR, shop VARCHAR, courier VARCHAR,
    tracking_no VARCHAR, sku VARCHAR, quantity BIGINT, state VARCHAR, refund_amount DECIMAL(18, 2),
    apply_time TIMESTAMP, receive_time TIMESTAMP, src VARCHAR);
CREATE TABLE courier_bills (courier VARCHAR, bill_period VARCHAR, tracking_no VARCHAR, direction VARCHAR,
    ship_time TIMESTAMP, weight DECIMAL(18, 2), amount DECIMAL(18, 2), src VARCHAR);
CREATE TABLE inventory (sku VARCHAR, warehouse VARCHAR, txn_time TIMESTAMP, movement VARCHAR, quantity BIGINT,
    reference VARCHAR, balance BIGINT, line BIGINT, src VARCHAR);
""")


def plain(path):
    """(path DuckDB reads, lines to skip, header fields, preamble text). The encoding is
    found by decoding the first 64 KB (UTF-8, else GB18030); title and `#` lines above the
    header and summary lines below the table (`#…`, WeChat's totals) are cut. A UTF-8 file
    with nothing below its table is read where it is, skipping its title; any other is
    copied as UTF-8, streamed in 16 MB pieces."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head_raw = fh.read(65536)
        fh.seek(max(0, size - 4096))
        tail_raw = fh.read()
    if size > len(head_raw):
        head_raw = head_raw[:head_raw.rfind(b"\n") + 1]
    bom = 3 if head_raw.startswith(codecs.BOM_UTF8) else 0
    try:
        head, enc = head_raw[bom:].decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        head, enc = head_raw.decode("gb18030", errors="replace"), "gb18030"
    lines = head.split("\n")
    h = 0
    for i, line in enumerate(lines[:200]):
        first = line.split(",")[0]
        if line.count(",") >= 4 and not line.startswith("#") and "：" not in first and ":" not in first[:8]:
            h = i
            break
    header = [x.strip(" \t\r`\ufeff") for x in next(csv.reader([lines[h]]))]
    preamble = "\n".join(lines[:h])
    body_start = bom + sum(len(line.encode(enc)) + 1 for line in lines[:h + 1])
    tail_at = size
    for marker in ("\n#", "\n资金流水总笔数", "\n总交易单数"):
        k = tail_raw.find(marker.encode(enc))
        if k != -1:
            tail_at = min(tail_at, size - len(tail_raw) + k + 1)
    if enc == "utf-8" and tail_at == size:
        return path, h + 1, header, preamble
    dst = os.path.join(TMP, os.path.basename(path) + ".utf8.csv")
    decode = codecs.getincrementaldecoder(enc)(errors="replace").decode if enc != "utf-8" else None
    with open(path, "rb") as fh, open(dst, "wb") as out:
        fh.seek(body_start)
        left = tail_at - body_start
        while left > 0:
            chunk = fh.read(min(16 << 20, left))
            left -= len(chunk)
            out.write(decode(chunk, final=left <= 0).encode("utf-8") if decode else chunk)
    return dst, 0, header, preamble


def meta(preamble, *keys):
    for line in preamble.splitlines():
        line = line.lstrip("#").strip()
        for k in keys:
            if line.startswith(k + "：") or line.startswith(k + ":"):
                return line.split("：" if "：" in line else ":", 1)[1].strip().strip("[]")
    return None


def load(path, name):
    src, skip, header, preamble = plain(path)
    cols = {f"c{i}": "VARCHAR" for i in range(len(header))}
    q(f"""CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM read_csv('{src}', header = false, skip = {skip},
          columns = {cols!r}, delim = ',', quote = '"', escape = '"', null_padding = true, strict_mode = false,
          auto_detect = false)""")
    H = set(header)

    def col(*names, default="NULL"):
        for n in names:
            if n in header:
                return f"c{header.index(n)}"
        return default

    def lit(v):
        return "NULL" if v is None else "'" + v.replace("'", "''") + "'"

    shop = lit(meta(preamble, "店铺", "店铺名称"))
    f = lit(name)
    if {"账务流水号", "业务类型"} <= H:  # Alipay 账务明细 (Tmall's wallet)
        amt = f"coalesce(num({col('收入金额（+元）')}), num({col('支出金额（-元）')}))"
        q(f"""INSERT INTO settlements SELECT 'tmall', {shop}, c({col('账务流水号')}), c({col('业务流水号')}),
              c({col('商户订单号')}), okey({col('商户订单号')}), ts({col('发生时间')}),
              CASE WHEN c({col('业务类型')}) LIKE '%提现%' THEN 'withdrawal' WHEN c({col('业务类型')}) LIKE '%退款%' THEN 'refund'
                   WHEN c({col('业务类型')}) LIKE '%服务费%' THEN 'fee' WHEN c({col('业务类型')}) LIKE '交易%' THEN 'sale'
                   WHEN c({col('业务类型')}) LIKE '%转账%' THEN 'deposit' ELSE 'other' END,
              {amt}, c({col('备注')}), {f} FROM raw WHERE {amt} IS NOT NULL""")
        return "settlements"
    if {"动帐流水号", "动账方向"} <= H:  # 抖店 动账明细: a settled row is its sale and its fees
        fees = " + ".join(f"coalesce(num({col(n)}), 0)" for n in ("平台服务费", "佣金", "渠道分成", "招商服务费")
                          if n in H)
        fees = fees or "0"
        signed = f"CASE WHEN c({col('动账方向')}) LIKE '%出%' THEN -abs(num({col('动账金额')})) ELSE num({col('动账金额')}) END"
        kind = (f"CASE WHEN c({col('动账场景')}) LIKE '%提现%' THEN 'withdrawal' WHEN c({col('动账场景')}) LIKE '%退款%' "
                f"THEN 'refund' WHEN c({col('动账场景')}) LIKE '%结算%' THEN 'sale' ELSE 'other' END")
        q(f"""INSERT INTO settlements
              SELECT 'douyin', {shop}, c({col('动帐流水号')}), NULL, c({col('订单号')}), okey({col('订单号')}),
                  ts({col('动账时间')}), {kind}, {signed} + CASE WHEN {kind} = 'sale' THEN {fees} ELSE 0 END,
                  c({col('备注')}), {f} FROM raw WHERE num({col('动账金额')}) IS NOT NULL
              UNION ALL
              SELECT 'douyin', {shop}, c({col('动帐流水号')}), NULL, c({col('订单号')}), okey({col('订单号')}),
                  ts({col('动账时间')}), 'fee', -({fees}), NULL, {f}
              FROM raw WHERE {kind} = 'sale' AND ({fees}) <> 0""")
        return "settlements"
    if {"商户订单号", "账务类型"} <= H:  # 拼多多 店铺账务明细
        amt = f"coalesce(num({col('收入金额（+元）')}), num({col('支出金额（-元）')}))"
        q(f"""INSERT INTO settlements SELECT 'pdd', {shop}, NULL, NULL, c({col('商户订单号')}), okey({col('商户订单号')}),
              ts({col('发生时间')}),
              CASE WHEN c({col('账务类型')}) LIKE '%提现%' THEN 'withdrawal' WHEN c({col('账务类型')}) LIKE '%退款%' THEN 'refund'
                   WHEN c({col('账务类型')}) LIKE '%收入%' THEN 'sale' ELSE 'fee' END,
              {amt}, c({col('备注')}), {f} FROM raw WHERE {amt} IS NOT NULL""")
        return "settlements"
    if {"订单号", "动账类型", "收支方向"} <= H:  # 拼多多 货款账户 资金流水 (no platform in the file: by its order ids)
        amt = f"CASE WHEN c({col('收支方向')}) LIKE '%出%' THEN -abs(num({col('动账金额(元)', '动账金额')})) ELSE num({col('动账金额(元)', '动账金额')}) END"
        platform = (f"(SELECT CASE WHEN bool_or(regexp_full_match(c({col('订单号')}), '[0-9]{{6}}-[0-9]+')) THEN 'pdd' "
                    f"END FROM raw)")
        q(f"""INSERT INTO settlements SELECT {platform}, {shop}, NULL, NULL, c({col('订单号')}), okey({col('订单号')}),
              ts({col('入账时间', '动账时间')}),
              CASE WHEN c({col('动账类型')}) LIKE '%提现%' THEN 'withdrawal' WHEN c({col('动账类型')}) LIKE '%退款%' THEN 'refund'
                   WHEN c({col('动账类型')}) LIKE '%收入%' THEN 'sale' ELSE 'fee' END,
              {amt}, c({col('备注')}), {f} FROM raw WHERE {amt} IS NOT NULL""")
        return "settlements"
    if {"账户流水号", "收支方向", "业务类型"} <= H:  # 京东 wallet
        amt = f"CASE WHEN c({col('收支方向')}) LIKE '%支%' THEN -abs(num({col('金额')})) ELSE num({col('金额')}) END"
        q(f"""INSERT INTO settlements SELECT 'jd', {shop}, c({col('账户流水号')}), NULL, c({col('订单编号')}),
              okey({col('订单编号')}), ts({col('发生时间')}),
              CASE c({col('业务类型')}) WHEN '货款' THEN 'sale' WHEN '提现' THEN 'withdrawal' WHEN '退款' THEN 'refund'
                   WHEN '佣金' THEN 'commission' ELSE 'fee' END,
              {amt}, c({col('备注')}), {f} FROM raw WHERE {amt} IS NOT NULL""")
        return "settlements"
    if {"微信支付业务单号", "收支类型"} <= H:  # WeChat Pay 资金账单
        amount = col("收支金额（元）", "收支金额(元)")
        amt = f"CASE WHEN c({col('收支类型')}) LIKE '%支出%' THEN -abs(num({amount})) ELSE num({amount}) END"
        q(f"""INSERT INTO settlements SELECT 'wechat', {shop}, c({col('资金流水单号')}), c({col('微信支付业务单号')}),
              c({col('业务凭证号')}), okey({col('业务凭证号')}), ts({col('记账时间')}),
              CASE WHEN c({col('业务类型')}) LIKE '%提现%' THEN 'withdrawal' WHEN c({col('业务类型')}) LIKE '%手续费%' THEN 'fee'
                   WHEN c({col('业务类型')}) LIKE '%退款%' THEN 'refund' WHEN c({col('业务类型')}) LIKE '%交易%' THEN 'sale'
                   ELSE 'other' END,
              {amt}, c({col('备注')}), {f} FROM raw WHERE {amt} IS NOT NULL AND ts({col('记账时间')}) IS NOT NULL""")
        return "settlements"
    if {"微信订单号", "商户订单号", "应结订单金额"} <= H:  # WeChat Pay 交易账单 → payments
        q(f"""INSERT INTO payments SELECT 'wechat', c({col('商户订单号')}), c({col('微信订单号')}), ts({col('交易时间')}),
              num({col('应结订单金额')}), num({col('手续费')}), num({col('退款金额')}), {f}
              FROM raw WHERE ts({col('交易时间')}) IS NOT NULL""")
        return "payments"
    if ("借方发生额" in H and "贷方发生额" in H) or ("收入" in H and "支出" in H and "余额" in H):
        credit, debit = col("贷方发生额", "收入"), col("借方发生额", "支出")
        when = (f"ts(c({col('交易日期')}) || ' ' || c({col('交易时间')}))" if "交易日期" in H and "交易时间" in H
                else f"ts({col('交易时间', '交易日期')})")
        memo = " || ' ' || ".join(f"coalesce(c({col(n)}), '')" for n in ("摘要", "用途", "交易备注", "交易类型") if n in H)
        q(f"""INSERT INTO bank_txns SELECT c({col('交易流水号', '流水号')}), {when},
              coalesce(num({credit}), -abs(num({debit}))), c({col('对方户名')}), c({col('对方账号')}),
              nullif(trim({memo or "''"}), ''), {f} FROM raw
              WHERE coalesce(num({credit}), num({debit})) IS NOT NULL AND {when} IS NOT NULL""")
        return "bank_txns"
    if {"订单状态"} <= H and (H & {"下单时间", "订单提交时间", "成交时间"}):  # order exports
        oid = col("订单编号", "主订单编号", "订单号", "线上订单号")
        platform = f"plat(c({col('平台')}))" if "平台" in H else "NULL"
        q(f"""INSERT INTO orders SELECT {platform}, coalesce(c({col('店铺', '店铺名称')}), {shop}), c({oid}), okey({oid}),
              ts({col('下单时间', '订单提交时间', '成交时间')}), ts({col('付款时间', '支付完成时间', '支付时间')}),
              ts({col('发货时间', '出库时间')}), c({col('订单状态')}),
              num({col('订单金额', '订单应付金额', '商品总价(元)', '商品总额')}),
              num({col('实付金额', '实付款', '用户实付金额(元)', '应付金额', '已付金额')}),
              c({col('客户名称', '买家昵称', '买家姓名', '客户姓名', '收货人', '收件人')}), c({col('快递单号', '物流单号', '运单号')}),
              c({col('快递公司', '承运商')}), c({col('商家编码', '商家编码-SKU维度', '商品编号', '商品编码')}),
              TRY_CAST(c({col('商品数量', '商品数量(件)', '宝贝总数量', '订购数量', '数量')}) AS BIGINT), {f}
              FROM raw WHERE c({oid}) IS NOT NULL""")
        return "orders"
    if {"运单号", "发货时间", "发货仓库"} <= H:  # warehouse shipping list
        q(f"""INSERT INTO shipments SELECT plat(c({col('平台')})), c({col('店铺')}), c({col('订单编号')}), okey({col('订单编号')}),
              c({col('物流公司')}), c({col('运单号')}), ts({col('发货时间')}), c({col('商品编码')}),
              TRY_CAST(c({col('数量')}) AS BIGINT), {f} FROM raw""")
        return "shipments"
    if {"售后单号", "售后状态"} <= H:  # after-sales
        q(f"""INSERT INTO returns SELECT c({col('售后单号')}), c({col('订单编号')}), plat(c({col('平台')})), c({col('店铺')}),
              c({col('退货物流公司')}), c({col('退货运单号')}), c({col('商品编码')}), TRY_CAST(c({col('退货数量')}) AS BIGINT),
              c({col('售后状态')}), num({col('退款金额')}), ts({col('申请时间')}), ts({col('签收时间')}), {f} FROM raw""")
        return "returns"
    if {"快递公司", "账单周期", "运单号"} <= H:  # courier bill
        q(f"""INSERT INTO courier_bills SELECT c({col('快递公司')}), c({col('账单周期')}), c({col('运单号')}),
              CASE WHEN c({col('业务类型')}) LIKE '%退%' THEN 'return' ELSE 'out' END, ts({col('寄件时间')}),
              num({col('计费重量(kg)')}), num({col('费用合计')}), {f} FROM raw""")
        return "courier_bills"
    if {"商品编码", "业务类型", "结存数量"} <= H:  # stock movements
        q(f"""INSERT INTO inventory SELECT c({col('商品编码')}), c({col('仓库')}), ts({col('业务时间')}),
              CASE WHEN c({col('业务类型')}) LIKE '%盘点%' THEN 'count' WHEN c({col('业务类型')}) LIKE '%退货%' THEN 'return'
                   WHEN c({col('业务类型')}) LIKE '%出库%' THEN 'out' ELSE 'in' END,
              CASE WHEN c({col('业务类型')}) LIKE '%出库%' THEN -abs(TRY_CAST(c({col('数量')}) AS BIGINT))
                   ELSE TRY_CAST(c({col('数量')}) AS BIGINT) END,
              c({col('关联单号')}), TRY_CAST(c({col('结存数量')}) AS BIGINT), row_number() OVER (), {f} FROM raw""")
        return "inventory"
    return None


loaded = {}
for path, name in cfg["files"]:
    kind = load(path, name)
    loaded.setdefault(kind or "not recognised", []).append(name)
# Duplicates (a second export of the same period, a statement as CSV and as xlsx), by line ids.
q("""
CREATE OR REPLACE TABLE settlements AS
    SELECT * FROM settlements WHERE txn_id IS NULL
    UNION ALL SELECT DISTINCT ON (platform, txn_id, kind, amount) * FROM settlements WHERE txn_id IS NOT NULL;
CREATE OR REPLACE TABLE bank_txns AS
    SELECT * FROM bank_txns WHERE txn_id IS NULL
    UNION ALL SELECT DISTINCT ON (txn_id) * FROM bank_txns WHERE txn_id IS NOT NULL;
CREATE OR REPLACE TABLE orders AS SELECT DISTINCT ON (platform, order_id, sku) * FROM orders;
""")
counts = {t: q(f"SELECT count(*) FROM {t}").fetchone()[0]
          for t in ("orders", "settlements", "bank_txns", "payments", "shipments", "returns", "courier_bills", "inventory")}
marks["load"] = time.perf_counter() - T0

q(f"SET VARIABLE as_of = TIMESTAMP '{AS_OF}'")
q(r"""
-- Level 1: orders against their settlement lines, by normalised order id.
CREATE TEMP TABLE order_lines AS
SELECT order_key, max(platform) AS wallet,
    sum(CASE WHEN kind = 'sale' THEN amount ELSE 0 END) AS sold,
    -sum(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS refunded,
    -sum(CASE WHEN kind IN ('commission', 'fee') THEN amount ELSE 0 END) AS fees,
    sum(amount) AS received, min(CASE WHEN kind = 'sale' THEN txn_time END) AS first_sale
FROM settlements
WHERE order_key IS NOT NULL AND kind NOT IN ('withdrawal', 'deposit') AND txn_time <= getvariable('as_of')
GROUP BY 1;

CREATE TEMP TABLE order_settlement AS
SELECT o.platform, o.shop, o.order_id, o.order_key, o.order_time, o.pay_time, o.ship_time,
    coalesce(o.paid_amount, o.order_amount) AS expected,
    coalesce(l.sold, 0) AS sold, coalesce(l.refunded, 0) AS refunded, coalesce(l.fees, 0) AS fees,
    coalesce(l.received, 0) AS received,
    CASE WHEN coalesce(l.sold, 0) = 0 AND coalesce(l.refunded, 0) = 0 THEN
            CASE WHEN o.status LIKE '%关闭%' OR o.status LIKE '%取消%' OR o.status LIKE '%退款%' THEN 'refunded'
                 ELSE 'unsettled' END
         WHEN l.refunded >= l.sold THEN 'refunded'
         WHEN l.sold <> coalesce(o.paid_amount, o.order_amount) THEN 'discrepancy'
         WHEN l.refunded > 0 THEN 'partial' ELSE 'settled' END AS status
FROM orders o LEFT JOIN order_lines l ON l.order_key = o.order_key
WHERE o.platform IS DISTINCT FROM 'b2b' AND (o.order_time IS NULL OR o.order_time <= getvariable('as_of'));

-- Level 2: payouts (withdrawals) against bank credits.
CREATE TEMP TABLE payouts AS
SELECT platform, shop, coalesce(txn_id, trade_id, regexp_extract(memo, '(TX[0-9]+)', 1), src || ':' || CAST(row_number() OVER () AS VARCHAR)) AS payout_id,
    txn_id, trade_id, memo, txn_time AS payout_time, -amount AS amount
FROM settlements WHERE kind = 'withdrawal' AND txn_time <= getvariable('as_of');

CREATE TEMP TABLE payout_keys AS
SELECT DISTINCT payout_id, key FROM (
    SELECT payout_id, payout_id AS key FROM payouts UNION ALL SELECT payout_id, txn_id FROM payouts
    UNION ALL SELECT payout_id, trade_id FROM payouts
    UNION ALL SELECT payout_id, unnest(regexp_extract_all(memo, '[A-Za-z]*[0-9]{8,}')) FROM payouts)
WHERE key IS NOT NULL AND length(key) >= 6;

CREATE TEMP TABLE credits AS
SELECT txn_id AS line_id, txn_time, amount, memo, counterparty_name, counterparty_account,
    regexp_replace(regexp_replace(lower(coalesce(counterparty_name, '')), '[（(][^）)]*[）)]|\s', '', 'g'),
                   '(股份有限公司|有限责任公司|有限公司|客户备付金|备付金)', '', 'g') AS party
FROM bank_txns WHERE amount > 0 AND txn_time <= getvariable('as_of');

CREATE TEMP TABLE credit_tokens AS
SELECT DISTINCT line_id, unnest(regexp_extract_all(memo, '[A-Za-z0-9][A-Za-z0-9-]{5,}')) AS token FROM credits;

CREATE TEMP TABLE credit_platforms AS
SELECT DISTINCT c.line_id, pp.platform FROM credits c
JOIN (VALUES ('tmall', '支付宝'), ('tmall', 'alipay'), ('jd', '网银在线'), ('jd', '京东'), ('douyin', '抖音'),
             ('douyin', '字节跳动'), ('douyin', '合众易宝'), ('pdd', '寻梦'), ('pdd', '付费通'), ('pdd', '拼多多'),
             ('wechat', '财付通'), ('wechat', 'tenpay'), ('wechat', '微信')) pp(platform, pattern)
  ON strpos(c.party || lower(coalesce(c.memo, '')), pp.pattern) > 0;

CREATE TEMP TABLE candidates AS
WITH pairs AS (
    SELECT DISTINCT p.payout_id, c.line_id, 'reference' AS rule, p.amount AS pa, c.amount AS ba,
        date_diff('day', p.payout_time, c.txn_time) AS lag
    FROM payout_keys k JOIN credit_tokens t ON t.token = k.key
    JOIN payouts p ON p.payout_id = k.payout_id JOIN credits c ON c.line_id = t.line_id
    UNION ALL
    SELECT p.payout_id, c.line_id, 'amount', p.amount, c.amount, date_diff('day', p.payout_time, c.txn_time)
    FROM payouts p JOIN credits c ON c.amount = p.amount
    JOIN credit_platforms cp ON cp.line_id = c.line_id AND cp.platform = p.platform
    UNION ALL
    SELECT p.payout_id, c.line_id, 'amount_fee', p.amount, c.amount, date_diff('day', p.payout_time, c.txn_time)
    FROM payouts p JOIN credit_platforms cp ON cp.platform = p.platform JOIN credits c ON c.line_id = cp.line_id
    WHERE c.amount < p.amount AND c.amount >= p.amount - 5
)
SELECT *, CASE rule WHEN 'reference' THEN 3 WHEN 'amount' THEN 2 ELSE 1 END + 0.1 * (1 - lag / 11.0) AS score
FROM pairs WHERE lag BETWEEN 0 AND 10 AND ba <= pa AND ba >= pa - 5;

CREATE TEMP TABLE unique_pairs AS
SELECT payout_id, line_id, rule, score FROM candidates
QUALIFY rank() OVER (PARTITION BY payout_id ORDER BY score DESC) = 1
    AND count(*) OVER (PARTITION BY payout_id, score) = 1
    AND rank() OVER (PARTITION BY line_id ORDER BY score DESC) = 1
    AND count(*) OVER (PARTITION BY line_id, score) = 1;

-- Ties left (several payouts of one round amount, several such credits): first in, first out.
CREATE TEMP TABLE pairs AS
WITH rest AS (
    SELECT c.*, p.platform, p.payout_time, b.txn_time FROM candidates c
    JOIN payouts p USING (payout_id) JOIN credits b USING (line_id)
    WHERE c.rule = 'amount' AND c.payout_id NOT IN (SELECT payout_id FROM unique_pairs)
      AND c.line_id NOT IN (SELECT line_id FROM unique_pairs)
),
p AS (SELECT DISTINCT payout_id, platform, pa, payout_time FROM rest),
b AS (SELECT DISTINCT line_id, platform, pa, txn_time FROM rest),
pr AS (SELECT *, row_number() OVER (PARTITION BY platform, pa ORDER BY payout_time, payout_id) AS k FROM p),
br AS (SELECT *, row_number() OVER (PARTITION BY platform, pa ORDER BY txn_time, line_id) AS k FROM b)
SELECT * FROM unique_pairs
UNION ALL
SELECT pr.payout_id, br.line_id, 'amount_fifo', 1.5 FROM pr JOIN br USING (platform, pa, k)
WHERE date_diff('day', pr.payout_time, br.txn_time) BETWEEN 0 AND 10
QUALIFY count(*) OVER (PARTITION BY br.line_id) = 1;

-- Level 3: B2B orders against the remaining credits.
CREATE TEMP TABLE direct AS
SELECT order_id, shop, order_time, ship_time, pay_time, coalesce(paid_amount, order_amount) AS amount,
    regexp_replace(regexp_replace(lower(coalesce(buyer, '')), '[（(][^）)]*[）)]|\s', '', 'g'),
                   '(股份有限公司|有限责任公司|有限公司)', '', 'g') AS party
FROM orders WHERE platform = 'b2b' AND order_time <= getvariable('as_of');

CREATE TEMP TABLE open_credits AS
SELECT * FROM credits c WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.line_id = c.line_id)
    AND NOT EXISTS (SELECT 1 FROM credit_platforms p WHERE p.line_id = c.line_id);

CREATE TEMP TABLE l3_candidates AS
SELECT d.order_id, c.line_id, c.amount, 'reference' AS rule, 1.0 AS name_score, date_diff('day', d.order_time, c.txn_time) AS lag
FROM credit_tokens t JOIN direct d ON d.order_id = t.token JOIN open_credits c ON c.line_id = t.line_id
UNION ALL
SELECT d.order_id, c.line_id, c.amount, 'name', jaro_winkler_similarity(d.party, c.party), date_diff('day', d.order_time, c.txn_time)
FROM direct d JOIN open_credits c ON c.amount <= d.amount
WHERE date_diff('day', d.order_time, c.txn_time) BETWEEN -1 AND 60
  AND jaro_winkler_similarity(d.party, c.party) >= 0.85;

CREATE TEMP TABLE l3 AS
SELECT l.* FROM l3_candidates l JOIN direct d USING (order_id)
QUALIFY row_number() OVER (PARTITION BY line_id ORDER BY rule = 'reference' DESC, l.amount = d.amount DESC,
    name_score DESC, abs(lag), order_id) = 1;

CREATE TEMP TABLE unmatched_payouts AS SELECT * FROM payouts WHERE payout_id NOT IN (SELECT payout_id FROM pairs);
CREATE TEMP TABLE unmatched_bank AS
SELECT * FROM credits WHERE line_id NOT IN (SELECT line_id FROM pairs) AND line_id NOT IN (SELECT line_id FROM l3);
""")
marks["match"] = time.perf_counter() - T0

q(r"""
CREATE TEMP TABLE receivables AS
WITH platform_orders AS (
    SELECT platform, shop, order_id, order_time, 'platform' AS settled_via, expected, received,
        CASE WHEN status IN ('settled', 'refunded') THEN 0 ELSE greatest(expected - refunded - fees - received, 0) END AS outstanding,
        CAST(coalesce(ship_time, pay_time, order_time) + INTERVAL 15 DAY AS DATE) AS due_date, status
    FROM order_settlement
),
b2b AS (
    SELECT d.order_id, sum(l.amount) AS received FROM l3 l JOIN direct d USING (order_id) GROUP BY 1
),
b2b_orders AS (
    SELECT 'b2b', d.shop, d.order_id, d.order_time, 'bank', d.amount, coalesce(b.received, 0),
        greatest(d.amount - coalesce(b.received, 0), 0),
        CAST(coalesce(d.ship_time, d.order_time) + INTERVAL 30 DAY AS DATE),
        CASE WHEN coalesce(b.received, 0) >= d.amount THEN 'settled' WHEN coalesce(b.received, 0) > 0 THEN 'partial'
             ELSE 'unsettled' END
    FROM direct d LEFT JOIN b2b b USING (order_id)
),
every AS (SELECT * FROM platform_orders UNION ALL SELECT * FROM b2b_orders)
SELECT platform, shop, order_id, order_time, settled_via, expected, received, outstanding, due_date,
    CASE WHEN outstanding > 0 THEN greatest(date_diff('day', due_date, CAST(getvariable('as_of') AS DATE)), 0) ELSE 0 END AS days_overdue,
    CASE WHEN outstanding = 0 THEN NULL WHEN date_diff('day', due_date, CAST(getvariable('as_of') AS DATE)) <= 30 THEN '0-30'
         WHEN date_diff('day', due_date, CAST(getvariable('as_of') AS DATE)) <= 60 THEN '31-60'
         WHEN date_diff('day', due_date, CAST(getvariable('as_of') AS DATE)) <= 90 THEN '61-90' ELSE '90+' END AS aging_bucket,
    CASE WHEN status IN ('unsettled', 'partial') AND outstanding > 0 AND due_date < CAST(getvariable('as_of') AS DATE)
         THEN 'overdue' ELSE status END AS status,
    getvariable('as_of') AS as_of
FROM every;
""")
q(f"COPY receivables TO '{OUTD}/receivables.csv' (HEADER)")
marks["receivables"] = time.perf_counter() - T0

q(r"""
CREATE TEMP TABLE payout_lags AS
SELECT p.platform, p.shop, p.payout_id, p.amount, date_diff('second', p.payout_time, c.txn_time) / 86400.0 AS days
FROM pairs x JOIN payouts p USING (payout_id) JOIN credits c USING (line_id);

CREATE TEMP TABLE risks AS
WITH fee_months AS (
    SELECT platform, date_trunc('month', order_time) AS month, sum(fees) / nullif(sum(sold), 0) AS rate, sum(fees) AS fees
    FROM order_settlement WHERE sold > 0 GROUP BY 1, 2
),
fee_z AS (
    SELECT m.*, u.usual, (m.rate - u.usual) / greatest(1.4826 * u.mad, 0.05 * u.usual, 0.0005) AS z
    FROM fee_months m JOIN (
        SELECT platform, usual, median(abs(rate - usual)) AS mad
        FROM (SELECT *, median(rate) OVER (PARTITION BY platform) AS usual FROM fee_months) GROUP BY 1, 2
    ) u USING (platform)
),
lag_usual AS (
    SELECT platform, median(days) AS usual, quantile_cont(days, 0.9) AS p90 FROM payout_lags GROUP BY 1
),
refund_months AS (
    SELECT platform, shop, date_trunc('month', order_time) AS month, sum(refunded) AS refunded,
        count(*) FILTER (WHERE refunded > 0) AS refunds, sum(refunded) / nullif(sum(expected), 0) AS rate
    FROM order_settlement GROUP BY 1, 2, 3
),
refund_usual AS (SELECT platform, shop, median(rate) AS usual, count(*) AS months FROM refund_months GROUP BY 1, 2)
SELECT 'fee_rate' AS kind, platform, NULL AS shop, strftime(month, '%Y-%m') AS reference, fees AS amount, abs(z) AS score
FROM fee_z WHERE abs(z) >= 3.5
UNION ALL
SELECT 'slow_payout', l.platform, l.shop, l.payout_id, l.amount, l.days / greatest(u.p90, 1)
FROM payout_lags l JOIN lag_usual u USING (platform) WHERE l.days > 2 * greatest(u.p90, 1) + 3
UNION ALL
SELECT 'payout_not_arrived', d.platform, d.shop, d.payout_id, d.amount,
    date_diff('second', d.payout_time, getvariable('as_of')) / 86400.0 / greatest(u.p90, 1)
FROM unmatched_payouts d JOIN lag_usual u USING (platform)
WHERE date_diff('second', d.payout_time, getvariable('as_of')) / 86400.0 > 2 * greatest(u.p90, 1) + 3
UNION ALL
SELECT 'overdue', platform, shop, order_id, outstanding, days_overdue / 30.0 FROM receivables WHERE status = 'overdue'
UNION ALL
SELECT 'duplicate_credit', NULL, NULL, a.line_id || ' / ' || b.line_id, a.amount, 10.0
FROM credits a JOIN credits b ON b.amount = a.amount AND b.counterparty_name IS NOT DISTINCT FROM a.counterparty_name
    AND b.memo IS NOT DISTINCT FROM a.memo AND (b.txn_time > a.txn_time OR (b.txn_time = a.txn_time AND b.line_id > a.line_id))
    AND b.txn_time <= a.txn_time + INTERVAL 1 DAY
UNION ALL
SELECT 'duplicate_payout', platform, shop, payout_id, sum(amount), 10.0 FROM payouts GROUP BY 1, 2, 3, 4 HAVING count(*) > 1
UNION ALL
SELECT 'refund_over_order', platform, shop, order_id, refunded - expected, 8.0 FROM order_settlement
WHERE refunded > expected AND expected > 0
UNION ALL
SELECT 'unknown_order', max(s.platform), max(s.shop), s.order_id, sum(s.amount), 2.0 FROM settlements s
WHERE s.order_key IS NOT NULL AND s.kind NOT IN ('withdrawal', 'deposit')
  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_key = s.order_key) GROUP BY s.order_id
UNION ALL
SELECT 'refund_spike', m.platform, m.shop, strftime(m.month, '%Y-%m'), m.refunded, m.rate / greatest(u.usual, 0.02)
FROM refund_months m JOIN refund_usual u ON u.platform = m.platform AND u.shop IS NOT DISTINCT FROM m.shop
WHERE u.months >= 3 AND m.rate > 3 * greatest(u.usual, 0.02) AND m.rate > 0.1 AND m.refunds >= 5
UNION ALL
SELECT 'unexplained_credit', NULL, NULL, line_id, amount, 1.0 FROM unmatched_bank b
WHERE (amount % 1000 = 0 OR dayofweek(txn_time) IN (0, 6))
  AND NOT EXISTS (SELECT 1 FROM credit_platforms p WHERE p.line_id = b.line_id)
ORDER BY score DESC, abs(amount) DESC;
""")
q(f"COPY risks TO '{OUTD}/risks.csv' (HEADER)")
marks["risks"] = time.perf_counter() - T0

q(r"""
CREATE TEMP TABLE anomalies AS
WITH sent AS (SELECT * FROM shipments WHERE ship_time IS NULL OR ship_time <= getvariable('as_of')),
per_order AS (SELECT order_key, sum(quantity) AS quantity, min(ship_time) AS shipped_at FROM sent GROUP BY 1),
placed AS (SELECT * FROM orders WHERE order_time IS NULL OR order_time <= getvariable('as_of')),
not_to_ship AS (
    SELECT order_key FROM placed WHERE status LIKE '%关闭%' OR status LIKE '%取消%' OR status LIKE '%付款%'
        OR status LIKE '%退款成功%' OR status LIKE '%已退款%'
    UNION ALL SELECT order_key FROM order_settlement WHERE refunded > 0 AND refunded >= expected
),
bills AS (SELECT * FROM courier_bills WHERE ship_time IS NULL OR ship_time <= getvariable('as_of')),
latest_returns AS (
    SELECT * FROM returns WHERE apply_time IS NULL OR apply_time <= getvariable('as_of')
    QUALIFY row_number() OVER (PARTITION BY platform, return_id, sku ORDER BY apply_time DESC) = 1
),
outs AS (SELECT reference, -sum(quantity) AS quantity FROM inventory WHERE movement = 'out' GROUP BY 1),
levels AS (
    SELECT sku, warehouse, txn_time, movement, balance,
        sum(CASE WHEN movement = 'count' THEN 0 ELSE coalesce(quantity, 0) END) OVER (PARTITION BY sku, warehouse
            ORDER BY txn_time, CASE WHEN movement = 'count' THEN 1 ELSE 0 END, line
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS level
    FROM inventory WHERE txn_time <= getvariable('as_of')
)
SELECT 'settlement_discrepancy' AS kind, platform, shop, order_id AS reference, expected - received AS amount
FROM receivables WHERE status = 'discrepancy'
UNION ALL
SELECT 'shipped_not_ordered', s.platform, s.shop, s.order_id, NULL FROM sent s
WHERE NOT EXISTS (SELECT 1 FROM placed p WHERE p.order_key = s.order_key)
UNION ALL
SELECT 'paid_not_shipped', p.platform, p.shop, p.order_id, coalesce(p.paid_amount, p.order_amount) FROM placed p
WHERE coalesce(p.pay_time, p.order_time) < getvariable('as_of') - INTERVAL 3 DAY
  AND coalesce(p.paid_amount, p.order_amount) > 0
  AND NOT EXISTS (SELECT 1 FROM per_order s WHERE s.order_key = p.order_key)
  AND NOT EXISTS (SELECT 1 FROM not_to_ship n WHERE n.order_key = p.order_key)
UNION ALL
SELECT 'shipped_quantity_differs', p.platform, p.shop, p.order_id, NULL FROM placed p JOIN per_order s USING (order_key)
WHERE p.quantity <> s.quantity
UNION ALL
SELECT 'settled_before_shipment', p.platform, p.shop, p.order_id, NULL
FROM placed p JOIN per_order s USING (order_key) JOIN order_lines l USING (order_key) WHERE l.first_sale < s.shipped_at
UNION ALL
SELECT 'logistics_missing', platform, shop, order_id, NULL FROM sent WHERE tracking_no IS NULL OR courier IS NULL
UNION ALL
SELECT 'return_not_carried', r.platform, r.shop, r.return_id, r.refund_amount FROM latest_returns r
WHERE r.tracking_no IS NOT NULL AND (r.state LIKE '%成功%' OR r.state LIKE '%签收%' OR r.state LIKE '%完成%')
  AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.tracking_no = r.tracking_no AND b.direction = 'return')
UNION ALL
SELECT 'return_not_in_returns', NULL, NULL, b.tracking_no, b.amount FROM bills b
WHERE b.direction = 'return' AND NOT EXISTS (SELECT 1 FROM latest_returns r WHERE r.tracking_no = b.tracking_no)
UNION ALL
SELECT 'return_state_differs', r.platform, r.shop, r.return_id, b.amount
FROM latest_returns r JOIN bills b ON b.tracking_no = r.tracking_no AND b.direction = 'return'
WHERE r.state LIKE '%关闭%' OR r.state LIKE '%取消%' OR r.state LIKE '%待买家%'
UNION ALL
SELECT 'courier_billed_twice', NULL, NULL, tracking_no, sum(amount) - max(amount) FROM bills
GROUP BY tracking_no, direction HAVING count(*) > 1
UNION ALL
SELECT 'inventory_out_differs', s.platform, s.shop, s.order_id, NULL FROM sent s
LEFT JOIN outs o ON o.reference = s.order_id
WHERE s.sku IN (SELECT DISTINCT sku FROM inventory) AND s.quantity IS NOT NULL AND coalesce(o.quantity, 0) <> s.quantity
UNION ALL
SELECT 'stock_count_differs', NULL, warehouse, sku, NULL FROM levels
WHERE movement = 'count' AND balance IS NOT NULL AND balance <> level;
""")
q(f"COPY anomalies TO '{OUTD}/anomalies.csv' (HEADER)")
marks["anomalies"] = time.perf_counter() - T0

facts = {"marks": marks, "counts": counts, "loaded": loaded,
         "pairs": q("SELECT count(*) FROM pairs").fetchone()[0],
         "l3": q("SELECT count(*) FROM l3").fetchone()[0],
         "payouts": q("SELECT count(*) FROM payouts").fetchone()[0],
         "receivables": q("SELECT count(*) FROM receivables").fetchone()[0],
         "risks": q("SELECT count(*) FROM risks").fetchone()[0],
         "anomalies": q("SELECT count(*) FROM anomalies").fetchone()[0]}
with open(os.path.join(OUTD, "facts.json"), "w") as fh:
    json.dump(facts, fh)
'''


# ---------------------------------------------------------------------------------------
# One run of each side


def number(pattern, line):
    m = re.search(pattern, line)
    return int(m.group(1).replace(",", "")) if m else 0


def recon_run(recon, files, as_of, base):
    """Each recon step in a new process: {step: (wall, rss, error)} and what it reported."""
    ws = os.path.join(base, "ws")
    shutil.rmtree(ws, ignore_errors=True)
    out = os.path.join(base, "recon-out")
    os.makedirs(out, exist_ok=True)
    env = {**os.environ, "RECON_PASSWORD": PASSWORD, "RECON_USER": "analyst"}
    env.pop("RECON_AS_OF", None)
    env.pop("RECON_HOME", None)
    steps, info = {}, {}
    r = measure([recon, "--workspace", ws, "--user", "analyst", "init"], env)
    steps["init"] = r[:3]
    if r[2]:
        return steps, info
    r = measure([recon, "--workspace", ws, "--as-of", as_of, "import", "--no-progress", *files], env)
    steps["import"] = r[:3]
    report = r[3] or ""
    info["stored"] = info["duplicates"] = info["rejected"] = 0
    info["rejected_files"] = []
    current = None
    for line in report.splitlines():
        if " → " in line:
            current = os.path.basename(re.sub(r"^import \d+: ", "", line).split(" → ")[0])
        if re.search(r"stored [\d,]+ rows", line):
            info["stored"] += number(r"stored ([\d,]+) rows", line)
            info["duplicates"] += number(r"([\d,]+) duplicates", line)
            rejected = number(r"([\d,]+) rejected", line)
            info["rejected"] += rejected
            if rejected:
                info["rejected_files"].append(f"{current}: {rejected}")
    info["nothing_stored"] = report.count("nothing stored")
    with open(os.path.join(out, "import.txt"), "w") as fh:
        fh.write(report)
    if r[2]:
        return steps, info
    r = measure([recon, "--workspace", ws, "--as-of", as_of, "reconcile", "--no-progress"], env)
    steps["reconcile"] = r[:3]
    with open(os.path.join(out, "reconcile.txt"), "w") as fh:
        fh.write(r[3] or "")
    m = re.search(r"\| total\s+\|\s+(\d+)", r[3] or "")
    info["matched"] = m.group(1) if m else "?"
    for step, view in (("receivables", "receivables"), ("risks", "risks"), ("anomalies", "anomalies")):
        path = os.path.join(out, f"{view}.csv")
        r = measure([recon, "--workspace", ws, "--as-of", as_of, "sql", "--format", "csv", "-c",
                     f"SELECT * FROM {view}"], env, stdout_path=path)
        steps[step] = r[:3]
        info[f"{view}_rows"] = max(sum(1 for _ in open(path, "rb")) - 1, 0) if not r[2] else "?"
    return steps, info


def duck_run(script, files, as_of, base):
    out = os.path.join(base, "duck-out")
    tmp = os.path.join(base, "duck-tmp")
    for d in (out, tmp):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    config = os.path.join(base, "duck-config.json")
    with open(config, "w", encoding="utf-8") as fh:
        json.dump({"files": files, "out": out, "tmp": tmp, "as_of": as_of}, fh, ensure_ascii=False)
    wall, rss, err, _ = measure([sys.executable, script, config])
    if err:
        return {"error": err}
    with open(os.path.join(out, "facts.json")) as fh:
        facts = json.load(fh)
    m = facts["marks"]
    phases = {"import": m["load"], "reconcile": m["match"] - m["load"],
              "receivables": m["receivables"] - m["match"], "risks": m["risks"] - m["receivables"],
              "anomalies": m["anomalies"] - m["risks"]}
    shutil.rmtree(tmp, ignore_errors=True)
    return {"wall": wall, "rss": rss, "phases": phases, "core": wall - (m["anomalies"] - m["receivables"]),
            "facts": facts}


# ---------------------------------------------------------------------------------------
# Report


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def f_s(x):
    return "–" if x is None else f"{x:.2f}"


def f_mb(x):
    return "–" if x is None else f"{x:.0f}"


def table(recon_runs, duck_runs):
    """Rows of the set's table, medians over the runs: step, recon s, recon MB, DuckDB s,
    DuckDB MB, ratio."""
    rows = []

    def rv(step, i):
        vals = [r[0][step][i] for r in recon_runs if step in r[0] and not r[0][step][2]]
        return med(vals)

    good = [d for d in duck_runs if "error" not in d]

    def dv(step):
        return med([d["phases"][step] for d in good]) if good else None

    labels = {"init": "init (not counted)", "import": "import / load", "reconcile": "reconcile / match",
              "receivables": "receivables → CSV", "risks": "risks → CSV", "anomalies": "anomalies → CSV"}
    for step in ("init", "import", "reconcile", "receivables"):
        rs, d = rv(step, 0), (dv(step) if step != "init" else None)
        rows.append((labels[step], rs, rv(step, 1), d, None, rs / d if rs and d else None))
    core_r = med([sum(r[0][s][0] for s in CORE) for r in recon_runs
                  if all(s in r[0] and not r[0][s][2] for s in CORE)])
    core_rss = med([max(r[0][s][1] for s in CORE) for r in recon_runs if all(s in r[0] for s in CORE)])
    core_d = med([d["core"] for d in good]) if good else None
    d_rss = med([d["rss"] for d in good]) if good else None
    rows.append(("**import+reconcile+receivables**", core_r, core_rss, core_d, d_rss,
                 core_r / core_d if core_r and core_d else None))
    for step in ("risks", "anomalies"):
        rs, d = rv(step, 0), dv(step)
        rows.append((labels[step], rs, rv(step, 1), d, None, rs / d if rs and d else None))
    steps = ("import", "reconcile", "receivables", "risks", "anomalies")
    tot_r = med([sum(r[0][s][0] for s in steps) for r in recon_runs
                 if all(s in r[0] and not r[0][s][2] for s in steps)])
    tot_rss = med([max(r[0][s][1] for s in steps) for r in recon_runs if all(s in r[0] for s in steps)])
    tot_d = med([d["wall"] for d in good]) if good else None
    rows.append(("total (without init)", tot_r, tot_rss, tot_d, d_rss, tot_r / tot_d if tot_r and tot_d else None))
    return rows


def markdown(name, rows):
    lines = [f"**{name}**", "",
             "| step | recon s | recon peak MB | DuckDB s | DuckDB peak MB | recon/DuckDB |",
             "|---|---:|---:|---:|---:|---:|"]
    for label, rs, rm, ds, dm, ratio in rows:
        lines.append(f"| {label} | {f_s(rs)} | {f_mb(rm)} | {f_s(ds)} | {f_mb(dm)} | "
                     f"{'–' if ratio is None else f'{ratio:.2f}×'} |")
    return "\n".join(lines)


def plain_table(rows):
    out = [f"  {'step':<34} {'recon s':>9} {'MB':>6} {'DuckDB s':>9} {'MB':>6} {'ratio':>7}"]
    for label, rs, rm, ds, dm, ratio in rows:
        out.append(f"  {label.strip('*'):<34} {f_s(rs):>9} {f_mb(rm):>6} {f_s(ds):>9} {f_mb(dm):>6} "
                   f"{'–' if ratio is None else f'{ratio:.2f}x':>7}")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", default="200000,1000000",
                    help="generated sizes, comma-separated (e.g. 200000,1000000,10000000; 0 or '' for none)")
    ap.add_argument("--no-validation", action="store_true", help="leave out ../shared/validation")
    ap.add_argument("--only-validation", action="store_true", help="only ../shared/validation (no generated data)")
    ap.add_argument("--repeat", type=int, default=1, help="alternating runs per data set (recon, DuckDB, recon, …)")
    ap.add_argument("--recon", default=RECON, help="the recon binary (default: RECON_BIN or the release build); "
                    "recon-gen is looked for beside it")
    ap.add_argument("--keep", action="store_true", help="keep workspaces and outputs under bench/out/e2e")
    args = ap.parse_args()
    recon = os.path.abspath(args.recon)
    if not os.path.exists(recon):
        sys.exit(f"no recon binary at {recon}: cargo build --release, or give --recon / RECON_BIN")
    try:
        import duckdb
    except ImportError:
        sys.exit("needs the duckdb Python module (pip install duckdb)")
    os.makedirs(WORK, exist_ok=True)
    script = os.path.join(WORK, "duck_pipeline.py")
    with open(script, "w", encoding="utf-8") as fh:
        fh.write(DUCK_PIPELINE)
    version = subprocess.run([recon, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"recon: {recon} ({version}); DuckDB {duckdb.__version__}; {os.cpu_count()} cores; "
          f"as-of from each set's truth; {args.repeat} alternating run(s) per set, medians shown")

    sets = []
    if not args.only_validation:
        for n in [int(x) for x in args.orders.replace("_", "").split(",") if x.strip() and int(x)]:
            g = generated(recon, n)
            if g:
                sets.append(g)
    if not args.no_validation:
        sets += validation_sets()

    results = []
    for name, files, as_of in sets:
        base = os.path.join(WORK, name.replace(" ", "-"))
        os.makedirs(base, exist_ok=True)
        mb = sum(os.path.getsize(f) for f in files) / 1e6
        print(f"\n=== {name}: {len(files)} files, {mb:,.0f} MB, as of {as_of} ===", flush=True)
        # Workbooks to CSV for DuckDB, untimed.
        duck_files = []
        conv = os.path.join(base, "xlsx-as-csv")
        os.makedirs(conv, exist_ok=True)
        for f in files:
            if f.lower().endswith(".xlsx"):
                dst = os.path.join(conv, os.path.basename(f) + ".csv")
                t0 = time.perf_counter()
                how = xlsx_to_csv(f, dst)
                print(f"  {os.path.basename(f)} → CSV for DuckDB ({how}, {time.perf_counter() - t0:.1f} s, untimed)")
                duck_files.append([dst, os.path.basename(f)])
            else:
                duck_files.append([f, os.path.basename(f)])
        recon_runs, duck_runs = [], []
        for i in range(args.repeat):
            steps, info = recon_run(recon, files, as_of, base)
            recon_runs.append((steps, info))
            shown = ", ".join(f"{s} {w:.2f} s/{m:.0f} MB" + (f" FAILED {e}" if e else "") for s, (w, m, e) in steps.items())
            print(f"  recon #{i + 1}: {shown}", flush=True)
            d = duck_run(script, duck_files, as_of, base)
            duck_runs.append(d)
            if "error" in d:
                print(f"  DuckDB #{i + 1}: FAILED {d['error']}", flush=True)
            else:
                ph = ", ".join(f"{k} {v:.2f} s" for k, v in d["phases"].items())
                print(f"  DuckDB #{i + 1}: {d['wall']:.2f} s, peak {d['rss']:.0f} MB ({ph})", flush=True)
        info = recon_runs[-1][1]
        facts = next((d["facts"] for d in reversed(duck_runs) if "facts" in d), None)
        print(f"  recon import: {info.get('stored', '?')} rows stored, {info.get('duplicates', '?')} duplicates "
              f"skipped, {info.get('rejected', '?')} rejected"
              + (f" (in {', '.join(info['rejected_files'])})" if info.get("rejected_files") else "")
              + f"; reconcile matched {info.get('matched', '?')} links; receivables {info.get('receivables_rows', '?')} "
              f"rows, risks {info.get('risks_rows', '?')}, anomalies {info.get('anomalies_rows', '?')}")
        if facts:
            c = facts["counts"]
            print(f"  DuckDB: orders {c['orders']:,}, settlement lines {c['settlements']:,}, bank lines "
                  f"{c['bank_txns']:,}, logistics {c['shipments'] + c['returns'] + c['courier_bills'] + c['inventory']:,}; "
                  f"{facts['pairs']} payout pairs of {facts['payouts']}, {facts['l3']} B2B credits; receivables "
                  f"{facts['receivables']:,} rows, risks {facts['risks']:,}, anomalies {facts['anomalies']:,}"
                  + (f"; NOT RECOGNISED: {facts['loaded']['not recognised']}" if "not recognised" in facts["loaded"]
                     else ""))
        rows = table(recon_runs, duck_runs)
        print(plain_table(rows), flush=True)
        results.append((name, len(files), mb, rows))
        if not args.keep:
            shutil.rmtree(os.path.join(base, "ws"), ignore_errors=True)

    print("\n--- markdown ---\n")
    print(f"recon `{version}` against DuckDB {duckdb.__version__} (Python, in-memory), {os.cpu_count()} cores, "
          f"{args.repeat} alternating run(s), medians. recon: each step a new process with the same --as-of; "
          "DuckDB: one process, phases timed inside, xlsx converted to CSV beforehand (untimed). "
          "Ratio target: import+reconcile+receivables ≤ 1.0×.\n")
    for name, n, mb, rows in results:
        print(markdown(f"{name} ({n} files, {mb:,.0f} MB)", rows))
        print()


if __name__ == "__main__":
    main()
