//! The `recon` binary: parse the command line, run it, print the error once.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = recon::cli::Cli::parse();
    match recon::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
