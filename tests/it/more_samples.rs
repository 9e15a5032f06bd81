//! The 35 further real exports in ../shared/real-samples/more (PayPal, OFX, MT940, camt.053,
//! Alipay, WeChat, JD, CMB, Pinduoduo): each lands in the right table with every row, its
//! currency and its sign — or, when the statement's own balances do not add up, is refused
//! whole. The figures were counted by hand from each file (PayPal: the Net column of the
//! completed rows; banks: the credits less the debits of each statement).

use std::path::PathBuf;

use crate::common::Ws;

const DIR: &str = "real-samples/more";

/// What one file must give: the table, rows stored and ignored, and per currency the
/// rows and their sum. Money is never added across currencies.
struct Case {
    file: &'static str,
    table: &'static str,
    stored: u64,
    ignored: u64,
    by_currency: &'static [(&'static str, u64, &'static str)],
}

const fn case(
    file: &'static str,
    table: &'static str,
    stored: u64,
    ignored: u64,
    by_currency: &'static [(&'static str, u64, &'static str)],
) -> Case {
    Case { file, table, stored, ignored, by_currency }
}

const IMPORTED: &[Case] = &[
    // 76 rows: 14 pending (ignored, each with its status), 62 completed with their fees
    // as lines of their own (88 lines). Net of the completed rows: 59428.92 over three currencies.
    case(
        "OCA__bank-statement-import__paypal_activity_en.csv",
        "settlements",
        88,
        14,
        &[("AUD", 2, "0.00"), ("EUR", 15, "59427.02"), ("USD", 71, "1.90")],
    ),
    // The statement CSV says Description where the download says Type, and has no Status.
    case(
        "OCA__bank-statement-import__paypal_statement_en.csv",
        "settlements",
        26,
        0,
        &[("EUR", 8, "0.00"), ("USD", 18, "280.30")],
    ),
    // Two statements, one per BANKTRANLIST.
    case("OCA__bank-statement-import__test_ofx.ofx", "bank_txns", 4, 0, &[("USD", 4, "-360.00")]),
    case("WoLpH__mt940__ASNB_0708271685_09022020_164516.940.txt", "bank_txns", 8, 0, &[("EUR", 8, "56.94")]),
    case("WoLpH__mt940__betterplace_sepa_mt9401.sta", "bank_txns", 97, 0, &[("EUR", 97, "-9269135.90")]),
    // Three statements in three currencies.
    case(
        "WoLpH__mt940__cmxl_mt940.sta",
        "bank_txns",
        16,
        0,
        &[("DEM", 11, "87.30"), ("EUR", 2, "2200.00"), ("PLN", 3, "10040.00")],
    ),
    case("WoLpH__mt940__jejik_rabobank-iban.sta", "bank_txns", 4, 0, &[("EUR", 4, "-70.00")]),
    case("WoLpH__mt940__jejik_sns.sta", "bank_txns", 2, 0, &[("EUR", 2, "-25.00")]),
    case("WoLpH__mt940__mBank_mt940.sta", "bank_txns", 3, 0, &[("PLN", 3, "0.03")]),
    // References longer than MT940's 16 characters are kept whole.
    case("WoLpH__mt940__sberbank_171011_01234945.sta", "bank_txns", 3, 0, &[("HUF", 3, "-9437.00")]),
    // A buyer's order list: orders, not shipments.
    case("aqni__beancount-daoru__拼多多订单_123456789_260701_260801.csv", "orders", 3, 0, &[]),
    case(
        "aqni__beancount-daoru__支付宝交易明细(20201122-20201214).csv",
        "settlements",
        21,
        3,
        &[("CNY", 21, "-1677.47")],
    ),
    case("dhr2333__Beancount-Trans-Backend__单条测试_支付宝.csv", "settlements", 2, 0, &[("CNY", 2, "-19.00")]),
    case("dhr2333__Beancount-Trans-Backend__完整测试_微信.csv", "settlements", 37, 0, &[("CNY", 37, "-15597.56")]),
    case("dhr2333__Beancount-Trans-Backend__完整测试_支付宝.csv", "settlements", 79, 1, &[("CNY", 79, "-252820.83")]),
    case("focus000__preciouss__alipay_sample.csv", "settlements", 3, 1, &[("CNY", 3, "119.50")]),
    // A credit card: spending is positive in the file, so the amounts are turned round.
    case("focus000__preciouss__cmb_credit_sample.csv", "bank_txns", 4, 0, &[("CNY", 4, "-80.50")]),
    case("focus000__preciouss__cmb_debit_sample.csv", "bank_txns", 3, 0, &[("CNY", 3, "8000.00")]),
    // Refunds netted into the order line: one refunded in full (ignored), one in part.
    case("focus000__preciouss__jd_sample.csv", "settlements", 6, 1, &[("CNY", 6, "-577.68")]),
    case("focus000__preciouss__wechat_sample.csv", "settlements", 7, 1, &[("CNY", 7, "-39.50")]),
    case("genkgo__camt__camt053.v2.multi.statement.xml", "bank_txns", 2, 0, &[("EUR", 2, "1.85")]),
    case("jseutter__ofxparse__anzcc.ofx", "bank_txns", 1, 0, &[("AUD", 1, "-5.50")]),
    case("jseutter__ofxparse__bank_medium.ofx", "bank_txns", 3, 0, &[("CAD", 3, "-345.27")]),
    case("jseutter__ofxparse__checking.ofx", "bank_txns", 3, 0, &[("USD", 3, "-59.50")]),
    case("jseutter__ofxparse__suncorp.ofx", "bank_txns", 1, 0, &[("AUD", 1, "-16.85")]),
];

