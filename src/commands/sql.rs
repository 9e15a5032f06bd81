//! `recon sql -c SQL` / `-f FILE`, and `recon < script.sql`: statements and
//! dot-commands run in order; the first error stops the run with a non-zero exit and
//! says which statement, on which line.

use std::io::Read;

use super::Context;
use crate::cli::{OutputFormat, SqlArgs};
use crate::runner::Runner;
use recon::auth::User;
use recon::error::Error;
use recon::workspace::Workspace;

pub fn run(ctx: &Context, args: SqlArgs) -> Result<(), Error> {
    let (text, origin) = match (&args.command, &args.file) {
        (Some(c), _) => (c.clone(), "-c".to_string()),
        (None, Some(f)) => {
            (std::fs::read_to_string(f).map_err(|e| Error::Io(f.display().to_string(), e))?, f.display().to_string())
        }
        (None, None) => return Err(Error::Usage("give the SQL with -c \"SQL\" or -f FILE".into())),
    };
    let mut runner = ctx.runner(false)?;
    runner.settings.mode = args.format;
    runner.settings.timer = args.timer;
    report_warnings(&runner);
    runner.run_script(&text, &origin).map(|_| ())
}

/// A script on standard input, as `recon < month-end.sql` runs it.
pub fn run_stdin(ctx: &Context) -> Result<(), Error> {
    let mut runner = ctx.runner(false)?;
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| Error::Io("standard input".into(), e))?;
    report_warnings(&runner);
    runner.run_script(&text, "stdin").map(|_| ())
}

fn report_warnings(runner: &Runner) {
    for w in runner.warnings() {
        eprintln!("warning: {w}");
    }
}

/// Runs statements and prints each result to stdout (for other commands' summaries).
pub fn print_query(ws: &Workspace, user: &User, sql: &str, format: OutputFormat) -> Result<(), Error> {
    let mut runner = Runner::new(ws.clone(), user.clone(), recon::session::default_memory_limit(), false)?;
    runner.settings.mode = format;
    runner.run_script(sql, "recon").map(|_| ())
}
