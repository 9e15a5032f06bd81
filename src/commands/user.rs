//! `recon user add|passwd|role|lock|unlock|list`: managing who may log in and as what
//! (the rules and the audit are the application layer's, `app::users`).

use super::Context;
use crate::cli::{RoleArg, UserAction, UserArgs};
use recon::auth::guard::Action;
use recon::auth::{AuthError, Role, password};
use recon::error::Error;

pub fn run(ctx: &Context, args: UserArgs) -> Result<(), Error> {
    let app = ctx.service()?;
    match args.action {
        UserAction::List => {
            println!("{:<20} {:<11} {:<8} {:<16} created", "user", "role", "locked", "failed logins");
            for u in app.users()? {
                let locked = if u.locked { "yes" } else { "" };
                println!("{:<20} {:<11} {:<8} {:<16} {}", u.name, u.role.name(), locked, u.failed_logins, u.created);
            }
        }
        UserAction::Add { name, role, new_password_stdin } => {
            app.allowed(Action::ManageUsers)?;
            let pw = new_password(new_password_stdin, &format!("New password for {name}: "))?;
            app.add_user(&name, role_of(role), &pw)?;
            println!("user {name} added as {}", role_of(role).name());
        }
        UserAction::Passwd { name, new_password_stdin } => {
            let whose = name.clone().unwrap_or_else(|| app.user().name.clone());
            if whose != app.user().name {
                app.allowed(Action::ManageUsers)?;
            }
            let pw = new_password(new_password_stdin, &format!("New password for {whose}: "))?;
            let whose = app.set_password(name.as_deref(), &pw)?;
            println!("password of {whose} changed");
        }
        UserAction::Role { name, role } => {
            let new = role_of(role);
            app.set_role(&name, new)?;
            println!("{name} is now {}", new.name());
        }
        UserAction::Lock { name } => {
            app.lock_user(&name)?;
            println!("{name} is locked");
        }
        UserAction::Unlock { name } => {
            app.unlock_user(&name)?;
            println!("{name} may log in again");
        }
    }
    Ok(())
}

fn role_of(role: RoleArg) -> Role {
    match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Accountant => Role::Accountant,
        RoleArg::Viewer => Role::Viewer,
    }
}

/// A new password: standard input's next line, RECON_NEW_PASSWORD, or asked twice.
fn new_password(from_stdin: bool, prompt: &str) -> Result<String, Error> {
    password::read_new_password(from_stdin, prompt).map_err(|e| match e {
        AuthError::NoPassword if !from_stdin => Error::Usage(
            "no new password: type it at the prompt, pipe it with --new-password-stdin, or set RECON_NEW_PASSWORD"
                .into(),
        ),
        e => e.into(),
    })
}
