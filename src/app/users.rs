//! Managing who may log in and as what. Only an admin manages users; anyone may change
//! their own password. Each change is made under the writer lock on the users file as
//! it is then (two admins adding users at once both land) and carries its audit line.

use super::Service;
use crate::auth::guard::Action;
use crate::auth::{Role, User, Users, lockout, password};
use crate::error::Error;

/// A user as an admin sees them: never the hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
    pub locked: bool,
    /// Failed logins since the last good one.
    pub failed_logins: u32,
    /// When the user was added, as `2026-11-01 10:00:00`.
    pub created: String,
}

impl Service {
    pub fn users(&self) -> Result<Vec<UserInfo>, Error> {
        self.allowed(Action::ManageUsers)?;
        let users = Users::load(&self.ws)?;
        Ok(users
            .users
            .iter()
            .map(|u| UserInfo {
                name: u.name.clone(),
                role: u.role,
                locked: u.locked,
                failed_logins: lockout::failures(&self.ws, &u.name),
                created: u.created.get(..19).unwrap_or(&u.created).replace('T', " "),
            })
            .collect())
    }

    pub fn add_user(&self, name: &str, role: Role, password: &str) -> Result<(), Error> {
        self.change_users(Some(Action::ManageUsers), "user_add", |users| {
            users.add(name, role, password)?;
            Ok(format!("{name} as {}", role.name()))
        })
    }

    /// Sets `name`'s password (the user's own when None); returns whose it was.
    pub fn set_password(&self, name: Option<&str>, password: &str) -> Result<String, Error> {
        let name = name.unwrap_or(&self.user.name).to_string();
        let action = (name != self.user.name).then_some(Action::ManageUsers);
        // Another's password is an admin's to set: refused before the password is judged.
        if let Some(action) = action {
            self.allowed(action)?;
        }
        password::check_policy(&name, password)?;
        self.change_users(action, "user_passwd", |users| {
            target(users, &name)?.hash = password::hash(password);
            Ok(name.clone())
        })?;
        Ok(name)
    }

    /// Gives `name` a new role; returns the old one. The last admin stays one.
    pub fn set_role(&self, name: &str, role: Role) -> Result<Role, Error> {
        let mut old = role;
        self.change_users(Some(Action::ManageUsers), "user_role", |users| {
            let user = target(users, name)?;
            old = user.role;
            user.role = role;
            if old == Role::Admin && !users.users.iter().any(|u| u.role == Role::Admin) {
                return Err(Error::Usage(format!("{name} is the last admin; make another user admin first")));
            }
            Ok(format!("{name}: {} -> {}", old.name(), role.name()))
        })?;
        Ok(old)
    }

    pub fn lock_user(&self, name: &str) -> Result<(), Error> {
        if name == self.user.name {
            return Err(Error::Usage("you cannot lock yourself out".into()));
        }
        self.change_users(Some(Action::ManageUsers), "user_lock", |users| {
            target(users, name)?.locked = true;
            Ok(name.to_string())
        })
    }

    /// Unlocks `name` and clears its failed logins.
    pub fn unlock_user(&self, name: &str) -> Result<(), Error> {
        self.change_users(Some(Action::ManageUsers), "user_unlock", |users| {
            target(users, name)?.locked = false;
            Ok(name.to_string())
        })?;
        lockout::clear(&self.ws, name)?;
        Ok(())
    }

    /// One change to the users file: allowed (`None`: anyone may), under the writer
    /// lock, on the file as it is now, saved with its audit line (`change` returns its
    /// detail).
    fn change_users(
        &self,
        action: Option<Action>,
        event: &str,
        change: impl FnOnce(&mut Users) -> Result<String, Error>,
    ) -> Result<(), Error> {
        if let Some(action) = action {
            self.allowed(action)?;
        }
        let _writing = self.ws.begin()?;
        let mut users = Users::load(&self.ws)?;
        let detail = change(&mut users)?;
        Ok(users.save_audited(&self.ws, &self.user.name, event, &detail)?)
    }
}

fn target<'a>(users: &'a mut Users, name: &str) -> Result<&'a mut User, Error> {
    users
        .users
        .iter_mut()
        .find(|u| u.name == name)
        .ok_or_else(|| Error::Usage(format!("there is no user {name}; `recon user list` lists them")))
}
