//! One module per command, all called from one match; shared steps (finding the
//! workspace, logging in) live here.

mod audit;
mod demo;
mod formats;
mod generate;
mod import;
mod imports;
mod init;
mod reconcile;
mod sql;
mod user;

pub use import::import_from_shell;

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::auth::password::PasswordInput;
use crate::auth::{User, Users};
use crate::cli::{Cli, Command};
use crate::error::Error;
use crate::workspace::{DEFAULT_DIR, Workspace};

pub fn run(cli: Cli) -> Result<(), Error> {
    let ctx = Context::new(&cli)?;
    match cli.command {
        Some(Command::Init) => init::run(&ctx),
        Some(Command::Import(args)) => import::run(&ctx, args),
        Some(Command::Imports(args)) => imports::run(&ctx, args),
        Some(Command::Formats) => {
            print!("{}", formats::list());
            Ok(())
        }
        Some(Command::Sql(args)) => sql::run(&ctx, args),
        Some(Command::Gen(args)) => generate::run(args),
        Some(Command::Reconcile(args)) => reconcile::run(&ctx, args),
        Some(Command::Close(args)) => ctx.runner(false)?.close_period(&args.period),
        Some(Command::Reopen(args)) => ctx.runner(false)?.reopen_period(&args.period, &args.reason),
        Some(Command::Anomaly(args)) => ctx.runner(false)?.anomaly(args.action),
        Some(Command::Explain(args)) => ctx.runner(false)?.explain(&args.id),
        Some(Command::Match(args)) => reconcile::decide(&ctx, crate::runner::Decision::Match(args)),
        Some(Command::Unmatch(args)) => reconcile::decide(&ctx, crate::runner::Decision::Unmatch(args)),
        Some(Command::Writeoff(args)) => reconcile::decide(&ctx, crate::runner::Decision::Writeoff(args)),
        Some(Command::Report(args)) => ctx.runner(false)?.report(&args),
        Some(Command::Demo(args)) => demo::run(&ctx, args),
        Some(Command::User(args)) => user::run(&ctx, args),
        Some(Command::Audit(args)) => audit::run(&ctx, args),
        Some(Command::Shell) => crate::shell::run(&ctx),
        None if std::io::stdin().is_terminal() => crate::shell::run(&ctx),
        None => sql::run_stdin(&ctx),
    }
}

/// What every command needs from the global options.
pub struct Context {
    pub workspace_dir: PathBuf,
    pub user: Option<String>,
    pub password: PasswordInput,
    pub memory_limit: usize,
}

impl Context {
    fn new(cli: &Cli) -> Result<Context, Error> {
        let memory_limit = match &cli.memory_limit {
            Some(s) => crate::session::parse_size(s)
                .ok_or_else(|| Error::Usage(format!("--memory-limit {s}: give a size such as 2GB or 512MB")))?,
            None => crate::session::default_memory_limit(),
        };
        if let Some(t) = cli.timeout {
            crate::runner::set_timeout_override(t);
        }
        if let Some(t) = &cli.as_of {
            if crate::asof::parse(t).is_none() {
                return Err(Error::Usage(format!(
                    "--as-of {t}: give a date such as 2026-10-31 (the end of that day) or 2026-10-31 18:00:00"
                )));
            }
            crate::asof::set_default(t);
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

    /// Opens the workspace and logs in.
    pub fn login(&self) -> Result<(Workspace, User), Error> {
        let ws = self.open()?;
        let users = Users::load(&ws)?;
        let name = users.resolve_name(self.user.as_deref())?;
        let password = self.password.read(&format!("Password for {name}: "))?;
        let user = crate::auth::lockout::login(&ws, &users, &name, &password)?;
        Ok((ws, user))
    }
}
