#!/usr/bin/env python3
"""Real-format import benchmark: `recon import` of a 1 000 000-row Alipay 账务明细 (GBK,
`#` preamble and footer, running balance) and of a 200 000-row corporate bank statement
in xlsx (title rows, 借方/贷方发生额, running balance): rows/s and peak RSS; and the same
xlsx read by python-calamine and by openpyxl (read-only), which only read the cells.
Needs a release build (`cargo build --release`) and `pip install python-calamine openpyxl`.

    python3 bench/format_bench.py [--alipay-rows 1000000] [--bank-rows 200000]

The files are written once into bench/out/formats/ (ignored by git) and reused."""

import argparse
import os
import random
import shutil
import time
from datetime import datetime, timedelta

from benchlib import OUT, PASSWORD, RECON, parse_args, timed

DIR = os.path.join(OUT, "formats")
TYPES = [("交易", 1), ("交易", 1), ("交易", 1), ("服务费", -1), ("退款", -1), ("提现", -1)]


def alipay_file(rows):
    path = os.path.join(DIR, f"alipay_ledger_{rows}.csv")
    if os.path.exists(path):
        return path
    rng = random.Random(7)
    t = datetime(2026, 1, 1)
    balance = 0
    income = expense = 0
    lines = [
        "#支付宝账务明细查询",
        "#账号：[20880123456789010156]",
        "#起始日期：[2026年01月01日 00:00:00]   终止日期：[2026年11月01日 00:00:00]",
        "#-----------------------------------------账务明细列表----------------------------------------",
        "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注",
    ]
    for i in range(rows):
        t += timedelta(seconds=rng.randint(1, 25))
        kind, sign = rng.choice(TYPES)
        cents = rng.randint(100, 50000) if sign > 0 else rng.randint(10, min(5000, max(balance, 10)))
        if sign < 0 and cents > balance:
            kind, sign = "交易", 1
        balance += sign * cents
        inc = f"{cents / 100:.2f}" if sign > 0 else ""
        exp = f"-{cents / 100:.2f}" if sign < 0 else ""
        income += cents if sign > 0 else 0
        expense += cents if sign < 0 else 0
        order = f"T200P{3700000000000000000 + i}"
        lines.append(
            f"2026{i:016d}\t,2026{i:016d}\t,{order}\t,商品{i % 997},{t:%Y-%m-%d %H:%M:%S},"
            f"buyer{i % 5000}@example.com,{inc},{exp},{balance / 100:.2f},支付宝,{kind},"
        )
    lines += [
        "#-----------------------------------------账务明细列表结束------------------------------------",
        f"#支出合计：{sum(1 for l in lines if ',-' in l)}笔，共-{expense / 100:.2f}元",
        f"#收入合计：共{income / 100:.2f}元",
        "#导出时间：[2026年11月01日 10:00:00]",
    ]
    os.makedirs(DIR, exist_ok=True)
    with open(path, "w", encoding="gb18030", newline="\r\n") as f:
        f.write("\n".join(lines) + "\n")
    return path


def bank_file(rows):
    path = os.path.join(DIR, f"bank_statement_{rows}.xlsx")
    if os.path.exists(path):
        return path
    from openpyxl import Workbook

    rng = random.Random(11)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("明细")
    ws.append(["中国工商银行 对公账户明细"])
    ws.append(["账号：", "1202020009000123456"])
    ws.append([])
    ws.append(["交易时间", "交易流水号", "借方发生额", "贷方发生额", "余额", "对方户名", "对方账号", "摘要"])
    t = datetime(2026, 1, 1)
    balance = 1_000_000_00
    for i in range(rows):
        t += timedelta(seconds=rng.randint(10, 120))
        cents = rng.randint(100, 2_000_000)
        credit = rng.random() < 0.6 or cents > balance
        balance += cents if credit else -cents
        ws.append([
            t.strftime("%Y-%m-%d %H:%M:%S"),
            f"B{i:012d}",
            None if credit else cents / 100,
            cents / 100 if credit else None,
            balance / 100,
            f"客户{i % 3000}有限公司",
            f"6222{i % 100000:010d}",
            "货款" if credit else "付款",
        ])
    os.makedirs(DIR, exist_ok=True)
    wb.save(path)
    return path


def recon_import(path):
    """Seconds and peak RSS (MB) of importing `path` into a new workspace, and what it said."""
    ws = os.path.join(DIR, "ws")
    shutil.rmtree(ws, ignore_errors=True)
    env = {**os.environ, "RECON_PASSWORD": PASSWORD}
    timed([RECON, "--workspace", ws, "init"], env)
    return timed([RECON, "--workspace", ws, "import", "--no-progress", path], env)


def seconds_of(fn):
    start = time.perf_counter()
    n = fn()
    return time.perf_counter() - start, n


def read_calamine(path):
    from python_calamine import CalamineWorkbook

    return sum(1 for _ in CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python())


def read_openpyxl(path):
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alipay-rows", type=int, default=1_000_000)
    ap.add_argument("--bank-rows", type=int, default=200_000)
    args = parse_args(ap)
    alipay, bank = alipay_file(args.alipay_rows), bank_file(args.bank_rows)
    for name, path, rows in (("Alipay 账务明细 GBK csv", alipay, args.alipay_rows), ("bank xlsx", bank, args.bank_rows)):
        best = min(recon_import(path) for _ in range(2))
        mb = os.path.getsize(path) / 1e6
        print(f"recon import {name}: {rows} rows, {mb:.0f} MB: {best[0]:.2f} s, {rows / best[0]:,.0f} rows/s, "
              f"peak RSS {best[1]:.0f} MB")
        print("   " + "\n   ".join(best[2].strip().splitlines()[:4]))
    for name, fn in (("python-calamine", read_calamine), ("openpyxl read-only", read_openpyxl)):
        try:
            seconds, n = seconds_of(lambda: fn(bank))
            print(f"{name} reading the bank xlsx ({n} rows, cells only): {seconds:.2f} s")
        except ImportError as e:
            print(f"{name}: not installed ({e})")


if __name__ == "__main__":
    main()
