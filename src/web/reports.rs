//! Reports (报表查询): the built-in reports and the user's saved ones, run with a form for
//! their parameters; custom reports written on the page and saved as `reports/NAME.sql`
//! through the same application layer as `.report save`; and the drill-down from a
//! report's figure to the rows behind it (each row then leads to its trail and source).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};

use super::fields::Fields;
use super::grid::{self, urlencoded};
use super::guard::Current;
use super::i18n::Words;
use super::render::{broken, failed, flash, page};
use super::state::AppState;
use crate::app::{Part, literal};
use crate::error::Error;
use crate::reports;

pub const WORDS: Words = &[
    ("report_col", "报表", "Report"),
    ("builtin", "内置", "built-in"),
    ("saved_by", "保存人", "Saved by"),
    ("params", "参数", "Parameters"),
    ("run_report", "运行", "Run"),
    ("new_report", "新建自定义报表", "New custom report"),
    ("report_name", "报表名（英文标识）", "Name (an identifier)"),
    ("report_title", "标题", "Title"),
    ("report_sql", "查询 SQL（参数写作 :name）", "Query (parameters as :name)"),
    ("start_from", "从已有报表开始", "Start from a report"),
    ("save", "保存", "Save"),
    ("drop", "删除", "Drop"),
    ("fill_params", "请填写参数后运行", "Fill in the parameters and run"),
    ("rows_behind", "明细行", "Rows behind the figure"),
];

/// Where a report's figure leads: the view of the rows behind it, the filters the row's
/// columns give (only these, each a literal), and the time column a `month` narrows.
const DRILLS: [(&str, &[&str], Option<&str>, &str); 2] = [
    (
        "receivables",
        &["platform", "shop", "currency", "aging_bucket", "status"],
        Some("order_time"),
        "order_time, order_id",
    ),
    ("bank_reconciliation_items", &["account"], None, "side, kind, time, reference"),
];

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/reports", get(list).post(save))
        .route("/reports/{name}", get(run))
        .route("/reports/{name}/drop", post(drop_report))
        .route("/drill", get(drill))
}

/// The parameters given on the form (`p_NAME` fields), in the report's order.
fn values(report: &reports::Report, f: &Fields) -> Vec<(String, String)> {
    report.params.iter().map(|p| (p.clone(), f.get(&format!("p_{p}")))).filter(|(_, v)| !v.is_empty()).collect()
}

/// Report `name` bound to the form's parameters: what the page runs and the export holds.
pub fn bound_parts(state: &AppState, name: &str, f: &Fields) -> Result<Vec<Part>, Error> {
    let report = reports::find(&state.ws, name)?;
    crate::app::report_parts(&state.ws, std::slice::from_ref(&report.name), &values(&report, f))
}

async fn list(State(state): State<Arc<AppState>>, cur: Current, RawQuery(q): RawQuery) -> Response {
    let f = Fields::parse(q.unwrap_or_default().as_bytes());
    let all: Vec<Value> = reports::list(&state.ws)
        .into_iter()
        .map(|r| {
            context! { name => r.name, title => r.title, params => r.params.join(", "), builtin => r.builtin,
            saved => r.saved, sql => r.sql }
        })
        .collect();
    // "Start from a report": its query in the editor.
    let from = f.get("from");
    let start = (!from.is_empty()).then(|| reports::find(&state.ws, &from).ok()).flatten();
    let draft = context! {
        name => f.get("name"),
        title => start.as_ref().map(|r| r.title.clone()).unwrap_or_else(|| f.get("title")),
        sql => start.map(|r| r.sql).unwrap_or_else(|| f.get("sql")),
    };
    page(&state, &cur, "reports.html", context! { reports => all, draft, from }).await
}

async fn save(State(state): State<Arc<AppState>>, cur: Current, f: Fields) -> Response {
    // Who may not define reports is refused (403); a query that is not one report's
    // (it does not plan, or is not a query) goes back to the form, saying why.
    if let Err(e) = cur.app.allowed(crate::auth::guard::Action::Define) {
        return failed(&cur, e, "/reports").await;
    }
    let name = f.get("name");
    let title = f.get("title");
    let sql = f.get("sql");
    let saved = async {
        let session = state.reading(cur.app.user().role).await?;
        cur.app.save_report(&session, &name, Some(title.as_str()).filter(|t| !t.is_empty()), &sql).await
    }
    .await;
    match saved {
        Ok(r) => {
            flash(&cur.session, "ok", format!("report {} saved as reports/{}.sql", r.name, r.name)).await;
            Redirect::to(&format!("/reports/{}", urlencoded(&r.name))).into_response()
        }
        Err(e) => {
            let back = format!(
                "/reports?name={}&title={}&sql={}#new-report",
                urlencoded(&name),
                urlencoded(&title),
                urlencoded(&sql)
            );
            flash(&cur.session, "error", e.to_string()).await;
            Redirect::to(&back).into_response()
        }
    }
}

async fn drop_report(cur: Current, Path(name): Path<String>) -> Response {
    match cur.app.drop_report(&name) {
        Ok(()) => {
            flash(&cur.session, "ok", format!("report {name} dropped")).await;
            Redirect::to("/reports").into_response()
        }
        Err(e) => failed(&cur, e, &format!("/reports/{}", urlencoded(&name))).await,
    }
}

