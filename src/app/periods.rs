//! Closing and reopening periods. Closing names the run whose figures are the period's
//! (runs never change once written) and the last import they include; a later import
//! dated inside is news, flagged in `anomalies`, never folded in silently. Reconciling a
//! closed period is refused until an admin reopens it, saying why.

use super::Service;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::period::{self, Span};
use crate::workspace::{Catalog, Period};

/// A period closed: which run holds its figures, and the last import they include.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedPeriod {
    pub label: String,
    pub run_id: u64,
    pub last_import: u64,
}

/// The periods closed now (not reopened).
pub fn closed(catalog: &Catalog) -> impl Iterator<Item = Span> + '_ {
    catalog.periods.iter().filter(|p| p.reopened_at.is_none()).filter_map(|p| {
        Some(Span {
            label: p.period.clone(),
            from: chrono::NaiveDate::parse_from_str(&p.from, "%Y-%m-%d").ok()?,
            until: chrono::NaiveDate::parse_from_str(&p.until, "%Y-%m-%d").ok()?,
        })
    })
}

/// How `recon reconcile --period` names the grain of a period label.
fn grain_of(label: &str) -> &'static str {
    if label.contains('W') {
        "week"
    } else if label.len() == 10 {
        "day"
    } else {
        "month"
    }
}

impl Service {
    /// Closes `name` (`2026-10`, `2026-W43`, `2026-10-31`) with its latest run.
    pub fn close_period(&self, name: &str) -> Result<ClosedPeriod, Error> {
        self.allowed(Action::ClosePeriod)?;
        let span = period::parse(None, name).map_err(Error::Usage)?;
        let mut tx = self.ws.begin()?;
        if let Some(other) = closed(&tx.catalog).find(|c| c.overlaps(&span)) {
            return Err(Error::Usage(format!("{} is closed already", other.label)));
        }
        let run = tx
            .catalog
            .runs
            .iter()
            .filter(|r| {
                r.period.as_deref() == Some(span.label.as_str())
                    || (r.from.as_deref() == Some(&span.from.to_string())
                        && r.to.as_deref() == Some(&span.last_day().to_string()))
            })
            .max_by_key(|r| r.id)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no run for {0} yet: `recon reconcile --period {1} {0}` first, check it, then close",
                    span.label,
                    grain_of(&span.label)
                ))
            })?;
        let run_id = run.id;
        let last_import = tx.catalog.next_import_id.saturating_sub(1);
        tx.catalog.periods.push(Period {
            period: span.label.clone(),
            from: span.from.to_string(),
            until: span.until.to_string(),
            run_id,
            last_import,
            closed_at: crate::clock::now().to_rfc3339(),
            closed_by: self.user.name.clone(),
            reopened_at: None,
            reopened_by: None,
            reopen_reason: None,
        });
        tx.audit(
            &self.user.name,
            "close",
            &format!("closed {} with run {run_id} (imports up to {last_import})", span.label),
        );
        tx.commit()?;
        Ok(ClosedPeriod { label: span.label, run_id, last_import })
    }

    /// Reopens a closed period (admins), saying why; returns its label.
    pub fn reopen_period(&self, name: &str, reason: &str) -> Result<String, Error> {
        self.allowed(Action::ReopenPeriod)?;
        if reason.trim().is_empty() {
            return Err(Error::Usage("reopen: say why with --reason \"…\"; it goes into the audit log".into()));
        }
        let span = period::parse(None, name).map_err(Error::Usage)?;
        let mut tx = self.ws.begin()?;
        let Some(p) = tx.catalog.periods.iter_mut().find(|p| p.period == span.label && p.reopened_at.is_none()) else {
            return Err(Error::Usage(format!("{} is not closed", span.label)));
        };
        p.reopened_at = Some(crate::clock::now().to_rfc3339());
        p.reopened_by = Some(self.user.name.clone());
        p.reopen_reason = Some(reason.trim().to_string());
        let run_id = p.run_id;
        tx.audit(
            &self.user.name,
            "reopen",
            &format!("reopened {} (closed with run {run_id}): {}", span.label, reason.trim()),
        );
        tx.commit()?;
        Ok(span.label)
    }
}
