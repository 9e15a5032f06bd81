//! `recon import FILE...`: each file one import, reported as it finishes (the work is
//! the runner's, shared with the shell's `.import`).

use super::Context;
use crate::cli::ImportArgs;
use crate::runner::import;
use recon::error::Error;
use recon::ingest;

pub fn run(ctx: &Context, args: ImportArgs) -> Result<(), Error> {
    if args.explain {
        let opts = import::options(&args, "")?;
        for file in &args.files {
            print!("{}", ingest::explain(file, &opts)?);
        }
        return Ok(());
    }
    let (ws, user) = ctx.login()?;
    recon::auth::allow(&user, recon::auth::guard::Action::Import)?;
    import::import_files(&ws, &user, &args)
}