/// Statements whose closing balance is not the opening balance plus the entries (the
/// fixtures were written by hand): refused whole, and imported with --allow-unbalanced.
const UNBALANCED: &[(&str, u64, &str)] = &[
    ("OCA__bank-statement-import__test-camt053.xml", 3, "-12.99"),
    ("WoLpH__mt940__jejik_postfinance.sta", 4, "159.40"),
    ("WoLpH__mt940__jejik_triodos.sta", 2, "-715.70"),
    ("genkgo__camt__camt053.v2.all-balance-types.xml", 1, "8.85"),
    ("genkgo__camt__camt053.v2.five.decimals.xml", 1, "8.85"),
    ("genkgo__camt__camt053.v2.minimal.xml", 1, "8.85"),
    ("genkgo__camt__camt053.v3.xml", 1, "8.85"),
    ("genkgo__camt__camt053.v4.xml", 1, "8.85"),
    ("genkgo__camt__camt053.v8.xml", 1, "8.85"),
];

/// The samples' folder, or None (and a note) where ../shared is not beside the clone.
fn samples() -> Option<PathBuf> {
    crate::common::shared_or_skip(DIR)
}

#[test]
fn every_further_real_export_lands_with_its_rows_currencies_and_signs() {
    let Some(dir) = samples() else { return };
    let ws = Ws::new();
    for c in IMPORTED {
        let path = dir.join(c.file);
        let out = ws.import(&path);
        let id = ws.value("SELECT max(id) FROM imports");
        let counts = ws.rows(&format!("SELECT rows_stored, rows_ignored, rows_rejected FROM imports WHERE id = {id}"));
        assert_eq!(
            counts[0],
            [c.stored.to_string(), c.ignored.to_string(), "0".to_string()],
            "{}: stored, ignored, rejected\n{out}",
            c.file
        );
        assert_eq!(ws.value(&format!("SELECT count(*) FROM {} WHERE import_id = {id}", c.table)), c.stored.to_string());
        if c.by_currency.is_empty() {
            continue;
        }
        let got = ws.rows(&format!(
            "SELECT currency, count(*), sum(amount) FROM {} WHERE import_id = {id} GROUP BY currency ORDER BY currency",
            c.table
        ));
        let want: Vec<Vec<String>> =
            c.by_currency.iter().map(|(cur, n, sum)| vec![cur.to_string(), n.to_string(), sum.to_string()]).collect();
        assert_eq!(got, want, "{}: rows and sum per currency", c.file);
    }
}

#[test]
fn the_wechat_workbook_reads_like_its_csv() {
    let Some(dir) = samples() else { return };
    let ws = Ws::new();
    ws.import(&dir.join("focus000__preciouss__wechat_sample.xlsx"));
    assert_eq!(ws.rows("SELECT count(*), sum(amount) FROM settlements"), [["4", "256.70"]]);
}

#[test]
fn pending_paypal_payments_are_ignored_each_with_its_status() {
    let Some(dir) = samples() else { return };
    let ws = Ws::new();
    let out = ws.import(&dir.join("OCA__bank-statement-import__paypal_activity_en.csv"));
    assert!(out.contains("14 ignored"), "{out}");
    assert!(out.contains("status 'Pending': no money moved"), "{out}");
}

#[test]
fn the_pinduoduo_buyer_list_is_read_as_orders_and_says_why() {
    let Some(dir) = samples() else { return };
    let ws = Ws::new();
    let out = ws.import(&dir.join("aqni__beancount-daoru__拼多多订单_123456789_260701_260801.csv"));
    assert!(out.contains("read as orders because it has the orders' money (订单金额)"), "{out}");
    assert!(out.contains("--kind shipments reads it as that"), "{out}");
    assert_eq!(ws.value("SELECT sum(coalesce(paid_amount, order_amount)) FROM orders"), "274.70");
}

#[test]
fn statements_that_do_not_balance_are_refused_whole_unless_allowed() {
    let Some(dir) = samples() else { return };
    let ws = Ws::new();
    for (file, rows, sum) in UNBALANCED {
        let path = dir.join(file);
        let err = ws.fails(&["import", "--no-progress", path.to_str().unwrap()]);
        assert!(err.contains("does not balance") && err.contains("--allow-unbalanced"), "{file}: {err}");
        assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "0", "{file}: nothing lands");
        ws.ok(&["import", "--no-progress", "--allow-unbalanced", path.to_str().unwrap()]);
        assert_eq!(
            ws.rows("SELECT count(*), sum(amount) FROM bank_txns"),
            [[rows.to_string(), sum.to_string()]],
            "{file} with --allow-unbalanced"
        );
        let id = ws.value("SELECT max(id) FROM imports");
        ws.ok(&["imports", "undo", &id]);
    }
}
