//! Logging in and out on the page: the workspace's users and passwords, the same
//! lockout and audit as the CLI (the application layer's login), a new session id and
//! CSRF token at login, and a limit on attempts per client address.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use tower_sessions::Session;

use super::fields::Fields;
use super::guard::{CSRF_KEY, LOGIN_AT_KEY, USER_KEY, fresh_token};
use super::i18n::LANG_KEY;
use super::render::{flash, public};
use super::state::AppState;
use crate::app::Service;
use crate::error::Error;

pub async fn form(State(state): State<Arc<AppState>>, session: Session) -> Response {
    public(&state, &session, "login.html", context! {}).await
}

pub async fn submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    session: Session,
    fields: Fields,
) -> Response {
    if state.login_limit.check_key(&client.ip().to_string()).is_err() {
        flash(&session, "error", "too many login attempts from this address: wait a minute and try again").await;
        return Redirect::to("/login").into_response();
    }
    let name = fields.get("user");
    let password = fields.get("password");
    let ws = state.ws.clone();
    let login = {
        let name = name.clone();
        // argon2 takes a while on purpose: off the threads that serve pages.
        tokio::task::spawn_blocking(move || Service::login(ws, Some(&name), |_| Ok(password)))
            .await
            .unwrap_or_else(|e| Err(Error::Other(e.to_string())))
    };
    match login {
        Ok(app) => {
            // A new id at login, so an id planted before it is worth nothing after.
            let lang: Option<String> = session.get(LANG_KEY).await.ok().flatten();
            let _ = session.cycle_id().await;
            let _ = session.insert(USER_KEY, &app.user().name).await;
            let _ = session.insert(LOGIN_AT_KEY, chrono::Utc::now().timestamp()).await;
            let _ = session.insert(CSRF_KEY, fresh_token()).await;
            if let Some(l) = lang {
                let _ = session.insert(LANG_KEY, l).await;
            }
            Redirect::to("/").into_response()
        }
        Err(e) => {
            flash(&session, "error", e.to_string()).await;
            Redirect::to("/login").into_response()
        }
    }
}

pub async fn logout(session: Session) -> Response {
    let lang: Option<String> = session.get(LANG_KEY).await.ok().flatten();
    let _ = session.flush().await;
    if let Some(l) = lang {
        let _ = session.insert(LANG_KEY, l).await;
    }
    Redirect::to("/login").into_response()
}

#[derive(serde::Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// Switches the language and goes back to the page the toggle was on (on this site only).
pub async fn language(session: Session, Path(lang): Path<String>, Query(q): Query<Back>) -> Response {
    let lang = if lang == "en" { "en" } else { "zh" };
    let _ = session.insert(LANG_KEY, lang).await;
    let back = q.back.filter(|b| super::fields::local(b)).unwrap_or_else(|| "/".into());
    Redirect::to(&back).into_response()
}
