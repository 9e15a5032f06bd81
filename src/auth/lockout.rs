//! Logging in, with a lockout: after 5 failed logins a name is refused for 15 minutes,
//! even with the right password. Failures are counted in the workspace (`logins.json`),
//! so starting recon again does not reset them, and for unknown names too, so the
//! lockout does not tell which names exist. The count is read, checked and written under
//! a lock of its own (`logins.lock`), so parallel guesses are each counted, and the file
//! keeps at most `MAX_NAMES` names. A name no user has is kept only as a hash: a password
//! typed into the user prompt by mistake is never written down. Every attempt goes to
//! the audit log.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{AuthError, AuthError as Error, User, Users};
use crate::workspace::{Workspace, fsutil};

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_MINUTES: i64 = 15;
/// Names whose failures are remembered; the oldest go first.
pub const MAX_NAMES: usize = 10_000;
const FILE: &str = "logins.json";
const LOCK: &str = "logins.lock";

#[derive(Default, Serialize, Deserialize)]
struct Logins {
    failures: BTreeMap<String, Failures>,
}

#[derive(Default, Serialize, Deserialize)]
struct Failures {
    count: u32,
    last: String,
}

impl Logins {
    fn load(ws: &Workspace) -> Logins {
        std::fs::read(ws.path(FILE)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    fn save(&mut self, ws: &Workspace) -> Result<(), Error> {
        if self.failures.len() > MAX_NAMES {
            let mut by_age: Vec<(String, String)> =
                self.failures.iter().map(|(k, f)| (f.last.clone(), k.clone())).collect();
            by_age.sort();
            for (_, name) in by_age.into_iter().take(self.failures.len() - MAX_NAMES) {
                self.failures.remove(&name);
            }
        }
        let path = ws.path(FILE);
        let bytes = serde_json::to_vec_pretty(self).expect("logins serialise");
        fsutil::write_atomic(&path, &bytes).map_err(|e| Error::Io(path.display().to_string(), e))
    }

    /// Until when `name` is refused, if it is.
    fn locked_until(&self, name: &str, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let f = self.failures.get(name)?;
        if f.count < MAX_FAILURES {
            return None;
        }
        let until = DateTime::parse_from_rfc3339(&f.last).ok()? + Duration::minutes(LOCK_MINUTES);
        (until > now).then_some(until)
    }
}

/// Holds `logins.lock` while the count is read and written.
fn locked(ws: &Workspace) -> Result<std::fs::File, Error> {
    let path = ws.path(LOCK);
    let file = fsutil::create_private(&path)
        .or_else(|_| std::fs::File::open(&path))
        .map_err(|e| Error::Io(path.display().to_string(), e))?;
    file.lock().map_err(|e| Error::Io(path.display().to_string(), e))?;
    Ok(file)
}

/// The name as it is counted and recorded: a user's name as it is; a name no user has
/// as a hash, since it may be a password typed into the wrong prompt.
pub fn recorded_name(users: &Users, name: &str) -> String {
    if users.get(name).is_some() {
        return name.to_string();
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("recon-unknown-user:{name}").as_bytes());
    format!("unknown-{}", &hex::encode(digest)[..12])
}

/// Checks `password` for `name`: refused while locked out, counted when wrong, cleared
/// when right; recorded in the audit log either way.
pub fn login(ws: &Workspace, users: &Users, name: &str, password: &str) -> Result<User, Error> {
    let now = crate::clock::now();
    let key = recorded_name(users, name);
    let _lock = locked(ws)?;
    let mut logins = Logins::load(ws);
    if let Some(until) = logins.locked_until(&key, now) {
        crate::workspace::audit::record(ws, &key, "login_refused", "locked out after repeated failures")?;
        return Err(AuthError::LockedOut(until.format("%H:%M").to_string()));
    }
    match users.authenticate(name, password) {
        Ok(user) => {
            if logins.failures.remove(&key).is_some() {
                logins.save(ws)?;
            }
            // A full disk must not lock everyone out (nor stop `imports undo` from
            // freeing space): the login goes on, and says its line is missing.
            if let Err(e) = crate::workspace::audit::record(ws, name, "login", user.role.name()) {
                eprintln!("warning: this login could not be written to the audit log: {e}");
            }
            Ok(user.clone())
        }
        Err(e) => {
            let name = key.as_str();
            let f = logins.failures.entry(name.to_string()).or_default();
            // A lockout that has expired starts the count again.
            if f.count >= MAX_FAILURES {
                f.count = 0;
            }
            f.count += 1;
            f.last = now.to_rfc3339();
            let count = f.count;
            logins.save(ws)?;
            crate::workspace::audit::record(ws, name, "login_failed", &format!("failure {count} of {MAX_FAILURES}"))?;
            Err(e)
        }
    }
}

/// Clears `name`'s failed logins (`recon user unlock`).
pub fn clear(ws: &Workspace, name: &str) -> Result<(), Error> {
    let _lock = locked(ws)?;
    let mut logins = Logins::load(ws);
    if logins.failures.remove(name).is_some() {
        logins.save(ws)?;
    }
    Ok(())
}

/// Failed logins counted for `name` now.
pub fn failures(ws: &Workspace, name: &str) -> u32 {
    Logins::load(ws).failures.get(name).map_or(0, |f| f.count)
}
