//! Platform payout exports import as settlement lines, recognised by their header: the
//! Amazon Settlement V2 flat file (Windows-1252, decimal commas) with its summary row as
//! the payout; the German PayPal activity download (BOM, quotes, decimal commas) with
//! its fees split out and pending rows left out; Stripe balance transactions and Shopify
//! Payments transactions, charges split from their fees and tied to their payouts. Kinds, signs and payout references are checked line by line, the payout
//! in the `payouts` view, and broken files fail whole with the reason.

use std::path::PathBuf;

use crate::common::{Ws, fixture};

fn payouts(name: &str) -> PathBuf {
    fixture(&format!("payouts/{name}"))
}

fn lines(ws: &Ws) -> Vec<(String, String, String)> {
    ws.rows("SELECT kind, amount, payout_ref FROM settlements ORDER BY source_line, amount")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect()
}

fn expect(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter().map(|(k, a, p)| (k.to_string(), a.to_string(), p.to_string())).collect()
}

/// A copy of a fixture with `from` replaced by `to` (in its own encoding's bytes).
fn edited(ws: &Ws, name: &str, from: &[u8], to: &[u8]) -> PathBuf {
    let bytes = std::fs::read(payouts(name)).unwrap();
    let at = bytes.windows(from.len()).position(|w| w == from).unwrap_or_else(|| panic!("{name}: no {from:?}"));
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(to);
    out.extend_from_slice(&bytes[at + from.len()..]);
    let p = ws.scratch(name);
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn amazon_settlement_v2() {
    let ws = Ws::new();
    let report = ws.import(&payouts("amazon-settlement-v2-de.txt"));
    assert!(report.contains("amazon-settlement-v2") && report.contains("stored 12 rows"), "{report}");
    let id = "11783497812";
    assert_eq!(
        lines(&ws),
        expect(&[
            ("withdrawal", "-45.81", id),
            ("sale", "49.99", id),
            ("shipping", "4.90", id),
            ("commission", "-7.50", id),
            ("fee", "-3.05", id),
            ("promotion", "-4.90", id),
            ("sale", "29.90", id),
            ("commission", "-4.49", id),
            ("refund", "-19.99", id),
            ("refund", "3.00", id),
            ("refund", "-0.60", id),
            ("fee", "-1.45", id),
        ])
    );
    assert_eq!(
        ws.rows("SELECT platform, payout_id, CAST(payout_time AS VARCHAR), amount FROM payouts"),
        [["amazon", id, "2026-03-17T07:12:44", "45.81"]]
    );
    // Money in equals money out: the components less the payout leave nothing.
    assert_eq!(ws.value(&format!("SELECT sum(amount) FROM settlements WHERE payout_ref = '{id}'")), "0.00");
    assert_eq!(
        ws.rows("SELECT order_id, memo FROM settlements WHERE source_line = 3"),
        [["302-1111111-1111111", "Order / ItemPrice / Principal; SKU BÜRSTE-GRÜN; item 61234567890123"]]
    );
    // A re-import adds nothing.
    let again = ws.import(&payouts("amazon-settlement-v2-de.txt"));
    assert!(again.contains("12 duplicates"), "{again}");
}

#[test]
fn amazon_settlement_that_does_not_add_up_is_refused() {
    let ws = Ws::new();
    let before = ws.state();
    let p = edited(&ws, "amazon-settlement-v2-de.txt", b"\t45,81\t", b"\t46,81\t");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("settlement 11783497812 does not add up") && e.contains("a difference of 1.00"), "{e}");
    let p = edited(&ws, "amazon-settlement-v2-de.txt", b"\t-7,50\t", b"\t-7,5O\t");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("line 5, column amount: '-7,5O' is not an amount"), "{e}");
    let p = edited(&ws, "amazon-settlement-v2-de.txt", b"\tamount-description\t", b"\tdescription\t");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("the header has no column 'amount-description'"), "{e}");
    let e = ws.fails(&[
        "import",
        "--no-progress",
        "--kind",
        "bank",
        payouts("amazon-settlement-v2-de.txt").to_str().unwrap(),
    ]);
    assert!(e.contains("imports as settlements, not bank"), "{e}");
    assert_eq!(ws.state(), before);
}

