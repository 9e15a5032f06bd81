//! The trail of one order, payout or bank line — its rows with file and line, what
//! matching considered for it (each candidate with its rule and score), and in words why
//! it ended where it is — as steps an interface presents: `recon explain`, `.explain` and
//! the web pages show the same trail because they all take it from here. Everything in it
//! comes from the same views reconciliation uses, so the explanation cannot drift from
//! the answer.

use super::{literal, text_rows};
use crate::error::Error;
use crate::session::Session;

/// One step of an item's trail, in the order shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// What the trail is of, e.g. "Order X".
    Heading(String),
    /// A query's result to show whole; the first, untitled one is the item's own row.
    /// The SQL rather than its rows, so each interface runs it the way it shows tables.
    Rows { title: Option<String>, sql: String },
    /// A sentence, e.g. "Why: matched to ….".
    Text(String),
}

/// What an id names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Order(String),
    Payout(String),
    Bank(String),
}

impl Item {
    /// The order id, payout id or bank line id (`bank_txns.line_id`) it names.
    pub fn id(&self) -> &str {
        match self {
            Item::Order(id) | Item::Payout(id) | Item::Bank(id) => id,
        }
    }

    /// "order", "payout" or "bank".
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Order(_) => "order",
            Item::Payout(_) => "payout",
            Item::Bank(_) => "bank",
        }
    }
}

/// Everything `id` names, each with its trail, in order; an empty id, or one that names
/// nothing, is a usage error saying what was looked at.
pub async fn explain(session: &Session, id: &str) -> Result<Vec<(Item, Vec<Step>)>, Error> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::Usage("explain what? Give an order id, a payout id or a bank transaction id".into()));
    }
    let items = find(session, id).await?;
    if items.is_empty() {
        return Err(Error::Usage(format!(
            "no order, payout or bank line has the id {id} (looked at orders.order_id, the payouts' ids and bank_txns.txn_id)"
        )));
    }
    let mut trails = Vec::with_capacity(items.len());
    for item in items {
        let steps = trail(session, &item).await?;
        trails.push((item, steps));
    }
    Ok(trails)
}

/// Everything the id names: an order, a payout (by any of its ids), a bank line.
pub async fn find(session: &Session, id: &str) -> Result<Vec<Item>, Error> {
    let q = literal(id);
    let sql = format!(
        "SELECT 'order' AS what, order_id AS id FROM orders \
           WHERE order_id = {q} OR normalize_order_id(order_id) = normalize_order_id({q}) \
         UNION SELECT 'payout', payout_id FROM payouts \
           WHERE {q} IN (payout_id, txn_id, trade_id, payout_ref, line_id) \
         UNION SELECT 'bank', line_id FROM bank_txns WHERE {q} IN (txn_id, line_id) \
         ORDER BY what, id"
    );
    Ok(text_rows(session, &sql)
        .await?
        .into_iter()
        .filter_map(|row| match (row[0].as_str(), row[1].clone()) {
            ("order", id) => Some(Item::Order(id)),
            ("payout", id) => Some(Item::Payout(id)),
            ("bank", id) => Some(Item::Bank(id)),
            _ => None,
        })
        .collect())
}

/// The steps of one item's trail.
pub async fn trail(session: &Session, item: &Item) -> Result<Vec<Step>, Error> {
    match item {
        Item::Order(o) => order(session, o).await,
        Item::Payout(p) => payout(session, p).await,
        Item::Bank(b) => bank(session, b).await,
    }
}

/// The item's own row, shown right under the heading.
fn untitled(sql: String) -> Step {
    Step::Rows { title: None, sql }
}

fn section(title: &str, sql: String) -> Step {
    Step::Rows { title: Some(title.to_string()), sql }
}

