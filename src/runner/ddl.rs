//! Statements that change what the workspace holds beyond imports: the user's views
//! (kept as `.sql` files) and working tables from `CREATE TABLE … AS SELECT` (kept as
//! Parquet, committed like an import). Built-in views and canonical tables are guarded.

use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{CreateTable, CreateView, ObjectName};

use super::Runner;
use crate::error::Error;
use crate::schema::Kind;
use crate::views;
use crate::workspace::UserTable;

/// Names no user object may take: the canonical tables and the import log.
fn is_canonical(name: &str) -> bool {
    Kind::ALL.iter().any(|k| k.table().eq_ignore_ascii_case(name)) || name.eq_ignore_ascii_case("imports")
}

fn plain_name(name: &ObjectName) -> String {
    name.to_string().trim_matches('"').to_lowercase()
}

impl Runner {
    pub(super) fn create_view(&mut self, view: &CreateView, statement: &DFStatement) -> Result<(), Error> {
        let name = plain_name(&view.name);
        if views::is_builtin(&name) {
            return Err(Error::Usage(format!(
                "{name} is a built-in view (see .views); it cannot be replaced: give your view another name"
            )));
        }
        if is_canonical(&name) || self.ws.catalog()?.table(&name).is_some() {
            return Err(Error::Usage(format!("{name} is a table; give your view another name")));
        }
        self.query(statement.clone())?;
        views::save(&self.ws, &name, &statement.to_string(), &self.user.name)
            .map_err(|e| Error::Io(format!("saving view {name}"), e))?;
        self.session.views.retain(|v| !v.name.eq_ignore_ascii_case(&name));
        self.session.views.push(views::ViewDef {
            name: name.clone(),
            sql: statement.to_string(),
            about: format!("{name}: created by {}", self.user.name),
            builtin: false,
        });
        println!("view {name} saved in the workspace");
        Ok(())
    }

    pub(super) fn drop_views(
        &mut self,
        names: &[ObjectName],
        if_exists: bool,
        statement: &DFStatement,
    ) -> Result<(), Error> {
        for n in names {
            let name = plain_name(n);
            if views::is_builtin(&name) {
                return Err(Error::Usage(format!("{name} is a built-in view and cannot be dropped")));
            }
            if !if_exists && !self.session.is_user_view(&name) {
                return Err(Error::Usage(format!("there is no view {name}; .views lists them")));
            }
        }
        self.query(statement.clone())?;
        for n in names {
            let name = plain_name(n);
            views::remove(&self.ws, &name).map_err(|e| Error::Io(format!("removing view {name}"), e))?;
            self.session.views.retain(|v| !v.name.eq_ignore_ascii_case(&name));
        }
        Ok(())
    }

    /// `CREATE TABLE name AS SELECT …`: the result is written as Parquet and committed
    /// to the workspace with the same guarantees as an import.
    pub(super) fn create_table(&mut self, table: &CreateTable) -> Result<(), Error> {
        let name = plain_name(&table.name);
        let Some(query) = &table.query else {
            return Err(Error::Usage(
                "recon keeps tables made from a query: CREATE TABLE name AS SELECT …; data comes in with `recon import`".into(),
            ));
        };
        if is_canonical(&name) {
            return Err(Error::Usage(format!("{name} is a canonical table, filled by imports")));
        }
        if self.session.views.iter().any(|v| v.name.eq_ignore_ascii_case(&name)) {
            return Err(Error::Usage(format!("{name} is a view; give the table another name")));
        }
        let exists = self.ws.catalog()?.table(&name).is_some();
        if exists && table.if_not_exists {
            return Ok(());
        }
        if exists && !table.or_replace {
            return Err(Error::Usage(format!("table {name} exists; CREATE OR REPLACE TABLE replaces it")));
        }
        let personal = {
            let ctx = self.session.ctx.clone();
            let sql = query.to_string();
            self.runtime.block_on(async move { crate::auth::mask::reads_personal(&ctx, &sql).await })?
        };
        let mut tx = self.ws.begin()?;
        let file = format!("tables/user/{name}-{:06}.parquet", tx.catalog.generation + 1);
        let tmp = tx.temp_path(&format!("{name}.parquet"));
        let rows = match self.write_query(&query.to_string(), &tmp) {
            Ok(rows) => rows,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        tx.stage(tmp, file.clone());
        tx.catalog.tables.retain(|t| !t.name.eq_ignore_ascii_case(&name));
        tx.catalog.tables.push(UserTable {
            name: name.clone(),
            file,
            rows,
            created: crate::clock::now().to_rfc3339(),
            user: self.user.name.clone(),
            personal,
        });
        tx.commit()?;
        tx.sweep()?;
        drop(tx);
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        println!("table {name} saved in the workspace ({rows} rows)");
        Ok(())
    }

    pub(super) fn drop_tables(&mut self, names: &[ObjectName], if_exists: bool) -> Result<(), Error> {
        let mut tx = self.ws.begin()?;
        for n in names {
            let name = plain_name(n);
            if is_canonical(&name) {
                return Err(Error::Usage(format!(
                    "{name} is filled by imports and cannot be dropped; `recon imports undo ID` removes one import"
                )));
            }
            let before = tx.catalog.tables.len();
            tx.catalog.tables.retain(|t| !t.name.eq_ignore_ascii_case(&name));
            if tx.catalog.tables.len() == before && !if_exists {
                return Err(Error::Usage(format!("there is no table {name} of yours; .tables lists them")));
            }
            self.session.ctx.deregister_table(name.as_str())?;
        }
        tx.commit()?;
        tx.sweep()?;
        drop(tx);
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        Ok(())
    }
}