#[test]
fn paypal_activity_german() {
    let ws = Ws::new();
    let report = ws.import(&payouts("paypal-activity-de.csv"));
    assert!(report.contains("paypal-activity") && report.contains("stored 6 rows"), "{report}");
    assert!(report.contains("2 ignored"), "{report}");
    assert!(report.contains("ignored: line 3, column 12 (status): status 'Ausstehend': no money moved"), "{report}");
    assert!(report.contains("ignored: line 7, column 12 (status): status 'Abgelehnt': no money moved"), "{report}");
    let wd = "5WD12345AB678901G";
    assert_eq!(
        lines(&ws),
        expect(&[
            ("fee", "-23.81", ""),
            ("sale", "1234.56", ""),
            ("refund", "-100.00", ""),
            ("fee", "-1.20", ""),
            ("sale", "45.00", ""),
            ("withdrawal", "-1000.00", wd),
        ])
    );
    assert_eq!(
        ws.rows(
            "SELECT txn_id, order_id, counterparty, balance FROM settlements WHERE source_line = 2 ORDER BY amount"
        ),
        [
            ["1AB23456CD789012E-fee", "INV-2026-0001", "Erika Mustermann", "1310.75"],
            ["1AB23456CD789012E", "INV-2026-0001", "Erika Mustermann", ""],
        ]
    );
    assert_eq!(ws.rows("SELECT platform, payout_id, amount FROM payouts"), [["paypal", wd, "1000.00"]]);
    // The running balance follows the lines: 100.00 before the first.
    assert_eq!(ws.value("SELECT 100 + sum(amount) FROM settlements"), "254.55");
}

#[test]
fn paypal_activity_broken() {
    let ws = Ws::new();
    let before = ws.state();
    let p = edited(&ws, "paypal-activity-de.csv", b"\"Status\"", b"\"Zustand\"");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("the header has no column 'Status'"), "{e}");
    let p = edited(&ws, "paypal-activity-de.csv", b"\"45,00\"", b"\"45,0O\"");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("line 5, column Brutto: '45,0O' is not an amount"), "{e}");
    let p = edited(&ws, "paypal-activity-de.csv", b"\"43,80\"", b"\"43,90\"");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("line 5: Brutto 45.00 and Gebühr -1.20 do not make Netto 43.90"), "{e}");
    assert_eq!(ws.state(), before);
}

#[test]
fn stripe_balance_transactions() {
    let ws = Ws::new();
    let report = ws.import(&payouts("stripe-balance.csv"));
    assert!(report.contains("stripe-balance") && report.contains("stored 7 rows"), "{report}");
    let po = "po_1QzX9";
    assert_eq!(
        lines(&ws),
        expect(&[
            ("fee", "-3.78", po),
            ("sale", "120.00", po),
            ("fee", "-1.75", po),
            ("sale", "49.99", po),
            ("refund", "-20.00", po),
            ("fee", "-2.00", po),
            ("withdrawal", "-142.46", po),
        ])
    );
    assert_eq!(ws.rows("SELECT platform, payout_id, amount FROM payouts"), [["stripe", po, "142.46"]]);
    // Everything the payout carried, less the payout, leaves nothing behind.
    assert_eq!(ws.value(&format!("SELECT sum(amount) FROM settlements WHERE payout_ref = '{po}'")), "0.00");
    assert_eq!(ws.value("SELECT txn_id FROM settlements WHERE source_line = 2 AND kind = 'fee'"), "txn_3PqA1-fee");
    let p = edited(&ws, "stripe-balance.csv", b"116.22", b"116.32");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("line 2: Amount 120.00 less Fee 3.78 does not make Net 116.32"), "{e}");
    let p = edited(&ws, "stripe-balance.csv", b",Currency,", b",Ccy,");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("the header has no column 'Currency'"), "{e}");
}

#[test]
fn shopify_payments_transactions() {
    let ws = Ws::new();
    let report = ws.import(&payouts("shopify-payments.csv"));
    assert!(report.contains("shopify-payments") && report.contains("stored 6 rows"), "{report}");
    let po = "123456789";
    assert_eq!(
        lines(&ws),
        expect(&[
            ("fee", "-0.75", po),
            ("sale", "30.00", po),
            ("refund", "-5.00", po),
            ("fee", "-2.15", ""),
            ("sale", "89.90", ""),
            ("adjustment", "-1.00", po),
        ])
    );
    assert_eq!(
        ws.rows("SELECT DISTINCT platform, order_id FROM settlements ORDER BY order_id"),
        [["shopify", "#1001"], ["shopify", "#1002"]]
    );
    let p = edited(&ws, "shopify-payments.csv", b"89.90,2.15", b"89.9O,2.15");
    let e = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(e.contains("line 4, column Amount: '89.9O' is not an amount"), "{e}");
}

