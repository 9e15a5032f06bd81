//! Saved reports: a titled query with `:name` parameters, kept as `reports/NAME.sql`
//! (the same whether saved from the shell, the CLI or the web), checked to plan before
//! it is kept, and dropped with an audit line.

use super::Service;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::reports::{self, Report};
use crate::session::Session;

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
