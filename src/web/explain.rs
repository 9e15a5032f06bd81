//! An item's trail in the browser: what `recon explain` prints — its rows with file and
//! line, the candidates matching weighed, why it ended where it is — from the same
//! application-layer steps, each table drawn like every other result.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::grid;
use super::guard::Current;
use super::render::{broken, page};
use super::state::AppState;
use crate::app::{Part, Step};
use crate::error::Error;

#[derive(Deserialize)]
pub struct Which {
    #[serde(default)]
    id: String,
    #[serde(default)]
    as_of: String,
}

pub async fn page_of(State(state): State<Arc<AppState>>, cur: Current, Query(w): Query<Which>) -> Response {
    match shown(&state, &cur, &w).await {
        Ok(ctx) => page(&state, &cur, "explain.html", ctx).await,
        Err(e) => broken(e),
    }
}

async fn shown(state: &AppState, cur: &Current, w: &Which) -> Result<minijinja::Value, Error> {
    let session = state.reading_as_of(cur.app.user().role, &w.as_of).await?;
    let mut items = Vec::new();
    for (item, steps) in crate::app::explain(&session, &w.id).await? {
        let mut shown = Vec::new();
        for step in steps {
            shown.push(match step {
                Step::Heading(h) => context! { heading => h },
                Step::Text(text) => context! { text },
                Step::Rows { title, sql } => {
                    let g = grid::show(&session, &sql, cur.lang, 0, "/explain", None).await?;
                    context! { title, grid => g.value }
                }
            });
        }
        items.push(context! { kind => item.kind(), id => item.id(), steps => shown });
    }
    Ok(context! { id => w.id.clone(), as_of => w.as_of.clone(), items })
}

/// The trail's tables, for its export: one sheet each.
pub async fn parts(state: &AppState, cur: &Current, id: &str) -> Result<Vec<Part>, Error> {
    let session = state.reading(cur.app.user().role).await?;
    let mut parts = Vec::new();
    for (item, steps) in crate::app::explain(&session, id).await? {
        for step in steps {
            if let Step::Rows { title, sql } = step {
                let title = title.unwrap_or_else(|| format!("{} {}", item.kind(), item.id()));
                parts.push(Part { title, params: vec![format!("id={id}")], sql, adds_up: false });
            }
        }
    }
    Ok(parts)
}
