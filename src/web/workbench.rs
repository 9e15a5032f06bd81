//! The reconciliation workbench: open payouts and B2B orders on the left, open bank
//! credits on the right, filtered and paged on the server; the candidates of the item
//! selected with the evidence each rule saw; and the decisions — accept, match by hand
//! (N:1 and 1:N), unmatch, write off, bulk-accept, take back — which are the same
//! `manual_actions` as `recon match|unmatch|writeoff`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::fields::Fields;
use super::guard::Current;
use super::render::{broken, failed, flash, flash_undo, page as show};
use super::state::AppState;
use crate::app::{DecisionKind, DecisionRequest, literal};
use crate::error::Error;

/// Rows per pane and page.
pub const PAGE: usize = 100;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub shop: String,
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub min: String,
    #[serde(default)]
    pub max: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub lp: usize,
    #[serde(default)]
    pub rp: usize,
    /// The selected item: `payout:ID`, `order:ID` or `bank:LINE_ID`.
    #[serde(default)]
    pub sel: String,
}

const LEFT: &str = "\
SELECT kind, id, platform, shop, CAST(time AS VARCHAR) AS time, amount, currency, detail, source_file, source_line FROM (
  SELECT 'payout' AS kind, payout_id AS id, platform, shop, payout_time AS time, amount, currency, memo AS detail,
         source_file, CAST(source_line AS BIGINT) AS source_line
  FROM unmatched_payouts
  UNION ALL
  SELECT 'order', r.order_id, r.platform, r.shop, r.order_time, r.outstanding, r.currency, o.customer, o.source_file,
         CAST(o.source_line AS BIGINT)
  FROM receivables r LEFT JOIN (
    SELECT order_id, max(coalesce(buyer_company, buyer_name)) AS customer, min(source_file) AS source_file,
           min(source_line) AS source_line
    FROM orders WHERE platform = 'b2b' GROUP BY order_id) o ON o.order_id = r.order_id
  WHERE r.platform = 'b2b' AND r.outstanding > 0
) items";

const RIGHT: &str = "\
SELECT 'bank' AS kind, line_id AS id, account, CAST(txn_time AS VARCHAR) AS time, amount, currency, txn_id,
       counterparty_name, memo, txn_time
FROM unmatched_bank";

impl Filters {
    fn conditions(&self, left: bool) -> Result<Vec<String>, Error> {
        let mut c = Vec::new();
        let time = if left { "time" } else { "txn_time" };
        if left && !self.platform.is_empty() {
            c.push(format!("platform = {}", literal(&self.platform)));
        }
        if left && !self.shop.is_empty() {
            c.push(format!("shop ILIKE {}", literal(&format!("%{}%", self.shop))));
        }
        if !left && !self.account.is_empty() {
            c.push(format!("account LIKE {}", literal(&format!("%{}%", self.account))));
        }
        if let Some(d) = date(&self.from, "from")? {
            c.push(format!("{time} >= TIMESTAMP '{d} 00:00:00'"));
        }
        if let Some(d) = date(&self.to, "to")? {
            c.push(format!("{time} < TIMESTAMP '{d} 00:00:00' + INTERVAL '1 day'"));
        }
        if let Some(a) = money(&self.min, "min")? {
            c.push(format!("amount >= {a}"));
        }
        if let Some(a) = money(&self.max, "max")? {
            c.push(format!("amount <= {a}"));
        }
        if !self.q.is_empty() {
            let q = literal(&format!("%{}%", self.q));
            c.push(if left {
                format!("(id ILIKE {q} OR detail ILIKE {q} OR shop ILIKE {q})")
            } else {
                format!("(id ILIKE {q} OR txn_id ILIKE {q} OR counterparty_name ILIKE {q} OR memo ILIKE {q})")
            });
        }
        Ok(c)
    }

    fn sql(&self, left: bool) -> Result<String, Error> {
        let c = self.conditions(left)?;
        let base = if left { LEFT } else { RIGHT };
        Ok(if c.is_empty() {
            format!("SELECT * FROM ({base}) f")
        } else {
            format!("SELECT * FROM ({base}) f WHERE {}", c.join(" AND "))
        })
    }

