//! Who may ask what: the logged-in user of a request (sessions expire when idle and
//! after an absolute time; a user locked or removed meanwhile is logged out), the CSRF
//! check every state-changing request passes before any handler runs, and the security
//! headers of every response.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::i18n::Lang;
use super::state::AppState;
use crate::app::Service;
use crate::auth::Users;

pub const USER_KEY: &str = "user";
pub const LOGIN_AT_KEY: &str = "login_at";
pub const CSRF_KEY: &str = "csrf";
/// Form bodies the CSRF check reads whole; uploads carry the token in the address.
const FORM_LIMIT: usize = 1 << 20;

/// The user a request comes from, as the application layer serves them.
pub struct Current {
    pub app: Service,
    pub session: Session,
    pub lang: Lang,
}

impl FromRequestParts<Arc<AppState>> for Current {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Current, Response> {
        let session = Session::from_request_parts(parts, state).await.map_err(|e| e.into_response())?;
        let lang = Lang::of(&session).await;
        let to_login = || Redirect::to("/login").into_response();
        let name: Option<String> = session.get(USER_KEY).await.ok().flatten();
        let at: Option<i64> = session.get(LOGIN_AT_KEY).await.ok().flatten();
        let (Some(name), Some(at)) = (name, at) else {
            return Err(to_login());
        };
        let expired = chrono::Utc::now().timestamp() - at > super::ABSOLUTE_HOURS * 3600;
        let user = Users::load(&state.ws).ok().and_then(|u| u.get(&name).cloned());
        match user {
            Some(user) if !expired && !user.locked => Ok(Current {
                app: Service::logged_in(state.ws.clone(), user).with_memory_limit(state.memory_limit),
                session,
                lang,
            }),
            _ => {
                let _ = session.flush().await;
                Err(to_login())
            }
        }
    }
}

/// The session's CSRF token, made on first use.
pub async fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(CSRF_KEY).await {
        return t;
    }
    let t = fresh_token();
    let _ = session.insert(CSRF_KEY, &t).await;
    t
}

pub fn fresh_token() -> String {
    use rand::Rng;
    hex::encode(rand::rng().random::<[u8; 32]>())
}

/// Refuses a POST whose token is missing or wrong (header `x-csrf-token`, the `csrf`
/// query parameter of an upload, or the `csrf` field of a form), or whose Origin is
/// another site.
pub async fn csrf(req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let refused = |why: &str| (StatusCode::FORBIDDEN, format!("refused: {why}")).into_response();
    if let (Some(origin), Some(host)) = (req.headers().get(ORIGIN), req.headers().get(HOST)) {
        let origin = origin.to_str().unwrap_or("");
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        // A browser says `null` where it keeps the origin private (some referrer
        // policies, a privacy setting): the token decides then.
        if origin != "null" && origin_host.as_bytes() != host.as_bytes() {
            return refused("the request comes from another site");
        }
    }
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return refused("no session");
    };
    let expected: Option<String> = session.get(CSRF_KEY).await.ok().flatten();
    let mut given = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(String::from);
    if given.is_none() {
        given = req
            .uri()
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned()));
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let req = if given.is_none() && is_form {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
        };
        given = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    match (expected, given) {
        (Some(e), Some(g)) if same(e.as_bytes(), g.as_bytes()) => next.run(req).await,
        _ => refused("the form's security token is missing or stale; reload the page and try again"),
    }
}

/// Compares in time that does not depend on where the two differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Pages load nothing from elsewhere, run no inline script, are never framed, and are
/// not cached (they show money and customers' names).
pub async fn headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Same-origin: the site's own form posts carry their Origin; other sites learn nothing.
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !is_static {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
