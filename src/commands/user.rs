//! `recon user add|passwd|role|lock|unlock|list`: managing who may log in and as what.
//! Only an admin manages users; anyone may change their own password. Every change goes
//! to the audit log; the users file holds names, roles and hashes only.

use super::Context;
use crate::auth::guard::Action;
use crate::auth::{AuthError, Role, User, Users, lockout, password};
use crate::cli::{RoleArg, UserAction, UserArgs};
use crate::error::Error;
use crate::workspace::Workspace;

pub fn run(ctx: &Context, args: UserArgs) -> Result<(), Error> {
    let (ws, me) = ctx.login()?;
    // A change is made under the writer lock, on the users file as it is now: two
    // admins adding users at once both land.
    let _writing = match args.action {
        UserAction::List => None,
        _ => Some(ws.begin()?),
    };
    let mut users = Users::load(&ws)?;
    match args.action {
        UserAction::List => {
            crate::auth::allow(&me, Action::ManageUsers)?;
            println!("{:<20} {:<11} {:<8} {:<16} created", "user", "role", "locked", "failed logins");
            for u in &users.users {
                let failures = lockout::failures(&ws, &u.name);
                println!(
                    "{:<20} {:<11} {:<8} {:<16} {}",
                    u.name,
                    u.role.name(),
                    if u.locked { "yes" } else { "" },
                    failures,
                    u.created.get(..19).unwrap_or(&u.created).replace('T', " ")
                );
            }
            Ok(())
        }
        UserAction::Add { name, role, new_password_stdin } => {
            crate::auth::allow(&me, Action::ManageUsers)?;
            let pw = new_password(new_password_stdin, &format!("New password for {name}: "))?;
            users.add(&name, role_of(role), &pw)?;
            save(&ws, &mut users, &me, "user_add", &format!("{name} as {}", role_of(role).name()))?;
            println!("user {name} added as {}", role_of(role).name());
            Ok(())
        }
        UserAction::Passwd { name, new_password_stdin } => {
            let name = name.unwrap_or_else(|| me.name.clone());
            if name != me.name {
                crate::auth::allow(&me, Action::ManageUsers)?;
            }
            let pw = new_password(new_password_stdin, &format!("New password for {name}: "))?;
            password::check_policy(&name, &pw)?;
            target(&mut users, &name)?.hash = password::hash(&pw);
            save(&ws, &mut users, &me, "user_passwd", &name)?;
            println!("password of {name} changed");
            Ok(())
        }
        UserAction::Role { name, role } => {
            crate::auth::allow(&me, Action::ManageUsers)?;
            let new = role_of(role);
            let user = target(&mut users, &name)?;
            let old = user.role;
            user.role = new;
            if old == Role::Admin && !users.users.iter().any(|u| u.role == Role::Admin) {
                return Err(Error::Usage(format!("{name} is the last admin; make another user admin first")));
            }
            save(&ws, &mut users, &me, "user_role", &format!("{name}: {} -> {}", old.name(), new.name()))?;
            println!("{name} is now {}", new.name());
            Ok(())
        }
        UserAction::Lock { name } => {
            crate::auth::allow(&me, Action::ManageUsers)?;
            if name == me.name {
                return Err(Error::Usage("you cannot lock yourself out".into()));
            }
            target(&mut users, &name)?.locked = true;
            save(&ws, &mut users, &me, "user_lock", &name)?;
            println!("{name} is locked");
            Ok(())
        }
        UserAction::Unlock { name } => {
            crate::auth::allow(&me, Action::ManageUsers)?;
            target(&mut users, &name)?.locked = false;
            lockout::clear(&ws, &name)?;
            save(&ws, &mut users, &me, "user_unlock", &name)?;
            println!("{name} may log in again");
            Ok(())
        }
    }
}

fn role_of(role: RoleArg) -> Role {
    match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Accountant => Role::Accountant,
        RoleArg::Viewer => Role::Viewer,
    }
}

fn target<'a>(users: &'a mut Users, name: &str) -> Result<&'a mut User, Error> {
    users
        .users
        .iter_mut()
        .find(|u| u.name == name)
        .ok_or_else(|| Error::Usage(format!("there is no user {name}; `recon user list` lists them")))
}

fn save(ws: &Workspace, users: &mut Users, me: &User, event: &str, detail: &str) -> Result<(), Error> {
    Ok(users.save_audited(ws, &me.name, event, detail)?)
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