    /// The page's address with `sel` and pages as given.
    fn href(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("platform", &self.platform),
            ("shop", &self.shop),
            ("account", &self.account),
            ("from", &self.from),
            ("to", &self.to),
            ("min", &self.min),
            ("max", &self.max),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        if self.lp > 0 {
            q.append_pair("lp", &self.lp.to_string());
        }
        if self.rp > 0 {
            q.append_pair("rp", &self.rp.to_string());
        }
        format!("/workbench?{}", q.finish())
    }
}

fn date(s: &str, what: &str) -> Result<Option<chrono::NaiveDate>, Error> {
    if s.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Error::Usage(format!("{what}: {s} is not a date such as 2026-10-31")))
}

fn money(s: &str, what: &str) -> Result<Option<String>, Error> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<rust_decimal::Decimal>()
        .map(|d| Some(d.to_string()))
        .map_err(|_| Error::Usage(format!("{what}: {s} is not an amount such as 1200.50")))
}

/// The candidates of the selected item, with the evidence each rule saw.
fn candidates_sql(sel: &str) -> Option<String> {
    let (kind, id) = sel.split_once(':')?;
    let q = literal(id);
    let open = "SELECT line_id FROM unmatched_bank";
    Some(match kind {
        "payout" => format!(
            "WITH c AS (
               SELECT line_id, rule, lag, score FROM l2_candidates WHERE payout_id = {q}
               UNION ALL
               SELECT n.line_id, 'memo names it (' || n.how || ')', CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE) FROM ref_hits n
               WHERE n.side = 'payout' AND n.ref = {q} AND n.line_id NOT IN (SELECT line_id FROM l2_candidates WHERE payout_id = {q})),
             r AS (SELECT DISTINCT line_id FROM ref_hits WHERE side = 'payout' AND ref = {q})
             SELECT 'payout' AS kind, {q} AS item, c.line_id, b.txn_id, CAST(b.txn_time AS VARCHAR) AS time, b.amount,
                    b.amount - p.amount AS diff, working_days(p.payout_time, b.txn_time) AS days, c.rule,
                    round(c.score, 3) AS score, r.line_id IS NOT NULL AS by_ref, CAST(NULL AS DOUBLE) AS name_score,
                    b.counterparty_name, b.memo
             FROM c JOIN bank_txns b ON b.line_id = c.line_id
             JOIN (SELECT payout_time, amount FROM payouts WHERE payout_id = {q} LIMIT 1) p ON true
             LEFT JOIN r ON r.line_id = c.line_id
             WHERE c.line_id IN ({open}) ORDER BY score DESC NULLS LAST LIMIT 20"
        ),
        "order" => format!(
            "SELECT 'order' AS kind, c.order_id AS item, c.line_id, b.txn_id, CAST(b.txn_time AS VARCHAR) AS time, b.amount,
                    b.amount - c.order_amount AS diff, working_days(c.order_time, b.txn_time) AS days,
                    CASE WHEN c.by_reference THEN 'order_reference' ELSE 'order_buyer' END AS rule,
                    round(c.score, 3) AS score, c.by_reference AS by_ref, round(c.name_score, 3) AS name_score,
                    b.counterparty_name, b.memo
             FROM l3_candidates c JOIN bank_txns b ON b.line_id = c.line_id
             WHERE c.order_id = {q} AND c.line_id IN ({open}) ORDER BY score DESC LIMIT 20"
        ),
        "bank" => format!(
            "SELECT kind, item, line_id, txn_id, time, amount, diff, days, rule, score, by_ref, name_score, counterparty_name, memo FROM (
               SELECT 'payout' AS kind, c.payout_id AS item, c.line_id, b.txn_id, CAST(b.txn_time AS VARCHAR) AS time,
                      c.payout_amount AS amount, b.amount - c.payout_amount AS diff, c.lag AS days, c.rule,
                      round(c.score, 3) AS score, false AS by_ref, CAST(NULL AS DOUBLE) AS name_score,
                      b.counterparty_name, b.memo
               FROM l2_candidates c JOIN bank_txns b ON b.line_id = c.line_id
               WHERE c.line_id = {q} AND c.payout_id IN (SELECT payout_id FROM unmatched_payouts)
               UNION ALL
               SELECT 'order', c.order_id, c.line_id, b.txn_id, CAST(b.txn_time AS VARCHAR), c.order_amount,
                      b.amount - c.order_amount, working_days(c.order_time, b.txn_time),
                      CASE WHEN c.by_reference THEN 'order_reference' ELSE 'order_buyer' END, round(c.score, 3),
                      c.by_reference, round(c.name_score, 3), b.counterparty_name, b.memo
               FROM l3_candidates c JOIN bank_txns b ON b.line_id = c.line_id
               WHERE c.line_id = {q} AND c.order_id IN (SELECT order_id FROM receivables WHERE platform = 'b2b' AND outstanding > 0)
             ) x ORDER BY score DESC NULLS LAST LIMIT 20"
        ),
        _ => return None,
    })
}

