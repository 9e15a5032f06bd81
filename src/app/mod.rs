//! The application layer: a user logged in to a workspace, and what recon does for them
//! — users, imports, … — with the role check and the audit line of each operation in one
//! place. The CLI, the shell and the web workbench call this layer and only present what
//! it returns; none of them checks a role or writes an audit line of its own.

mod anomalies;
mod decisions;
mod definitions;
mod explain;
mod export;
mod imports;
mod periods;
mod query;
mod reports;
mod run_copy;
mod runs;
mod settings;
mod users;

pub use anomalies::{AnomalyMove, AnomalyMoved};
pub use decisions::{BankLine, Decided, DecisionKind, DecisionRequest};
pub use definitions::{Existing, is_canonical};
pub use explain::{Item, Step, explain, find, trail};
pub use export::{ExportOptions, Part};
pub use imports::{Imported, UndoneImport};
pub use periods::{ClosedPeriod, closed};
pub use query::{cells_as_text, collect, literal, text_rows, text_table};
pub use reports::report_parts;
pub use runs::{RUN_VIEWS, RunScope, run_summary, write_query};
pub use users::UserInfo;

use crate::auth::guard::Action;
use crate::auth::{User, Users};
use crate::error::Error;
use crate::workspace::Workspace;

/// A logged-in user's session on a workspace.
#[derive(Clone)]
pub struct Service {
    ws: Workspace,
    user: User,
    /// Query memory before spilling, for the sessions this layer opens.
    memory_limit: usize,
}

impl Service {
    /// Logs `name` in to `ws` (the only user when `name` is None and there is one):
    /// refused while locked out, counted when wrong, audited either way. `password` is
    /// asked for once the name is known (its prompt names the user).
    pub fn login(
        ws: Workspace,
        name: Option<&str>,
        password: impl FnOnce(&str) -> Result<String, Error>,
    ) -> Result<Service, Error> {
        let users = Users::load(&ws)?;
        let name = users.resolve_name(name)?;
        let password = password(&name)?;
        let user = crate::auth::lockout::login(&ws, &users, &name, &password)?;
        Ok(Service { ws, user, memory_limit: crate::session::default_memory_limit() })
    }

    /// The session of a user the caller has logged in already (the shell's, whose
    /// login was this layer's, or a workspace's first user as `recon init` makes it).
    pub fn logged_in(ws: Workspace, user: User) -> Service {
        Service { ws, user, memory_limit: crate::session::default_memory_limit() }
    }

    /// Query memory before spilling (`--memory-limit`).
    pub fn with_memory_limit(mut self, bytes: usize) -> Service {
        self.memory_limit = bytes;
        self
    }

    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    /// Refuses unless the user's role may do `action`: for an interface to ask before
    /// it prompts for more (every operation checks again).
    pub fn allowed(&self, action: Action) -> Result<(), Error> {
        Ok(crate::auth::allow(&self.user, action)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    /// A workspace with an admin and a viewer, and the admin logged in.
    fn admin() -> (tempfile::TempDir, Service) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        let mut users = Users::default();
        users.add("ada", Role::Admin, "ledger-balance-7").unwrap();
        users.add("vic", Role::Viewer, "ledger-balance-8").unwrap();
        users.save(&ws).unwrap();
        let app = Service::login(ws, Some("ada"), |_| Ok("ledger-balance-7".into())).unwrap();
        (dir, app)
    }

    #[test]
    fn a_logged_in_user_queries_and_is_held_to_the_role() {
        let (_dir, app) = admin();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let mut session = rt.block_on(app.session()).unwrap();
        let (_, batches) = rt.block_on(app.query(&mut session, "SELECT count(*) AS n FROM bank_txns")).unwrap();
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
        // Not even an admin's SQL writes into the workspace: refused before it runs.
        let catalog = app.workspace().root().join("catalog.json");
        let before = std::fs::read(&catalog).unwrap();
        let sql = format!("COPY (SELECT 1 AS x) TO '{}' STORED AS CSV", catalog.display());
        assert!(matches!(rt.block_on(app.query(&mut session, &sql)), Err(Error::Forbidden(_))));
        assert_eq!(std::fs::read(&catalog).unwrap(), before);

        let ws = app.workspace().clone();
        let viewer = Service::login(ws, Some("vic"), |_| Ok("ledger-balance-8".into())).unwrap();
        assert!(matches!(viewer.users(), Err(Error::Forbidden(_))));
        assert!(matches!(viewer.undo_import(1), Err(Error::Forbidden(_))));
        assert!(matches!(viewer.close_period("2026-10"), Err(Error::Forbidden(_))));
        let wrong = Service::login(app.workspace().clone(), Some("vic"), |_| Ok("guess".into()));
        assert!(matches!(wrong, Err(Error::Auth(crate::auth::AuthError::LoginFailed))));
    }

    #[test]
    fn users_are_managed_with_an_audit_line_each() {
        let (_dir, app) = admin();
        app.add_user("bea", Role::Accountant, "ledger-balance-9").unwrap();
        assert_eq!(app.set_role("bea", Role::Viewer).unwrap(), Role::Accountant);
        app.lock_user("bea").unwrap();
        assert!(app.users().unwrap().iter().any(|u| u.name == "bea" && u.locked && u.role == Role::Viewer));
        assert!(matches!(app.lock_user("ada"), Err(Error::Usage(_))));
        assert!(matches!(app.set_role("ada", Role::Viewer), Err(Error::Usage(_))), "the last admin stays");
        let events: Vec<String> = crate::workspace::audit::read(app.workspace())
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .filter(|e| e.starts_with("user_"))
            .collect();
        assert_eq!(events, ["user_add", "user_role", "user_lock"]);
    }
}
