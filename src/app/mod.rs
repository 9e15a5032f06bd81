//! The application layer: a user logged in to a workspace, and what recon does for them
//! — users, imports, … — with the role check and the audit line of each operation in one
//! place. The CLI, the shell and the web workbench call this layer and only present what
//! it returns; none of them checks a role or writes an audit line of its own.

mod anomalies;
mod decisions;
mod definitions;
mod export;
mod imports;
mod periods;
mod query;
mod reports;
mod runs;
mod users;

pub use anomalies::{AnomalyMove, AnomalyMoved};
pub use decisions::{BankLine, Decided, DecisionKind, DecisionRequest};
pub use definitions::{Existing, is_canonical};
pub use export::{ExportOptions, Part};
pub use imports::{Imported, UndoneImport};
pub use periods::{ClosedPeriod, closed};
pub use query::text_rows;
pub use runs::{RUN_VIEWS, RunScope, write_query};
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
    /// login was this layer's).
    pub(crate) fn logged_in(ws: Workspace, user: User) -> Service {
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
