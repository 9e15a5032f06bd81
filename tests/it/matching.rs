//! Matching against the generator's ground truth at both noise levels (pair precision
//! and recall, order status, no line used twice), ties left to a person, and manual
//! decisions that hold through a re-import and a new run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{Ws, equal_payouts, generated, truth};

struct Figures {
    precision: f64,
    recall: f64,
    order_accuracy: f64,
    b2b_correct: usize,
    b2b_predicted: usize,
    b2b_true: usize,
}

fn measure(ws: &Ws, out: &Path) -> Figures {
    // A payout is known by its wallet line's id (Pinduoduo's line has none: its 提现单号).
    let truth_pairs: BTreeSet<(String, String)> = truth(out, "payouts.csv")
        .into_iter()
        .filter(|p| !p["bank_txn_id"].is_empty())
        .map(|p| {
            let id = if p["payout_txn_id"].is_empty() { &p["payout_ref"] } else { &p["payout_txn_id"] };
            (id.clone(), p["bank_txn_id"].clone())
        })
        .collect();
    // Pairs no one could tell apart from the data (the same amount from the same platform,
    // no reference, each credit could be either's) count either way.
    let mut class_of: BTreeMap<String, String> = BTreeMap::new();
    for l in truth(out, "score/bank_links.csv") {
        if !l["ambiguity_class"].is_empty() {
            class_of.insert(l["payout_id"].clone(), l["ambiguity_class"].clone());
            class_of.insert(l["txn_id"].clone(), l["ambiguity_class"].clone());
        }
    }
    let predicted: BTreeSet<(String, String)> = ws
        .rows(
            "SELECT m.payout_id, b.txn_id FROM bank_matches m JOIN bank_txns b ON b.line_id = m.line_id \
             WHERE m.payout_id IS NOT NULL",
        )
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let correct = predicted
        .iter()
        .filter(|(p, t)| {
            truth_pairs.contains(&(p.clone(), t.clone())) || class_of.get(p).is_some_and(|c| class_of.get(t) == Some(c))
        })
        .count();

    let statuses: BTreeMap<(String, String), String> = ws
        .rows("SELECT platform, order_id, status FROM order_settlement")
        .into_iter()
        .map(|r| ((r[0].clone(), r[1].clone()), r[2].clone()))
        .collect();
    let orders = truth(out, "orders.csv");
    let right = orders
        .iter()
        .filter(|o| statuses.get(&(o["platform"].clone(), o["order_id"].clone())) == Some(&o["status"]))
        .count();

    let b2b_truth: BTreeSet<(String, String)> =
        truth(out, "b2b_payments.csv").into_iter().map(|p| (p["order_id"].clone(), p["bank_txn_id"].clone())).collect();
    let b2b: BTreeSet<(String, String)> = ws
        .rows(
            "SELECT m.order_id, b.txn_id FROM bank_matches m JOIN bank_txns b ON b.line_id = m.line_id \
             WHERE m.order_id IS NOT NULL",
        )
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    Figures {
        precision: correct as f64 / predicted.len().max(1) as f64,
        recall: correct as f64 / truth_pairs.len().max(1) as f64,
        order_accuracy: right as f64 / orders.len() as f64,
        b2b_correct: b2b.intersection(&b2b_truth).count(),
        b2b_predicted: b2b.len(),
        b2b_true: b2b_truth.len(),
    }
}

fn no_line_used_twice(ws: &Ws) {
    let twice = ws.value(
        "SELECT count(*) FROM (SELECT line_id FROM bank_matches GROUP BY line_id HAVING count(DISTINCT match_group) > 1)",
    );
    assert_eq!(twice, "0", "a bank line is in two matches");
    let twice = ws.value(
        "SELECT count(*) FROM (SELECT payout_id FROM bank_matches WHERE payout_id IS NOT NULL \
         GROUP BY payout_id HAVING count(DISTINCT match_group) > 1)",
    );
    assert_eq!(twice, "0", "a payout is in two matches");
    let pairs =
        ws.value("SELECT count(*) - count(DISTINCT coalesce(payout_id, order_id) || '/' || line_id) FROM bank_matches");
    assert_eq!(pairs, "0", "a pair listed twice");
}

