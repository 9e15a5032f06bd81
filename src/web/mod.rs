//! The web workbench (`recon serve`): the page the finance clerk opens. Pages render on
//! the server from templates inside the binary; every change goes through the same
//! application layer as the CLI (`crate::app::Service`), so roles, masks, the audit line
//! and the workspace transaction are the same whichever door a user comes through.

mod admin;
mod analysis;
mod anomalies;
mod assets;
mod collections;
mod explain;
mod export;
mod fields;
mod grid;
mod guard;
mod home;
mod i18n;
mod imports;
mod login;
mod periods;
mod render;
mod reports;
mod runs;
mod source;
mod sql;
mod state;
mod workbench;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer};

pub use state::AppState;

use crate::error::Error;
use crate::workspace::Workspace;

/// Every page's words: the common ones, then each group of pages' own.
const WORDS: &[i18n::Words] = &[
    i18n::COMMON,
    admin::WORDS,
    periods::WORDS,
    anomalies::WORDS,
    collections::WORDS,
    reports::WORDS,
    analysis::WORDS,
    sql::WORDS,
];

/// How `recon serve` listens.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub memory_limit: usize,
    /// Largest upload in one request.
    pub max_upload: usize,
}

/// A session unused this long is gone; one is never kept longer than `ABSOLUTE`.
pub const IDLE_MINUTES: i64 = 30;
pub const ABSOLUTE_HOURS: i64 = 8;

/// The whole site: pages, assets, sessions in cookies, CSRF and security headers.
pub fn router(state: Arc<AppState>) -> Router {
    let sessions = SessionManagerLayer::new(MemoryStore::default())
        .with_name("recon_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(state.secure)
        .with_expiry(Expiry::OnInactivity(Duration::minutes(IDLE_MINUTES)));
    let max_upload = state.max_upload;
    Router::new()
        .route("/", get(home::page))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{lang}", get(login::language))
        .route("/import", get(imports::form).post(imports::upload))
        .route("/import/{upload}", get(imports::preview))
        .route("/import/{upload}/commit", post(imports::commit))
        .route("/import/{upload}/report", get(imports::report))
        .route("/imports", get(imports::list))
        .route("/imports/{id}/undo", post(imports::undo))
        .route("/imports/{id}/rejects", get(imports::rejects))
        .route("/workbench", get(workbench::page))
        .route("/decide", post(workbench::decide))
        .route("/decide/undo", post(workbench::undo))
        .route("/decide/bulk", post(workbench::bulk))
        .route("/runs", post(runs::start))
        .route("/runs/job/{job}", get(runs::job))
        .route("/runs/{id}", get(runs::summary))
        .route("/source", get(source::page_of))
        .route("/static/{file}", get(assets::file))
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .route("/explain", get(explain::page_of))
        .route("/export", post(export::download))
        .merge(collections::routes())
        .merge(reports::routes())
        .merge(analysis::routes())
        .merge(anomalies::routes())
        .merge(periods::routes())
        .merge(admin::routes())
        .merge(sql::routes())
        .layer(axum::middleware::from_fn(guard::csrf))
        .layer(sessions)
        .layer(axum::middleware::from_fn(guard::headers))
        .layer(DefaultBodyLimit::max(max_upload))
        .with_state(state)
}

/// Serves `ws` until interrupted; `ready` hears the address it listens on.
pub async fn serve(ws: Workspace, opts: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), Error> {
    let state = Arc::new(AppState::new(ws, &opts)?);
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    match &opts.tls {
        Some((cert, key)) => {
            // ring builds with gcc alone; aws-lc-rs (post-quantum key exchange) needs cmake.
            #[allow(deprecated)]
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await.map_err(|e| {
                Error::Usage(format!("TLS certificate {} or key {}: {e}", cert.display(), key.display()))
            })?;
            let handle = axum_server::Handle::new();
            let server = axum_server::bind_rustls(opts.listen, config).handle(handle.clone());
            let shutdown = handle.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                shutdown.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
            });
            let serving = tokio::spawn(async move { server.serve(app).await });
            if let Some(addr) = handle.listening().await {
                ready(addr);
            }
            serving.await.map_err(|e| Error::Other(e.to_string()))?.map_err(|e| Error::Io(opts.listen.to_string(), e))
        }
        None => {
            let listener =
                tokio::net::TcpListener::bind(opts.listen).await.map_err(|e| Error::Io(opts.listen.to_string(), e))?;
            let addr = listener.local_addr().map_err(|e| Error::Io(opts.listen.to_string(), e))?;
            ready(addr);
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .map_err(|e| Error::Io(addr.to_string(), e))
        }
    }
}
