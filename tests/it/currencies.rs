//! Money in more than one currency: each row keeps the currency its file (or
//! `--currency`) gives, matching pairs only rows of one currency, and the reports and
//! their exports keep each currency apart — a row per currency and a totals row per
//! currency, never a sum of dollars and yuan.

use std::path::PathBuf;

use crate::common::Ws;

fn file(ws: &Ws, name: &str, body: &str) -> PathBuf {
    let p = ws.scratch(&format!("data/{name}"));
    std::fs::write(&p, body).unwrap();
    p
}

const ORDERS: &str =
    "订单编号,平台,店铺,下单时间,付款时间,发货时间,订单状态,订单金额,实付金额,买家昵称,收货人,联系手机,收货地址\n";
const BANK: &str = "交易日期,交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,用途\n";

/// A merchant selling to a Chinese customer in yuan and to an American one in dollars,
/// the same 8000.00 each; the dollars arrive on a dollar account. A yuan credit from the
/// American customer naming the dollar order is not its payment: it is a different
/// currency, and no rate was given.
fn two_currencies() -> Ws {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "orders_cny.csv",
        &format!(
            "{ORDERS}SO-1001,线下,企业客户部,2026-09-01 10:00:00,,2026-09-02 10:00:00,已发货,8000.00,8000.00,北方贸易有限公司,赵经理,13800000002,北京市朝阳区\n"
        ),
    ));
    let usd = file(
        &ws,
        "orders_usd.csv",
        &format!(
            "{ORDERS}SO-2001,线下,海外客户部,2026-09-01 11:00:00,,2026-09-02 10:00:00,已发货,8000.00,8000.00,Pacific Trading LLC,John,+1 555 0100,Seattle\n\
             SO-2002,线下,海外客户部,2026-09-03 11:00:00,,2026-09-04 10:00:00,已发货,500.00,500.00,Pacific Trading LLC,John,+1 555 0100,Seattle\n"
        ),
    );
    ws.ok(&["import", "--no-progress", "--currency", "usd", usd.to_str().unwrap()]);
    ws.import(&file(
        &ws,
        "bank_cny.csv",
        &format!(
            "{BANK}2026-09-10,10:00:00,B1,,8000.00,1008000.00,Pacific Trading LLC,6222000000000009,汇入,SO-2001\n\
             2026-09-11,10:00:00,B2,,8000.00,1016000.00,北方贸易有限公司,6222000000000002,汇入,付SO-1001\n"
        ),
    ));
    let dollars = file(
        &ws,
        "bank_usd.csv",
        &format!("{BANK}2026-09-12,09:00:00,U1,,8000.00,8000.00,Pacific Trading LLC,US0001,Wire,Invoice SO-2001\n"),
    );
    ws.ok(&["import", "--no-progress", "--currency", "USD", "--account", "USD-0001", dollars.to_str().unwrap()]);
    ws.ok(&["reconcile", "--no-progress"]);
    ws
}

/// One workspace for the three (a reconcile in a debug build is slow): what is stored,
/// what is matched, what the reports and their exports say.
#[test]
fn two_currencies_are_matched_reported_and_exported_apart() {
    let ws = two_currencies();
    each_row_keeps_its_currency_and_matching_stays_within_one(&ws);
    reports_keep_each_currency_apart(&ws);
    exports_total_each_currency_on_its_own_row(&ws);
}

fn each_row_keeps_its_currency_and_matching_stays_within_one(ws: &Ws) {
    assert_eq!(
        ws.rows("SELECT order_id, currency FROM orders ORDER BY order_id"),
        [["SO-1001", "CNY"], ["SO-2001", "USD"], ["SO-2002", "USD"]]
    );
    assert_eq!(
        ws.rows("SELECT txn_id, currency FROM bank_txns ORDER BY txn_id"),
        [["B1", "CNY"], ["B2", "CNY"], ["U1", "USD"]]
    );
    let pairs = ws.rows(
        "SELECT m.order_id, b.txn_id, m.currency FROM bank_matches m JOIN bank_txns b ON b.line_id = m.line_id ORDER BY 1",
    );
    assert_eq!(pairs, [["SO-1001", "B2", "CNY"], ["SO-2001", "U1", "USD"]]);
    // The yuan credit naming the dollar order is left for a person.
    assert_eq!(ws.rows("SELECT txn_id FROM unmatched_bank"), [["B1"]]);
}

