//! The web workbench in a real browser: `recon serve` on a fresh workspace, driven by
//! tests/web/e2e.mjs (playwright-core and the system Chromium) through login, import,
//! undo, a run, the workbench's decisions, roles, CSRF and lockout; then the CLI must see
//! the same workspace the page left. Skipped where node, Chromium or the npm packages
//! (`npm ci --prefix tests/web`) are missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::web::Server;
use crate::common::{PASSWORD, Ws, add_user, equal_payouts, rows_as, text};

const CHROMIUM: &str = "/usr/bin/chromium";
const VIEWER: &str = "vera";
const VIEWER_PW: &str = "viewer-pass-2026";

/// Why the browser test cannot run here, if it cannot.
fn missing(web: &Path) -> Option<String> {
    if !Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Some("node is not on PATH".into());
    }
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} is absent"));
    }
    let playwright = web.join("node_modules/playwright-core");
    if !playwright.exists() {
        return Some(format!("{} is absent (npm ci --prefix tests/web)", playwright.display()));
    }
    None
}

#[test]
fn the_workbench_in_a_browser() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let web = root.join("tests/web");
    if let Some(why) = missing(&web) {
        eprintln!("skipped: {why}");
        return;
    }
    let ws = Ws::new();
    // Two equal payouts and one credit: a tie the clerk settles by accepting a candidate.
    equal_payouts(&ws);
    add_user(&ws, VIEWER, "viewer", VIEWER_PW);
    let server = Server::start(&ws, &[]);
    let url = server.base.clone();
    let out = Command::new("node")
        .arg(web.join("e2e.mjs"))
        .current_dir(&web)
        .env("RECON_URL", &url)
        .env("RECON_SAMPLES", root.join("sample-data"))
        .env("RECON_USER", "admin")
        .env("RECON_PASSWORD", PASSWORD)
        .env("RECON_VIEWER", VIEWER)
        .env("RECON_VIEWER_PASSWORD", VIEWER_PW)
        .env("RECON_SHOTS", web.join("screenshots"))
        .output()
        .unwrap();
    drop(server);
    assert!(
        out.status.success(),
        "e2e.mjs failed ({:?}); screenshots in tests/web/screenshots\n--- stdout\n{}--- stderr\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr),
    );
    // The CLI sees what the page left: everything matched or written off.
    for view in ["unmatched_payouts", "unmatched_bank"] {
        let rows = rows_as(&ws, "admin", PASSWORD, None, &format!("SELECT count(*) FROM {view}"));
        assert_eq!(rows, vec![vec!["0".to_string()]], "{view} after the browser cleared everything");
    }
}
