//! Pages from the templates inside the binary (HTML-escaped by default), with what
//! every page shows: the user, the language, the CSRF token, and the message left by
//! the last action (with its undo, when it has one).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Serialize;
use tower_sessions::Session;

use super::guard::{Current, token};
use super::i18n::Lang;
use super::state::AppState;
use crate::auth::guard::Action;
use crate::error::Error;

pub const FLASH_KEY: &str = "flash";

/// A message for the next page: what the last action did, or why it did not.
#[derive(Clone, Debug, Serialize)]
pub struct Flash {
    pub kind: &'static str,
    pub text: String,
    /// The decisions the message offers to take back.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undo: Vec<u64>,
}

pub async fn flash(session: &Session, kind: &'static str, text: impl Into<String>) {
    let _ = session.insert(FLASH_KEY, Flash { kind, text: text.into(), undo: Vec::new() }).await;
}

/// A decision's message, with the undo of what it kept.
pub async fn flash_undo(session: &Session, text: impl Into<String>, undo: Vec<u64>) {
    let _ = session.insert(FLASH_KEY, Flash { kind: "ok", text: text.into(), undo }).await;
}

async fn base(session: &Session, lang: Lang) -> Value {
    let flash: Option<Value> = session
        .remove::<serde_json::Value>(FLASH_KEY)
        .await
        .ok()
        .flatten()
        .map(|v| Value::from(minijinja::value::Serde(v)));
    context! {
        t => lang.words(),
        lang => lang.code(),
        other_lang => lang.other(),
        csrf => token(session).await,
        flash => flash,
    }
}

fn render(state: &AppState, name: &str, ctx: Value) -> Response {
    match state.templates.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("page {name}: {e}")).into_response(),
    }
}

/// A page for the logged-in user.
pub async fn page(state: &AppState, cur: &Current, name: &str, ctx: Value) -> Response {
    let user = cur.app.user();
    let may = |a: Action| cur.app.allowed(a).is_ok();
    let ctx = context! {
        ..base(&cur.session, cur.lang).await,
        ..context! {
            user => user.name.clone(),
            role => user.role.name(),
            can_import => may(Action::Import),
            can_undo_import => may(Action::UndoImport),
            can_decide => may(Action::Decide),
            can_reconcile => may(Action::Reconcile),
            can_export => may(Action::Export),
            can_define => may(Action::Define),
            can_close => may(Action::ClosePeriod),
            can_reopen => may(Action::ReopenPeriod),
            can_work_anomaly => may(Action::WorkAnomaly),
            is_admin => may(Action::ManageUsers),
            can_sql => true,
        },
        ..ctx
    };
    render(state, name, ctx)
}

/// A page for someone not logged in (the login form).
pub async fn public(state: &AppState, session: &Session, name: &str, ctx: Value) -> Response {
    let lang = Lang::of(session).await;
    let ctx = context! { ..base(session, lang).await, ..ctx };
    render(state, name, ctx)
}

/// What a failed action shows: a refusal by role is a 403 (the server refuses, whatever
/// the page offered); anything else goes back where the user was, saying why.
pub async fn failed(cur: &Current, err: Error, back: &str) -> Response {
    if let Error::Forbidden(m) = &err {
        return (StatusCode::FORBIDDEN, format!("refused: {m}")).into_response();
    }
    flash(&cur.session, "error", err.to_string()).await;
    Redirect::to(back).into_response()
}

/// A failure of the page itself (a query that did not run), shown as such.
pub fn broken(err: Error) -> Response {
    let status = match err {
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Usage(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, err.to_string()).into_response()
}
