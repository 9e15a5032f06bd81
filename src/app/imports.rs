//! Importing files and undoing an import. Each file is one import that lands whole or
//! not at all, with its audit line; afterwards, what the new rows say about the
//! workspace as a whole (a bank statement whose running balance breaks, rows dated in a
//! closed period). Undoing takes an import's rows out of every table and view, the
//! import log keeping who undid it and when; the files go once no reader needs them.

use std::path::{Path, PathBuf};

use super::Service;
use super::query::text_rows;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::ingest::report::ImportReport;
use crate::ingest::{ImportOptions, Importer};
use crate::schema::Kind;
use crate::workspace::catalog::Undone;

/// What a batch of files became.
#[derive(Debug, Default)]
pub struct Imported {
    /// The imports that stored rows, with their table.
    pub stored: Vec<(u64, Kind)>,
    /// Files that failed (each reported as it happened).
    pub failed: usize,
}

/// Breaks of a statement's running balance shown per import; the rest are counted.
const BREAKS_SHOWN: usize = 5;

/// What an undo removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndoneImport {
    pub id: u64,
    pub rows: u64,
    pub table: String,
    pub file: String,
    /// Later imports that skipped some of its rows as duplicates: those rows are gone
    /// now too, until their files are imported again.
    pub shadowed: Vec<String>,
}

impl Service {
    /// Imports each file as one import, in order, telling `each` how it went as it
    /// finishes (so a long batch reports as it goes).
    pub fn import_files(
        &self,
        files: &[PathBuf],
        opts: &ImportOptions,
        mut each: impl FnMut(&Path, &Result<ImportReport, Error>),
    ) -> Result<Imported, Error> {
        self.allowed(Action::Import)?;
        let opts = ImportOptions { user: self.user.name.clone(), ..opts.clone() };
        let mut out = Imported::default();
        let mut importer = Importer::begin(&self.ws)?;
        let mut audit_failed = None;
        importer.import_all(files, &opts, |file, result| {
            let result = result.map_err(Error::from);
            if let Ok(report) = &result {
                if report.counts.stored > 0 {
                    out.stored.push((report.import_id, report.kind));
                }
                // A committed import's line went in with its commit; without its line
                // an import did not happen as far as the log knows: stop there.
                if !report.committed
                    && let Err(e) =
                        crate::workspace::audit::record(&self.ws, &self.user.name, "import", &report.audit_detail())
                {
                    audit_failed = Some(e);
                    return std::ops::ControlFlow::Break(());
                }
            } else {
                out.failed += 1;
            }
            each(file, &result);
            std::ops::ControlFlow::Continue(())
        });
        match audit_failed {
            Some(e) => Err(e.into()),
            None => Ok(out),
        }
    }

    /// What imports just made say about the workspace as a whole: where a bank
    /// statement breaks its own running balance, and rows dated inside a closed period.
    pub async fn after_import(&self, stored: &[(u64, Kind)]) -> Result<Vec<String>, Error> {
        let bank: Vec<u64> = stored.iter().filter(|(_, k)| *k == Kind::Bank).map(|(id, _)| *id).collect();
        let news_possible = !stored.is_empty() && super::closed(&self.ws.catalog()?).next().is_some();
        if bank.is_empty() && !news_possible {
            return Ok(Vec::new());
        }
        let session = self.session().await?;
        let mut out = Vec::new();
        for id in &bank {
            let sql = format!("SELECT explanation FROM balance_breaks WHERE import_id = {id} ORDER BY source_line");
            let rows = text_rows(&session, &sql).await?;
            out.extend(rows.iter().take(BREAKS_SHOWN).map(|r| format!("import {id}: {}", r[0])));
            if rows.len() > BREAKS_SHOWN {
                out.push(format!(
                    "import {id}: {} more balance breaks: SELECT * FROM balance_breaks WHERE import_id = {id}",
                    rows.len() - BREAKS_SHOWN
                ));
            }
        }
        if news_possible {
            let ids: Vec<String> = stored.iter().map(|(id, _)| id.to_string()).collect();
            let sql = format!(
                "SELECT period, import_id, source_file, rows_dated_inside FROM closed_period_changes \
                 WHERE import_id IN ({}) ORDER BY import_id, period",
                ids.join(", ")
            );
            out.extend(text_rows(&session, &sql).await?.iter().map(|r| {
                format!(
                    "import {} ({}) has {} rows dated in {}, which is closed: its closed figures stay as they were, \
                     and this is listed in anomalies (closed_period_changed)",
                    r[1], r[2], r[3], r[0]
                )
            }));
        }
        Ok(out)
    }

    pub fn undo_import(&self, id: u64) -> Result<UndoneImport, Error> {
        self.allowed(Action::UndoImport)?;
        let mut tx = self.ws.begin()?;
        let record = tx
            .catalog
            .imports
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::Usage(format!("there is no import {id}; `recon imports` lists them")))?;
        if let Some(u) = &record.undone {
            return Err(Error::Usage(format!("import {id} was already undone on {} by {}", u.time, u.user)));
        }
        record.undone = Some(Undone { time: crate::clock::now().to_rfc3339(), user: self.user.name.clone() });
        let (rows, table, file) = (record.rows_stored, record.kind.clone(), record.source_file.clone());
        let shadowed: Vec<String> = tx
            .catalog
            .imports
            .iter()
            .filter(|r| r.is_live() && r.duplicates_of.contains_key(&id))
            .map(|r| {
                format!("import {} ({}) skipped {} of them as duplicates", r.id, r.source_file, r.duplicates_of[&id])
            })
            .collect();
        // The files go once the catalog no longer lists them; a crash in between leaves
        // debris the next writer removes.
        tx.audit(&self.user.name, "undo", &format!("import {id}: {rows} {table} rows from {file}"));
        tx.commit()?;
        tx.sweep()?;
        Ok(UndoneImport { id, rows, table, file, shadowed })
    }
}
