//! `CREATE VIEW`, `DROP VIEW`, `CREATE TABLE … AS`, `DROP TABLE` typed as SQL: the
//! statement's names checked (recon::names: identifiers, never paths or code) and the
//! change made by the application layer (`app::definitions`), then said.

use datafusion::sql::sqlparser::ast::{CreateTable, CreateView, ObjectName};

use super::{Runner, cancellable};
use recon::app::Existing;
use recon::error::Error;

/// The name a statement gives, checked: one part, a plain identifier.
fn checked_name(kind: recon::names::Kind, name: &ObjectName) -> Result<String, Error> {
    let parts: Vec<String> = name.0.iter().map(|p| p.to_string().trim_matches('"').to_string()).collect();
    match parts.as_slice() {
        [one] => recon::names::identifier(kind, one),
        _ => recon::names::identifier(kind, &name.to_string()),
    }
}

impl Runner {
    pub(super) fn create_view(&mut self, view: &CreateView) -> Result<(), Error> {
        let name = checked_name(recon::names::Kind::View, &view.name)?;
        let existing = Existing { replace: view.or_replace, keep: view.if_not_exists };
        let app = self.app();
        let query = view.query.to_string();
        if self.runtime.block_on(app.create_view(&mut self.session, &name, &query, existing))? {
            println!("view {name} saved in the workspace");
        }
        Ok(())
    }

    pub(super) fn drop_views(&mut self, names: &[ObjectName], if_exists: bool) -> Result<(), Error> {
        let names = names.iter().map(|n| checked_name(recon::names::Kind::View, n)).collect::<Result<Vec<_>, _>>()?;
        self.app().drop_views(&mut self.session, &names, if_exists)
    }

    /// `CREATE TABLE name AS SELECT …`: the result is written as Parquet and committed
    /// to the workspace with the same guarantees as an import.
    pub(super) fn create_table(&mut self, table: &CreateTable) -> Result<(), Error> {
        let name = checked_name(recon::names::Kind::Table, &table.name)?;
        let Some(query) = &table.query else {
            return Err(Error::Usage(
                "recon keeps tables made from a query: CREATE TABLE name AS SELECT …; data comes in with `recon import`".into(),
            ));
        };
        let existing = Existing { replace: table.or_replace, keep: table.if_not_exists };
        let app = self.app();
        let query = query.to_string();
        let made = app.create_table(&mut self.session, &name, &query, existing);
        if let Some(rows) = cancellable(&self.runtime, self.timeout, self.interactive, made)?? {
            println!("table {name} saved in the workspace ({rows} rows)");
        }
        Ok(())
    }

    pub(super) fn drop_tables(&mut self, names: &[ObjectName], if_exists: bool) -> Result<(), Error> {
        let names = names.iter().map(|n| checked_name(recon::names::Kind::Table, n)).collect::<Result<Vec<_>, _>>()?;
        let app = self.app();
        self.runtime.block_on(app.drop_tables(&mut self.session, &names, if_exists))
    }
}
