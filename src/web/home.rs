//! The home page: the workspace at a glance — what is imported, what is open, the last
//! run — and the import button.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use minijinja::context;

use super::guard::Current;
use super::render::{broken, page as show};
use super::state::AppState;

/// What is imported, per table and source (a platform's shop, a bank account, a courier,
/// a warehouse): rows, money per currency where the table has a currency, first and last day.
const IMPORTED: &str = "\
SELECT t, source, currency, n, amount, first, last FROM (
SELECT 1 AS k, 'orders' AS t, concat_ws(' · ', platform, shop) AS source, currency, count(*) AS n,
       sum(paid_amount) AS amount, CAST(min(order_time) AS DATE) AS first, CAST(max(order_time) AS DATE) AS last
FROM orders GROUP BY platform, shop, currency
UNION ALL SELECT 2, 'settlements', concat_ws(' · ', platform, shop), currency, count(*), sum(amount),
       CAST(min(txn_time) AS DATE), CAST(max(txn_time) AS DATE) FROM settlements GROUP BY platform, shop, currency
UNION ALL SELECT 3, 'payments', concat_ws(' · ', platform, shop), currency, count(*), sum(amount),
       CAST(min(txn_time) AS DATE), CAST(max(txn_time) AS DATE) FROM payments GROUP BY platform, shop, currency
UNION ALL SELECT 4, 'bank_txns', account, currency, count(*), sum(amount),
       CAST(min(txn_time) AS DATE), CAST(max(txn_time) AS DATE) FROM bank_txns GROUP BY account, currency
UNION ALL SELECT 5, 'shipments', concat_ws(' · ', platform, shop), NULL, count(*), NULL,
       CAST(min(ship_time) AS DATE), CAST(max(ship_time) AS DATE) FROM shipments GROUP BY platform, shop
UNION ALL SELECT 6, 'returns', concat_ws(' · ', platform, shop), NULL, count(*), NULL,
       CAST(min(apply_time) AS DATE), CAST(max(apply_time) AS DATE) FROM returns GROUP BY platform, shop
UNION ALL SELECT 7, 'courier_bills', courier, NULL, count(*), NULL,
       CAST(min(ship_time) AS DATE), CAST(max(ship_time) AS DATE) FROM courier_bills GROUP BY courier
UNION ALL SELECT 8, 'inventory', warehouse, NULL, count(*), NULL,
       CAST(min(txn_time) AS DATE), CAST(max(txn_time) AS DATE) FROM inventory GROUP BY warehouse
) s ORDER BY k, source, currency";

/// Each open figure: what, and per currency how many and how much (money is never
/// added across currencies).
const OPEN: [(&str, &str); 6] = [
    (
        "open_payouts",
        "SELECT currency, count(*), sum(amount) FROM unmatched_payouts GROUP BY currency ORDER BY currency",
    ),
    ("open_bank", "SELECT currency, count(*), sum(amount) FROM unmatched_bank GROUP BY currency ORDER BY currency"),
    (
        "open_orders",
        "SELECT currency, count(*), sum(outstanding) FROM receivables WHERE platform = 'b2b' AND outstanding > 0 \
         GROUP BY currency ORDER BY currency",
    ),
    ("candidates", "SELECT '', count(DISTINCT coalesce(payout_id, order_id)), NULL FROM match_candidates"),
    (
        "overdue",
        "SELECT currency, count(*), sum(outstanding) FROM receivables WHERE status = 'overdue' GROUP BY currency ORDER BY currency",
    ),
    ("anomalies", "SELECT '', count(*), NULL FROM open_anomalies"),
];

/// `3 · CNY 120.00, USD 4.50`, or `0`.
pub fn figure(rows: &[Vec<String>]) -> String {
    let count: u64 = rows.iter().filter_map(|r| r.get(1)?.parse::<u64>().ok()).sum();
    let amounts: Vec<String> = rows
        .iter()
        .filter(|r| r.len() > 2 && !r[2].is_empty())
        .map(|r| if r[0].is_empty() { r[2].clone() } else { format!("{} {}", r[0], r[2]) })
        .collect();
    if count == 0 || amounts.is_empty() { count.to_string() } else { format!("{count} · {}", amounts.join(", ")) }
}

pub async fn page_data(state: &AppState, cur: &Current) -> Result<minijinja::Value, crate::error::Error> {
    let mut sqls = vec![IMPORTED];
    sqls.extend(OPEN.iter().map(|(_, sql)| *sql));
    let mut results = state.rows(&cur.app, &sqls).await?.into_iter();
    let imported = results.next().unwrap_or_default();
    let open: Vec<(String, String)> =
        OPEN.iter().zip(results).map(|((k, _), rows)| (k.to_string(), figure(&rows))).collect();
    let catalog = state.ws.catalog()?;
    let last_run = catalog.runs.iter().max_by_key(|r| r.id).map(|r| {
        context! { id => r.id, time => r.time.clone(), user => r.user.clone(), period => r.period.clone() }
    });
    let imports = catalog.imports.iter().filter(|r| r.is_live()).count();
    Ok(context! { imported, open => open.into_iter().collect::<std::collections::BTreeMap<_, _>>(), last_run, imports })
}

pub async fn page(State(state): State<Arc<AppState>>, cur: Current) -> Response {
    match page_data(&state, &cur).await {
        Ok(ctx) => show(&state, &cur, "home.html", ctx).await,
        Err(e) => broken(e),
    }
}
