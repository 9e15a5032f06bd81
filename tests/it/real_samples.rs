//! Every real bank and wallet export in ../shared/real-samples/double-entry-generator is
//! read with the right signs and amounts: each transaction that project's own reading
//! (the `*-output.beancount` beside it) books is found with the same date and amount.

use crate::common::{Ws, shared};

struct Case {
    file: &'static str,
    beancount: &'static str,
    table: &'static str,
    /// The posting on the statement's own account (banks). Wallet bills are booked from
    /// the payer's side, so for them the `type` metadata (收入/支出) gives the sign.
    own_account: Option<&'static str>,
    /// Distinct data rows that move money, counted by hand from the file.
    stored: u64,
    /// Rows the file repeats (none of these samples has any).
    duplicates: u64,
    /// Closed trades, 不计收支 rows that do not say which way money moved, and refunds a
    /// bill already nets into their purchase (JD).
    ignored: u64,
}

const DIR: &str = "real-samples/double-entry-generator/";

const CASES: [Case; 12] = [
    Case {
        file: "abc_debit__example-abc_debit-records.csv",
        beancount: "abc_debit__example-abc_debit-output.beancount",
        table: "bank_txns",
        own_account: Some("Assets:ABC:DebitCard"),
        stored: 5,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "alipay__example-alipay-records.csv",
        beancount: "alipay__example-alipay-output.beancount",
        table: "settlements",
        own_account: None,
        stored: 8,
        duplicates: 0,
        ignored: 2,
    },
    Case {
        file: "boc__debit__example-boc-records.csv",
        beancount: "boc__debit__example-boc-debit-output.beancount",
        table: "bank_txns",
        own_account: Some("Assets:DC:BoC:3167"),
        stored: 17,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "bocom_debit__example-bocom_debit-records.csv",
        beancount: "bocom_debit__example-bocom_debit-output.beancount",
        table: "bank_txns",
        own_account: Some("Assets:DebitCard:BOCOM"),
        stored: 6,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "ccb__交易明细_xxxx_2025xxxx_2025xxxx.xls",
        beancount: "ccb__example-ccb-output.beancount",
        table: "bank_txns",
        own_account: Some("Assets:Bank:CN:CCB:Checking"),
        stored: 6,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "cmb__debit__example-cmb-records.csv",
        beancount: "cmb__debit__example-cmb-debit-output.beancount",
        table: "bank_txns",
        own_account: Some("Assets:DebitCard:CMB"),
        stored: 5,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "icbc__debit-v1__example-icbc-debit-v1-records.csv",
        beancount: "icbc__debit-v1__example-icbc-debit-v1-output.beancount",
        table: "bank_txns",
        own_account: Some("Assets:Bank:CN:ICBC"),
        stored: 11,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "icbc__debit-v2__example-icbc-debit-v2-records.csv",
        beancount: "icbc__debit-v2__example-icbc-debit-v2-output.beancount",
        table: "bank_txns",
        own_account: Some("Assets:Bank:CN:ICBC"),
        stored: 11,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "jd__example-jd-records.csv",
        beancount: "jd__example-jd-output.beancount",
        table: "settlements",
        own_account: None,
        // The file's own preamble: 支出：16笔 … 不计收支：10笔.
        stored: 16,
        duplicates: 0,
        ignored: 10,
    },
    Case {
        file: "spdb_debit__example-spdb_debit-records.xls",
        beancount: "spdb_debit__example-spdb_debit-output.beancount",
        table: "bank_txns",
        own_account: Some("Assets:DebitCard:SPB1234"),
        stored: 4,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "wechat__example-wechat-records.csv",
        beancount: "wechat__example-wechat-output.beancount",
        table: "settlements",
        own_account: None,
        // 信用卡还款 and two 购买理财通 are neutral (中性交易) but moved money out of 零钱 or a
        // card: stored, money out.
        stored: 27,
        duplicates: 0,
        ignored: 0,
    },
    Case {
        file: "wechat__example-wechat-records.xlsx",
        beancount: "wechat__example-wechat-output.beancount",
        table: "settlements",
        own_account: None,
        stored: 27,
        duplicates: 0,
        ignored: 0,
    },
];

/// One booked transaction: its date and the signed amount in cents.
#[derive(Debug)]
struct Booked {
    date: String,
    cents: i64,
    text: String,
}

fn cents(s: &str) -> i64 {
    let neg = s.starts_with('-');
    let s = s.trim_start_matches(['-', '+']);
    let (i, f) = s.split_once('.').unwrap_or((s, "0"));
    let v = i.parse::<i64>().unwrap() * 100 + format!("{f:0<2}")[..2].parse::<i64>().unwrap();
    if neg { -v } else { v }
}

