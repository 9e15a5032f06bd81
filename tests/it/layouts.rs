//! Exports recon has no format for (issue: "read a new layout right, or say exactly what
//! it needs"): a bank that splits the date and the time of day over two columns, an
//! ERP's order list with tracking numbers, ledgers of platforms recon has never seen, a
//! file it cannot read at all — each read right, or refused with the column or flag to
//! give and, from `--explain`, a mapping file to fill in. The rows are this project's
//! own, written from public knowledge of these layouts (tests/fixtures/layouts).

use std::path::PathBuf;

use crate::common::{Ws, fixture};

fn layout(name: &str) -> PathBuf {
    fixture(&format!("layouts/{name}"))
}

#[test]
fn a_date_and_a_time_of_day_in_two_columns_are_joined_whatever_they_are_called() {
    let ws = Ws::new();
    for (file, header) in
        [("bank_city_split_time.csv", "发生日期,发生时间"), ("bank_rural_time_column.csv", "记账日期,交易时刻")]
    {
        let out = ws.import(&layout(file));
        assert!(out.contains("and the time of day"), "{file} ({header}): the join is said\n{out}");
    }
    assert_eq!(
        ws.rows("SELECT txn_id, CAST(txn_time AS VARCHAR) AS t, amount FROM bank_txns ORDER BY t"),
        [
            ["C26090100017", "2026-09-01T10:14:46", "1200.00"],
            ["C26090100042", "2026-09-01T15:02:03", "-300.00"],
            ["C26090200003", "2026-09-02T09:00:00", "8650.35"],
            ["R0903001", "2026-09-03T08:15:02", "5000.00"],
            ["R0903002", "2026-09-03T14:00:00", "-120.50"],
            ["R0904001", "2026-09-04T23:59:59", "-0.50"],
        ]
    );
    // Each pair of headers, in either order: never a time taken for the date, never a
    // date left at midnight with its time beside it.
    for header in ["日期,时间", "时间,日期", "交易日期,交易时刻", "Date,Time", "发生日期,发生时间", "入账日期,入账时间"]
    {
        let ws = Ws::new();
        let swap = header.starts_with("时间");
        let (a, b) = if swap { ("10:14:46", "2026-09-01") } else { ("2026-09-01", "10:14:46") };
        let p = ws.scratch("data/bank.csv");
        std::fs::write(
            &p,
            format!(
                "{header},收入金额,支出金额,余额,对方户名,流水号\n{a},{b},1200.00,,101200.00,杭州某某科技有限公司,T1\n"
            ),
        )
        .unwrap();
        ws.ok(&["import", "--no-progress", "--kind", "bank", p.to_str().unwrap()]);
        assert_eq!(ws.value("SELECT CAST(txn_time AS VARCHAR) FROM bank_txns"), "2026-09-01T10:14:46", "{header}");
    }
}

#[test]
fn an_erp_order_list_with_tracking_numbers_is_orders() {
    let ws = Ws::new();
    let out = ws.import(&layout("erp_orders.csv"));
    assert!(out.contains("→ orders"), "{out}");
    assert_eq!(
        ws.rows("SELECT order_id, platform, paid_amount, tracking_no FROM orders ORDER BY order_id"),
        [
            ["4012345678901234", "tmall", "189.00", "SF1234567890"],
            ["5012345678", "jd", "105.00", ""],
            ["6912345678901", "douyin", "59.90", "ZT9876543210"],
        ]
    );
}

/// Where the order id's column has a name recon does not know, the tracking numbers must
/// not make the file a courier's bill: the import stops and says which columns pointed
/// where, and what to pass.
#[test]
fn a_file_that_points_to_a_kind_it_lacks_a_column_for_is_stopped_with_what_to_pass() {
    let ws = Ws::new();
    let text = std::fs::read_to_string(layout("erp_orders.csv")).unwrap().replacen("线上订单号", "网单编码", 1);
    let p = ws.scratch("data/erp.csv");
    std::fs::write(&p, text).unwrap();
    let err = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(err.contains("point more to orders"), "{err}");
    assert!(err.contains("no column for the order id"), "{err}");
    assert!(err.contains("--kind courier_bills"), "{err}");
    assert_eq!(ws.value("SELECT count(*) FROM courier_bills"), "0");
    // The mapping file --explain writes, with the order id filled in, reads it.
    let template = ws.ok(&["import", "--explain", p.to_str().unwrap()]);
    assert!(template.contains("kind = \"orders\""), "{template}");
    assert!(template.contains("# order_id = \"\""), "{template}");
    assert!(template.contains("#   网单编码: 4012345678901234 | 5012345678 | 6912345678901  (not used)"), "{template}");
    let map = ws.scratch("data/map.toml");
    std::fs::write(&map, template.replace("# order_id = \"\"", "order_id = \"网单编码\"")).unwrap();
    ws.ok(&["import", "--no-progress", "--map", map.to_str().unwrap(), p.to_str().unwrap()]);
    assert_eq!(ws.value("SELECT count(*) FROM orders"), "3");
}

