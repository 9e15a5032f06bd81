//! Everything a page loads is inside the binary: templates, the style sheet and the one
//! scripts, the charting library among them (no CDN: many merchants sit behind firewalls).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("assets/base.html")),
    ("login.html", include_str!("assets/login.html")),
    ("home.html", include_str!("assets/home.html")),
    ("import.html", include_str!("assets/import.html")),
    ("preview.html", include_str!("assets/preview.html")),
    ("report.html", include_str!("assets/report.html")),
    ("imports.html", include_str!("assets/imports.html")),
    ("workbench.html", include_str!("assets/workbench.html")),
    ("job.html", include_str!("assets/job.html")),
    ("run.html", include_str!("assets/run.html")),
    ("source.html", include_str!("assets/source.html")),
    ("grid.html", include_str!("assets/grid.html")),
    ("explain.html", include_str!("assets/explain.html")),
    ("collections.html", include_str!("assets/collections.html")),
    ("reports.html", include_str!("assets/reports.html")),
    ("report_run.html", include_str!("assets/report_run.html")),
    ("drill.html", include_str!("assets/drill.html")),
    ("analysis.html", include_str!("assets/analysis.html")),
    ("sql.html", include_str!("assets/sql.html")),
    ("anomalies.html", include_str!("assets/anomalies.html")),
    ("anomaly.html", include_str!("assets/anomaly.html")),
    ("anomaly_form.html", include_str!("assets/anomaly_form.html")),
    ("periods.html", include_str!("assets/periods.html")),
    ("admin_tabs.html", include_str!("assets/admin_tabs.html")),
    ("admin_users.html", include_str!("assets/admin_users.html")),
    ("admin_audit.html", include_str!("assets/admin_audit.html")),
    ("admin_settings.html", include_str!("assets/admin_settings.html")),
];

/// The templates, parsed once at start.
pub fn templates() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    for (name, source) in TEMPLATES {
        // The templates are part of the binary; a broken one fails every test at once.
        if let Err(e) = env.add_template(name, source) {
            panic!("template {name}: {e}");
        }
    }
    env
}

const STATIC: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("assets/app.js")),
    ("charts.js", "text/javascript; charset=utf-8", include_str!("assets/charts.js")),
    ("echarts.min.js", "text/javascript; charset=utf-8", include_str!("assets/vendor/echarts.common.min.js")),
];

pub async fn file(Path(name): Path<String>) -> Response {
    match STATIC.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => {
            ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "max-age=3600")], *body).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
