//! Importing on the page: upload files (or a zip of exports), see how recon would read
//! each before anything is stored, import the ones ticked, read the import report with
//! the rejected rows to download, and undo an import — each step the application
//! layer's, as `recon import` and `recon imports undo` do it.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::fields::Fields;
use super::guard::Current;
use super::render::{broken, failed, flash, page};
use super::state::{AppState, FileReport, Upload, poisoned};
use crate::auth::guard::Action;
use crate::error::Error;
use crate::ingest::ImportOptions;
use crate::ingest::archive;

pub async fn form(State(state): State<Arc<AppState>>, cur: Current) -> Response {
    page(&state, &cur, "import.html", context! {}).await
}

/// Stores the uploaded files outside the workspace and shows how each would be read.
pub async fn upload(State(state): State<Arc<AppState>>, cur: Current, mut multipart: Multipart) -> Response {
    if let Err(e) = cur.app.allowed(Action::Import) {
        return broken(e);
    }
    let user = cur.app.user().name.clone();
    if state.upload_limit.check_key(&user).is_err() {
        return failed(
            &cur,
            Error::Usage("too many uploads in a minute: wait a little and try again".into()),
            "/import",
        )
        .await;
    }
    let id = super::guard::fresh_token()[..24].to_string();
    let dir = state.staging.path().join(&id);
    if let Err(e) = std::fs::create_dir(&dir) {
        return broken(Error::Io(dir.display().to_string(), e));
    }
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut n = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return failed(&cur, Error::Usage(format!("the upload broke off: {e}")), "/import").await,
        };
        let name = archive::safe_name(field.file_name().unwrap_or(""));
        if field.name() != Some("files") || name.is_empty() {
            continue;
        }
        // Each file in a folder of its own, under its own name: the name is what the
        // import log and every row's source_file keep, and some formats are known by it.
        n += 1;
        let own = dir.join(n.to_string());
        let target = own.join(&name);
        if let Err(e) = std::fs::create_dir(&own) {
            return broken(Error::Io(own.display().to_string(), e));
        }
        if let Err(e) = save(field, &target).await {
            return failed(&cur, e, "/import").await;
        }
        if archive::is_archive(&target) {
            let inner = dir.join(format!("{n}-zip"));
            let limit = state.max_upload as u64 * 8;
            let taken = std::fs::create_dir(&inner)
                .map_err(|e| e.to_string())
                .and_then(|_| archive::extract(&target, &inner, limit));
            match taken {
                Ok(members) => files.extend(members.into_iter().map(|m| (format!("{name} → {}", m.name), m.path))),
                Err(e) => return failed(&cur, Error::Usage(e), "/import").await,
            }
        } else {
            files.push((name, target));
        }
    }
    if files.is_empty() {
        return failed(&cur, Error::Usage("choose at least one file to upload".into()), "/import").await;
    }
    match state.uploads.lock() {
        Ok(mut uploads) => {
            uploads.insert(id.clone(), Upload { owner: user, files, reports: Vec::new(), warnings: Vec::new() })
        }
        Err(e) => return broken(poisoned(e)),
    };
    Redirect::to(&format!("/import/{id}")).into_response()
}

async fn save(mut field: axum::extract::multipart::Field<'_>, target: &std::path::Path) -> Result<(), Error> {
    use tokio::io::AsyncWriteExt;
    let io = |e| Error::Io(target.display().to_string(), e);
    let mut out = tokio::fs::File::create(target).await.map_err(io)?;
    while let Some(chunk) = field.chunk().await.map_err(|e| Error::Usage(format!("the upload broke off: {e}")))? {
        out.write_all(&chunk).await.map_err(io)?;
    }
    out.flush().await.map_err(io)
}

/// The staged files of upload `id`, if it is this user's.
fn staged(state: &AppState, cur: &Current, id: &str) -> Result<Vec<(String, PathBuf)>, Error> {
    let uploads = state.uploads.lock().map_err(poisoned)?;
    match uploads.get(id) {
        Some(u) if u.owner == cur.app.user().name => Ok(u.files.clone()),
        _ => Err(Error::Usage(format!("there is no upload {id} of yours (uploads last until the server restarts)"))),
    }
}

