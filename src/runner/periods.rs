//! Closing and reopening periods. Closing names the run whose figures are the period's
//! (runs never change once written) and the last import they include; a later import
//! dated inside is news, flagged in `anomalies` and in the import's summary, never
//! folded in silently. Reconciling a closed period is refused until an admin reopens it.

use super::Runner;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::period::{self, Span};
use crate::workspace::{Catalog, Period};

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

impl Runner {
    pub fn close_period(&mut self, name: &str) -> Result<(), Error> {
        crate::auth::allow(&self.user, Action::ClosePeriod)?;
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
        drop(tx);
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        println!(
            "closed {}: run {run_id} holds its figures (run_receivables WHERE run_id = {run_id}, and the other run_ tables); \
             an import dated inside it from now on is flagged in anomalies",
            span.label
        );
        Ok(())
    }

    pub fn reopen_period(&mut self, name: &str, reason: &str) -> Result<(), Error> {
        crate::auth::allow(&self.user, Action::ReopenPeriod)?;
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
        drop(tx);
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        println!("reopened {}: reconcile it again and close it when it is right", span.label);
        Ok(())
    }

    /// Where the bank statements of the given imports break their own running balance:
    /// the first few breaks of each, and how to see the rest.
    pub fn balance_breaks(&self, imports: &[u64]) -> Result<Vec<String>, Error> {
        const SHOWN: usize = 5;
        let mut out = Vec::new();
        for id in imports {
            let rows = self.strings(&format!(
                "SELECT explanation FROM balance_breaks WHERE import_id = {id} ORDER BY source_line"
            ))?;
            out.extend(rows.iter().take(SHOWN).map(|r| format!("import {id}: {}", r[0])));
            if rows.len() > SHOWN {
                out.push(format!(
                    "import {id}: {} more balance breaks: SELECT * FROM balance_breaks WHERE import_id = {id}",
                    rows.len() - SHOWN
                ));
            }
        }
        Ok(out)
    }

    /// What the given imports brought into closed periods, one line each.
    pub fn closed_period_news(&self, imports: &[u64]) -> Result<Vec<String>, Error> {
        if imports.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = imports.iter().map(u64::to_string).collect();
        let rows = self.strings(&format!(
            "SELECT period, import_id, source_file, rows_dated_inside FROM closed_period_changes \
             WHERE import_id IN ({}) ORDER BY import_id, period",
            ids.join(", ")
        ))?;
        Ok(rows
            .iter()
            .map(|r| {
                format!(
                    "import {} ({}) has {} rows dated in {}, which is closed: its closed figures stay as they were, \
                     and this is listed in anomalies (closed_period_changed)",
                    r[1], r[2], r[3], r[0]
                )
            })
            .collect())
    }
}
