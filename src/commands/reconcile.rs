//! `recon reconcile`, and the manual decisions `recon match`, `unmatch` and `writeoff`:
//! thin wrappers over the runner, which the shell's dot-commands share.

use super::Context;
use crate::cli::ReconcileArgs;
use crate::runner::Decision;
use recon::error::Error;

pub fn run(ctx: &Context, args: ReconcileArgs) -> Result<(), Error> {
    let mut runner = ctx.runner(false)?;
    runner.reconcile(&args)
}

pub fn decide(ctx: &Context, decision: Decision) -> Result<(), Error> {
    let mut runner = ctx.runner(false)?;
    runner.decide(decision)
}
