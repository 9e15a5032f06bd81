//! Anomalies (异常处理): what is still to be worked, oldest first, by kind and age (or
//! every anomaly, resolved and ignored too), each one's history of changes, and the
//! moves a person makes — assign, start, resolve or ignore with a note, reopen — which
//! are `recon anomaly`'s, through the application layer.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::{Value, context};

use super::fields::Fields;
use super::grid::{self, urlencoded};
use super::guard::Current;
use super::i18n::{Lang, Words};
use super::render::{broken, failed, flash, page};
use super::state::AppState;
use crate::app::{AnomalyMove, literal};
use crate::auth::guard::Action;
use crate::error::Error;
use crate::export::table::header;

pub const WORDS: Words = &[
    ("an_title", "异常处理", "Anomalies"),
    ("an_by_age", "按类型与账龄", "By kind and age"),
    ("an_list", "异常列表", "The anomalies"),
    ("an_kind", "异常类型", "Kind"),
    ("an_show_all", "显示全部（含已解决、已忽略）", "Show all (resolved and ignored too)"),
    ("an_assignee", "处理人", "Assignee"),
    ("an_note", "备注（解决、忽略时必填）", "Note (required to resolve or ignore)"),
    ("an_assign", "指派", "Assign"),
    ("an_start", "开始处理", "Start"),
    ("an_resolve", "解决", "Resolve"),
    ("an_ignore", "忽略", "Ignore"),
    ("an_reopen", "重新打开", "Reopen"),
    ("an_actions", "处理", "Actions"),
    ("an_detail", "详情", "Details"),
    ("an_one", "异常详情", "Anomaly"),
    ("an_history", "处理记录", "History of changes"),
    ("an_no_history", "尚无处理记录：自发现以来未处理。", "No change yet: untouched since it was found."),
    ("an_back", "返回异常列表", "Back to the anomalies"),
    (
        "an_gone",
        "当前数据中已不再出现此异常，仅保留处理记录。",
        "The data no longer shows this anomaly; its history stays.",
    ),
    ("an_state_open", "待处理", "open"),
    ("an_state_in_progress", "处理中", "in progress"),
    ("an_state_resolved", "已解决", "resolved"),
    ("an_state_ignored", "已忽略", "ignored"),
];

/// The page's choices, as its address carries them.
struct Choice {
    kind: String,
    all: bool,
    page: usize,
}

impl Choice {
    fn of(f: &Fields) -> Choice {
        Choice {
            kind: f.get("kind"),
            all: f.get("all") == "1",
            page: f.get("page").parse::<usize>().unwrap_or(1).saturating_sub(1),
        }
    }

    /// The page's address without its page number.
    fn address(&self) -> String {
        let mut a = String::from("/anomalies?");
        if !self.kind.is_empty() {
            a.push_str(&format!("kind={}&", urlencoded(&self.kind)));
        }
        if self.all {
            a.push_str("all=1&");
        }
        a.trim_end_matches(['&', '?']).to_string()
    }

    /// Open ones from `open_anomalies` (the view the CLI lists); all from `anomalies`.
    fn source(&self) -> &'static str {
        if self.all { "anomalies" } else { "open_anomalies" }
    }

    fn filter(&self) -> String {
        if self.kind.is_empty() { "TRUE".into() } else { format!("kind = {}", literal(&self.kind)) }
    }

    /// The list as `recon anomaly list` orders it, oldest first.
    fn sql(&self) -> String {
        let more = if self.all { ", note, updated_by, updated_at" } else { "" };
        format!(
            "SELECT age_days, kind, severity, state, assignee, platform, shop, reference, amount, explanation{more}, \
             anomaly_key FROM {} WHERE {} ORDER BY age_days DESC, anomaly_key",
            self.source(),
            self.filter()
        )
    }

    /// How many of each kind, in each age bucket of `open_anomalies`.
    fn by_age(&self) -> String {
        format!(
            "SELECT kind, count(*) AS items, \
             sum(CASE WHEN age_days <= 7 THEN 1 ELSE 0 END) AS \"0-7\", \
             sum(CASE WHEN age_days > 7 AND age_days <= 30 THEN 1 ELSE 0 END) AS \"8-30\", \
             sum(CASE WHEN age_days > 30 AND age_days <= 60 THEN 1 ELSE 0 END) AS \"31-60\", \
             sum(CASE WHEN age_days > 60 THEN 1 ELSE 0 END) AS \"60+\" \
             FROM {} WHERE {} GROUP BY kind ORDER BY kind",
            self.source(),
            self.filter()
        )
    }
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/anomalies", get(list))
        .route("/anomalies/{key}", get(one_at))
        .route("/anomaly", get(one).post(work))
}

pub async fn list(State(state): State<Arc<AppState>>, cur: Current, RawQuery(q): RawQuery) -> Response {
    let c = Choice::of(&Fields::parse(q.unwrap_or_default().as_bytes()));
    match listed(&state, &cur, &c).await {
        Ok(ctx) => page(&state, &cur, "anomalies.html", ctx).await,
        Err(e) => broken(e),
    }
}