#[test]
fn accuracy_against_ground_truth_at_both_noise_levels() {
    for (noise, seed) in [("low", 41), ("high", 42), ("high", 43)] {
        let (ws, out) = generated(4000, seed, noise);
        let f = measure(&ws, &out);
        println!(
            "noise {noise} seed {seed}: payout pairs precision {:.4} recall {:.4}; order status {:.4}; b2b pairs {}/{} right of {} true",
            f.precision, f.recall, f.order_accuracy, f.b2b_correct, f.b2b_predicted, f.b2b_true
        );
        assert!(f.precision >= 0.995, "{noise}/{seed}: precision {}", f.precision);
        assert!(f.recall >= 0.98, "{noise}/{seed}: recall {}", f.recall);
        assert!(f.order_accuracy >= 0.99, "{noise}/{seed}: order status {}", f.order_accuracy);
        assert_eq!(f.b2b_correct, f.b2b_predicted, "{noise}/{seed}: every B2B pair found is right");
        no_line_used_twice(&ws);
    }
}

#[test]
fn a_tie_is_left_to_a_person_who_settles_it_by_hand() {
    let ws = Ws::new();
    equal_payouts(&ws);

    // The 321.09 pair is certain; the two equal payouts of the same moment are not.
    let matched = ws.rows("SELECT m.payout_id, b.txn_id, m.rule FROM bank_matches m JOIN bank_txns b USING (line_id)");
    assert_eq!(matched, vec![vec!["W003".to_string(), "B2".into(), "amount".into()]]);
    let options = ws.rows("SELECT payout_id, txn_id, rule FROM match_candidates ORDER BY payout_id");
    assert_eq!(options.len(), 2, "{options:?}");
    assert_eq!((options[0][0].as_str(), options[1][0].as_str(), options[0][1].as_str()), ("W001", "W002", "B1"));
    assert_eq!(ws.value("SELECT count(*) FROM unmatched_payouts"), "2");

    let said = ws.ok(&["match", "--payout", "W001", "--bank", "B1", "--reason", "Alipay support: W001 paid on 13 Oct"]);
    assert!(said.contains("decision 1: matched payout W001"), "{said}");
    let matched = ws.rows("SELECT payout_id, rule, manual FROM bank_matches ORDER BY payout_id");
    assert_eq!(matched[0], vec!["W001".to_string(), "manual".into(), "true".into()]);
    assert_eq!(ws.value("SELECT count(*) FROM match_candidates"), "0");
    assert_eq!(ws.value("SELECT payout_id FROM unmatched_payouts"), "W002");
    let action = ws.rows("SELECT action, payouts, reason, user FROM manual_actions");
    assert_eq!(action[0], vec!["match", "W001", "Alipay support: W001 paid on 13 Oct", "admin"]);

    // Bad decisions say what is wrong and change nothing.
    let before = ws.state();
    assert!(
        ws.fails(&["match", "--payout", "W002", "--bank", "B1", "--reason", "x"]).contains("already matched by hand")
    );
    assert!(
        ws.fails(&["match", "--payout", "W404", "--bank", "B1", "--reason", "x"]).contains("there is no payout W404")
    );
    assert!(
        ws.fails(&["match", "--payout", "W002", "--bank", "B9", "--reason", "x"]).contains("there is no bank line B9")
    );
    assert!(ws.fails(&["match", "--payout", "W002", "--reason", "x"]).contains("at least one --bank"));
    assert!(ws.fails(&["writeoff", "--payout", "W002", "--reason", " "]).contains("--reason"));
    assert_eq!(before, ws.state());

    // A write-off closes the last open payout.
    let said = ws.ok(&["writeoff", "--payout", "W002", "--reason", "duplicate withdrawal reversed by Alipay"]);
    assert!(said.contains("wrote off 500.00"), "{said}");
    assert_eq!(ws.value("SELECT count(*) FROM unmatched_payouts"), "0");
}

