//! Closing and reopening periods in the shell and the CLI (the rules are the
//! application layer's, `app::periods`), and what an import brought into closed periods
//! or broke in a statement's balance, for its summary.

use super::Runner;
use crate::error::Error;

impl Runner {
    pub fn close_period(&mut self, name: &str) -> Result<(), Error> {
        let closed = self.app().close_period(name)?;
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        println!(
            "closed {}: run {1} holds its figures (run_receivables WHERE run_id = {1}, and the other run_ tables); \
             an import dated inside it from now on is flagged in anomalies",
            closed.label, closed.run_id
        );
        Ok(())
    }

    pub fn reopen_period(&mut self, name: &str, reason: &str) -> Result<(), Error> {
        let label = self.app().reopen_period(name, reason)?;
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        println!("reopened {label}: reconcile it again and close it when it is right");
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
