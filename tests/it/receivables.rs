//! Receivables as of an instant: one row per order with what is expected, received and
//! outstanding, due dates from the platform's cycle, overdue days and aging buckets; the
//! same figures for a past month end whenever they are asked for.

use crate::common::Ws;

fn generated() -> Ws {
    crate::common::generated(1500, 9, "high").0
}

fn at(ws: &Ws, as_of: &str, sql: &str) -> Vec<Vec<String>> {
    ws.rows_at(Some(as_of), sql)
}

#[test]
fn receivables_as_of_month_end() {
    let ws = generated();
    let end = "2026-10-31";
    let one = |sql: &str| at(&ws, end, sql)[0][0].clone();
    assert_eq!(one("SELECT count(*) - count(DISTINCT platform || order_id) FROM receivables"), "0");
    assert_eq!(one("SELECT count(*) FROM receivables"), one("SELECT count(*) FROM orders"));
    let statuses = at(&ws, end, "SELECT DISTINCT status FROM receivables ORDER BY 1");
    for s in &statuses {
        assert!(
            ["settled", "partial", "unsettled", "overdue", "refunded", "discrepancy"].contains(&s[0].as_str()),
            "{s:?}"
        );
    }
    assert!(statuses.iter().any(|s| s[0] == "overdue") && statuses.iter().any(|s| s[0] == "settled"), "{statuses:?}");
    // Settled orders owe nothing; what is outstanding is never negative; overdue is past due.
    assert_eq!(
        one("SELECT count(*) FROM receivables WHERE status = 'settled' AND (outstanding <> 0 OR received <> expected)"),
        "0"
    );
    assert_eq!(one("SELECT count(*) FROM receivables WHERE outstanding < 0"), "0");
    assert_eq!(
        one(
            "SELECT count(*) FROM receivables WHERE status = 'overdue' AND NOT (due_date < as_of() AND days_overdue >= 0 AND outstanding > 0)"
        ),
        "0"
    );
    // Buckets agree with the days.
    assert_eq!(
        one("SELECT count(*) FROM receivables WHERE status = 'overdue' AND NOT (
            (aging_bucket = '0-30' AND days_overdue <= 30) OR (aging_bucket = '31-60' AND days_overdue BETWEEN 31 AND 60)
            OR (aging_bucket = '61-90' AND days_overdue BETWEEN 61 AND 90) OR (aging_bucket = '90+' AND days_overdue > 90))"),
        "0"
    );
    // Aging and the follow-up list add up to the receivables, to the cent.
    let total = one("SELECT sum(outstanding) FROM receivables WHERE outstanding > 0");
    assert_eq!(one("SELECT sum(outstanding) FROM aging"), total);
    let overdue = one("SELECT sum(outstanding) FROM receivables WHERE status = 'overdue'");
    assert_eq!(one("SELECT sum(outstanding) FROM follow_up"), overdue);
    let chase = at(&ws, end, "SELECT outstanding FROM follow_up");
    let amounts: Vec<f64> = chase.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "largest first");
}

#[test]
fn a_past_month_end_is_reproduced() {
    let ws = generated();
    let june = "2026-06-30";
    // An order paid in June whose money came in July: open at the end of June, settled later.
    let order = at(
        &ws,
        "2026-10-31",
        "SELECT r.order_id FROM receivables r JOIN order_lines l ON l.order_key = r.order_id
         WHERE r.status = 'settled' AND r.order_time BETWEEN TIMESTAMP '2026-06-20 00:00:00' AND TIMESTAMP '2026-06-30 00:00:00'
           AND l.kind = 'sale' AND l.txn_time > TIMESTAMP '2026-07-01 00:00:00'
         ORDER BY r.order_id LIMIT 1",
    )[0][0]
        .clone();
    let then = at(&ws, june, &format!("SELECT status, received FROM receivables WHERE order_id = '{order}'"));
    assert!(["unsettled", "overdue"].contains(&then[0][0].as_str()), "{then:?}");
    assert_eq!(then[0][1], "0.00");
    assert_eq!(
        at(&ws, june, "SELECT count(*) FROM receivables WHERE order_time > TIMESTAMP '2026-06-30 23:59:59'")[0][0],
        "0"
    );

    // The same figures every time, whether by --as-of or SET in the session.
    let summary = "SELECT status, count(*), sum(outstanding) FROM receivables GROUP BY status ORDER BY status";
    let first = at(&ws, june, summary);
    assert_eq!(first, at(&ws, june, summary));
    let set = ws.ok(&["sql", "--format", "csv", "-c", &format!("SET recon.as_of = '{june}'; {summary}")]);
    let mut expected = String::from("status,count(*),sum(receivables.outstanding)\n");
    for r in &first {
        expected.push_str(&format!("{}\n", r.join(",")));
    }
    assert_eq!(set, expected);

    assert!(ws.fails(&["--as-of", "last tuesday", "sql", "-c", "SELECT 1"]).contains("--as-of last tuesday"));
    assert!(
        ws.fails(&["sql", "-c", "SET recon.as_of = 'soon'; SELECT count(*) FROM receivables"]).contains("not a time")
    );
}

#[test]
fn settlement_cycles_come_from_the_settings() {
    let ws = generated();
    let end = "2026-10-31";
    let overdue = |ws: &Ws| {
        at(ws, end, "SELECT count(*) FROM receivables WHERE platform = 'tmall' AND status = 'overdue'")[0][0]
            .parse::<u64>()
            .unwrap()
    };
    let before = overdue(&ws);
    std::fs::write(
        ws.root.join("settings.toml"),
        "[receivables]\ncycle_days = { tmall = 1 }\naging_buckets = [7, 30]\n",
    )
    .unwrap();
    assert!(overdue(&ws) > before);
    let labels = at(&ws, end, "SELECT DISTINCT aging_bucket FROM receivables WHERE status = 'overdue' ORDER BY 1");
    for l in &labels {
        assert!(["0-7", "8-30", "30+"].contains(&l[0].as_str()), "{labels:?}");
    }
}