fn rows_of(rows: Vec<Vec<String>>, names: &[&str]) -> Vec<minijinja::Value> {
    rows.into_iter()
        .map(|r| {
            let row: std::collections::BTreeMap<String, String> = names.iter().map(|n| n.to_string()).zip(r).collect();
            minijinja::Value::from(minijinja::value::Serde(row))
        })
        .collect()
}

const LEFT_COLS: [&str; 10] =
    ["kind", "id", "platform", "shop", "time", "amount", "currency", "detail", "source_file", "source_line"];
const RIGHT_COLS: [&str; 9] =
    ["kind", "id", "account", "time", "amount", "currency", "txn_id", "counterparty_name", "memo"];
const CANDIDATE_COLS: [&str; 14] = [
    "kind",
    "item",
    "line_id",
    "txn_id",
    "time",
    "amount",
    "diff",
    "days",
    "rule",
    "score",
    "by_ref",
    "name_score",
    "counterparty_name",
    "memo",
];

pub async fn page_data(state: &AppState, cur: &Current, f: &Filters) -> Result<minijinja::Value, Error> {
    let (left, right) = (f.sql(true)?, f.sql(false)?);
    let page_of = |sql: &str, cols: &[&str], order: &str, page: usize| {
        format!("SELECT {} FROM ({sql}) p ORDER BY {order} LIMIT {} OFFSET {}", cols.join(", "), PAGE + 1, page * PAGE)
    };
    let mut sqls = vec![
        page_of(&left, &LEFT_COLS, "time, id", f.lp),
        page_of(&right, &RIGHT_COLS, "txn_time, id", f.rp),
        format!("SELECT count(*) FROM ({left}) c"),
        format!("SELECT count(*) FROM ({right}) c"),
        "SELECT DISTINCT platform FROM receivables ORDER BY platform".to_string(),
    ];
    let candidates = candidates_sql(&f.sel);
    if let Some(c) = &candidates {
        sqls.push(c.clone());
    }
    let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
    let mut out = state.rows(&cur.app, &refs).await?.into_iter();
    let mut take = || out.next().unwrap_or_default();
    let (mut l, mut r, lc, rc, platforms) = (take(), take(), take(), take(), take());
    let (l_more, r_more) = (l.len() > PAGE, r.len() > PAGE);
    l.truncate(PAGE);
    r.truncate(PAGE);
    let cands = if candidates.is_some() { rows_of(take(), &CANDIDATE_COLS) } else { Vec::new() };
    let count = |rows: Vec<Vec<String>>| rows.first().and_then(|r| r.first()).cloned().unwrap_or_default();
    let here = f.href();
    let with = |lp: usize, rp: usize| Filters { lp, rp, ..f.clone() }.href();
    Ok(context! {
        f => context! { platform => f.platform.clone(), shop => f.shop.clone(), account => f.account.clone(),
            from => f.from.clone(), to => f.to.clone(), min => f.min.clone(), max => f.max.clone(), q => f.q.clone(),
            sel => f.sel.clone() },
        left => rows_of(l, &LEFT_COLS),
        right => rows_of(r, &RIGHT_COLS),
        left_count => count(lc),
        right_count => count(rc),
        left_from => f.lp * PAGE + 1,
        right_from => f.rp * PAGE + 1,
        platforms => platforms.into_iter().filter_map(|r| r.into_iter().next()).collect::<Vec<_>>(),
        candidates => cands,
        selected => !f.sel.is_empty(),
        here => here,
        left_prev => (f.lp > 0).then(|| with(f.lp - 1, f.rp)),
        left_next => l_more.then(|| with(f.lp + 1, f.rp)),
        right_prev => (f.rp > 0).then(|| with(f.lp, f.rp - 1)),
        right_next => r_more.then(|| with(f.lp, f.rp + 1)),
    })
}

