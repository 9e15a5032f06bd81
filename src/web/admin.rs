//! Administration (系统管理), for admins only — every route, reading ones too, answers
//! 403 to anyone else: the users (add, change role, lock, unlock, reset a password, as
//! `recon user` does), the audit log filtered as `recon audit` filters it with the check
//! of its hash chain on top, and the workspace's settings, shown as the views read them
//! and edited as the `settings.toml` text.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};

use super::fields::Fields;
use super::grid;
use super::guard::Current;
use super::i18n::Words;
use super::render::{broken, failed, flash, page};
use super::state::AppState;
use crate::app::Service;
use crate::auth::Role;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::workspace::audit;

pub const WORDS: Words = &[
    ("ad_title", "系统管理", "Administration"),
    ("ad_users", "用户", "Users"),
    ("ad_audit", "审计日志", "Audit log"),
    ("ad_settings", "系统设置", "Settings"),
    ("ad_name", "用户名", "User name"),
    ("ad_role", "角色", "Role"),
    ("ad_locked", "已锁定", "Locked"),
    ("ad_failed", "连续登录失败", "Failed logins"),
    ("ad_created", "创建时间", "Added"),
    ("ad_role_admin", "管理员", "admin"),
    ("ad_role_accountant", "会计", "accountant"),
    ("ad_role_viewer", "只读", "viewer"),
    ("ad_set_role", "修改角色", "Change role"),
    ("ad_lock", "锁定", "Lock"),
    ("ad_unlock", "解锁", "Unlock"),
    ("ad_new_password", "新密码", "New password"),
    ("ad_reset_password", "重置密码", "Reset password"),
    ("ad_add", "添加用户", "Add a user"),
    ("ad_initial_password", "初始密码", "Initial password"),
    ("ad_add_submit", "添加", "Add"),
    ("ad_yes", "是", "yes"),
    ("ad_intact", "审计日志完整：", "The audit log is intact:"),
    ("ad_entries", "条记录，逐条链接校验通过", "entries, each chained to the one before"),
    ("ad_tampered", "审计日志被篡改：", "The audit log has been tampered with:"),
    ("ad_head", "最新记录", "Newest entry"),
    ("ad_empty_log", "日志为空", "the log is empty"),
    ("ad_by", "用户", "User"),
    ("ad_event", "事件", "Event"),
    ("ad_since", "起始日期", "Since"),
    ("ad_limit", "最多显示（最新）", "At most (newest)"),
    ("ad_detail", "内容", "Detail"),
    ("ad_shown", "条", "shown"),
    ("ad_in_force", "当前生效的设置", "Settings in force"),
    ("ad_courier_rates", "快递合同价", "Courier rates"),
    ("ad_aliases", "渠道别名", "Channel aliases"),
    ("ad_edit", "编辑 settings.toml", "Edit settings.toml"),
    (
        "ad_edit_help",
        "保存前按与命令行相同的规则校验；有误则不保存并指出错误。保存后所有视图按新设置重新计算。",
        "Checked as recon checks the file before anything is saved; a mistake is named and nothing changes. Every view computes again with the new values.",
    ),
    ("ad_defaults", "（尚无 settings.toml：使用默认设置）", "(no settings.toml yet: the defaults hold)"),
    ("ad_save", "保存设置", "Save settings"),
];

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/admin", get(users))
        .route("/admin/audit", get(audit_log))
        .route("/admin/settings", get(settings).post(save_settings))
        .route("/admin/users/add", post(add_user))
        .route("/admin/users/role", post(set_role))
        .route("/admin/users/lock", post(lock))
        .route("/admin/users/unlock", post(unlock))
        .route("/admin/users/password", post(set_password))
}

/// The refusal of anyone but an admin, reading pages included.
fn not_admin(cur: &Current) -> Option<Response> {
    cur.app.allowed(Action::ManageUsers).err().map(broken)
}

const ROLES: [&str; 3] = ["admin", "accountant", "viewer"];