fn booked(case: &Case) -> Vec<Booked> {
    let text = std::fs::read_to_string(shared(&format!("{DIR}{}", case.beancount))).unwrap();
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut lines = block.lines();
        let Some(head) = lines.next() else { continue };
        let is_txn = head.len() > 12 && head.as_bytes()[4] == b'-' && matches!(&head[10..13], " * " | " ! ");
        if !is_txn {
            continue;
        }
        let date = head[..10].to_string();
        let mut kind = None;
        let mut postings = Vec::new();
        for l in lines {
            let l = l.trim();
            if let Some(v) = l.strip_prefix("type: ") {
                kind = Some(v.trim_matches('"').to_string());
            } else if !l.contains(": ") {
                let parts: Vec<&str> = l.split_whitespace().collect();
                if parts.len() >= 3 {
                    postings.push((parts[0].to_string(), cents(parts[1])));
                }
            }
        }
        let amount = match case.own_account {
            Some(acct) => postings.iter().find(|(a, _)| a == acct).map(|(_, c)| *c),
            None => match kind.as_deref() {
                Some("支出") => postings.first().map(|(_, c)| -c.abs()),
                Some("收入") => postings.first().map(|(_, c)| c.abs()),
                _ => None,
            },
        };
        if let Some(cents) = amount {
            out.push(Booked { date, cents, text: head.to_string() });
        }
    }
    out
}

#[test]
fn real_bank_and_wallet_exports_import_with_right_signs_and_amounts() {
    let Some(_) = crate::common::shared_or_skip("real-samples/double-entry-generator") else { return };
    let ws = Ws::new();
    for (n, case) in CASES.iter().enumerate() {
        let out = ws.ok(&["import", "--no-progress", shared(&format!("{DIR}{}", case.file)).to_str().unwrap()]);
        let import_id = n + 1;
        let counts = ws.rows(&format!(
            "SELECT rows_stored, duplicates_skipped, rows_ignored, rows_rejected, kind FROM imports WHERE id = {import_id}"
        ));
        // The WeChat xlsx holds the same rows as the CSV: all duplicates, nothing new.
        if case.file.ends_with(".xlsx") {
            assert!(counts.is_empty(), "nothing new to record: {out}");
            assert!(out.contains(&format!("{} duplicates skipped", case.stored + case.duplicates)), "{out}");
            continue;
        }
        assert_eq!(
            counts[0],
            [
                case.stored.to_string(),
                case.duplicates.to_string(),
                case.ignored.to_string(),
                "0".into(),
                if case.table == "bank_txns" { "bank".into() } else { "settlements".into() }
            ],
            "{}: stored, duplicates, ignored, rejected, kind\n{out}",
            case.file
        );
        let mut stored: Vec<(String, i64)> = ws
            .rows(&format!("SELECT CAST(CAST(txn_time AS DATE) AS VARCHAR), CAST(amount * 100 AS BIGINT) FROM {} WHERE import_id = {import_id}", case.table))
            .into_iter()
            .map(|r| (r[0].clone(), r[1].parse().unwrap()))
            .collect();
        let expected = booked(case);
        assert!(!expected.is_empty(), "{}: no booked transactions parsed", case.beancount);
        for b in expected {
            // JD writes a partly refunded purchase `416.87(已退款233.45)`; that project books
            // 416.87, recon the 183.42 that left the account, as the bill's own 支出 total
            // counts it (checked below).
            let cents = netted(case, &b).unwrap_or(b.cents);
            let pos = stored.iter().position(|(d, c)| *d == b.date && *c == cents);
            assert!(pos.is_some(), "{}: booked {b:?} not among the imported rows {stored:?}", case.file);
            stored.remove(pos.unwrap());
            let _ = b.text;
        }
    }
    // The JD bill says above its header what left the account: 支出 16笔 1648.43元, 收入 0.
    let jd = CASES.iter().position(|c| c.file.starts_with("jd__")).unwrap() + 1;
    assert_eq!(ws.value(&format!("SELECT sum(amount) FROM settlements WHERE import_id = {jd}")), "-1648.43");
}

/// What left the account for a booked purchase the bill shows with a partial refund
/// (`416.87(已退款233.45)` on that day): the purchase less the refund, in cents.
fn netted(case: &Case, b: &Booked) -> Option<i64> {
    let text = std::fs::read_to_string(shared(&format!("{DIR}{}", case.file))).ok()?;
    let gross = format!("{}.{:02}(已退款", b.cents.abs() / 100, b.cents.abs() % 100);
    let line = text.lines().find(|l| l.starts_with(&b.date) && l.contains(&gross))?;
    let refund = line.split(&gross).nth(1)?.split(')').next()?;
    Some(b.cents + cents(refund))
}

#[test]
fn the_icbc_header_and_totals_rows_are_found_by_content() {
    let Some(_) = crate::common::shared_or_skip("real-samples/double-entry-generator") else { return };
    let ws = Ws::new();
    let file = shared(&format!("{DIR}icbc__debit-v2__example-icbc-debit-v2-records.csv"));
    let explain = ws.ok(&["import", "--explain", file.to_str().unwrap()]);
    assert!(explain.contains("header: line 7"), "{explain}");
    assert!(explain.contains("kind: bank"), "{explain}");
    assert!(
        explain.contains("income                 ← 记账金额(收入) (column 10) + 交易金额(收入) (column 7)"),
        "{explain}"
    );
    assert!(explain.contains("account for every row (unless a column says otherwise): 1234****9876"), "{explain}");
    ws.import(&file);
    // The balance column holds the placeholder 'xx,yyyy.zz': rows are kept without it.
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns WHERE balance IS NULL AND account = '1234****9876'"), "11");
    assert_eq!(ws.value("SELECT sum(amount) FROM bank_txns"), "-1399.34");
    let memo = ws.value("SELECT memo FROM bank_txns WHERE source_line = 14");
    assert!(memo.starts_with("蚂蚁基金赎回到银行"), "{memo}");
}
