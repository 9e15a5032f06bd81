//! The workspace's settings (`settings.toml`): the knobs of matching, with defaults
//! that suit Chinese platforms and banks. Views read them from the `recon_settings`
//! table, so changing a setting changes every view.
//!
//! ```toml
//! [matching]
//! window_days = 5          # working days a payout may take to reach the bank
//! fee_tolerance = "5.00"   # the largest bank fee deducted from a payout on its way
//! b2b_window_days = 60     # days after an order in which a business customer pays
//! name_threshold = 0.85    # jaro_winkler of two normalised names that counts as the same party
//! ```

use serde::Deserialize;

use crate::workspace::Workspace;

pub const FILE: &str = "settings.toml";

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub matching: Matching,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Matching {
    pub window_days: i64,
    pub fee_tolerance: String,
    pub b2b_window_days: i64,
    pub name_threshold: f64,
}

impl Default for Matching {
    fn default() -> Self {
        Matching { window_days: 5, fee_tolerance: "5.00".into(), b2b_window_days: 60, name_threshold: 0.85 }
    }
}

impl Settings {
    pub fn load(ws: &Workspace) -> Result<Settings, String> {
        let path = ws.root().join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// The settings as (name, value) rows for the `recon_settings` table.
    pub fn rows(&self) -> Vec<(String, String)> {
        let m = &self.matching;
        vec![
            ("window_days".into(), m.window_days.to_string()),
            ("fee_tolerance".into(), m.fee_tolerance.clone()),
            ("b2b_window_days".into(), m.b2b_window_days.to_string()),
            ("name_threshold".into(), m.name_threshold.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        assert_eq!(Settings::load(&ws).unwrap().matching.window_days, 5);
        std::fs::write(ws.root().join(FILE), "[matching]\nwindow_days = 3\n").unwrap();
        let s = Settings::load(&ws).unwrap();
        assert_eq!((s.matching.window_days, s.matching.fee_tolerance.as_str()), (3, "5.00"));
        std::fs::write(ws.root().join(FILE), "[matching]\nwindow = 3\n").unwrap();
        assert!(Settings::load(&ws).unwrap_err().contains("unknown field"));
    }
}
