//! What every command needs from the global options, and logging in with them: the
//! CLI's commands and the shell start here.

use std::path::PathBuf;

use crate::cli::Cli;
use recon::auth::User;
use recon::auth::password::PasswordInput;
use recon::error::Error;
use recon::workspace::{DEFAULT_DIR, Workspace};

/// What every command needs from the global options.
pub struct Context {
    pub workspace_dir: PathBuf,
    pub user: Option<String>,
    pub password: PasswordInput,
    pub memory_limit: usize,
}

impl Context {
    pub fn new(cli: &Cli) -> Result<Context, Error> {
        let memory_limit = match &cli.memory_limit {
            Some(s) => recon::session::parse_size(s)
                .ok_or_else(|| Error::Usage(format!("--memory-limit {s}: give a size such as 2GB or 512MB")))?,
            None => recon::session::default_memory_limit(),
        };
        if let Some(t) = cli.timeout {
            crate::runner::set_timeout_override(t);
        }
        if let Some(t) = &cli.as_of {
            if recon::asof::parse(t).is_none() {
                return Err(Error::Usage(format!(
                    "--as-of {t}: give a date such as 2026-10-31 (the end of that day) or 2026-10-31 18:00:00"
                )));
            }
            recon::asof::set_default(t);
        }
        Ok(Context {
            workspace_dir: cli.workspace.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DIR)),
            user: cli.user.clone(),
            password: PasswordInput { from_stdin: cli.password_stdin },
            memory_limit,
        })
    }

    /// Logs in and opens a session for statements.
    pub fn runner(&self, interactive: bool) -> Result<crate::runner::Runner, Error> {
        let (ws, user) = self.login()?;
        crate::runner::Runner::new(ws, user, self.memory_limit, interactive)
    }

    pub fn open(&self) -> Result<Workspace, Error> {
        Ok(Workspace::open(&self.workspace_dir)?)
    }

    /// Opens the workspace and logs in: the application layer for this user.
    pub fn service(&self) -> Result<recon::app::Service, Error> {
        let ws = self.open()?;
        recon::app::Service::login(ws, self.user.as_deref(), |name| {
            Ok(self.password.read(&format!("Password for {name}: "))?)
        })
    }

    /// Opens the workspace and logs in.
    pub fn login(&self) -> Result<(Workspace, User), Error> {
        let service = self.service()?;
        Ok((service.workspace().clone(), service.user().clone()))
    }
}
