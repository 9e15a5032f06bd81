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
mod serve;
mod sql;
mod user;

use std::io::IsTerminal;

use crate::cli::{Cli, Command};
pub use crate::context::Context;
use recon::error::Error;

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
        Some(Command::Revoke(args)) => ctx.runner(false)?.revoke(args.id),
        Some(Command::Report(args)) => ctx.runner(false)?.report(&args),
        Some(Command::Demo(args)) => demo::run(&ctx, args),
        Some(Command::User(args)) => user::run(&ctx, args),
        Some(Command::Audit(args)) => audit::run(&ctx, args),
        Some(Command::Serve(args)) => serve::run(&ctx, args),
        Some(Command::Shell) => crate::shell::run(&ctx),
        None if std::io::stdin().is_terminal() => crate::shell::run(&ctx),
        None => sql::run_stdin(&ctx),
    }
}