async fn order(session: &Session, order_id: &str) -> Result<Vec<Step>, Error> {
    let q = literal(order_id);
    let mut steps = vec![
        Step::Heading(format!("Order {order_id}")),
        untitled(format!(
            "SELECT platform, channel, shop, order_time, pay_time, ship_time, status, paid_amount, source_file, source_line \
             FROM orders WHERE order_id = {q}"
        )),
    ];
    let direct = text_rows(session, &format!("SELECT settled_via FROM order_settlement WHERE order_id = {q}")).await?;
    // An order paid straight to the bank (b2b) has no platform settlement lines: its
    // trail is the bank credits matched and considered instead.
    let direct = direct.first().is_some_and(|r| r[0] == "bank");
    if direct {
        steps.push(section(
            "Bank credits matched to it (bank_matches)",
            format!(
                "SELECT m.txn_id, m.txn_time, m.bank_amount, b.counterparty_name, m.rule, m.score, m.match_group, m.manual \
                 FROM bank_matches m JOIN bank_txns b ON b.line_id = m.line_id WHERE m.order_id = {q} ORDER BY m.txn_time"
            ),
        ));
        steps.push(section(
            "Credits considered (l3_candidates: by its memo, or by a party the order names)",
            format!(
                "SELECT b.txn_id, b.txn_time, c.bank_amount, b.counterparty_name, c.by_reference, \
                        round(c.name_score, 3) AS name_score, round(c.score, 3) AS candidate_score, b.source_file, \
                        b.source_line \
                 FROM l3_candidates c JOIN bank_txns b ON b.line_id = c.line_id \
                 WHERE c.order_id = {q} ORDER BY candidate_score DESC"
            ),
        ));
        // A crowded customer's order is paired by amount only (l3_candidates): say so, or
        // the short list reads as all there was. (An order one credit pays whole is not
        // of the rest l3_reach counts, and not crowded.)
        let crowded = format!(
            "SELECT CAST(mp.candidate_limit AS VARCHAR) FROM match_params mp \
             WHERE EXISTS (SELECT 1 FROM l3_reach r WHERE r.side = 'order' AND r.id = {q} AND NOT r.complete)"
        );
        for row in text_rows(session, &crowded).await? {
            steps.push(Step::Text(format!(
                "Its customer sent more than {} credits it could be paired with by name: only credits of its \
                 amount (whole, or a deposit's tenths) and memos naming it were considered, not instalments or \
                 part payments (candidate_limit in settings.toml).",
                row[0]
            )));
        }
    } else {
        steps.push(section(
            "Settlement lines (order_lines)",
            format!(
                "SELECT txn_time, kind, amount, sub_order_id, txn_id, memo, source_file, source_line FROM order_lines \
                 WHERE order_key = normalize_order_id({q}) ORDER BY txn_time, source_line"
            ),
        ));
    }
    steps.push(section(
        "Figures (order_settlement)",
        format!(
            "SELECT expected AS paid, refunded, fees, net_expected, settled, difference, status \
             FROM order_settlement WHERE order_id = {q}"
        ),
    ));
    steps.push(section(
        "Receivable (receivables, as of as_of())",
        format!(
            "SELECT expected, received, outstanding, CAST(due_date AS DATE) AS due_date, days_overdue, aging_bucket, status \
             FROM receivables WHERE order_id = {q}"
        ),
    ));
    let reasons = format!("SELECT status, status_reason FROM receivables WHERE order_id = {q}");
    for row in text_rows(session, &reasons).await? {
        steps.push(Step::Text(format!("Why {}: {}.", row[0], row[1])));
    }
    Ok(steps)
}