fn role(name: &str) -> Result<Role, Error> {
    match name {
        "admin" => Ok(Role::Admin),
        "accountant" => Ok(Role::Accountant),
        "viewer" => Ok(Role::Viewer),
        _ => Err(Error::Usage(format!("no role {name:?}: admin, accountant or viewer"))),
    }
}

pub async fn users(State(state): State<Arc<AppState>>, cur: Current) -> Response {
    let listed = match cur.app.users() {
        Ok(u) => u,
        Err(e) => return broken(e),
    };
    let users: Vec<Value> = listed
        .iter()
        .map(|u| {
            context! { name => u.name.clone(), role => u.role.name(), locked => u.locked,
            failed => u.failed_logins, created => u.created.clone() }
        })
        .collect();
    let me = cur.app.user().name.clone();
    page(&state, &cur, "admin_users.html", context! { tab => "users", users, roles => ROLES, me }).await
}

/// A change to users, made off the async threads (a password is hashed with argon2).
async fn change(
    cur: &Current,
    back: &str,
    work: impl FnOnce(&Service) -> Result<String, Error> + Send + 'static,
) -> Response {
    let app = cur.app.clone();
    let done =
        tokio::task::spawn_blocking(move || work(&app)).await.unwrap_or_else(|e| Err(Error::Other(e.to_string())));
    match done {
        Ok(text) => {
            flash(&cur.session, "ok", text).await;
            Redirect::to(back).into_response()
        }
        Err(e) => failed(cur, e, back).await,
    }
}

pub async fn add_user(cur: Current, f: Fields) -> Response {
    let (name, password, r) = (f.get("name"), f.get("password"), f.get("role"));
    change(&cur, &f.back("/admin"), move |app| {
        let role = role(&r)?;
        app.add_user(&name, role, &password)?;
        Ok(format!("user {name} added as {}", role.name()))
    })
    .await
}

pub async fn set_role(cur: Current, f: Fields) -> Response {
    let (name, r) = (f.get("name"), f.get("role"));
    change(&cur, &f.back("/admin"), move |app| {
        let role = role(&r)?;
        let old = app.set_role(&name, role)?;
        Ok(format!("{name}: {} → {}", old.name(), role.name()))
    })
    .await
}

pub async fn lock(cur: Current, f: Fields) -> Response {
    let name = f.get("name");
    change(&cur, &f.back("/admin"), move |app| app.lock_user(&name).map(|_| format!("{name} is locked"))).await
}

pub async fn unlock(cur: Current, f: Fields) -> Response {
    let name = f.get("name");
    change(&cur, &f.back("/admin"), move |app| app.unlock_user(&name).map(|_| format!("{name} is unlocked"))).await
}

pub async fn set_password(cur: Current, f: Fields) -> Response {
    let (name, password) = (f.get("name"), f.get("password"));
    if name.is_empty() {
        return failed(&cur, Error::Usage("whose password? name the user".into()), &f.back("/admin")).await;
    }
    change(&cur, &f.back("/admin"), move |app| {
        app.set_password(Some(&name), &password).map(|who| format!("the password of {who} is set"))
    })
    .await
}

/// `recon audit`'s filters, as the page's address carries them.
struct Filter {
    by: String,
    event: String,
    since: String,
    limit: usize,
}

/// Entries a page shows unless told otherwise: the newest.
const AUDIT_SHOWN: usize = 200;

