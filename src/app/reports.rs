//! Saved reports: a titled query with `:name` parameters, kept as `reports/NAME.sql`
//! (the same whether saved from the shell, the CLI or the web), checked to plan before
//! it is kept, and dropped with an audit line.

use super::{Part, Service};
use crate::auth::guard::Action;
use crate::error::Error;
use crate::reports::{self, Report};
use crate::session::Session;
use crate::workspace::Workspace;

impl Service {
    /// Saves report `name` over `sql` with an optional title; it must be one query that
    /// plans, each parameter standing in as a literal.
    pub async fn save_report(
        &self,
        session: &Session,
        name: &str,
        title: Option<&str>,
        sql: &str,
    ) -> Result<Report, Error> {
        self.allowed(Action::Define)?;
        let probe = Report {
            name: name.into(),
            title: String::new(),
            params: reports::params_of(sql),
            sql: sql.trim().trim_end_matches(';').to_string(),
            builtin: false,
            saved: String::new(),
        };
        let stand_ins: Vec<(String, String)> = probe.params.iter().map(|p| (p.clone(), "2000-01-01".into())).collect();
        let planned = reports::bind(&probe, &stand_ins)?;
        reports::check_query(name, &planned)?;
        session
            .ctx
            .state()
            .create_logical_plan(&planned)
            .await
            .map_err(|e| Error::Usage(format!("the report's query does not plan: {e}")))?;
        reports::save(&self.ws, name, title, sql, &self.user.name)
    }

    /// Drops the user's saved report `name` (built-in ones stay).
    pub fn drop_report(&self, name: &str) -> Result<(), Error> {
        self.allowed(Action::Define)?;
        reports::drop(&self.ws, name, &self.user.name)
    }
}

/// Each report bound to the parameters it takes; a parameter none of them takes is
/// a mistake worth reporting.
pub fn report_parts(ws: &Workspace, names: &[String], values: &[(String, String)]) -> Result<Vec<Part>, Error> {
    let mut parts = Vec::new();
    let mut used = vec![false; values.len()];
    for name in names {
        if let Some(sections) = reports::sections(name) {
            parts.extend(sections.iter().enumerate().map(|(i, s)| Part {
                // The first section carries the report's own title.
                title: if i == 0 { format!("{} · {}", reports::ANALYSIS.1, s.title) } else { s.title.to_string() },
                params: Vec::new(),
                sql: s.sql.to_string(),
                adds_up: s.adds_up,
            }));
            continue;
        }
        let report = reports::find(ws, name)?;
        if !report.builtin {
            reports::check_query(name, &report.sql)?;
        }
        let mine: Vec<(String, String)> = values
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| names.len() == 1 || report.params.contains(k))
            .map(|(i, kv)| {
                used[i] = true;
                kv.clone()
            })
            .collect();
        let sql = reports::bind(&report, &mine)?;
        let params = mine.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.push(Part { adds_up: report.adds_up(), title: report.title, params, sql });
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(Error::Usage(format!("none of the reports takes a parameter {}", values[i].0)));
    }
    Ok(parts)
}
