//! What a user defines beyond imports: views (kept as `views/NAME.sql`) and working
//! tables from a query (kept as Parquet), each committed in a workspace transaction with
//! its audit line. Names come checked (crate::names), never paths or code; built-in
//! views and canonical tables are guarded.

use super::Service;
use super::runs::write_query;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::schema::Kind;
use crate::session::Session;
use crate::views::{self, ViewDef};
use crate::workspace::UserTable;

/// How a `CREATE` meets a name that is taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Existing {
    /// `OR REPLACE`: replace it.
    pub replace: bool,
    /// `IF NOT EXISTS`: leave it, and do nothing.
    pub keep: bool,
}

/// Names no user object may take: the canonical tables and the import log.
pub fn is_canonical(name: &str) -> bool {
    Kind::ALL.iter().any(|k| k.table().eq_ignore_ascii_case(name)) || name.eq_ignore_ascii_case("imports")
}

impl Service {
    /// Saves view `name` (checked) over `query`, planned first as this user may; false
    /// when it existed and `IF NOT EXISTS` left it.
    pub async fn create_view(
        &self,
        session: &mut Session,
        name: &str,
        query: &str,
        existing: Existing,
    ) -> Result<bool, Error> {
        self.allowed(Action::Define)?;
        if views::is_builtin(name) {
            return Err(Error::Usage(format!(
                "{name} is a built-in view (see .views); it cannot be replaced: give your view another name"
            )));
        }
        if is_canonical(name) || self.ws.catalog()?.table(name).is_some() {
            return Err(Error::Usage(format!("{name} is a table; give your view another name")));
        }
        if session.is_user_view(name) && existing.keep {
            return Ok(false);
        }
        if session.is_user_view(name) && !existing.replace {
            return Err(Error::Usage(format!("view {name} exists; CREATE OR REPLACE VIEW replaces it")));
        }
        let def = ViewDef {
            name: name.to_string(),
            query: query.to_string(),
            sql: format!("CREATE VIEW {name} AS\n{query};"),
            about: format!("{name}: created by {}", self.user.name),
            builtin: false,
        };
        // Planned as the user may, before anything is stored.
        session.register_user_view(&def).await?;
        let mut tx = self.ws.begin()?;
        views::save(&mut tx, name, &def.query, &self.user.name)
            .map_err(|e| Error::Io(format!("saving view {name}"), e))?;
        tx.audit(&self.user.name, "define", &format!("view {name}"));
        tx.commit()?;
        drop(tx);
        session.generation = self.ws.catalog()?.generation;
        session.views.retain(|v| !v.name.eq_ignore_ascii_case(name));
        session.views.push(def);
        Ok(true)
    }

    /// Drops the user's views `names` (checked); with `if_exists`, a missing one is no
    /// error.
    pub fn drop_views(&self, session: &mut Session, names: &[String], if_exists: bool) -> Result<(), Error> {
        self.allowed(Action::Define)?;
        for name in names {
            if views::is_builtin(name) {
                return Err(Error::Usage(format!("{name} is a built-in view and cannot be dropped")));
            }
            if !if_exists && !session.is_user_view(name) {
                return Err(Error::Usage(format!("there is no view {name}; .views lists them")));
            }
        }
        let mut tx = self.ws.begin()?;
        for name in names {
            views::remove(&mut tx, name);
            tx.audit(&self.user.name, "define", &format!("dropped view {name}"));
        }
        tx.commit()?;
        drop(tx);
        for name in names {
            let _ = session.ctx.deregister_table(name.as_str());
            session.views.retain(|v| !v.name.eq_ignore_ascii_case(name));
        }
        session.generation = self.ws.catalog()?.generation;
        Ok(())
    }

    /// `CREATE TABLE name AS query`: the result written as Parquet and committed with
    /// the guarantees of an import. The rows stored, or None when it existed and
    /// `IF NOT EXISTS` left it.
    pub async fn create_table(
        &self,
        session: &mut Session,
        name: &str,
        query: &str,
        existing: Existing,
    ) -> Result<Option<u64>, Error> {
        self.allowed(Action::Define)?;
        if is_canonical(name) {
            return Err(Error::Usage(format!("{name} is a canonical table, filled by imports")));
        }
        if session.views.iter().any(|v| v.name.eq_ignore_ascii_case(name)) {
            return Err(Error::Usage(format!("{name} is a view; give the table another name")));
        }
        let exists = self.ws.catalog()?.table(name).is_some();
        if exists && existing.keep {
            return Ok(None);
        }
        if exists && !existing.replace {
            return Err(Error::Usage(format!("table {name} exists; CREATE OR REPLACE TABLE replaces it")));
        }
        // Personal when it reads a personal column, or any table made from one (under
        // whatever names): personal-ness follows the data.
        let personal_tables: Vec<String> =
            self.ws.catalog()?.tables.iter().filter(|t| t.personal).map(|t| t.name.clone()).collect();
        let personal = crate::auth::mask::reads_personal(&session.ctx, query, &personal_tables).await?;
        let mut tx = self.ws.begin()?;
        // Again under the writer lock: another session may have made it since.
        if !existing.replace && tx.catalog.table(name).is_some() {
            if existing.keep {
                return Ok(None);
            }
            return Err(Error::Usage(format!(
                "table {name} was just made by another session; CREATE OR REPLACE TABLE replaces it"
            )));
        }
        let file = format!("tables/user/{name}-{:06}.parquet", tx.catalog.generation + 1);
        let tmp = tx.temp_path(&format!("{name}.parquet"));
        let rows = match write_query(session, query, &tmp).await {
            Ok(rows) => rows,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        tx.stage(tmp, file.clone());
        tx.catalog.tables.retain(|t| !t.name.eq_ignore_ascii_case(name));
        tx.catalog.tables.push(UserTable {
            name: name.to_string(),
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
        session.refresh(&self.ws).await?;
        Ok(Some(rows))
    }

    /// Drops the user's working tables `names` (checked), with an audit line each.
    pub async fn drop_tables(&self, session: &mut Session, names: &[String], if_exists: bool) -> Result<(), Error> {
        self.allowed(Action::Define)?;
        let mut tx = self.ws.begin()?;
        for name in names {
            if is_canonical(name) {
                return Err(Error::Usage(format!(
                    "{name} is filled by imports and cannot be dropped; `recon imports undo ID` removes one import"
                )));
            }
            let before = tx.catalog.tables.len();
            tx.catalog.tables.retain(|t| !t.name.eq_ignore_ascii_case(name));
            if tx.catalog.tables.len() == before {
                if !if_exists {
                    return Err(Error::Usage(format!("there is no table {name} of yours; .tables lists them")));
                }
                continue;
            }
            tx.audit(&self.user.name, "define", &format!("dropped table {name}"));
            session.ctx.deregister_table(name.as_str())?;
        }
        tx.commit()?;
        tx.sweep()?;
        drop(tx);
        session.refresh(&self.ws).await?;
        Ok(())
    }
}