async fn listed(state: &AppState, cur: &Current, c: &Choice) -> Result<Value, Error> {
    let session = state.reading(cur.app.user().role).await?;
    let kinds = crate::app::text_rows(&session, "SELECT DISTINCT kind FROM anomalies ORDER BY kind").await?;
    let base = c.address();
    let by_age = grid::show(&session, &c.by_age(), cur.lang, 0, &base, None).await?;
    let listing = grid::show(&session, &c.sql(), cur.lang, c.page, &base, None).await?;
    let rows = moves(&listing.names, &listing.raw);
    let back = if c.page > 0 { format!("{base}{}page={}", sep(&base), c.page + 1) } else { base.clone() };
    Ok(context! {
        kind => c.kind.clone(),
        all => c.all,
        kinds => kinds.into_iter().map(|r| r[0].clone()).collect::<Vec<_>>(),
        by_age => by_age.value,
        listing => listing.value,
        rows,
        users => assignees(state, cur)?,
        back,
    })
}

fn sep(address: &str) -> char {
    if address.contains('?') { '&' } else { '?' }
}

/// For each row shown, what the action controls need: its key, state and assignee.
fn moves(names: &[String], raw: &[Vec<String>]) -> Vec<Value> {
    let at = |n: &str| names.iter().position(|x| x == n);
    let (Some(k), Some(s)) = (at("anomaly_key"), at("state")) else {
        return Vec::new();
    };
    let (a, sev) = (at("assignee"), at("severity"));
    raw.iter()
        .map(|r| {
            let key = r[k].clone();
            context! {
                link => format!("/anomaly?key={}", urlencoded(&key)),
                key,
                state => r[s].clone(),
                assignee => a.map(|a| r[a].clone()).unwrap_or_default(),
                severity => sev.map(|i| r[i].clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// Whom an anomaly may be given to: the users not locked (only for who may assign).
fn assignees(state: &AppState, cur: &Current) -> Result<Vec<String>, Error> {
    if cur.app.allowed(Action::WorkAnomaly).is_err() {
        return Ok(Vec::new());
    }
    let users = crate::auth::Users::load(&state.ws)?;
    Ok(users.users.iter().filter(|u| !u.locked).map(|u| u.name.clone()).collect())
}

pub async fn one_at(State(state): State<Arc<AppState>>, cur: Current, Path(key): Path<String>) -> Response {
    shown(&state, &cur, &key).await
}

pub async fn one(State(state): State<Arc<AppState>>, cur: Current, RawQuery(q): RawQuery) -> Response {
    let key = Fields::parse(q.unwrap_or_default().as_bytes()).get("key");
    shown(&state, &cur, &key).await
}

async fn shown(state: &AppState, cur: &Current, key: &str) -> Response {
    match detail(state, cur, key).await {
        Ok(Some(ctx)) => page(state, cur, "anomaly.html", ctx).await,
        Ok(None) => (StatusCode::NOT_FOUND, format!("no anomaly '{key}': /anomalies lists them")).into_response(),
        Err(e) => broken(e),
    }
}

/// One anomaly as the data shows it now, and every change a person made to it.
async fn detail(state: &AppState, cur: &Current, key: &str) -> Result<Option<Value>, Error> {
    let session = state.reading(cur.app.user().role).await?;
    let k = literal(key);
    let (names, rows) =
        crate::app::text_table(&session, &format!("SELECT * FROM anomalies WHERE anomaly_key = {k}")).await?;
    let here = format!("/anomaly?key={}", urlencoded(key));
    let sql = format!(
        "SELECT seq, time, \"user\", state, assignee, note FROM anomaly_log WHERE anomaly_key = {k} ORDER BY seq"
    );
    let history = grid::show(&session, &sql, cur.lang, 0, &here, None).await?;
    if rows.is_empty() && history.raw.is_empty() {
        return Ok(None);
    }
    let english = cur.lang == Lang::En;
    let facts: Vec<Value> = rows
        .first()
        .map(|r| {
            names
                .iter()
                .zip(r)
                .map(|(n, v)| {
                    let link = (n == "reference" && !v.is_empty()).then(|| format!("/explain?id={}", urlencoded(v)));
                    context! { name => n.clone(), header => header(n, english), value => v.clone(), link }
                })
                .collect()
        })
        .unwrap_or_default();
    let row = moves(&names, &rows).into_iter().next();
    Ok(Some(context! {
        key,
        facts,
        row,
        history => history.value,
        has_history => !history.raw.is_empty(),
        users => assignees(state, cur)?,
        back => here,
    }))
}

/// A person's move on one anomaly (`recon anomaly assign|start|resolve|ignore|reopen`).
pub async fn work(State(state): State<Arc<AppState>>, cur: Current, fields: Fields) -> Response {
    let back = fields.back("/anomalies");
    // Refused before the role's session is taken alone: a viewer holds up no page.
    if let Err(e) = cur.app.allowed(Action::WorkAnomaly) {
        return failed(&cur, e, &back).await;
    }
    let change = match fields.get("move").as_str() {
        "assign" => match fields.get("assignee") {
            a if a.is_empty() => {
                return failed(&cur, Error::Usage("choose whom to assign it to".into()), &back).await;
            }
            a => AnomalyMove::Assign(a),
        },
        "start" => AnomalyMove::Start,
        "resolve" => AnomalyMove::Resolve,
        "ignore" => AnomalyMove::Ignore,
        "reopen" => AnomalyMove::Reopen,
        other => return failed(&cur, Error::Usage(format!("no such change to an anomaly: {other:?}")), &back).await,
    };
    let mut session = match state.writing(cur.app.user().role).await {
        Ok(s) => s,
        Err(e) => return broken(e),
    };
    let moved = cur.app.move_anomaly(&mut session, &fields.get("key"), change, &fields.get("note")).await;
    drop(session);
    match moved {
        Ok(m) => {
            flash(&cur.session, "ok", m.detail).await;
            Redirect::to(&back).into_response()
        }
        Err(e) => failed(&cur, e, &back).await,
    }
}
