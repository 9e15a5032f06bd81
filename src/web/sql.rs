//! The SQL page (for analysts): a query over the workspace as the shell runs it — planned
//! under the user's role and masks, read-only here (views and reports are defined in the
//! shell or saved on the reports page) — its result paged, exported like any report, and
//! the tables, views and columns listed beside the editor.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};

use super::fields::Fields;
use super::grid::{self, urlencoded};
use super::guard::Current;
use super::i18n::Words;
use super::render::{broken, page};
use super::state::AppState;
use crate::error::Error;

pub const WORDS: Words = &[
    ("sql_run", "运行 (Ctrl+Enter)", "Run (Ctrl+Enter)"),
    (
        "sql_note",
        "此页只运行查询（SELECT / WITH / VALUES）；定义视图请用 recon shell，保存报表请用报表页。",
        "This page runs queries (SELECT, WITH, VALUES); define views in the recon shell, save reports on the reports page.",
    ),
    ("schema", "表、视图和列", "Tables, views and columns"),
    ("save_as_report", "另存为报表", "Save as a report"),
];

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/sql", get(show))
}

const SCHEMA: &str = "SELECT table_name, table_type, string_agg(column_name, ', ') AS columns \
     FROM (SELECT t.table_name, t.table_type, c.column_name, c.ordinal_position \
           FROM information_schema.tables t JOIN information_schema.columns c \
             ON c.table_schema = t.table_schema AND c.table_name = t.table_name \
           WHERE t.table_schema = 'public' ORDER BY t.table_name, c.ordinal_position) s \
     GROUP BY table_name, table_type ORDER BY table_type, table_name";

async fn show(State(state): State<Arc<AppState>>, cur: Current, RawQuery(q): RawQuery) -> Response {
    let f = Fields::parse(q.unwrap_or_default().as_bytes());
    match data(&state, &cur, &f).await {
        Ok(ctx) => page(&state, &cur, "sql.html", ctx).await,
        Err(e) => broken(e),
    }
}

async fn data(state: &AppState, cur: &Current, f: &Fields) -> Result<Value, Error> {
    let sql = f.get("sql");
    let session = state.reading(cur.app.user().role).await?;
    let schema = crate::app::text_rows(&session, SCHEMA).await?;
    let mut error = None;
    let mut result = None;
    if !sql.is_empty() {
        let base = format!("/sql?sql={}", urlencoded(&sql));
        let page_no = f.get("page").parse::<usize>().unwrap_or(1).saturating_sub(1);
        let ran = match crate::reports::check_query("query", &sql) {
            Ok(()) => grid::show(&session, &sql, cur.lang, page_no, &base, None).await,
            Err(_) => Err(Error::Usage(
                "the SQL page runs one query (SELECT, WITH or VALUES): define views in the recon shell".into(),
            )),
        };
        match ran {
            Ok(g) => result = Some(g.value),
            // A mistake in the user's SQL is the page's answer, not a broken page.
            Err(e) => error = Some(e.to_string()),
        }
    }
    let back = format!("/sql?sql={}", urlencoded(&sql));
    Ok(context! { sql, schema, result, error, back })
}
