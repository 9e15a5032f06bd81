//! Statements that change what the workspace holds beyond imports: the user's views
//! (kept as `.sql` files) and working tables from `CREATE TABLE … AS SELECT` (kept as
//! Parquet), each committed in a workspace transaction like an import. Names are checked
//! identifiers (crate::names), never paths or code; built-in views and canonical tables
//! are guarded.

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

/// The name a statement gives, checked: one part, a plain identifier.
fn checked_name(kind: crate::names::Kind, name: &ObjectName) -> Result<String, Error> {
    let parts: Vec<String> = name.0.iter().map(|p| p.to_string().trim_matches('"').to_string()).collect();
    match parts.as_slice() {
        [one] => crate::names::identifier(kind, one),
        _ => crate::names::identifier(kind, &name.to_string()),
    }
}

impl Runner {
    pub(super) fn create_view(&mut self, view: &CreateView, _statement: &DFStatement) -> Result<(), Error> {
        let name = checked_name(crate::names::Kind::View, &view.name)?;
        if views::is_builtin(&name) {
            return Err(Error::Usage(format!(
                "{name} is a built-in view (see .views); it cannot be replaced: give your view another name"
            )));
        }
        if is_canonical(&name) || self.ws.catalog()?.table(&name).is_some() {
            return Err(Error::Usage(format!("{name} is a table; give your view another name")));
        }
        if self.session.is_user_view(&name) && !view.or_replace && !view.if_not_exists {
            return Err(Error::Usage(format!("view {name} exists; CREATE OR REPLACE VIEW replaces it")));
        }
        if self.session.is_user_view(&name) && view.if_not_exists {
            return Ok(());
        }
        let def = views::ViewDef {
            name: name.clone(),
            query: view.query.to_string(),
            sql: format!("CREATE VIEW {name} AS\n{};", view.query),
            about: format!("{name}: created by {}", self.user.name),
            builtin: false,
        };
        // Planned as the user may, before anything is stored.
        self.runtime.block_on(self.session.register_user_view(&def))?;
        let mut tx = self.ws.begin()?;
        views::save(&mut tx, &name, &def.query, &self.user.name)
            .map_err(|e| Error::Io(format!("saving view {name}"), e))?;
        tx.audit(&self.user.name, "define", &format!("view {name}"));
        tx.commit()?;
        drop(tx);
        self.session.generation = self.ws.catalog()?.generation;
        self.session.views.retain(|v| !v.name.eq_ignore_ascii_case(&name));
        self.session.views.push(def);
        println!("view {name} saved in the workspace");
        Ok(())
    }

    pub(super) fn drop_views(
        &mut self,
        names: &[ObjectName],
        if_exists: bool,
        _statement: &DFStatement,
    ) -> Result<(), Error> {
        let names = names.iter().map(|n| checked_name(crate::names::Kind::View, n)).collect::<Result<Vec<_>, _>>()?;
        for name in &names {
            if views::is_builtin(name) {
                return Err(Error::Usage(format!("{name} is a built-in view and cannot be dropped")));
            }
            if !if_exists && !self.session.is_user_view(name) {
                return Err(Error::Usage(format!("there is no view {name}; .views lists them")));
            }
        }
        let mut tx = self.ws.begin()?;
        for name in &names {
            views::remove(&mut tx, name);
            tx.audit(&self.user.name, "define", &format!("dropped view {name}"));
        }
        tx.commit()?;
        drop(tx);
        for name in &names {
            let _ = self.session.ctx.deregister_table(name.as_str());
            self.session.views.retain(|v| !v.name.eq_ignore_ascii_case(name));
        }
        self.session.generation = self.ws.catalog()?.generation;
        Ok(())
    }

    /// `CREATE TABLE name AS SELECT …`: the result is written as Parquet and committed
    /// to the workspace with the same guarantees as an import.
    pub(super) fn create_table(&mut self, table: &CreateTable) -> Result<(), Error> {
        let name = checked_name(crate::names::Kind::Table, &table.name)?;
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
        // Personal when it reads a personal column, or any table made from one (under
        // whatever names): personal-ness follows the data.
        let personal = {
            let ctx = self.session.ctx.clone();
            let sql = query.to_string();
            let personal_tables: Vec<String> =
                self.ws.catalog()?.tables.iter().filter(|t| t.personal).map(|t| t.name.clone()).collect();
            self.runtime
                .block_on(async move { crate::auth::mask::reads_personal(&ctx, &sql, &personal_tables).await })?
        };
        let mut tx = self.ws.begin()?;
        // Again under the writer lock: another session may have made it since.
        if !table.or_replace && tx.catalog.table(&name).is_some() {
            if table.if_not_exists {
                return Ok(());
            }
            return Err(Error::Usage(format!(
                "table {name} was just made by another session; CREATE OR REPLACE TABLE replaces it"
            )));
        }
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
        tx.audit(&self.user.name, "define", &format!("table {name} ({rows} rows)"));
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
            let name = checked_name(crate::names::Kind::Table, n)?;
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
