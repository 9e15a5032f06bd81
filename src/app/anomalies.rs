//! Working the anomalies: each one found (`anomalies`) is known by its stable key, and
//! a person moves it through open → in_progress → resolved or ignored, with an assignee
//! and a note. Every change is kept (`anomaly_log`) and audited.

use super::Service;
use super::query::text_rows;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::session::Session;
use crate::workspace::AnomalyChange;

/// What a person does with an anomaly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnomalyMove {
    /// Give it to this user (its state stays).
    Assign(String),
    Start,
    Resolve,
    Ignore,
    Reopen,
}

impl AnomalyMove {
    /// The state it leads to; None keeps the current one.
    fn state(&self) -> Option<&'static str> {
        match self {
            AnomalyMove::Assign(_) => None,
            AnomalyMove::Start => Some("in_progress"),
            AnomalyMove::Resolve => Some("resolved"),
            AnomalyMove::Ignore => Some("ignored"),
            AnomalyMove::Reopen => Some("open"),
        }
    }
}

/// A change made: the anomaly's state before and after, who has it, and the audit
/// line's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnomalyMoved {
    pub key: String,
    pub from: String,
    pub to: String,
    pub assignee: Option<String>,
    pub detail: String,
}

impl Service {
    /// Moves anomaly `key` as `change` says, with `note` (required to resolve or
    /// ignore). `session` (this user's) is brought up to date and read for the
    /// anomaly's current state.
    pub async fn move_anomaly(
        &self,
        session: &mut Session,
        key: &str,
        change: AnomalyMove,
        note: &str,
    ) -> Result<AnomalyMoved, Error> {
        self.allowed(Action::WorkAnomaly)?;
        let note = note.trim();
        let state = change.state();
        if matches!(state, Some("resolved" | "ignored")) && note.is_empty() {
            return Err(Error::Usage(format!(
                "say {} with --note \"…\"; it stays with the anomaly",
                if state == Some("resolved") { "how it was resolved" } else { "why it is ignored" }
            )));
        }
        let assignee = match &change {
            AnomalyMove::Assign(name) => Some(name.clone()),
            _ => None,
        };
        if let Some(name) = &assignee
            && !crate::auth::Users::load(&self.ws)?.users.iter().any(|u| &u.name == name)
        {
            return Err(Error::Usage(format!("no user '{name}': `recon user list` shows who there is")));
        }
        session.refresh(&self.ws).await?;
        let sql =
            format!("SELECT state, coalesce(assignee, '') FROM anomalies WHERE anomaly_key = {}", super::literal(key));
        let now = text_rows(session, &sql).await?;
        let Some(current) = now.first() else {
            return Err(Error::Usage(format!(
                "no anomaly '{key}' now: `recon anomaly list` (or .anomaly list) shows the keys"
            )));
        };
        let (from, was_with) = (current[0].clone(), current[1].clone());
        let to = state.map_or(from.clone(), str::to_string);
        let with = assignee.or((!was_with.is_empty()).then_some(was_with));
        let mut tx = self.ws.begin()?;
        let seq = tx.catalog.anomaly_log.last().map_or(1, |c| c.seq + 1);
        tx.catalog.anomaly_log.push(AnomalyChange {
            seq,
            key: key.to_string(),
            state: to.clone(),
            assignee: with.clone(),
            note: note.to_string(),
            user: self.user.name.clone(),
            time: crate::clock::now().to_rfc3339(),
        });
        let detail = format!(
            "{key}: {from} → {to}{}{}",
            with.as_deref().map(|w| format!(", with {w}")).unwrap_or_default(),
            if note.is_empty() { String::new() } else { format!(": {note}") }
        );
        tx.audit(&self.user.name, "anomaly", &detail);
        tx.commit()?;
        drop(tx);
        session.refresh(&self.ws).await?;
        Ok(AnomalyMoved { key: key.to_string(), from, to, assignee: with, detail })
    }
}
