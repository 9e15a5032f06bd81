//! Changing the workspace's settings (`settings.toml`) from a door other than an editor:
//! only an admin, the text checked as `Settings::load` checks it before anything is
//! written (a file that does not load would stop every session from opening), then
//! written in a workspace transaction with its audit line. The commit moves the catalog
//! generation on, so every session computes its views again with the new values.

use super::Service;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::settings::{FILE, Settings};
use crate::workspace::fsutil;

impl Service {
    /// The settings file as it is now; empty when there is none (the defaults hold).
    pub fn settings_text(&self) -> Result<String, Error> {
        self.allowed(Action::ManageUsers)?;
        let path = self.ws.root().join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(Error::Io(path.display().to_string(), e)),
        }
    }

    /// Replaces `settings.toml` with `text` (admins). Text that would not load is
    /// refused with what is wrong, and nothing is written.
    pub fn save_settings(&self, text: &str) -> Result<(), Error> {
        self.allowed(Action::ManageUsers)?;
        let new = check(text).map_err(Error::Usage)?;
        let mut tx = self.ws.begin()?;
        // The settings as they were, for the audit line; a file that no longer loads
        // (edited by hand) is replaced all the same: that is how it gets mended.
        let changes = match Settings::load(&self.ws) {
            Ok(old) => changed(&old, &new),
            Err(_) => vec!["replaced a settings file that did not load".to_string()],
        };
        let tmp = tx.temp_path(FILE);
        fsutil::write_atomic(&tmp, text.as_bytes()).map_err(|e| Error::Io(tmp.display().to_string(), e))?;
        tx.stage(tmp, FILE.to_string());
        let detail = if changes.is_empty() { "no value changed".to_string() } else { changes.join("; ") };
        tx.audit(&self.user.name, "settings", &detail);
        tx.commit()?;
        Ok(())
    }
}

/// `text` as `Settings::load` would take it from the file, named as the user knows it.
pub fn check(text: &str) -> Result<Settings, String> {
    Settings::parse(text, FILE)
}

/// What differs between two settings, as the `recon_settings` rows name it
/// (`window_days: 5 → 3`), courier rates and aliases included.
fn changed(old: &Settings, new: &Settings) -> Vec<String> {
    let rows = |s: &Settings| {
        let mut r: std::collections::BTreeMap<String, String> = s.rows().into_iter().collect();
        for (c, rate) in s.couriers.table() {
            r.insert(format!("courier_rate.{c}"), format!("{} + {}", rate.first_kg, rate.extra_kg));
        }
        for (k, v) in &s.platforms.aliases {
            r.insert(format!("alias.{k}"), v.clone());
        }
        let c = &s.calendar;
        r.insert("calendar".into(), format!("{} {:?} {:?}", c.builtin, c.holidays, c.workdays));
        let l = &s.limits;
        r.insert("limits".into(), format!("{} s, {} characters", l.statement_timeout, l.max_text_length));
        r
    };
    let (old, new) = (rows(old), rows(new));
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .filter(|n| old.get(*n) != new.get(*n))
        .map(|n| {
            let at = |m: &std::collections::BTreeMap<String, String>| m.get(n).cloned().unwrap_or_else(|| "-".into());
            format!("{n}: {} → {}", at(&old), at(&new))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Users};
    use crate::workspace::Workspace;

    #[test]
    fn only_an_admin_saves_and_a_bad_text_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        let mut users = Users::default();
        users.add("ada", Role::Admin, "ledger-balance-7").unwrap();
        users.add("abe", Role::Accountant, "ledger-balance-8").unwrap();
        users.save(&ws).unwrap();
        let admin = Service::login(ws.clone(), Some("ada"), |_| Ok("ledger-balance-7".into())).unwrap();
        let accountant = Service::login(ws.clone(), Some("abe"), |_| Ok("ledger-balance-8".into())).unwrap();
        assert!(matches!(accountant.save_settings("[matching]\nwindow_days = 3\n"), Err(Error::Forbidden(_))));
        let before = ws.catalog().unwrap().generation;
        let err = admin.save_settings("[matching]\nwindow = 3\n").unwrap_err().to_string();
        assert!(err.contains("unknown field `window`"), "{err}");
        assert!(!ws.root().join(FILE).exists());
        assert_eq!(ws.catalog().unwrap().generation, before);

        admin.save_settings("[matching]\nwindow_days = 3\n").unwrap();
        assert_eq!(Settings::load(&ws).unwrap().matching.window_days, 3);
        assert_eq!(admin.settings_text().unwrap(), "[matching]\nwindow_days = 3\n");
        assert!(ws.catalog().unwrap().generation > before, "sessions see the change");
        let line = crate::workspace::audit::read(&ws).unwrap().into_iter().find(|e| e.event == "settings").unwrap();
        assert_eq!((line.user.as_str(), line.detail.as_str()), ("ada", "window_days: 5 → 3"));
    }
}
