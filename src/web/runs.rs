//! Running a reconciliation from the page: it runs in the background (the application
//! layer's `reconcile`, as `recon reconcile` does), the page shows which view it is on,
//! then the run's summary — the same figures `recon reconcile` prints.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::fields::Fields;
use super::guard::Current;
use super::render::{broken, failed, page};
use super::state::{AppState, Job, poisoned};
use crate::app::{RUN_VIEWS, RunScope};
use crate::auth::guard::Action;
use crate::error::Error;

pub async fn start(State(state): State<Arc<AppState>>, cur: Current, fields: Fields) -> Response {
    if let Err(e) = cur.app.allowed(Action::Reconcile) {
        return broken(e);
    }
    let period = fields.get("period");
    let span = if period.is_empty() {
        None
    } else {
        match crate::period::parse(None, &period) {
            Ok(s) => Some(s),
            Err(e) => return failed(&cur, Error::Usage(e), "/workbench").await,
        }
    };
    let scope = RunScope { span, ..RunScope::default() };
    let key = super::guard::fresh_token()[..20].to_string();
    let job = Arc::new(Mutex::new(Job { owner: cur.app.user().name.clone(), ..Job::default() }));
    match state.jobs.lock() {
        Ok(mut jobs) => jobs.insert(key.clone(), job.clone()),
        Err(e) => return broken(poisoned(e)),
    };
    let app = cur.app.clone();
    tokio::spawn(async move {
        let progress = job.clone();
        let result = match app.session().await {
            Ok(mut session) => {
                app.reconcile(&mut session, scope, move |view| {
                    if let Ok(mut j) = progress.lock() {
                        j.views_done += 1;
                        j.current = view.to_string();
                    }
                })
                .await
            }
            Err(e) => Err(e),
        };
        if let Ok(mut j) = job.lock() {
            match result {
                Ok(id) => j.run = Some(id),
                Err(e) => j.error = Some(e.to_string()),
            }
        }
    });
    Redirect::to(&format!("/runs/job/{key}")).into_response()
}

/// How far a run is; its summary once done.
pub async fn job(State(state): State<Arc<AppState>>, cur: Current, Path(key): Path<String>) -> Response {
    let job = match state.jobs.lock() {
        Ok(jobs) => jobs.get(&key).and_then(|j| j.lock().ok().map(|j| j.clone())),
        Err(e) => return broken(poisoned(e)),
    };
    let Some(job) = job.filter(|j| j.owner == cur.app.user().name) else {
        return failed(&cur, Error::Usage("there is no such reconciliation of yours".into()), "/workbench").await;
    };
    if let Some(id) = job.run {
        return Redirect::to(&format!("/runs/{id}")).into_response();
    }
    if let Some(e) = job.error {
        return failed(&cur, Error::Usage(format!("the reconciliation stopped: {e}")), "/workbench").await;
    }
    page(
        &state,
        &cur,
        "job.html",
        context! { done => job.views_done, total => RUN_VIEWS.len(), current => job.current },
    )
    .await
}

pub async fn summary(State(state): State<Arc<AppState>>, cur: Current, Path(id): Path<u64>) -> Response {
    let catalog = match state.ws.catalog() {
        Ok(c) => c,
        Err(e) => return broken(e.into()),
    };
    let Some(run) = catalog.runs.iter().find(|r| r.id == id) else {
        return failed(&cur, Error::Usage(format!("there is no run {id}")), "/").await;
    };
    let queries = crate::app::run_summary(id);
    let sqls: Vec<&str> = queries.iter().map(|(_, s)| s.as_str()).collect();
    let tables = match state.tables(&cur.app, &sqls).await {
        Ok(t) => t,
        Err(e) => return broken(e),
    };
    let sections: Vec<_> = queries
        .iter()
        .zip(tables)
        .map(|((title, _), (names, rows))| context! { title => *title, names => names, rows => rows })
        .collect();
    page(
        &state,
        &cur,
        "run.html",
        context! { id => id, run_user => run.user.clone(), time => run.time.clone(), from => run.from.clone(),
        to => run.to.clone(), period => run.period.clone(), sections },
    )
    .await
}