fn reports_keep_each_currency_apart(ws: &Ws) {
    let as_of = ["--as-of", "2026-12-31"];
    let q = |sql: &str| -> Vec<Vec<String>> {
        let out = ws.ok(&[as_of[0], as_of[1], "sql", "--format", "csv", "-c", sql]);
        out.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
    };
    assert_eq!(
        q(
            "SELECT currency, sum(orders), sum(sold), sum(received), sum(outstanding) FROM collection_summary GROUP BY currency ORDER BY 1"
        ),
        [["CNY", "1", "8000.00", "8000.00", "0.00"], ["USD", "2", "8500.00", "8000.00", "500.00"]]
    );
    assert_eq!(q("SELECT currency, sum(outstanding) FROM aging GROUP BY currency"), [["USD", "500.00"]]);
    assert_eq!(q("SELECT order_id, currency, outstanding FROM follow_up"), [["SO-2002", "USD", "500.00"]]);
    assert_eq!(
        q("SELECT currency, sales, collections FROM sales_vs_collections ORDER BY currency"),
        [["CNY", "8000.00", "8000.00"], ["USD", "8500.00", "8000.00"]]
    );
}

fn exports_total_each_currency_on_its_own_row(ws: &Ws) {
    use calamine::Reader;
    let book = ws.scratch("out/summary.xlsx");
    ws.ok(&["--as-of", "2026-12-31", "report", "collection_summary", "--lang", "en", "-o", book.to_str().unwrap()]);
    let mut xlsx: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let sheet = xlsx.worksheet_range_at(0).unwrap().unwrap();
    let header = sheet.rows().position(|r| r.iter().any(|c| *c == "sold")).expect("a header row");
    let names: Vec<String> = sheet.rows().nth(header).unwrap().iter().map(|c| c.to_string()).collect();
    let sold = names.iter().position(|n| n == "sold").unwrap();
    let totals: Vec<(String, String)> = sheet
        .rows()
        .filter(|r| r[0].to_string().starts_with("合计 Total"))
        .map(|r| (r[0].to_string(), r[sold].to_string()))
        .collect();
    assert_eq!(totals, [("合计 Total CNY".into(), "8000".into()), ("合计 Total USD".into(), "8500".into())]);

    let pdf = ws.scratch("out/summary.pdf");
    ws.ok(&["--as-of", "2026-12-31", "report", "collection_summary", "-o", pdf.to_str().unwrap()]);
    let text = std::process::Command::new("pdftotext").args(["-layout"]).arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let line = |label: &str| text.lines().find(|l| l.contains(label)).unwrap_or_default().to_string();
    assert!(line("合计 Total CNY").contains("8,000.00"), "{text}");
    assert!(line("合计 Total USD").contains("8,500.00"), "{text}");
    assert!(!text.contains("16,500.00"), "dollars and yuan added up:\n{text}");
}

#[test]
fn a_currency_that_is_not_one_is_refused() {
    let ws = Ws::new();
    let f =
        file(&ws, "orders.csv", &format!("{ORDERS}SO-1,线下,部,2026-09-01 10:00:00,,,已发货,1.00,1.00,甲,乙,1,地址\n"));
    let err = ws.fails(&["import", "--no-progress", "--currency", "dollars", f.to_str().unwrap()]);
    assert!(err.contains("--currency 'dollars' is not a currency"), "{err}");
    assert_eq!(ws.value("SELECT count(*) FROM orders"), "0");
    ws.ok(&["import", "--no-progress", "--currency", "港币", f.to_str().unwrap()]);
    assert_eq!(ws.value("SELECT currency FROM orders"), "HKD");
}
