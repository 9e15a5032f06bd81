//! `recon gen --noise none`, the clean data set: its truth says every order old enough
//! has settled and every payout reached the bank within days; imported, the analysis
//! finds nothing serious in it, and problems planted on top are all the high risks.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDateTime, TimeDelta};

use crate::common::{Ws, generate_into, truth};

/// The last second of the generated period, which the analysis is asked about.
const AS_OF: &str = "2026-10-31 23:59:59";

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// Rows of a query as of the end of the period, header dropped.
fn rows_as_of(ws: &Ws, sql: &str) -> Vec<Vec<String>> {
    ws.rows_at(Some(AS_OF), sql)
}

#[test]
fn clean_data_settles_old_orders_and_credits_every_payout_within_days() {
    let ws = Ws::new();
    let (out, report) = generate_into(&ws, 3000, 3, "none");
    assert!(!report.contains("rejected:"), "{report}");
    let end = at(AS_OF);

    // Orders: the truth's status, the export's order time (as imported).
    let ordered: BTreeMap<(String, String), NaiveDateTime> = ws
        .rows("SELECT platform, order_id, to_char(order_time, '%Y-%m-%d %H:%M:%S') FROM orders")
        .into_iter()
        .map(|r| ((r[0].clone(), r[1].clone()), at(&r[2])))
        .collect();
    let orders = truth(&out, "orders.csv");
    assert_eq!(ordered.len(), orders.len());
    let mut recent_unsettled = 0;
    for o in &orders {
        let t = ordered[&(o["platform"].clone(), o["order_id"].clone())];
        let status = o["status"].as_str();
        assert!(["settled", "refunded", "unsettled"].contains(&status), "{o:?}");
        if status == "unsettled" {
            assert!(end - t <= TimeDelta::days(30), "{o:?} ordered {t} is still unsettled");
            recent_unsettled += 1;
        }
    }
    assert!(recent_unsettled > 0, "the last days' orders are still open");

    // Payouts: one credit each, 0 to 5 days after it; only the last days' are in transit.
    let credited: BTreeMap<(String, String), NaiveDateTime> = truth(&out, "bank.csv")
        .into_iter()
        .map(|b| ((b["bank_account"].clone(), b["bank_txn_id"].clone()), at(&b["txn_time"])))
        .collect();
    let payouts = truth(&out, "payouts.csv");
    let mut groups = BTreeSet::new();
    let mut in_transit = BTreeSet::new();
    for p in &payouts {
        let paid_out = at(&p["payout_time"]);
        if p["bank_txn_id"].is_empty() {
            assert!(end - paid_out <= TimeDelta::days(5), "{p:?} never reached the bank");
            // Known by its wallet line's id (Pinduoduo's line has none: its 提现单号).
            let id = if p["payout_txn_id"].is_empty() { &p["payout_ref"] } else { &p["payout_txn_id"] };
            in_transit.insert(id.clone());
            continue;
        }
        let lag = credited[&(p["bank_account"].clone(), p["bank_txn_id"].clone())] - paid_out;
        assert!(lag >= TimeDelta::zero() && lag <= TimeDelta::days(5), "{p:?} credited after {lag}");
        assert!(groups.insert(p["match_group"].clone()), "{p:?} shares its credit");
    }
    assert!(payouts.len() > 500 && in_transit.len() < 5, "{} payouts, {in_transit:?} in transit", payouts.len());

    // The analysis: nothing serious, nothing overdue, and the only unmatched payouts are
    // the ones still on their way.
    let serious = rows_as_of(&ws, "SELECT kind, severity, reference, explanation FROM risks WHERE severity <> 'low'");
    assert!(serious.is_empty(), "{serious:?}");
    let statuses = rows_as_of(&ws, "SELECT DISTINCT status FROM receivables ORDER BY 1");
    // A partly refunded order that settled the rest is settled; nothing on clean data is
    // left part-paid.
    assert_eq!(statuses.concat(), ["refunded", "settled", "unsettled"]);
    let unmatched: BTreeSet<String> =
        rows_as_of(&ws, "SELECT payout_id FROM unmatched_payouts").into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(unmatched, in_transit);
}

#[test]
fn on_clean_data_the_high_risks_are_exactly_the_planted_ones() {
    let ws = Ws::new();
    let out = ws.scratch("gen");
    let g = crate::common::recon_gen()
        .args(["--orders", "3000", "--seed", "3", "--noise", "none", "--out"])
        .arg(&out)
        .args(["--plant", "fee-change,duplicate-payment,slow-platform,refund-spike"])
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", crate::common::text(&g.stderr));
    let mut args = vec!["import".to_string(), "--no-progress".to_string()];
    args.extend(crate::common::data_files(&out));
    ws.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let planted = truth(&out, "planted.csv");
    assert_eq!(planted.len(), 4, "{planted:?}");
    let plant_of = |r: &[String]| {
        planted.iter().position(|p| match p["kind"].as_str() {
            "fee_change" => r[0] == "fee_rate" && r[2] == p["platform"] && r[4] == p["month"],
            "duplicate_payment" => r[0] == "duplicate_credit" && r[4] == p["reference"],
            "slow_platform" => (r[0] == "payout_not_arrived" || r[0] == "slow_payout") && r[2] == p["platform"],
            "refund_spike" => r[0] == "refund_spike" && r[3] == p["shop"] && r[4] == p["month"],
            other => panic!("unknown plant {other}"),
        })
    };
    let high = rows_as_of(&ws, "SELECT kind, severity, platform, shop, reference FROM risks WHERE severity = 'high'");
    let mut found = BTreeSet::new();
    for r in &high {
        let p = plant_of(r).unwrap_or_else(|| panic!("high risk {r:?} is not a planted problem: {planted:?}"));
        found.insert(p);
    }
    assert_eq!(found.len(), planted.len(), "every plant is a high risk: {high:?}");
}