#[test]
fn ledgers_of_platforms_without_a_format_are_read_as_settlements_and_say_so() {
    let ws = Ws::new();
    let ks = ws.import(&layout("wallet_kuaishou_ledger.csv"));
    assert!(ks.contains("platform is taken from the file's name: kuaishou"), "{ks}");
    let xhs = ws.import(&layout("wallet_xiaohongshu_settlement.csv"));
    assert!(xhs.contains("→ settlements"), "{xhs}");
    let sph = ws.import(&layout("wallet_视频号小店_funds.csv"));
    assert!(sph.contains("read as a platform's wallet ledger (settlements)"), "{sph}");
    assert!(sph.contains("amount ← 变动额(元)"), "{sph}");
    let dw = ws.import(&layout("wallet_dewu_bill.csv"));
    assert!(dw.contains("dewu"), "{dw}");
    assert_eq!(
        ws.rows("SELECT platform, kind, count(*), sum(amount) FROM settlements GROUP BY 1, 2 ORDER BY 1, 2"),
        [
            ["dewu", "fee", "1", "-44.95"],
            ["dewu", "sale", "1", "899.00"],
            ["dewu", "withdrawal", "1", "-854.05"],
            ["kuaishou", "fee", "1", "-0.45"],
            ["kuaishou", "refund", "1", "-59.00"],
            ["kuaishou", "sale", "1", "178.20"],
            ["kuaishou", "withdrawal", "1", "-5000.00"],
            ["wechat", "fee", "1", "-0.99"],
            ["wechat", "sale", "1", "99.00"],
            ["wechat", "withdrawal", "1", "-1000.00"],
            ["xiaohongshu", "refund", "1", "-89.00"],
            ["xiaohongshu", "sale", "1", "270.00"],
            ["xiaohongshu", "withdrawal", "1", "-2000.00"],
        ]
    );
    // The running balances agree with the amounts read: every sign is right.
    assert_eq!(ws.value("SELECT count(*) FROM balance_breaks"), "0");
}

/// A payout's id is one a person finds in the file: the withdrawal's own number, or the
/// order number a ledger gives it — never recon's internal line id.
#[test]
fn payout_ids_are_the_ones_the_files_show() {
    let ws = Ws::new();
    ws.import(&layout("wallet_dewu_bill.csv"));
    ws.import(&layout("wallet_xiaohongshu_settlement.csv"));
    let ids = ws.rows("SELECT platform, payout_id FROM payouts ORDER BY 1");
    assert_eq!(ids[0], ["dewu", "TX0001"]);
    // A withdrawal the file gives no number: its file and line.
    assert_eq!(ids[1], ["xiaohongshu", "wallet_xiaohongshu_settlement.csv:4"]);
    let line_ids = ws.rows("SELECT line_id FROM settlements WHERE kind = 'withdrawal'");
    for l in line_ids {
        assert!(!ids.iter().any(|r| r[1] == l[0]), "{ids:?} shows an internal line id");
    }
}

#[test]
fn explain_on_a_file_recon_cannot_read_writes_a_mapping_file_that_reads_it() {
    let ws = Ws::new();
    let p = ws.scratch("data/odd.csv");
    std::fs::write(&p, "日子,钱数,对家,单据\n2026/09/01,12.00,某公司,A1\n2026/09/02,-3.50,另一公司,A2\n").unwrap();
    let err = ws.fails(&["import", "--no-progress", p.to_str().unwrap()]);
    assert!(err.contains("no header row found"), "{err}");
    let template = ws.ok(&["import", "--explain", p.to_str().unwrap()]);
    assert!(template.starts_with("# A mapping file for"), "{template}");
    assert!(template.contains("#   钱数: 12.00 | -3.50  (not used)"), "{template}");
    // Nothing was recognised: the template offers a statement of money in and out.
    assert!(template.contains("kind = \"bank\""), "{template}");
    let filled = template
        .replace("# txn_time = \"\"", "txn_time = \"日子\"")
        .replace("# amount = \"\"", "amount = \"钱数\"")
        .replace("# counterparty = \"\"", "counterparty = \"对家\"")
        .replace("# txn_id = \"\"", "txn_id = \"单据\"");
    let map = ws.scratch("data/map.toml");
    std::fs::write(&map, &filled).unwrap();
    let out = ws.run(&["import", "--no-progress", "--map", map.to_str().unwrap(), p.to_str().unwrap()]);
    assert!(out.status.success(), "{}\n{filled}", crate::common::text(&out.stderr));
    assert_eq!(ws.rows("SELECT txn_id, amount FROM bank_txns ORDER BY 1"), [["A1", "12.00"], ["A2", "-3.50"]]);
}
