//! Operations' reconciliation: shipments, returns, a courier bill and stock movements
//! imported as they come from the warehouse, the platforms and the courier; every
//! disagreement between them (and with orders and settlement) listed once in
//! `anomalies`, worked to resolution, and a month closed so that late data is flagged,
//! not folded in.

use std::collections::BTreeMap;

use crate::common::{PASSWORD, Ws, add_user, as_user, rows_as, text};

const ACCOUNTANT_PW: &str = "accountant-pass-2026";
const AS_OF: &str = "2026-10-31 23:59:59";

/// Writes the files of one month in which each kind of disagreement happens once, and
/// imports them. Order 100001 is the one with nothing wrong on its own side.
fn month_of_logistics(ws: &Ws) {
    let files = [
        (
            "orders.csv",
            "平台,店铺名称,订单编号,下单时间,付款时间,订单状态,订单金额,实付金额,商家编码,宝贝总数量\n\
             天猫,云帆天猫旗舰店,100001,2026-10-01 09:00:00,2026-10-01 09:01:00,交易成功,100.00,100.00,YF-A,1\n\
             天猫,云帆天猫旗舰店,100002,2026-10-01 10:00:00,2026-10-01 10:01:00,交易成功,200.00,200.00,YF-A,2\n\
             天猫,云帆天猫旗舰店,100003,2026-10-02 10:00:00,2026-10-02 10:01:00,买家已付款,100.00,100.00,YF-A,1\n\
             天猫,云帆天猫旗舰店,100004,2026-10-02 11:00:00,2026-10-02 11:01:00,交易关闭,100.00,100.00,YF-A,1\n\
             天猫,云帆天猫旗舰店,100005,2026-10-02 12:00:00,2026-10-02 12:01:00,交易成功,100.00,100.00,YF-A,1\n\
             天猫,云帆天猫旗舰店,100006,2026-10-03 09:00:00,2026-10-03 09:01:00,交易成功,100.00,100.00,YF-A,1\n\
             天猫,云帆天猫旗舰店,100007,2026-10-03 10:00:00,2026-10-03 10:01:00,交易成功,100.00,100.00,YF-A,1\n\
             天猫,云帆天猫旗舰店,100008,2026-10-03 11:00:00,2026-10-03 11:01:00,交易成功,100.00,100.00,YF-A,1\n\
             天猫,云帆天猫旗舰店,100009,2026-10-03 12:00:00,2026-10-03 12:01:00,交易成功,100.00,100.00,YF-A,1\n",
        ),
        (
            // Order 100005 is settled the day after payment, two days before it ships.
            "wallet.csv",
            "账务流水号,发生时间,业务类型,收入金额（+元）,支出金额（-元）,商户订单号,备注\n\
             W1,2026-10-03 12:00:00,交易,100.00,,100005,交易收款\n",
        ),
        (
            "shipments.csv",
            "平台,店铺,订单编号,物流公司,运单号,发货时间,商品编码,商品名称,数量,重量(kg),发货仓库\n\
             天猫,云帆天猫旗舰店,100001,中通快递,T1,2026-10-02 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n\
             天猫,云帆天猫旗舰店,100002,中通快递,T2,2026-10-02 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n\
             天猫,云帆天猫旗舰店,100005,中通快递,T5,2026-10-05 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n\
             天猫,云帆天猫旗舰店,100006,中通快递,,2026-10-04 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n\
             天猫,云帆天猫旗舰店,999999,中通快递,T999,2026-10-04 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n\
             天猫,云帆天猫旗舰店,100007,中通快递,T7,2026-10-04 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n\
             天猫,云帆天猫旗舰店,100008,中通快递,T8,2026-10-04 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n\
             天猫,云帆天猫旗舰店,100009,中通快递,T9,2026-10-04 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n",
        ),
        (
            "returns.csv",
            "售后单号,订单编号,平台,店铺,退货物流公司,退货运单号,商品编码,商品名称,退货数量,售后状态,退款金额,申请时间,签收时间\n\
             R1,100001,天猫,云帆天猫旗舰店,中通快递,RT1,YF-A,蓝牙耳机,1,退款成功,100.00,2026-10-08 10:00:00,2026-10-11 10:00:00\n\
             R2,100002,天猫,云帆天猫旗舰店,中通快递,RT2,YF-A,蓝牙耳机,1,退款关闭,100.00,2026-10-08 10:00:00,\n\
             R3,100007,天猫,云帆天猫旗舰店,中通快递,RT3,YF-A,蓝牙耳机,1,退款成功,100.00,2026-10-08 10:00:00,2026-10-12 10:00:00\n",
        ),
        (
            // T8 is charged 9.50 for 1 kg where the contract says 4.50; T9 twice.
            "zto_bill.csv",
            "快递公司,账单周期,运单号,业务类型,寄件时间,计费重量(kg),运费,附加费,费用合计\n\
             中通快递,2026-10,T1,寄件,2026-10-02 10:00:00,1.00,4.50,0.00,4.50\n\
             中通快递,2026-10,T2,寄件,2026-10-02 10:00:00,1.00,4.50,0.00,4.50\n\
             中通快递,2026-10,T5,寄件,2026-10-05 10:00:00,1.00,4.50,0.00,4.50\n\
             中通快递,2026-10,T999,寄件,2026-10-04 10:00:00,1.00,4.50,0.00,4.50\n\
             中通快递,2026-10,T7,寄件,2026-10-04 10:00:00,1.00,4.50,0.00,4.50\n\
             中通快递,2026-10,T8,寄件,2026-10-04 10:00:00,1.00,9.50,0.00,9.50\n\
             中通快递,2026-10,T9,寄件,2026-10-04 10:00:00,1.00,4.50,0.00,4.50\n\
             中通快递,2026-10,T9,寄件,2026-10-04 10:00:00,1.00,4.50,0.00,4.50\n\
             中通快递,2026-10,RT2,退件,2026-10-09 10:00:00,2.30,7.50,2.00,9.50\n\
             中通快递,2026-10,RT3,退件,2026-10-10 10:00:00,1.00,4.50,0.00,4.50\n\
             中通快递,2026-10,RT9,退件,2026-10-10 10:00:00,1.00,4.50,0.00,4.50\n",
        ),
        (
            // 100007 shipped one but two went out of stock; R3 brought one back, two booked in.
            "stock.csv",
            "商品编码,仓库,业务时间,业务类型,数量,关联单号,结存数量\n\
             YF-A,杭州仓,2026-10-01 00:00:00,期初,100,,100\n\
             YF-A,杭州仓,2026-10-02 10:00:00,销售出库,-1,100001,99\n\
             YF-A,杭州仓,2026-10-02 10:00:00,销售出库,-1,100002,98\n\
             YF-A,杭州仓,2026-10-05 10:00:00,销售出库,-1,100005,97\n\
             YF-A,杭州仓,2026-10-04 10:00:00,销售出库,-1,100006,96\n\
             YF-A,杭州仓,2026-10-04 10:00:00,销售出库,-1,999999,95\n\
             YF-A,杭州仓,2026-10-04 10:00:00,销售出库,-2,100007,93\n\
             YF-A,杭州仓,2026-10-04 10:00:00,销售出库,-1,100008,92\n\
             YF-A,杭州仓,2026-10-04 10:00:00,销售出库,-1,100009,91\n\
             YF-A,杭州仓,2026-10-12 10:00:00,退货入库,2,R3,93\n\
             YF-A,杭州仓,2026-10-31 20:00:00,盘点,0,,93\n\
             YF-B,嘉兴仓,2026-10-01 00:00:00,期初,10,,10\n\
             YF-B,嘉兴仓,2026-10-31 20:00:00,盘点,0,,9\n",
        ),
    ];
    for (name, content) in files {
        let path = ws.scratch(name);
        std::fs::write(&path, content).unwrap();
        let report = ws.import(&path);
        assert!(report.contains("0 rejected"), "{name}: {report}");
    }
}

