//! Report views that reconcile with the data, and saved reports with parameters: saved
//! from a script, listed, run from the shell's batch mode and the command line, written
//! to CSV (with a BOM, for Excel) and Parquet, dropped.

use crate::common::{Ws, text};

fn generated() -> Ws {
    crate::common::generated(1200, 4, "low").0
}

#[test]
fn report_views_add_up_to_the_data() {
    let ws = generated();
    let sold = ws.value("SELECT sum(coalesce(paid_amount, order_amount)) FROM orders");
    assert_eq!(ws.value("SELECT sum(sold) FROM collection_summary"), sold);
    assert_eq!(ws.value("SELECT sum(sales) FROM sales_vs_collections"), sold);
    assert_eq!(ws.value("SELECT sum(orders) FROM collection_summary"), ws.value("SELECT count(*) FROM orders"));
    // Fees: the platforms' fee lines (by order id, or by the trade a fund bill's line
    // names), and what a bank kept of a B2B customer's transfer.
    let b2b_bank_fees = ws.value("SELECT sum(fees) FROM order_settlement WHERE platform = 'b2b'");
    assert!(b2b_bank_fees.parse::<f64>().unwrap() <= 2.0 * 40.0, "a bank's fee is small: {b2b_bank_fees}");
    assert_eq!(
        ws.value("SELECT sum(fees) FROM collection_summary"),
        ws.value(&format!(
            "SELECT CAST(-sum(amount) + {b2b_bank_fees} AS DECIMAL(18, 2)) FROM settlements \
             WHERE (order_id IS NOT NULL OR trade_id IN (SELECT txn_id FROM payments)) \
             AND kind IN ('commission', 'fee', 'shipping', 'promotion')"
        ))
    );
    assert_eq!(
        ws.value("SELECT sum(outstanding) FROM collection_summary"),
        ws.value("SELECT sum(outstanding) FROM receivables")
    );
    // Collections are the money matched in the bank, each credit once.
    assert_eq!(
        ws.value("SELECT sum(collections) FROM sales_vs_collections"),
        ws.value("SELECT sum(bank_amount) FROM (SELECT DISTINCT line_id, bank_amount FROM bank_matches)")
    );
    let rates = ws.rows("SELECT fee_rate, usual_rate FROM fees_by_platform");
    assert!(!rates.is_empty() && rates.iter().all(|r| r[0].parse::<f64>().unwrap() < 0.5));
}

