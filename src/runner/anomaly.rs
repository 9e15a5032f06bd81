//! `recon anomaly` and `.anomaly`: the list, two lines each, and a person's moves (the
//! rules, the log and the audit are the application layer's, `app::anomalies`).

use super::Runner;
use crate::cli::AnomalyAction;
use recon::app::AnomalyMove;
use recon::error::Error;

impl Runner {
    /// Each anomaly as two lines, its key first, so a narrow terminal shows whole keys
    /// and explanations: `KEY  (severity, state, assignee, N days, amount)` and the why.
    fn list_anomalies(&mut self, all: bool, kind: Option<&str>) -> Result<(), Error> {
        let source = if all { "anomalies" } else { "open_anomalies" };
        let filter = kind.map(|k| format!(" WHERE kind = {}", recon::app::literal(k))).unwrap_or_default();
        let rows = self.strings(&format!(
            "SELECT anomaly_key, severity, state, coalesce(assignee, ''), age_days, coalesce(CAST(amount AS VARCHAR), ''), \
             explanation FROM {source}{filter} ORDER BY age_days DESC, anomaly_key"
        ))?;
        let mut out = String::new();
        for r in &rows {
            let facts: Vec<String> = [r[1].clone(), r[2].clone(), r[3].clone(), format!("{} days", r[4]), r[5].clone()]
                .into_iter()
                .filter(|f| !f.is_empty())
                .collect();
            out.push_str(&format!("{}  ({})\n    {}\n", r[0], facts.join(", "), r[6]));
        }
        let noun = match (rows.len(), all) {
            (1, true) => "anomaly",
            (1, false) => "open anomaly",
            (_, true) => "anomalies",
            (_, false) => "open anomalies",
        };
        out.push_str(&format!("{} {noun}\n", rows.len()));
        self.write_text(&out)
    }

    pub fn anomaly(&mut self, action: Option<AnomalyAction>) -> Result<(), Error> {
        let action = action.unwrap_or(AnomalyAction::List { all: false, kind: None });
        let (key, change, note) = match action {
            AnomalyAction::List { all, kind } => return self.list_anomalies(all, kind.as_deref()),
            AnomalyAction::Assign { key, assignee, note } => (key, AnomalyMove::Assign(assignee), note),
            AnomalyAction::Start { key, note } => (key, AnomalyMove::Start, note),
            AnomalyAction::Resolve { key, note } => (key, AnomalyMove::Resolve, note),
            AnomalyAction::Ignore { key, note } => (key, AnomalyMove::Ignore, note),
            AnomalyAction::Reopen { key, note } => (key, AnomalyMove::Reopen, note),
        };
        let app = self.app();
        let moved = self.runtime.block_on(app.move_anomaly(&mut self.session, &key, change, &note))?;
        println!("{}", moved.detail);
        Ok(())
    }
}