pub async fn page(State(state): State<Arc<AppState>>, cur: Current, Query(f): Query<Filters>) -> Response {
    match page_data(&state, &cur, &f).await {
        Ok(ctx) => show(&state, &cur, "workbench.html", ctx).await,
        Err(e @ Error::Usage(_)) => failed(&cur, e, "/workbench").await,
        Err(e) => broken(e),
    }
}

/// Ticked items as a decision names them.
fn request(fields: &Fields, reason: String) -> DecisionRequest {
    let mut req = DecisionRequest { reason, ..DecisionRequest::default() };
    for item in fields.all("left") {
        match item.split_once(':') {
            Some(("payout", id)) => req.payouts.push(id.to_string()),
            Some(("order", id)) => req.orders.push(id.to_string()),
            _ => {}
        }
    }
    req.bank = fields.all("right");
    req
}

/// Keeps decisions one after another with the role's session; their numbers.
async fn keep(
    state: &AppState,
    cur: &Current,
    decisions: Vec<(DecisionKind, DecisionRequest)>,
) -> Result<Vec<u64>, Error> {
    let mut session = state.writing(cur.app.user().role).await?;
    let mut ids = Vec::new();
    for (kind, req) in decisions {
        ids.push(cur.app.decide(&mut session, kind, req).await?.id);
    }
    Ok(ids)
}

pub async fn decide(State(state): State<Arc<AppState>>, cur: Current, fields: Fields) -> Response {
    let back = fields.back("/workbench");
    let action = fields.get("action");
    let reason = fields.get("reason");
    let decisions = match action.as_str() {
        "accept" => {
            let (kind, item, line) = (fields.get("kind"), fields.get("item"), fields.get("line"));
            let reason = if reason.is_empty() {
                format!("accepted candidate: {}, score {}", fields.get("rule"), fields.get("score"))
            } else {
                reason
            };
            let mut req = DecisionRequest { reason, bank: vec![line], ..DecisionRequest::default() };
            match kind.as_str() {
                "payout" => req.payouts.push(item),
                "order" => req.orders.push(item),
                _ => return failed(&cur, Error::Usage("accept names a payout or an order".into()), &back).await,
            }
            vec![(DecisionKind::Match, req)]
        }
        "match" => vec![(DecisionKind::Match, request(&fields, reason))],
        "unmatch" => vec![(DecisionKind::Unmatch, request(&fields, reason))],
        "writeoff" => {
            // Each ticked item is written off on its own, for what is open on it; an
            // amount applies when one item is ticked.
            let all = request(&fields, reason.clone());
            let amount = Some(fields.get("amount")).filter(|a| !a.is_empty());
            let mut each: Vec<DecisionRequest> = Vec::new();
            for p in &all.payouts {
                each.push(DecisionRequest { payouts: vec![p.clone()], reason: reason.clone(), ..Default::default() });
            }
            for o in &all.orders {
                each.push(DecisionRequest { orders: vec![o.clone()], reason: reason.clone(), ..Default::default() });
            }
            for b in &all.bank {
                each.push(DecisionRequest { bank: vec![b.clone()], reason: reason.clone(), ..Default::default() });
            }
            if each.is_empty() {
                each.push(all);
            }
            if amount.is_some() && each.len() > 1 {
                return failed(&cur, Error::Usage("an amount to write off applies to one ticked item".into()), &back)
                    .await;
            }
            each.into_iter().map(|r| (DecisionKind::Writeoff { amount: amount.clone() }, r)).collect()
        }
        other => return failed(&cur, Error::Usage(format!("no such decision: {other}")), &back).await,
    };
    match keep(&state, &cur, decisions).await {
        Ok(ids) => {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            flash_undo(&cur.session, format!("{action}: decision {} kept", list.join(", ")), ids).await;
            Redirect::to(&back).into_response()
        }
        Err(e) => failed(&cur, e, &back).await,
    }
}

