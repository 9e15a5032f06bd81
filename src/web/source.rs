//! Where a row comes from: the whole stored row of a payout, a B2B order or a bank
//! line, with its file, line and import (masked for a viewer, like every query).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::guard::Current;
use super::render::{broken, failed, page};
use super::state::AppState;
use crate::app::literal;
use crate::error::Error;

#[derive(Deserialize)]
pub struct Which {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
}

pub async fn page_of(State(state): State<Arc<AppState>>, cur: Current, Query(w): Query<Which>) -> Response {
    let q = literal(&w.id);
    let sql = match w.kind.as_str() {
        "payout" => format!("SELECT * FROM payouts WHERE payout_id = {q}"),
        "order" => format!("SELECT * FROM orders WHERE order_id = {q} ORDER BY source_line"),
        "bank" => format!("SELECT * FROM bank_txns WHERE line_id = {q}"),
        _ => {
            return failed(&cur, Error::Usage("a source is a payout, an order or a bank line".into()), "/workbench")
                .await;
        }
    };
    let (names, rows) = match state.tables(&cur.app, &[sql.as_str()]).await {
        Ok(mut t) => t.pop().unwrap_or_default(),
        Err(e) => return broken(e),
    };
    let records: Vec<Vec<(String, String)>> =
        rows.into_iter().map(|r| names.iter().cloned().zip(r).collect()).collect();
    page(&state, &cur, "source.html", context! { kind => w.kind, id => w.id, records }).await
}
