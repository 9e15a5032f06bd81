//! `recon gen`: a shortcut to `recon-gen`, the generator of synthetic data. The generator
//! is its own program (`gen/`), so the `recon` an accountant runs does not carry it; this
//! runs the one installed beside `recon`, or on the PATH.

use std::path::PathBuf;
use std::process::Command;

use crate::cli::GenArgs;
use recon::error::Error;

const PROGRAM: &str = "recon-gen";

pub fn run(args: GenArgs) -> Result<(), Error> {
    let beside = std::env::current_exe().ok().map(|exe| exe.with_file_name(PROGRAM)).filter(|p| p.is_file());
    let program = beside.unwrap_or_else(|| PathBuf::from(PROGRAM));
    let status = Command::new(&program).args(&args.args).status().map_err(|e| {
        Error::Usage(format!(
            "recon gen runs {PROGRAM}, the generator, which is not installed beside recon or on the PATH ({e}); \
             `cargo build --release` builds both"
        ))
    })?;
    if !status.success() {
        // recon-gen has said what went wrong; end with its code.
        std::process::exit(status.code().unwrap_or(1));
    }
    Ok(())
}
