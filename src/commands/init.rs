//! `recon init`: a new workspace and its first admin.

use super::Context;
use recon::auth::{Role, Users};
use recon::error::Error;
use recon::workspace::Workspace;

pub fn run(ctx: &Context) -> Result<(), Error> {
    let name = ctx.user.clone().unwrap_or_else(|| "admin".to_string());
    // Ask for the password first: a refused password leaves no half-made workspace.
    let password = ctx.password.read_new(&format!("New password for {name}: "))?;
    let mut users = Users::default();
    users.add(&name, Role::Admin, &password)?;
    let ws = Workspace::create(&ctx.workspace_dir)?;
    users.save(&ws)?;
    recon::workspace::audit::record(&ws, &name, "init", &format!("workspace created with admin {name}"))?;
    println!("created workspace {} with admin user '{name}'", ws.root().display());
    Ok(())
}
