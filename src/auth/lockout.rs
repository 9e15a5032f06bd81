//! Logging in, with a lockout: after 5 failed logins a name is refused for 15 minutes,
//! even with the right password. Failures are counted in the workspace (`logins.json`),
//! so starting recon again does not reset them, and for unknown names too, so the
//! lockout does not tell which names exist. Every attempt goes to the audit log.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{AuthError, User, Users};
use crate::error::Error;
use crate::workspace::{Workspace, fsutil};

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_MINUTES: i64 = 15;
const FILE: &str = "logins.json";

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

    fn save(&self, ws: &Workspace) -> Result<(), Error> {
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

/// Checks `password` for `name`: refused while locked out, counted when wrong, cleared
/// when right; recorded in the audit log either way.
pub fn login(ws: &Workspace, users: &Users, name: &str, password: &str) -> Result<User, Error> {
    let now = crate::clock::now();
    let mut logins = Logins::load(ws);
    if let Some(until) = logins.locked_until(name, now) {
        crate::audit::record(ws, name, "login_refused", "locked out after repeated failures")?;
        return Err(AuthError::LockedOut(until.format("%H:%M").to_string()).into());
    }
    match users.authenticate(name, password) {
        Ok(user) => {
            if logins.failures.remove(name).is_some() {
                logins.save(ws)?;
            }
            crate::audit::record(ws, name, "login", user.role.name())?;
            Ok(user.clone())
        }
        Err(e) => {
            let f = logins.failures.entry(name.to_string()).or_default();
            // A lockout that has expired starts the count again.
            if f.count >= MAX_FAILURES {
                f.count = 0;
            }
            f.count += 1;
            f.last = now.to_rfc3339();
            let count = f.count;
            logins.save(ws)?;
            crate::audit::record(ws, name, "login_failed", &format!("failure {count} of {MAX_FAILURES}"))?;
            Err(e.into())
        }
    }
}

/// Clears `name`'s failed logins (`recon user unlock`).
pub fn clear(ws: &Workspace, name: &str) -> Result<(), Error> {
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