#[test]
fn decisions_hold_through_a_reimport_and_a_new_run() {
    let (ws, out) = generated(1500, 7, "high");
    let first = ws.ok(&["reconcile"]);
    assert!(first.contains("Run 1 by admin"), "{first}");
    assert!(first.contains("Matched (bank_matches)") && first.contains("unmatched_bank"), "{first}");

    // Break an automatic pair, match an open payout to an open credit by hand, write
    // off an order's difference.
    let auto = ws.rows(
        "SELECT m.payout_id, b.txn_id FROM bank_matches m JOIN bank_txns b USING (line_id) WHERE m.rule = 'amount' \
         ORDER BY m.payout_id LIMIT 1",
    );
    let (p_auto, b_auto) = (auto[0][0].clone(), auto[0][1].clone());
    ws.ok(&["unmatch", "--payout", &p_auto, "--bank", &b_auto, "--reason", "the shop says this credit is not it"]);
    let open_payout = ws.value(&format!(
        "SELECT payout_id FROM unmatched_payouts WHERE payout_id <> '{p_auto}' ORDER BY payout_id LIMIT 1"
    ));
    let open_line =
        ws.value(&format!("SELECT txn_id FROM unmatched_bank WHERE txn_id <> '{b_auto}' ORDER BY txn_id LIMIT 1"));
    ws.ok(&["match", "--payout", &open_payout, "--bank", &open_line, "--reason", "confirmed with the platform"]);
    let order =
        ws.value("SELECT order_id FROM order_settlement WHERE status = 'discrepancy' ORDER BY order_id LIMIT 1");
    ws.ok(&["writeoff", "--order", &order, "--reason", "small difference accepted"]);

    let check = |ws: &Ws| {
        let pair = format!(
            "SELECT count(*) FROM bank_matches m JOIN bank_txns b USING (line_id) WHERE m.payout_id = '{p_auto}' AND b.txn_id = '{b_auto}'"
        );
        assert_eq!(ws.value(&pair), "0", "the broken pair stays broken");
        let manual = format!(
            "SELECT rule FROM bank_matches m JOIN bank_txns b USING (line_id) WHERE m.payout_id = '{open_payout}' AND b.txn_id = '{open_line}'"
        );
        assert_eq!(ws.value(&manual), "manual");
        assert_eq!(ws.value(&format!("SELECT status FROM order_settlement WHERE order_id = '{order}'")), "settled");
    };
    check(&ws);

    // Take the bank statements away: the decisions are reported, not lost.
    let bank_imports = ws.rows("SELECT id FROM imports WHERE kind = 'bank' ORDER BY id");
    for id in &bank_imports {
        ws.ok(&["imports", "undo", &id[0]]);
    }
    let orphans = ws.ok(&["reconcile"]);
    assert_eq!(ws.value("SELECT count(DISTINCT action_id) FROM manual_orphans"), "2", "{orphans}");
    assert_eq!(ws.value("SELECT count(*) FROM bank_matches WHERE manual"), "0");

    // Bring them back: everything decided holds again, in the live views and in a new run.
    for f in std::fs::read_dir(out.join("bank")).unwrap() {
        ws.import(&f.unwrap().path());
    }
    check(&ws);
    let third = ws.ok(&["reconcile"]);
    assert!(third.contains("Run 3"), "{third}");
    assert_eq!(ws.value("SELECT count(*) FROM manual_orphans"), "0");
    assert_eq!(
        ws.value(&format!("SELECT rule FROM run_bank_matches WHERE run_id = 3 AND payout_id = '{open_payout}'")),
        "manual"
    );
    // Earlier runs stay as they were.
    assert_eq!(ws.value("SELECT count(*) FROM run_bank_matches WHERE run_id = 2 AND manual"), "0");
    assert_eq!(ws.value("SELECT count(*) FROM runs"), "3");
}

#[test]
fn a_run_keeps_the_period_asked_for() {
    let (ws, _) = generated(800, 5, "low");
    ws.ok(&["reconcile", "--from", "2026-03-01", "--to", "2026-03-31"]);
    let outside = ws.value(
        "SELECT count(*) FROM run_bank_matches WHERE txn_time < TIMESTAMP '2026-03-01 00:00:00' \
         OR txn_time >= TIMESTAMP '2026-04-01 00:00:00'",
    );
    assert_eq!(outside, "0");
    let inside = ws.value(
        "SELECT count(*) FROM bank_matches WHERE txn_time >= TIMESTAMP '2026-03-01 00:00:00' \
         AND txn_time < TIMESTAMP '2026-04-01 00:00:00'",
    );
    assert_eq!(ws.value("SELECT count(*) FROM run_bank_matches"), inside);
    assert_eq!(ws.value("SELECT period_from || ' ' || period_to FROM runs"), "2026-03-01 2026-03-31");
    assert!(ws.value("SELECT params FROM runs").contains("window_days=5"));
    assert!(ws.fails(&["reconcile", "--from", "2026-04-01", "--to", "2026-03-01"]).contains("is after"));
}