#[test]
fn a_saved_report_with_parameters() {
    let ws = generated();
    let script = ws.scratch("save.sql");
    std::fs::write(
        &script,
        ".report save orders_since --title \"平台订单 Orders since\" \
         SELECT platform, count(*) AS orders FROM orders WHERE order_time >= :since AND platform = :platform GROUP BY platform\n\
         .report list\n\
         .report run orders_since since=2026-10-01 platform=jd\n",
    )
    .unwrap();
    let out = ws.ok(&["sql", "-f", script.to_str().unwrap()]);
    assert!(
        out.contains("report orders_since saved as reports/orders_since.sql (parameters: since, platform)"),
        "{out}"
    );
    assert!(out.contains("| orders_since ") && out.contains("| collection_summary "), "{out}");
    let expected =
        ws.value("SELECT count(*) FROM orders WHERE platform = 'jd' AND order_time >= TIMESTAMP '2026-10-01 00:00:00'");
    assert!(out.contains(&format!("| jd       | {expected:>6} |")), "{out}");
    let saved = std::fs::read_to_string(ws.root.join("reports/orders_since.sql")).unwrap();
    assert!(
        saved.starts_with("-- title: 平台订单 Orders since\n-- params: since, platform\n-- saved: admin at"),
        "{saved}"
    );

    // From the command line, to a CSV Excel opens as UTF-8, and to Parquet.
    let csv = ws.scratch("out/orders.csv");
    let said = ws.ok(&[
        "report",
        "orders_since",
        "--param",
        "since=2026-10-01",
        "--param",
        "platform=jd",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(said.contains("平台订单 Orders since: 1 rows written"), "{said}");
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with("\u{feff}platform,orders\n".as_bytes()), "{:?}", String::from_utf8_lossy(&bytes));
    assert_eq!(String::from_utf8_lossy(&bytes[3..]), format!("platform,orders\njd,{expected}\n"));
    let refused = ws.fails(&[
        "report",
        "orders_since",
        "--param",
        "since=2026-10-01",
        "--param",
        "platform=jd",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(refused.contains("--force"), "{refused}");
    assert!(
        ws.fails(&["report", "orders_since", "--param", "since=2026-10-01"]).contains("needs a value for :platform")
    );
    let pq = ws.scratch("out/summary.parquet");
    ws.ok(&["report", "collection_summary", "-o", pq.to_str().unwrap()]);
    let reader =
        datafusion::parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    use datafusion::parquet::file::reader::FileReader;
    assert_eq!(
        reader.metadata().file_metadata().num_rows().to_string(),
        ws.value("SELECT count(*) FROM collection_summary")
    );

    // A query that does not plan is not saved; a built-in report stays.
    let bad = ws.scratch("bad.sql");
    std::fs::write(&bad, ".report save broken SELECT nothing FROM nowhere\n").unwrap();
    assert!(text(&ws.run(&["sql", "-f", bad.to_str().unwrap()]).stderr).contains("does not plan"));
    assert!(!ws.root.join("reports/broken.sql").exists());
    let drop = ws.scratch("drop.sql");
    std::fs::write(&drop, ".report drop orders_since\n.report drop aging\n").unwrap();
    assert!(text(&ws.run(&["sql", "-f", drop.to_str().unwrap()]).stderr).contains("aging is a built-in report"));
    assert!(!ws.root.join("reports/orders_since.sql").exists());
    let defined = ws.ok(&["audit", "--event", "define"]);
    assert!(defined.contains("report orders_since") && defined.contains("dropped report orders_since"), "{defined}");
}

#[test]
fn an_excel_report_reads_back_with_its_numbers() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let ws = generated();
    let file = ws.scratch("out/summary.xlsx");
    let said = ws.ok(&["report", "collection_summary", "-o", file.to_str().unwrap()]);
    let rows: usize = ws.value("SELECT count(*) FROM collection_summary").parse().unwrap();
    assert!(said.contains(&format!("{rows} rows written")), "{said}");

    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String("回款汇总 Collection summary".into()));
    assert!(matches!(cell(1, 0), Data::String(s) if s.contains("by admin")));
    let header: Vec<Data> = (0..11).map(|c| cell(3, c)).collect();
    assert_eq!(
        header,
        ["平台", "店铺", "月份", "币种", "订单数", "销售额", "退款", "费用", "已回款", "未回款", "回款率"]
            .map(|h| Data::String(h.into()))
            .to_vec()
    );
    // Money is a number, the month a date; the totals row (one per currency, here one)
    // adds up to the cent.
    assert!(matches!(cell(4, 5), Data::Float(_)), "{:?}", cell(4, 5));
    assert!(matches!(cell(4, 2), Data::DateTime(_)), "{:?}", cell(4, 2));
    let total_row = 4 + rows as u32;
    assert_eq!(cell(total_row, 0), Data::String("合计 Total".into()));
    let sold: f64 = ws.value("SELECT sum(sold) FROM collection_summary").parse().unwrap();
    assert!(
        matches!(cell(total_row, 5), Data::Float(t) if (t - sold).abs() < 0.005),
        "{:?} vs {sold}",
        cell(total_row, 5)
    );
    let orders: f64 = ws.value("SELECT sum(orders) FROM collection_summary").parse().unwrap();
    assert_eq!(cell(total_row, 4), Data::Float(orders));
    let column_sum: f64 = (4..total_row).map(|r| if let Data::Float(v) = cell(r, 5) { v } else { 0.0 }).sum();
    assert!((column_sum - sold).abs() < 0.005);

    // A summary carries a native chart.
    let monthly = ws.scratch("out/monthly.xlsx");
    ws.ok(&["report", "sales_vs_collections", "-o", monthly.to_str().unwrap()]);
    let bytes = std::fs::read(&monthly).unwrap();
    assert!(bytes.windows(20).any(|w| w == b"xl/charts/chart1.xml"), "a chart part in the workbook");

    let english = ws.scratch("out/summary-en.xlsx");
    ws.ok(&["report", "collection_summary", "--lang", "en", "-o", english.to_str().unwrap()]);
    let mut book: Xlsx<_> = open_workbook(&english).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.get_value((3, 0)), Some(&Data::String("platform".into())));
}

