//! Periods (会计期间): which are closed, by whom and when, with the run that holds their
//! figures; what was imported into a closed period after it was closed (the
//! `closed_period_changes` view, which also raises an anomaly); closing a period
//! (`recon close`) and reopening one, saying why (`recon reopen`, admins).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};

use super::fields::Fields;
use super::grid;
use super::guard::Current;
use super::i18n::Words;
use super::render::{broken, failed, flash, page};
use super::state::AppState;
use crate::error::Error;

pub const WORDS: Words = &[
    ("pe_title", "会计期间", "Periods"),
    ("pe_closed", "已结账期间", "Closed periods"),
    ("pe_period", "期间", "Period"),
    ("pe_days", "日期范围", "Days"),
    ("pe_state", "状态", "State"),
    ("pe_state_closed", "已结账", "closed"),
    ("pe_state_reopened", "已重新打开", "reopened"),
    ("pe_run", "对账批次", "Run"),
    ("pe_last_import", "包含导入至", "Imports up to"),
    ("pe_closed_by", "结账人 / 时间", "Closed by / at"),
    ("pe_reopened_by", "重新打开 / 原因", "Reopened by / why"),
    ("pe_late", "结账后导入", "Imported after closing"),
    (
        "pe_late_help",
        "结账后导入、日期落在已结账期间内的数据：结账数字不变，由人决定是否重新打开。",
        "Imports made after a period was closed that bring rows dated inside it: the closed figures stand until someone reopens it.",
    ),
    ("pe_none_closed", "尚无已结账期间。", "No period is closed."),
    ("pe_close", "结账", "Close a period"),
    (
        "pe_close_help",
        "以该期间最近一次对账结果结账（如 2026-10、2026-W43、2026-10-31）；之后导入的该期间数据会列为异常。",
        "Closes with the period's latest run (2026-10, 2026-W43, 2026-10-31); data dated inside it imported later is flagged as an anomaly.",
    ),
    ("pe_close_submit", "结账", "Close"),
    ("pe_reopen", "重新打开", "Reopen"),
    ("pe_reason", "原因（必填，记入审计日志）", "Why (required; it goes into the audit log)"),
];

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/periods", get(list))
        .route("/periods/close", post(close))
        .route("/periods/reopen", post(reopen))
}

/// What was imported into a closed period after it was closed, per import.
const LATE: &str = "SELECT period, import_id, source_file, rows_dated_inside, amount, first_at, last_at \
                    FROM closed_period_changes ORDER BY period, import_id";

pub async fn list(State(state): State<Arc<AppState>>, cur: Current) -> Response {
    match listed(&state, &cur).await {
        Ok(ctx) => page(&state, &cur, "periods.html", ctx).await,
        Err(e) => broken(e),
    }
}

async fn listed(state: &AppState, cur: &Current) -> Result<Value, Error> {
    let session = state.reading(cur.app.user().role).await?;
    let late = grid::show(&session, LATE, cur.lang, 0, "/periods", None).await?;
    drop(session);
    let late_of = |label: &str| late.raw.iter().filter(|r| r.first().is_some_and(|p| p == label)).count();
    let catalog = state.ws.catalog()?;
    let closed: Vec<String> = crate::app::closed(&catalog).map(|s| s.label).collect();
    let periods: Vec<Value> = catalog
        .periods
        .iter()
        .rev()
        .map(|p| {
            let open = p.reopened_at.is_none();
            context! {
                period => p.period.clone(),
                from => p.from.clone(),
                last => last_day(&p.until),
                state => if open { "closed" } else { "reopened" },
                run_id => p.run_id,
                last_import => p.last_import,
                closed_at => p.closed_at.clone(),
                closed_by => p.closed_by.clone(),
                reopened_at => p.reopened_at.clone(),
                reopened_by => p.reopened_by.clone(),
                reopen_reason => p.reopen_reason.clone(),
                late => if open { late_of(&p.period) } else { 0 },
            }
        })
        .collect();
    // The periods a run was made for and that are not closed now: what may be closed.
    let mut closable: Vec<String> =
        catalog.runs.iter().filter_map(|r| r.period.clone()).filter(|p| !closed.contains(p)).collect();
    closable.sort();
    closable.dedup();
    Ok(context! { periods, late => late.value, closable })
}

/// The last day of a period from its `until` (the day after it).
fn last_day(until: &str) -> String {
    chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.pred_opt())
        .map_or_else(|| until.to_string(), |d| d.to_string())
}

pub async fn close(State(_state): State<Arc<AppState>>, cur: Current, fields: Fields) -> Response {
    let back = fields.back("/periods");
    let (app, name) = (cur.app.clone(), fields.get("period"));
    let done = tokio::task::spawn_blocking(move || app.close_period(&name))
        .await
        .unwrap_or_else(|e| Err(Error::Other(e.to_string())));
    match done {
        Ok(c) => {
            let text = format!(
                "closed {}: run {} holds its figures; an import dated inside it from now on is flagged in anomalies",
                c.label, c.run_id
            );
            flash(&cur.session, "ok", text).await;
            Redirect::to(&back).into_response()
        }
        Err(e) => failed(&cur, e, &back).await,
    }
}

pub async fn reopen(State(_state): State<Arc<AppState>>, cur: Current, fields: Fields) -> Response {
    let back = fields.back("/periods");
    let (app, name, reason) = (cur.app.clone(), fields.get("period"), fields.get("reason"));
    let done = tokio::task::spawn_blocking(move || app.reopen_period(&name, &reason))
        .await
        .unwrap_or_else(|e| Err(Error::Other(e.to_string())));
    match done {
        Ok(label) => {
            flash(&cur.session, "ok", format!("reopened {label}: reconcile it again and close it when it is right"))
                .await;
            Redirect::to(&back).into_response()
        }
        Err(e) => failed(&cur, e, &back).await,
    }
}