/// The trade bill describes trades, not the wallet: it lands in `payments`, never in
/// `settlements`, so importing it beside the fund bill counts no money twice.
#[test]
fn wechat_pay_merchant_trade_bill() {
    let ws = Ws::new();
    // GBK, a backtick before every value, a payment, its partial refund, a revoked
    // payment, and the totals footer.
    let report = ws.import(&payouts("wechat-trade.csv"));
    assert!(report.contains("wechat-trade") && report.contains("stored 4 rows"), "{report}");
    assert!(report.contains("→ payments"), "{report}");
    assert!(report.contains("1 ignored") && report.contains("status 'REVOKED': no money moved"), "{report}");
    assert_eq!(ws.value("SELECT count(*) FROM settlements"), "0");
    assert_eq!(
        ws.rows("SELECT platform, kind, amount, order_id, txn_id FROM payments ORDER BY source_line, amount DESC"),
        [
            ["wechat", "sale", "100.00", "T1001", "4200001"],
            ["wechat", "fee", "-0.60", "T1001", "4200001-fee"],
            ["wechat", "fee", "0.24", "T1001", "5030001-fee"],
            ["wechat", "refund", "-40.00", "T1001", "5030001"],
        ]
    );
    // What the trade bill says the order came to: sold 100.00, refunded 40.00, fees 0.36.
    assert_eq!(ws.value("SELECT sum(amount) FROM payments WHERE order_id = 'T1001'"), "59.64");
    // A footer the rows do not add up to: the file is refused.
    let bytes = std::fs::read(payouts("wechat-trade.csv")).unwrap();
    let text = encoding_rs::GB18030.decode(&bytes).0.replace("`0.36,", "`0.30,");
    let short = ws.scratch("wechat_short.csv");
    std::fs::write(&short, encoding_rs::GB18030.encode(&text).0).unwrap();
    let e = ws.fails(&["import", "--no-progress", short.to_str().unwrap()]);
    assert!(e.contains("says 手续费总金额 0.30, but the rows add up to 0.36"), "{e}");
}

/// The bill's other two variants, told by their header: successful payments only (no
/// refund columns) and refunds only (the refund's own time in 退款成功时间).
#[test]
fn wechat_pay_trade_bill_variants() {
    let ws = Ws::new();
    let success = ws.scratch("wechat_success.csv");
    std::fs::write(
        &success,
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注\n\
         `2026-10-02 09:30:00,`wx1,`1900001,`0,`,`4200003,`T1003,`oU3,`JSAPI,`SUCCESS,`ICBC_CREDIT,`CNY,`59.00,`0.00,`充电宝,`,`0.35,`0.60%,`59.00,`\n\
         总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n\
         `1,`59.00,`0.00,`0.00,`0.35,`59.00,`0.00\n",
    )
    .unwrap();
    let report = ws.import(&success);
    assert!(report.contains("wechat-trade") && report.contains("stored 2 rows"), "{report}");
    let refunds = ws.scratch("wechat_refunds.csv");
    std::fs::write(
        &refunds,
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n\
         `2026-10-02 09:30:00,`wx1,`1900001,`0,`,`4200003,`T1003,`oU3,`JSAPI,`REFUND,`ICBC_CREDIT,`CNY,`59.00,`0.00,`2026-10-04 08:00:00,`2026-10-04 08:00:05,`5030009,`R1003,`59.00,`0.00,`ORIGINAL,`SUCCESS,`充电宝,`,`-0.35,`0.60%,`59.00,`59.00,`\n",
    )
    .unwrap();
    let report = ws.import(&refunds);
    assert!(report.contains("wechat-trade") && report.contains("stored 2 rows"), "{report}");
    assert_eq!(
        ws.rows(
            "SELECT kind, amount, txn_id, CAST(txn_time AS VARCHAR) AS t FROM payments \
             WHERE order_id = 'T1003' ORDER BY txn_time, amount"
        ),
        [
            ["fee", "-0.35", "4200003-fee", "2026-10-02T09:30:00"],
            ["sale", "59.00", "4200003", "2026-10-02T09:30:00"],
            ["refund", "-59.00", "5030009", "2026-10-04T08:00:05"],
            ["fee", "0.35", "5030009-fee", "2026-10-04T08:00:05"],
        ]
    );
    assert_eq!(ws.value("SELECT sum(amount) FROM payments WHERE order_id = 'T1003'"), "0.00");
}