#[test]
fn the_bank_reconciliation_statement_balances() {
    let ws = generated();
    let statement = |account: &str| -> Vec<String> {
        ws.rows(&format!("SELECT amount FROM bank_reconciliation WHERE account = '{account}' ORDER BY line"))
            .into_iter()
            .map(|r| r[0].clone())
            .collect()
    };
    let accounts = ws.rows("SELECT DISTINCT account FROM bank_txns ORDER BY account");
    assert!(!accounts.is_empty());
    for a in &accounts {
        let lines = statement(&a[0]);
        assert_eq!(lines.len(), 11, "{lines:?}");
        // The statement's balance is the bank's own last balance; both sides agree.
        let last = ws.value(&format!(
            "SELECT balance FROM bank_txns WHERE account = '{}' ORDER BY txn_time DESC, import_id DESC, source_line DESC LIMIT 1",
            a[0]
        ));
        assert_eq!(lines[0], last);
        assert_eq!(lines[2], lines[9], "adjusted bank = adjusted books: {lines:?}");
        assert_eq!(lines[10], "0.00");
    }
    // Items in transit are the unmatched payouts; every item is listed.
    assert_eq!(
        ws.value("SELECT sum(amount) FROM bank_reconciliation WHERE line = 2"),
        ws.value("SELECT sum(amount) FROM unmatched_payouts")
    );
    assert_eq!(
        ws.value("SELECT sum(items) FROM bank_reconciliation WHERE line IN (2, 5, 6, 7, 8, 9)"),
        ws.value("SELECT count(*) FROM bank_reconciliation_items")
    );

    // Writing off a payout in transit moves it to the books' side; it still balances.
    let payout = ws.value("SELECT payout_id FROM unmatched_payouts ORDER BY amount DESC LIMIT 1");
    let amount = ws.value(&format!("SELECT amount FROM unmatched_payouts WHERE payout_id = '{payout}'"));
    ws.ok(&["writeoff", "--payout", &payout, "--reason", "lost by the platform"]);
    assert_eq!(
        ws.value("SELECT sum(amount) FROM bank_reconciliation WHERE line = 9"),
        format!("-{amount}"),
        "written-off payout on the books' side"
    );
    assert_eq!(ws.value("SELECT count(*) FROM bank_reconciliation WHERE line = 11 AND amount <> 0"), "0");
}

#[test]
fn a_statement_with_a_line_missing_does_not_balance() {
    let ws = Ws::new();
    let bank = ws.scratch("bank.csv");
    // The second of three lines (a credit of 50.00) is missing: the balance jumps.
    std::fs::write(
        &bank,
        format!(
            "{}2026-10-01 09:00:00,T1,,100.00,1100.00,客户甲,货款\n\
             2026-10-03 09:00:00,T3,20.00,,1130.00,供应商乙,付款\n",
            crate::common::BANK_HEADER
        ),
    )
    .unwrap();
    ws.import(&bank);
    let lines: Vec<String> =
        ws.rows("SELECT amount FROM bank_reconciliation ORDER BY line").into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(lines[0], "1130.00", "the bank's balance");
    assert_eq!(lines[3], "1000.00", "opening balance, nothing booked");
    assert_eq!(lines[4], "100.00");
    assert_eq!(lines[6], "-20.00");
    assert_eq!(lines[10], "50.00", "the missing line shows as the difference: {lines:?}");
    let pdf = ws.scratch("statement.pdf");
    ws.ok(&["report", "bank_reconciliation", "-o", pdf.to_str().unwrap()]);
    let text = String::from_utf8(
        std::process::Command::new("pdftotext").args(["-layout", pdf.to_str().unwrap(), "-"]).output().unwrap().stdout,
    )
    .unwrap();
    assert!(text.contains("银行存款余额调节表 Bank reconciliation statement"), "{text}");
    assert!(text.contains("差额（应为 0）") && !text.contains("合计 Total"), "{text}");
}
