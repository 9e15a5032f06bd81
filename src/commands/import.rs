//! `recon import FILE...`: each file one import, reported as it finishes (the work is
//! the runner's, shared with the shell's `.import`).

use super::Context;
use crate::cli::ImportArgs;
use crate::error::Error;
use crate::ingest;
use crate::runner::import;

pub fn run(ctx: &Context, args: ImportArgs) -> Result<(), Error> {
    if args.explain {
        let opts = import::options(&args, "")?;
        for file in &args.files {
            print!("{}", ingest::explain(file, &opts)?);
        }
        return Ok(());
    }
    let (ws, user) = ctx.login()?;
    crate::auth::allow(&user, crate::auth::guard::Action::Import)?;
    import::import_files(&ws, &user, &args)
}