fn anomalies(ws: &Ws) -> BTreeMap<String, Vec<String>> {
    let rows =
        ws.rows_at(Some(AS_OF), "SELECT kind, reference, state, amount, explanation FROM anomalies ORDER BY kind");
    let mut by_kind: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        assert!(!r[4].is_empty(), "{r:?} explains itself");
        by_kind.entry(r[0].clone()).or_default().push(r[1].clone());
    }
    by_kind
}

#[test]
fn every_disagreement_is_listed_once_with_its_kind() {
    let ws = Ws::new();
    month_of_logistics(&ws);
    let expected: BTreeMap<String, Vec<String>> = [
        ("courier_billed_twice", "T9"),
        ("courier_overcharge", "T8"),
        ("inventory_out_differs", "100007"),
        ("logistics_missing", "100006"),
        ("paid_not_shipped", "100003"),
        ("return_not_carried", "R1"),
        ("return_not_in_returns", "RT9"),
        ("return_quantity_differs", "R3"),
        ("return_state_differs", "R2"),
        ("settled_before_shipment", "100005"),
        ("shipped_not_ordered", "999999"),
        ("shipped_quantity_differs", "100002"),
        ("stock_count_differs", "YF-B"),
    ]
    .into_iter()
    .map(|(k, r)| (k.to_string(), vec![r.to_string()]))
    .collect();
    assert_eq!(anomalies(&ws), expected);
    // Amounts where money is at stake: 5.00 over the contract, 4.50 billed twice.
    let money = ws.rows_at(Some(AS_OF), "SELECT kind, amount FROM anomalies WHERE amount IS NOT NULL ORDER BY kind");
    assert!(money.contains(&vec!["courier_overcharge".into(), "5.00".into()]), "{money:?}");
    assert!(money.contains(&vec!["courier_billed_twice".into(), "4.50".into()]), "{money:?}");
    let why = ws.rows_at(Some(AS_OF), "SELECT explanation FROM anomalies WHERE kind = 'courier_overcharge'");
    assert!(why[0][0].contains("9.50") && why[0][0].contains("4.50"), "{why:?}");

    // Re-importing the courier bill adds nothing: the line billed twice stays two lines.
    let again = ws.import(&ws.scratch("zto_bill.csv"));
    assert!(again.contains("11 duplicates"), "{again}");
    assert_eq!(ws.value("SELECT count(*) FROM courier_bills WHERE tracking_no = 'T9'"), "2");
}

