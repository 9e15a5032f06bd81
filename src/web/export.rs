//! Downloads: what a page shows, as the same Excel, PDF or CSV file `recon report -o`
//! writes (the application layer's export: the user and time on it, audited), built in
//! the staging folder outside the workspace and deleted once sent.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::fields::Fields;
use super::guard::Current;
use super::i18n::Lang;
use super::render::failed;
use super::state::AppState;
use crate::app::{ExportOptions, Part};
use crate::error::Error;

/// The parts a page's export holds, from the page's own fields (the same the page read
/// its query from), so the file holds what the page showed.
async fn parts(state: &AppState, cur: &Current, f: &Fields) -> Result<(String, Vec<Part>), Error> {
    let what = f.get("what");
    let parts = match what.as_str() {
        "report" => {
            let name = f.get("name");
            super::reports::bound_parts(state, &name, f)?
        }
        "analysis" => crate::app::report_parts(&state.ws, &["analysis".to_string()], &[])?,
        "collections" => vec![super::collections::part(f)?],
        "sql" => {
            vec![Part {
                title: "查询结果 Query result".into(), params: Vec::new(), sql: f.get("sql"), adds_up: true
            }]
        }
        "explain" => super::explain::parts(state, cur, &f.get("id")).await?,
        _ => return Err(Error::Usage(format!("nothing to export called {what:?}"))),
    };
    Ok((what, parts))
}

pub async fn download(State(state): State<Arc<AppState>>, cur: Current, f: Fields) -> Response {
    match file(&state, &cur, &f).await {
        Ok(r) => r,
        Err(e) => failed(&cur, e, &f.back("/")).await,
    }
}

async fn file(state: &AppState, cur: &Current, f: &Fields) -> Result<Response, Error> {
    let format = f.get("format");
    let mime = match format.as_str() {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf" => "application/pdf",
        "csv" => "text/csv; charset=utf-8",
        _ => return Err(Error::Usage("export to xlsx, pdf or csv".into())),
    };
    let (what, parts) = parts(state, cur, f).await?;
    let as_of = f.get("as_of");
    let session = state.reading_as_of(cur.app.user().role, &as_of).await?;
    let name = format!("recon-{what}-{}.{format}", crate::clock::now().format("%Y%m%d-%H%M"));
    let dir = tempfile::Builder::new()
        .prefix("export-")
        .tempdir_in(state.staging.path())
        .map_err(|e| Error::Io(state.staging.path().display().to_string(), e))?;
    let path = dir.path().join(&name);
    let options = ExportOptions {
        force: false,
        english: cur.lang == Lang::En,
        font: None,
        delivered_as: Some(format!("a download, {name}")),
    };
    cur.app.export(&session, &path, &parts, &options).await?;
    let bytes = std::fs::read(&path).map_err(|e| Error::Io(path.display().to_string(), e))?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