async fn payout(session: &Session, payout_id: &str) -> Result<Vec<Step>, Error> {
    let q = literal(payout_id);
    let mut steps = vec![
        Step::Heading(format!("Payout {payout_id}")),
        untitled(format!(
            "SELECT platform, shop, payout_time, amount, currency, txn_id, trade_id, memo, source_file, source_line \
             FROM payouts WHERE payout_id = {q}"
        )),
        section(
            "Known by (payout_keys: a bank memo quoting any of these, whole or cut, names it)",
            format!("SELECT key FROM payout_keys WHERE payout_id = {q} ORDER BY key"),
        ),
        section(
            "Matched (bank_matches)",
            format!(
                "SELECT m.txn_id, m.txn_time, m.bank_amount, b.counterparty_name, b.memo, m.rule, m.score, m.match_group, m.manual \
                 FROM bank_matches m JOIN bank_txns b ON b.line_id = m.line_id WHERE m.payout_id = {q}"
            ),
        ),
        section(
            "Bank credits considered (l2_candidates, ref_hits)",
            format!(
                "SELECT b.txn_id, b.txn_time, b.amount, b.counterparty_name, b.memo, c.rule, c.lag AS working_days, \
                        round(c.score, 3) AS score \
                 FROM l2_candidates c JOIN bank_txns b ON b.line_id = c.line_id WHERE c.payout_id = {q} \
                 UNION ALL \
                 SELECT b.txn_id, b.txn_time, b.amount, b.counterparty_name, b.memo, 'memo names it (' || n.how || ')', \
                        working_days(p.payout_time, b.txn_time), CAST(NULL AS DOUBLE) \
                 FROM ref_hits n JOIN bank_txns b ON b.line_id = n.line_id JOIN payouts p ON p.payout_id = n.ref \
                 WHERE n.side = 'payout' AND n.ref = {q} \
                 ORDER BY score DESC NULLS LAST"
            ),
        ),
    ];
    let matched = text_rows(
        session,
        &format!(
            "SELECT m.rule, m.txn_id, CAST(m.score AS VARCHAR), m.match_group, \
                    (SELECT count(*) FROM bank_matches g WHERE g.match_group = m.match_group) \
             FROM bank_matches m WHERE m.payout_id = {q}"
        ),
    )
    .await?;
    let why = if let Some(m) = matched.first() {
        let group =
            if m[4] != "1" { format!(", one of {} links of match group {}", m[4], m[3]) } else { String::new() };
        format!("matched to bank line {} by rule {} (score {}){group}", m[1], m[0], m[2])
    } else {
        let credits: Vec<String> = text_rows(
            session,
            &format!("SELECT DISTINCT txn_id FROM match_candidates WHERE payout_id = {q} ORDER BY 1"),
        )
        .await?
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
        // Who else the same credits could be: a rival makes it a tie, not a miss.
        let rivals: Vec<String> = text_rows(
            session,
            &format!(
                "SELECT DISTINCT coalesce(payout_id, order_id) FROM match_candidates \
                 WHERE line_id IN (SELECT line_id FROM match_candidates WHERE payout_id = {q}) \
                   AND coalesce(payout_id, '') <> {q} ORDER BY 1"
            ),
        )
        .await?
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
        let params =
            text_rows(session, "SELECT CAST(window_days AS VARCHAR), CAST(fee_tolerance AS VARCHAR) FROM match_params")
                .await?;
        let (window, fee) = params.first().map_or((String::new(), String::new()), |p| (p[0].clone(), p[1].clone()));
        match (credits.is_empty(), rivals.is_empty()) {
            (false, false) => format!(
                "open: bank line {} could be it, and could as well be {}: a tie no rule settles — decide with recon match (see match_candidates)",
                credits.join(", "),
                rivals.join(", ")
            ),
            (false, true) => format!(
                "open: bank line {} could be it, but no rule chose it (see match_candidates) — decide with recon match",
                credits.join(", ")
            ),
            _ => format!(
                "open: no unmatched bank credit of this amount (or up to {fee} less) from the platform's payer within {window} working days, \
                 and no bank memo names it — still in transit, or arrived under a name recon does not know (recon match)"
            ),
        }
    };
    steps.push(Step::Text(format!("Why: {why}.")));
    Ok(steps)
}