pub async fn audit_log(State(state): State<Arc<AppState>>, cur: Current, RawQuery(q): RawQuery) -> Response {
    if let Some(refused) = not_admin(&cur) {
        return refused;
    }
    if let Err(e) = cur.app.allowed(Action::ReadAudit) {
        return broken(e);
    }
    let f = Fields::parse(q.unwrap_or_default().as_bytes());
    let filter = Filter {
        by: f.get("by"),
        event: f.get("event"),
        since: f.get("since"),
        limit: f.get("limit").parse().unwrap_or(AUDIT_SHOWN),
    };
    let ws = state.ws.clone();
    let read = tokio::task::spawn_blocking(move || (audit::read(&ws), audit::verify(&ws))).await;
    let (entries, problems) = match read {
        Ok((Ok(entries), problems)) => (entries, problems),
        Ok((Err(e), _)) => return broken(e.into()),
        Err(e) => return broken(Error::Other(e.to_string())),
    };
    let mut error = None;
    let since = match chrono::NaiveDate::parse_from_str(&filter.since, "%Y-%m-%d") {
        Ok(d) => Some(d.to_string()),
        Err(_) if filter.since.is_empty() => None,
        Err(_) => {
            error = Some(format!("since {:?}: give a day such as 2026-11-01", filter.since));
            None
        }
    };
    let head = entries.last().map(|e| context! { seq => e.seq, time => e.time.clone(), hash => e.hash.clone() });
    let mut events: Vec<String> = entries.iter().map(|e| e.event.clone()).collect();
    events.sort();
    events.dedup();
    let mut people: Vec<String> = entries.iter().map(|e| e.user.clone()).collect();
    people.sort();
    people.dedup();
    let total = entries.len();
    let shown: Vec<Value> = entries
        .into_iter()
        .rev()
        .filter(|e| filter.by.is_empty() || e.user == filter.by)
        .filter(|e| filter.event.is_empty() || e.event == filter.event)
        .filter(|e| since.as_ref().is_none_or(|d| e.time.as_str() >= d.as_str()))
        .take(filter.limit)
        .map(|e| {
            context! { seq => e.seq, time => e.time.get(..19).unwrap_or(&e.time).replace('T', " "),
            user => e.user, event => e.event, detail => e.detail }
        })
        .collect();
    let ctx = context! {
        tab => "audit", problems, total, head, events, people, entries => shown, error,
        by => filter.by, event => filter.event, since => filter.since, limit => filter.limit,
    };
    page(&state, &cur, "admin_audit.html", ctx).await
}

pub async fn settings(State(state): State<Arc<AppState>>, cur: Current) -> Response {
    let text = match cur.app.settings_text() {
        Ok(t) => t,
        Err(e) => return broken(e),
    };
    settings_page(&state, &cur, text, None).await
}

/// The settings as the views read them, and the file's text to edit (with why it was
/// refused, when it was).
async fn settings_page(state: &AppState, cur: &Current, text: String, error: Option<String>) -> Response {
    let tables = match in_force(state, cur).await {
        Ok(t) => t,
        Err(e) => return broken(e),
    };
    let refused = error.is_some();
    let ctx = context! { tab => "settings", text, error, ..tables };
    let mut r = page(state, cur, "admin_settings.html", ctx).await;
    if refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

async fn in_force(state: &AppState, cur: &Current) -> Result<Value, Error> {
    let session = state.reading(cur.app.user().role).await?;
    let show = |sql: &'static str| grid::show(&session, sql, cur.lang, 0, "/admin/settings", None);
    let values = show("SELECT name, value FROM recon_settings ORDER BY name").await?;
    let rates = show("SELECT courier, first_kg, extra_kg FROM courier_rates ORDER BY courier").await?;
    let aliases = show("SELECT alias, platform, source FROM platform_aliases ORDER BY platform, alias").await?;
    Ok(context! { values => values.value, rates => rates.value, aliases => aliases.value })
}

pub async fn save_settings(State(state): State<Arc<AppState>>, cur: Current, f: Fields) -> Response {
    if let Some(refused) = not_admin(&cur) {
        return refused;
    }
    // A browser sends a textarea's lines with CR LF; the file keeps the workspace's LF.
    let mut text = f.get("text").replace("\r\n", "\n");
    if !text.is_empty() {
        text.push('\n');
    }
    let app = cur.app.clone();
    let written = text.clone();
    let done = tokio::task::spawn_blocking(move || app.save_settings(&written))
        .await
        .unwrap_or_else(|e| Err(Error::Other(e.to_string())));
    match done {
        Ok(()) => {
            flash(&cur.session, "ok", "settings saved: every view computes with them from now on").await;
            Redirect::to("/admin/settings").into_response()
        }
        // Shown with the text as the admin wrote it, to mend rather than type again.
        Err(Error::Usage(why)) => settings_page(&state, &cur, text, Some(why)).await,
        Err(e) => failed(&cur, e, "/admin/settings").await,
    }
}