#[test]
fn anomalies_are_worked_to_resolution() {
    let ws = Ws::new();
    month_of_logistics(&ws);
    add_user(&ws, "alan", "accountant", ACCOUNTANT_PW);
    add_user(&ws, "vera", "viewer", "viewer-pass-2026");
    let admin = |args: &[&str]| {
        let out = as_user(&ws, "admin", PASSWORD, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let alan = |args: &[&str]| as_user(&ws, "alan", ACCOUNTANT_PW, args);
    let state = |key: &str| {
        let sql = format!(
            "SELECT state, coalesce(assignee, '-'), coalesce(note, '-') FROM anomalies WHERE anomaly_key = '{key}'"
        );
        rows_as(&ws, "admin", PASSWORD, Some(AS_OF), &sql).first().map(|r| r.join(",")).unwrap_or_default()
    };
    let key = "courier_overcharge:T8";
    assert_eq!(state(key), "open,-,-");
    admin(&["anomaly", "assign", key, "alan", "--note", "ask ZTO for a credit"]);
    assert_eq!(state(key), "open,alan,ask ZTO for a credit");
    let started = alan(&["anomaly", "start", key]);
    assert!(started.status.success(), "{}", text(&started.stderr));
    assert_eq!(state(key), "in_progress,alan,-");
    // Resolving says how; an unknown key or user is refused with what to do.
    let bare = alan(&["anomaly", "resolve", key, "--note", " "]);
    assert!(!bare.status.success() && text(&bare.stderr).contains("how it was resolved"), "{}", text(&bare.stderr));
    let unknown = alan(&["anomaly", "start", "courier_overcharge:T404"]);
    assert!(text(&unknown.stderr).contains("anomaly list"), "{}", text(&unknown.stderr));
    let nobody = admin_fails(&ws, &["anomaly", "assign", key, "bob"]);
    assert!(nobody.contains("no user 'bob'"), "{nobody}");
    let done = alan(&["anomaly", "resolve", key, "--note", "ZTO credited 5.00 on the November bill"]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    // A viewer reads anomalies but changes none.
    let viewer =
        as_user(&ws, "vera", "viewer-pass-2026", &["anomaly", "ignore", "paid_not_shipped:100003", "--note", "x"]);
    assert_eq!(viewer.status.code(), Some(4), "{}", text(&viewer.stderr));

    // The state stays with the key through new imports and runs; the open list drops it.
    let more = ws.scratch("more_stock.csv");
    std::fs::write(
        &more,
        "商品编码,仓库,业务时间,业务类型,数量,关联单号,结存数量\nYF-C,杭州仓,2026-10-01 00:00:00,期初,5,,5\n",
    )
    .unwrap();
    admin(&["import", "--no-progress", more.to_str().unwrap()]);
    admin(&["reconcile", "--no-progress"]);
    assert_eq!(state(key), "resolved,alan,ZTO credited 5.00 on the November bill");
    let open = rows_as(
        &ws,
        "admin",
        PASSWORD,
        Some(AS_OF),
        "SELECT anomaly_key, age_bucket FROM open_anomalies ORDER BY age_days DESC",
    );
    assert_eq!(open.len(), 12, "{open:?}");
    assert!(!open.iter().any(|r| r[0] == key));
    assert!(open.iter().all(|r| ["0-7", "8-30", "31-60", "60+"].contains(&r[1].as_str())), "{open:?}");
    let listed = admin(&["--as-of", AS_OF, "anomaly", "list"]);
    assert!(listed.contains("paid_not_shipped:100003") && !listed.contains(key), "{listed}");

    // Every change is in the audit log, with who and why.
    let audit = admin(&["audit", "--event", "anomaly"]);
    for needle in
        ["open → open, with alan: ask ZTO", "open → in_progress, with alan", "in_progress → resolved", "ZTO credited"]
    {
        assert!(audit.contains(needle), "{needle}: {audit}");
    }
    assert!(admin(&["audit", "verify"]).contains("audit log intact"));
}

fn admin_fails(ws: &Ws, args: &[&str]) -> String {
    let out = as_user(ws, "admin", PASSWORD, args);
    assert!(!out.status.success(), "{args:?} should fail");
    text(&out.stderr)
}

#[test]
fn a_closed_month_keeps_its_figures_and_late_data_is_flagged() {
    let ws = Ws::new();
    month_of_logistics(&ws);
    let run = ws.ok(&["--as-of", AS_OF, "reconcile", "--period", "month", "2026-10", "--no-progress"]);
    assert!(run.contains("run 1"), "{run}");
    assert_eq!(ws.value("SELECT period_from || ' ' || period_to FROM runs WHERE run_id = 1"), "2026-10-01 2026-10-31");
    let figures = "SELECT count(*), sum(expected), sum(outstanding) FROM run_receivables WHERE run_id = 1";
    let before = ws.rows(figures);
    let closed = ws.ok(&["close", "2026-10"]);
    assert!(closed.contains("closed 2026-10: run 1"), "{closed}");
    assert_eq!(ws.rows("SELECT period, state, run_id FROM periods"), vec![vec!["2026-10", "closed", "1"]]);

    // A late order dated in October: the import says so, anomalies list it, and the
    // closed run's figures do not move.
    let late = ws.scratch("late_orders.csv");
    std::fs::write(
        &late,
        "平台,店铺名称,订单编号,下单时间,付款时间,订单状态,订单金额,实付金额\n\
         天猫,云帆天猫旗舰店,100010,2026-10-20 09:00:00,2026-10-20 09:01:00,交易成功,300.00,300.00\n",
    )
    .unwrap();
    let report = ws.import(&late);
    assert!(report.contains("1 rows dated in 2026-10, which is closed"), "{report}");
    let flagged =
        ws.rows_at(Some(AS_OF), "SELECT reference, amount FROM anomalies WHERE kind = 'closed_period_changed'");
    assert_eq!(flagged, vec![vec!["2026-10/import-7", "300.00"]]);
    assert_eq!(ws.rows(figures), before);
    // The live view sees the new order; the closed run does not.
    assert_eq!(ws.value("SELECT count(*) FROM receivables WHERE order_id = '100010'"), "1");
    assert_eq!(ws.value("SELECT count(*) FROM run_receivables WHERE order_id = '100010'"), "0");

    // October cannot be run again while closed; only an admin reopens it, saying why.
    let again = ws.run(&["reconcile", "--period", "2026-10", "--no-progress"]);
    assert!(text(&again.stderr).contains("2026-10 is closed"), "{}", text(&again.stderr));
    add_user(&ws, "alan", "accountant", ACCOUNTANT_PW);
    let by_alan = as_user(&ws, "alan", ACCOUNTANT_PW, &["reopen", "2026-10", "--reason", "late order"]);
    assert_eq!(by_alan.status.code(), Some(4), "{}", text(&by_alan.stderr));
    let admin = |args: &[&str]| {
        let out = as_user(&ws, "admin", PASSWORD, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    admin(&["reopen", "2026-10", "--reason", "late order 100010 from Tmall"]);
    let audit = admin(&["audit", "--event", "reopen"]);
    assert!(audit.contains("late order 100010 from Tmall"), "{audit}");
    let rerun = admin(&["--as-of", AS_OF, "reconcile", "--period", "month", "2026-10", "--no-progress"]);
    assert!(rerun.contains("run 2"), "{rerun}");
    let sql = |q: &str| rows_as(&ws, "admin", PASSWORD, None, q);
    assert_eq!(sql("SELECT count(*) FROM run_receivables WHERE run_id = 2 AND order_id = '100010'"), vec![vec!["1"]]);
    admin(&["close", "2026-10"]);
    assert_eq!(
        sql("SELECT state, run_id FROM periods ORDER BY closed_at"),
        vec![vec!["reopened", "1"], vec!["closed", "2"]]
    );
}

/// The same work from the shell, on a real terminal: list, resolve, run the month, close it.
#[test]
fn working_anomalies_and_closing_in_the_shell() {
    let ws = Ws::new();
    month_of_logistics(&ws);
    let mut p = crate::shell::login(&ws, PASSWORD);
    p.exp_string("recon> ").unwrap();
    p.send_line(".anomaly list --kind courier_overcharge").unwrap();
    p.exp_string("courier_overcharge:T8  (high, open, 28 days, 5.00)").unwrap();
    p.exp_string("charged 9.50 for T8 (send, 1.00 kg); the contract says 4.50").unwrap();
    p.exp_string("1 open anomaly").unwrap();
    p.send_line(".anomaly resolve courier_overcharge:T8 --note \"credited on the November bill\"").unwrap();
    p.exp_string("resolved: credited on the November bill").unwrap();
    p.send_line(".close 2026-10").unwrap();
    p.exp_string("no run for 2026-10 yet").unwrap();
    p.send_line(".reconcile --period month 2026-10 --no-progress").unwrap();
    p.exp_string("Kept as run 1").unwrap();
    p.send_line(".close 2026-10").unwrap();
    p.exp_string("closed 2026-10: run 1").unwrap();
    p.send_line("SELECT count(*) AS still_open FROM open_anomalies;").unwrap();
    p.exp_string(" 12 |").unwrap();
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(ws.value("SELECT state FROM periods"), "closed");
}

/// `recon gen --plant logistics` puts two of each problem into a clean generated year;
/// each is found once, with its kind and reference, and nothing else is. Without the
/// plants the same year raises no anomaly at all.
#[test]
fn generated_problems_are_found_exactly_once_and_clean_data_raises_none() {
    let ws = Ws::new();
    let (out, report) = crate::common::generate_all_into(&ws, 3000, 3, "none", &["--plant", "logistics"]);
    assert!(!report.contains("rejected:"), "{report}");
    let mut found: Vec<(String, String)> = ws
        .rows_at(Some(AS_OF), "SELECT kind, reference FROM anomalies")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let mut planted: Vec<(String, String)> = crate::common::truth(&out, "planted.csv")
        .into_iter()
        .map(|r| (r["kind"].clone(), r["reference"].clone()))
        .collect();
    found.sort();
    planted.sort();
    assert_eq!(planted.len(), 26, "two of each of the thirteen kinds");
    assert_eq!(found, planted);

    let clean = Ws::new();
    crate::common::generate_all_into(&clean, 3000, 3, "none", &[]);
    assert_eq!(
        clean.rows_at(Some(AS_OF), "SELECT kind, reference, explanation FROM anomalies"),
        Vec::<Vec<String>>::new()
    );
    assert_eq!(clean.value("SELECT count(*) > 2000 FROM shipments"), "true");
}
