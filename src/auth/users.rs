//! The users file: names, roles and password hashes (never anything else), and login.

use serde::{Deserialize, Serialize};

use super::{AuthError, password};
use crate::workspace::catalog::AuditEvent;
use crate::workspace::{Workspace, fsutil};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Accountant,
    Viewer,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Accountant => "accountant",
            Role::Viewer => "viewer",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// argon2id PHC string.
    pub hash: String,
    pub created: String,
    #[serde(default)]
    pub locked: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Users {
    pub users: Vec<User>,
    /// Bumped by every change saved with [`Users::save_audited`].
    #[serde(default)]
    pub generation: u64,
    /// The audit line of the last change, saved in the same file as the change: the
    /// audit log takes it right after, or the next command does (`audit::flush`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit: Vec<AuditEvent>,
}

impl Users {
    pub fn load(ws: &Workspace) -> Result<Users, AuthError> {
        let path = ws.users_path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Users::default()),
            Err(e) => return Err(AuthError::File(path.display().to_string(), e.to_string())),
        };
        serde_json::from_slice(&bytes).map_err(|e| AuthError::File(path.display().to_string(), e.to_string()))
    }

    /// Saves a change with its audit line, in one atomic replace of the file, then
    /// writes the line to the audit log.
    pub fn save_audited(&mut self, ws: &Workspace, user: &str, event: &str, detail: &str) -> Result<(), AuthError> {
        self.generation += 1;
        self.audit = vec![AuditEvent {
            time: crate::clock::now().to_rfc3339(),
            user: user.to_string(),
            event: event.to_string(),
            detail: detail.to_string(),
        }];
        self.save(ws)?;
        crate::faults::point("users:saved");
        if let Err(e) = crate::workspace::audit::flush(ws) {
            eprintln!("warning: the audit log could not be written ({e}); the next command writes it");
        }
        Ok(())
    }

    pub fn save(&self, ws: &Workspace) -> Result<(), AuthError> {
        let path = ws.users_path();
        let bytes = serde_json::to_vec_pretty(self).expect("users serialise");
        fsutil::write_atomic(&path, &bytes).map_err(|e| AuthError::File(path.display().to_string(), e.to_string()))
    }

    pub fn get(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    pub fn add(&mut self, name: &str, role: Role, password: &str) -> Result<(), AuthError> {
        validate_name(name)?;
        if self.get(name).is_some() {
            return Err(AuthError::UserExists(name.to_string()));
        }
        password::check_policy(name, password)?;
        self.users.push(User {
            name: name.to_string(),
            role,
            hash: password::hash(password),
            created: crate::clock::now().to_rfc3339(),
            locked: false,
        });
        Ok(())
    }

    /// The user this process acts as: the one named, or the only one there is.
    pub fn resolve_name(&self, requested: Option<&str>) -> Result<String, AuthError> {
        match requested {
            Some(n) => Ok(n.to_string()),
            None if self.users.len() == 1 => Ok(self.users[0].name.clone()),
            None => Err(AuthError::WhichUser),
        }
    }

    /// Checks a password. Unknown users and wrong passwords fail the same way.
    pub fn authenticate(&self, name: &str, pw: &str) -> Result<&User, AuthError> {
        match self.get(name) {
            Some(user) => {
                let right = password::verify(pw, &user.hash);
                // A locked user hears the same whether the password was right or not.
                if user.locked {
                    return Err(AuthError::Locked(name.to_string()));
                }
                if !right {
                    return Err(AuthError::LoginFailed);
                }
                Ok(user)
            }
            None => {
                password::verify_dummy(pw);
                Err(AuthError::LoginFailed)
            }
        }
    }
}

fn validate_name(name: &str) -> Result<(), AuthError> {
    // It names a history file too: it never starts with a dot (`..`).
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().next().is_some_and(char::is_alphanumeric)
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok { Ok(()) } else { Err(AuthError::BadUserName(name.to_string())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_and_authenticate() {
        let mut users = Users::default();
        users.add("alice", Role::Admin, "ledger-balance-7").unwrap();
        assert!(matches!(users.add("alice", Role::Viewer, "x-ledger-balance"), Err(AuthError::UserExists(_))));
        assert!(users.authenticate("alice", "ledger-balance-7").is_ok());
        let wrong = users.authenticate("alice", "nope").unwrap_err().to_string();
        let unknown = users.authenticate("bob", "nope").unwrap_err().to_string();
        assert_eq!(wrong, unknown);
        assert_eq!(users.resolve_name(None).unwrap(), "alice");
        assert!(users.add("bad name", Role::Viewer, "ledger-balance-7").is_err());
    }
}
