//! `recon demo`: a workspace built from the bundled sample data, in one command.

use super::Context;
use crate::cli::DemoArgs;
use crate::error::Error;

pub fn run(_ctx: &Context, _args: DemoArgs) -> Result<(), Error> {
    Err(Error::Other("recon demo needs the sample data, which is not bundled yet".into()))
}