/// Takes back the decisions just made (the undo offered after each).
pub async fn undo(State(state): State<Arc<AppState>>, cur: Current, fields: Fields) -> Response {
    let back = fields.back("/workbench");
    let ids: Vec<u64> = fields.all("id").iter().filter_map(|i| i.parse().ok()).collect();
    if ids.is_empty() {
        return failed(&cur, Error::Usage("which decision? none named".into()), &back).await;
    }
    let mut session = match state.writing(cur.app.user().role).await {
        Ok(s) => s,
        Err(e) => return broken(e),
    };
    for id in ids.iter().rev() {
        if let Err(e) = cur.app.revoke_decision(&mut session, *id).await {
            drop(session);
            return failed(&cur, e, &back).await;
        }
    }
    drop(session);
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    flash(&cur.session, "ok", format!("decision {} taken back", list.join(", "))).await;
    Redirect::to(&back).into_response()
}

/// Accepts every candidate scoring at least the minimum that is the only one above it
/// for its item and for its bank line (a tie stays for a person).
pub async fn bulk(State(state): State<Arc<AppState>>, cur: Current, fields: Fields) -> Response {
    let back = fields.back("/workbench");
    let min = match money(&fields.get("min_score"), "score") {
        Ok(Some(m)) => m,
        Ok(None) => return failed(&cur, Error::Usage("give the lowest score to accept".into()), &back).await,
        Err(e) => return failed(&cur, e, &back).await,
    };
    let sql = format!(
        "SELECT kind, item, line_id, rule, CAST(round(score, 3) AS VARCHAR) FROM (
           SELECT CASE WHEN payout_id IS NOT NULL THEN 'payout' ELSE 'order' END AS kind,
                  coalesce(payout_id, order_id) AS item, line_id, rule, score,
                  count(*) OVER (PARTITION BY coalesce(payout_id, order_id)) AS per_item,
                  count(*) OVER (PARTITION BY line_id) AS per_line
           FROM match_candidates WHERE score >= {min}) c
         WHERE per_item = 1 AND per_line = 1 ORDER BY item"
    );
    let rows = match state.rows(&cur.app, &[&sql]).await {
        Ok(mut r) => r.pop().unwrap_or_default(),
        Err(e) => return failed(&cur, e, &back).await,
    };
    if rows.is_empty() {
        flash(&cur.session, "ok", format!("no candidate scores at least {min} without a tie")).await;
        return Redirect::to(&back).into_response();
    }
    let decisions = rows
        .into_iter()
        .map(|r| {
            let mut req = DecisionRequest {
                reason: format!("accepted in bulk (score ≥ {min}): {}, score {}", r[3], r[4]),
                bank: vec![r[2].clone()],
                ..DecisionRequest::default()
            };
            if r[0] == "payout" {
                req.payouts.push(r[1].clone())
            } else {
                req.orders.push(r[1].clone())
            }
            (DecisionKind::Match, req)
        })
        .collect();
    match keep(&state, &cur, decisions).await {
        Ok(ids) => {
            flash_undo(&cur.session, format!("accepted {} candidates", ids.len()), ids).await;
            Redirect::to(&back).into_response()
        }
        Err(e) => failed(&cur, e, &back).await,
    }
}
