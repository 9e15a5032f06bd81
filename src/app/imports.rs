//! Undoing an import: its rows leave every table and view, the import log keeps a line
//! saying who undid it and when, and the files go once no reader needs them.

use super::Service;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::workspace::catalog::Undone;

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