pub async fn preview(State(state): State<Arc<AppState>>, cur: Current, Path(id): Path<String>) -> Response {
    let files = match staged(&state, &cur, &id) {
        Ok(f) => f,
        Err(e) => return failed(&cur, e, "/import").await,
    };
    let explained = tokio::task::spawn_blocking(move || {
        let opts = ImportOptions { progress: false, ..ImportOptions::default() };
        files
            .iter()
            .enumerate()
            .map(|(i, (name, path))| match crate::ingest::explain(path, &opts) {
                // The staging folder means nothing to the user: the file's own name instead.
                Ok(text) => {
                    context! { index => i, name => name.clone(), text => text.replace(&path.display().to_string(), name), ok => true }
                }
                Err(e) => {
                    let text = e.to_string().replace(&path.display().to_string(), name);
                    context! { index => i, name => name.clone(), text => text, ok => false }
                }
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    page(&state, &cur, "preview.html", context! { id => id, files => explained }).await
}

pub async fn commit(
    State(state): State<Arc<AppState>>,
    cur: Current,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let files = match staged(&state, &cur, &id) {
        Ok(f) => f,
        Err(e) => return failed(&cur, e, "/import").await,
    };
    let picked: Vec<(String, PathBuf)> = fields
        .all("pick")
        .iter()
        .filter_map(|p| p.parse::<usize>().ok())
        .filter_map(|i| files.get(i).cloned())
        .collect();
    if picked.is_empty() {
        return failed(&cur, Error::Usage("tick at least one file to import".into()), &format!("/import/{id}")).await;
    }
    let app = cur.app.clone();
    let done = tokio::task::spawn_blocking(move || {
        let opts = ImportOptions { progress: false, ..ImportOptions::default() };
        let paths: Vec<PathBuf> = picked.iter().map(|(_, p)| p.clone()).collect();
        let mut reports = Vec::new();
        let result = app.import_files(&paths, &opts, |path, result| {
            let name = picked.iter().find(|(_, p)| p == path).map_or("?", |(n, _)| n.as_str());
            reports.push(FileReport::of(name, path, result));
        });
        for (_, p) in &picked {
            let _ = std::fs::remove_file(p);
        }
        result.map(|imported| (imported, reports))
    })
    .await
    .unwrap_or_else(|e| Err(Error::Other(e.to_string())));
    let (imported, reports) = match done {
        Ok(d) => d,
        Err(e) => return failed(&cur, e, &format!("/import/{id}")).await,
    };
    let warnings = cur.app.after_import(&imported.stored).await.unwrap_or_else(|e| vec![e.to_string()]);
    match state.uploads.lock() {
        Ok(mut uploads) => {
            if let Some(u) = uploads.get_mut(&id) {
                u.reports.extend(reports);
                u.warnings.extend(warnings);
            }
        }
        Err(e) => return broken(poisoned(e)),
    }
    Redirect::to(&format!("/import/{id}/report")).into_response()
}

pub async fn report(State(state): State<Arc<AppState>>, cur: Current, Path(id): Path<String>) -> Response {
    let (reports, warnings) = {
        let uploads = match state.uploads.lock() {
            Ok(u) => u,
            Err(e) => return broken(poisoned(e)),
        };
        match uploads.get(&id) {
            Some(u) if u.owner == cur.app.user().name => (
                u.reports
                    .iter()
                    .map(|r| {
                        context! { name => r.name.clone(), import_id => r.import_id, text => r.text.clone(),
                        rejects => r.rejects, failed => r.failed }
                    })
                    .collect::<Vec<_>>(),
                u.warnings.clone(),
            ),
            _ => return StatusCode::NOT_FOUND.into_response(),
        }
    };
    page(&state, &cur, "report.html", context! { reports, warnings }).await
}

pub async fn list(State(state): State<Arc<AppState>>, cur: Current) -> Response {
    let catalog = match state.ws.catalog() {
        Ok(c) => c,
        Err(e) => return broken(e.into()),
    };
    let imports: Vec<_> = catalog
        .imports
        .iter()
        .rev()
        .map(|r| {
            context! { id => r.id, time => r.time.clone(), user => r.user.clone(), file => r.source_file.clone(),
            kind => r.kind.clone(), stored => r.rows_stored, duplicates => r.duplicates_skipped,
            rejected => r.rows_rejected, ignored => r.rows_ignored, rejects => r.rejects_file.is_some(),
            undone => r.undone.as_ref().map(|u| format!("{} {}", u.time, u.user)) }
        })
        .collect();
    page(&state, &cur, "imports.html", context! { imports }).await
}

pub async fn undo(State(_state): State<Arc<AppState>>, cur: Current, Path(id): Path<u64>, fields: Fields) -> Response {
    let back = fields.back("/imports");
    let app = cur.app.clone();
    let done = tokio::task::spawn_blocking(move || app.undo_import(id))
        .await
        .unwrap_or_else(|e| Err(Error::Other(e.to_string())));
    match done {
        Ok(u) => {
            let mut text = format!("import {}: {} {} rows from {} undone", u.id, u.rows, u.table, u.file);
            for s in &u.shadowed {
                text.push_str(&format!("; {s}"));
            }
            flash(&cur.session, "ok", text).await;
            Redirect::to(&back).into_response()
        }
        Err(e) => failed(&cur, e, &back).await,
    }
}

/// The rows an import rejected, as recon kept them (with line and reason).
pub async fn rejects(State(state): State<Arc<AppState>>, cur: Current, Path(id): Path<u64>) -> Response {
    if let Err(e) = cur.app.allowed(Action::Import) {
        return broken(e);
    }
    let catalog = match state.ws.catalog() {
        Ok(c) => c,
        Err(e) => return broken(e.into()),
    };
    let Some(rel) = catalog.imports.iter().find(|r| r.id == id).and_then(|r| r.rejects_file.clone()) else {
        return (StatusCode::NOT_FOUND, format!("import {id} rejected no rows")).into_response();
    };
    match tokio::fs::read(state.ws.path(&rel)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"import-{id}-rejects.csv\"")),
            ],
            Body::from(bytes),
        )
            .into_response(),
        Err(e) => broken(Error::Io(rel, e)),
    }
}