async fn bank(session: &Session, line_id: &str) -> Result<Vec<Step>, Error> {
    let q = literal(line_id);
    // A person knows a bank line by its transaction id; the line id is recon's own, for
    // the lines whose statement gives none.
    let title =
        text_rows(session, &format!("SELECT coalesce(txn_id, line_id) FROM bank_txns WHERE line_id = {q}")).await?;
    let title = title.first().map_or(line_id.to_string(), |r| r[0].clone());
    let mut steps = vec![
        Step::Heading(format!("Bank line {title}")),
        untitled(format!(
            "SELECT account, txn_time, amount, currency, counterparty_name, counterparty_account, memo, source_file, source_line \
             FROM bank_txns WHERE line_id = {q}"
        )),
        section(
            "What its counterparty and memo say (credit_platforms, ref_hits)",
            format!(
                "SELECT 'counterparty is the payer of' AS evidence, platform AS names FROM credit_platforms WHERE line_id = {q} \
                 UNION ALL SELECT 'memo names ' || side || ' (' || how || ')', ref FROM ref_hits WHERE line_id = {q}"
            ),
        ),
        section(
            "Matched (bank_matches)",
            format!(
                "SELECT coalesce(payout_id, order_id) AS matched_to, platform, matched_amount, rule, score, match_group, manual \
                 FROM bank_matches WHERE line_id = {q}"
            ),
        ),
        section(
            "Considered (l2_candidates for payouts, l3_candidates for orders)",
            format!(
                "SELECT 'payout' AS side, payout_id AS id, payout_amount AS amount, rule, round(score, 3) AS score \
                 FROM l2_candidates WHERE line_id = {q} \
                 UNION ALL \
                 SELECT 'order', order_id, order_amount, CASE WHEN by_reference THEN 'order_reference' ELSE 'order_buyer' END, \
                        round(score, 3) \
                 FROM l3_candidates WHERE line_id = {q} ORDER BY score DESC"
            ),
        ),
    ];
    let matched = text_rows(
        session,
        &format!("SELECT coalesce(payout_id, order_id), rule FROM bank_matches WHERE line_id = {q}"),
    )
    .await?;
    let why = if matched.is_empty() {
        let debit = text_rows(session, &format!("SELECT amount < 0 FROM bank_txns WHERE line_id = {q}")).await?;
        if debit.first().is_some_and(|r| r[0] == "true") {
            "money out: recon matches money coming in".to_string()
        } else {
            let n = text_rows(session, &format!("SELECT count(*) FROM match_candidates WHERE line_id = {q}")).await?;
            match n.first().map(|r| r[0].as_str()) {
                Some(n) if n != "0" => {
                    format!("open: {n} payout(s) or order(s) could be it and no rule settles which — decide with recon match")
                }
                _ => "open: no payout or order it could be (amount, window, payer, memo): money from elsewhere, or to write off".into(),
            }
        }
    } else {
        let what: Vec<String> = matched.iter().map(|r| format!("{} ({})", r[0], r[1])).collect();
        format!("matched to {}", what.join(", "))
    };
    steps.push(Step::Text(format!("Why: {why}.")));
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::workspace::Workspace;

    /// The web serves trails from async handlers on a multi-threaded runtime, which needs
    /// the future to be Send: checked at compile time, never run.
    #[allow(dead_code)]
    fn explain_is_send(session: &Session) -> impl Send + '_ {
        explain(session, "x")
    }

    #[test]
    fn items_say_what_and_which() {
        assert_eq!((Item::Order("o".into()).kind(), Item::Order("o".into()).id()), ("order", "o"));
        assert_eq!((Item::Payout("p".into()).kind(), Item::Payout("p".into()).id()), ("payout", "p"));
        assert_eq!((Item::Bank("b".into()).kind(), Item::Bank("b".into()).id()), ("bank", "b"));
    }

    #[test]
    fn an_empty_id_or_one_naming_nothing_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let session = rt.block_on(Session::open(&ws, crate::session::default_memory_limit(), Role::Admin)).unwrap();
        match rt.block_on(explain(&session, "  ")) {
            Err(Error::Usage(m)) => assert!(m.starts_with("explain what?"), "{m}"),
            other => panic!("{other:?}"),
        }
        // A quote in the id is data, not SQL.
        match rt.block_on(explain(&session, " it's ")) {
            Err(Error::Usage(m)) => assert!(m.starts_with("no order, payout or bank line has the id it's ("), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
