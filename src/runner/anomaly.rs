//! Working the anomalies: each one found (`anomalies`) is known by its stable key, and
//! a person moves it through open → in_progress → resolved or ignored, with an
//! assignee and a note. Every change is kept (`anomaly_log`) and audited.

use super::Runner;
use crate::auth::guard::Action;
use crate::cli::AnomalyAction;
use crate::error::Error;
use crate::workspace::AnomalyChange;

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Runner {
    /// Each anomaly as two lines, its key first, so a narrow terminal shows whole keys
    /// and explanations: `KEY  (severity, state, assignee, N days, amount)` and the why.
    fn list_anomalies(&mut self, all: bool, kind: Option<&str>) -> Result<(), Error> {
        let source = if all { "anomalies" } else { "open_anomalies" };
        let filter = kind.map(|k| format!(" WHERE kind = {}", quoted(k))).unwrap_or_default();
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
        let (key, state, assignee, note) = match action {
            AnomalyAction::List { all, kind } => return self.list_anomalies(all, kind.as_deref()),
            AnomalyAction::Assign { key, assignee, note } => (key, None, Some(assignee), note),
            AnomalyAction::Start { key, note } => (key, Some("in_progress"), None, note),
            AnomalyAction::Resolve { key, note } => (key, Some("resolved"), None, note),
            AnomalyAction::Ignore { key, note } => (key, Some("ignored"), None, note),
            AnomalyAction::Reopen { key, note } => (key, Some("open"), None, note),
        };
        crate::auth::allow(&self.user, Action::WorkAnomaly)?;
        if matches!(state, Some("resolved" | "ignored")) && note.trim().is_empty() {
            return Err(Error::Usage(format!(
                "say {} with --note \"…\"; it stays with the anomaly",
                if state == Some("resolved") { "how it was resolved" } else { "why it is ignored" }
            )));
        }
        if let Some(name) = &assignee
            && !crate::auth::Users::load(&self.ws)?.users.iter().any(|u| &u.name == name)
        {
            return Err(Error::Usage(format!("no user '{name}': `recon user list` shows who there is")));
        }
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        let now = self.strings(&format!(
            "SELECT state, coalesce(assignee, '') FROM anomalies WHERE anomaly_key = {}",
            quoted(&key)
        ))?;
        let Some(current) = now.first() else {
            return Err(Error::Usage(format!(
                "no anomaly '{key}' now: `recon anomaly list` (or .anomaly list) shows the keys"
            )));
        };
        let (from, was_with) = (current[0].clone(), current[1].clone());
        let to = state.map_or(from.clone(), str::to_string);
        let with = assignee.clone().or((!was_with.is_empty()).then_some(was_with));
        let mut tx = self.ws.begin()?;
        let seq = tx.catalog.anomaly_log.last().map_or(1, |c| c.seq + 1);
        tx.catalog.anomaly_log.push(AnomalyChange {
            seq,
            key: key.clone(),
            state: to.clone(),
            assignee: with.clone(),
            note: note.trim().to_string(),
            user: self.user.name.clone(),
            time: crate::clock::now().to_rfc3339(),
        });
        let detail = format!(
            "{key}: {from} → {to}{}{}",
            with.as_deref().map(|w| format!(", with {w}")).unwrap_or_default(),
            if note.trim().is_empty() { String::new() } else { format!(": {}", note.trim()) }
        );
        tx.audit(&self.user.name, "anomaly", &detail);
        tx.commit()?;
        drop(tx);
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        println!("{detail}");
        Ok(())
    }
}