async fn run(
    State(state): State<Arc<AppState>>,
    cur: Current,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    if reports::sections(&name).is_some() {
        return Redirect::to("/analysis").into_response();
    }
    let f = Fields::parse(q.clone().unwrap_or_default().as_bytes());
    match ran(&state, &cur, &name, &f, q.as_deref().unwrap_or_default()).await {
        Ok(ctx) => page(&state, &cur, "report_run.html", ctx).await,
        Err(e) => broken(e),
    }
}

async fn ran(state: &AppState, cur: &Current, name: &str, f: &Fields, query: &str) -> Result<Value, Error> {
    let report = reports::find(&state.ws, name)?;
    let given = values(&report, f);
    let ready = given.len() == report.params.len();
    let base = format!("/reports/{}?{}", urlencoded(&report.name), strip_page(query));
    let result = if ready {
        let parts = bound_parts(state, &report.name, f)?;
        let session = state.reading(cur.app.user().role).await?;
        let drill = |names: &[String], row: &[String]| drill_address(&report.name, names, row);
        let page_no = f.get("page").parse::<usize>().unwrap_or(1).saturating_sub(1);
        match parts.first() {
            Some(part) => Some(grid::show(&session, &part.sql, cur.lang, page_no, &base, Some(&drill)).await?.value),
            None => None,
        }
    } else {
        None
    };
    let params: Vec<Value> =
        report.params.iter().map(|p| context! { name => p, value => f.get(&format!("p_{p}")) }).collect();
    let mut fields: Vec<(String, String)> = vec![("name".into(), report.name.clone())];
    fields.extend(given.iter().map(|(k, v)| (format!("p_{k}"), v.clone())));
    fields.push(("back".into(), base.clone()));
    let adds_up = report.adds_up();
    Ok(context! {
        name => report.name, title => report.title, builtin => report.builtin, saved => report.saved,
        adds_up, sql => report.sql, params, ready, result, fields,
    })
}

fn strip_page(query: &str) -> String {
    query.split('&').filter(|kv| !kv.starts_with("page=") && !kv.is_empty()).collect::<Vec<_>>().join("&")
}

/// The rows behind a report's row: a statement line to its items; a row of figures by
/// platform, shop, month … to the orders they add up.
fn drill_address(report: &str, names: &[String], row: &[String]) -> Option<String> {
    let at = |n: &str| names.iter().position(|x| x == n).map(|i| row[i].as_str()).filter(|v| !v.is_empty());
    // A row naming an order, payout or bank line already leads to it.
    if names.iter().any(|n| ["order_id", "reference", "payout_id"].contains(&n.as_str())) {
        return None;
    }
    let (view, columns, _, _) = if report == "bank_reconciliation" {
        DRILLS[1]
    } else if at("platform").is_some() || at("month").is_some() {
        DRILLS[0]
    } else {
        return None;
    };
    let mut q = vec![format!("view={view}")];
    for c in columns.iter().copied().chain(["month"]) {
        if let Some(v) = at(c) {
            q.push(format!("{c}={}", urlencoded(v)));
        }
    }
    Some(format!("/drill?{}", q.join("&")))
}

/// `/drill?view=…&column=value…`: the rows of a view a figure adds up.
async fn drill(State(state): State<Arc<AppState>>, cur: Current, RawQuery(q): RawQuery) -> Response {
    let query = q.unwrap_or_default();
    let f = Fields::parse(query.as_bytes());
    let shown = async {
        let (view, columns, time, order) = DRILLS
            .iter()
            .find(|(v, _, _, _)| *v == f.get("view"))
            .copied()
            .ok_or_else(|| Error::Usage("drill into receivables or bank_reconciliation_items".into()))?;
        let mut conditions = vec!["TRUE".to_string()];
        let mut about = Vec::new();
        for c in columns {
            let v = f.get(c);
            if !v.is_empty() {
                conditions.push(format!("{c} = {}", literal(&v)));
                about.push(format!("{c}={v}"));
            }
        }
        let month = f.get("month");
        if let (Some(t), false) = (time, month.is_empty()) {
            conditions.push(format!(
                "date_trunc('month', {t}) = date_trunc('month', CAST({} AS TIMESTAMP))",
                literal(&month)
            ));
            about.push(format!("month={}", month.get(..7).unwrap_or(&month)));
        }
        let sql = format!("SELECT * FROM {view} WHERE {} ORDER BY {order}", conditions.join(" AND "));
        let session = state.reading(cur.app.user().role).await?;
        let page_no = f.get("page").parse::<usize>().unwrap_or(1).saturating_sub(1);
        let base = format!("/drill?{}", strip_page(&query));
        let g = grid::show(&session, &sql, cur.lang, page_no, &base, None).await?;
        Ok::<_, Error>(context! { view, about => about.join(" · "), result => g.value, sql })
    }
    .await;
    match shown {
        Ok(ctx) => page(&state, &cur, "drill.html", ctx).await,
        Err(e) => broken(e),
    }
}
