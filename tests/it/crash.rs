//! Killing `recon import` at any moment leaves a workspace that opens and holds either
//! the whole import or none of it: at random moments (kill -9, many times), and at each
//! step of a commit by fault injection.

use std::process::Stdio;
use std::time::Duration;

use crate::common::{Ws, bank_csv, text};

const ROWS: u32 = 200_000;

fn big_bank_file(ws: &Ws) -> std::path::PathBuf {
    let f = ws.scratch("big.csv");
    std::fs::write(&f, bank_csv(0..ROWS)).unwrap();
    f
}

/// The workspace opens, the import log and the table agree, and the count is all or nothing.
fn check_whole_or_nothing(ws: &Ws) -> u64 {
    let n: u64 = ws.value("SELECT count(*) FROM bank_txns").parse().unwrap();
    let logged: u64 =
        ws.value("SELECT coalesce(sum(rows_stored), 0) FROM imports WHERE undone_at IS NULL").parse().unwrap();
    assert_eq!(n, logged, "the table holds exactly what the log says");
    assert!(n == 0 || n == u64::from(ROWS), "partial import visible: {n} rows");
    n
}

#[test]
fn kill_9_at_random_moments() {
    let ws = Ws::new();
    let f = big_bank_file(&ws);
    // How long an import takes here, so the kills spread over all of it.
    let started = std::time::Instant::now();
    ws.import(&f);
    let whole = started.elapsed().as_millis() as u64 + 1;
    ws.ok(&["imports", "undo", "1"]);
    // A fixed sequence of "random" delays.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut landed = 0;
    for round in 0..16 {
        if check_whole_or_nothing(&ws) > 0 {
            ws.ok(&["imports", "undo", &ws.value("SELECT max(id) FROM imports WHERE undone_at IS NULL")]);
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // From a quarter into the import to just past its end, so some land at the commit.
        let delay = Duration::from_millis(whole / 4 + seed % whole);
        let mut child = ws
            .cmd()
            .args(["import", "--no-progress"])
            .arg(&f)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let n = check_whole_or_nothing(&ws);
        landed += u32::from(n > 0);
        eprintln!("round {round}: killed after {delay:?} (finished first: {finished}): {n} rows");
    }
    eprintln!("{landed} of 16 killed imports had committed (an import takes {whole} ms here)");
    // Whatever happened, the workspace still takes an import, and debris is gone.
    if check_whole_or_nothing(&ws) > 0 {
        ws.ok(&["imports", "undo", &ws.value("SELECT max(id) FROM imports WHERE undone_at IS NULL")]);
    }
    ws.import(&f);
    assert_eq!(check_whole_or_nothing(&ws), u64::from(ROWS));
    assert_eq!(std::fs::read_dir(ws.root.join("tmp")).unwrap().count(), 0);
}

#[test]
fn a_crash_at_each_step_of_a_commit() {
    for (point, lands) in [
        ("import:mid-file", false),
        ("commit:start", false),
        ("commit:file-moved", false),
        ("write-atomic:before-rename", false),
        ("commit:done", true),
    ] {
        let ws = Ws::new();
        let f = big_bank_file(&ws);
        let out = ws.cmd().args(["import", "--no-progress"]).arg(&f).env("RECON_FAULT", point).output().unwrap();
        assert!(!out.status.success(), "{point}: the process was aborted");
        let n = check_whole_or_nothing(&ws);
        assert_eq!(n > 0, lands, "{point}: {n} rows");
        // The next writer clears the debris and the workspace works on.
        let next = ws.run(&["import", "--no-progress", f.to_str().unwrap()]);
        assert!(next.status.success(), "{point}: {}", text(&next.stderr));
        assert_eq!(check_whole_or_nothing(&ws), u64::from(ROWS), "{point}");
        let stray: Vec<_> = std::fs::read_dir(ws.root.join("tables/bank_txns")).unwrap().collect();
        assert_eq!(stray.len(), 1, "{point}: one data file, no debris");
        // The audit log holds exactly the imports that landed, once each, and its chain
        // is whole: a crash after the commit left its line to the next command.
        let verified = ws.run(&["audit", "verify"]);
        assert!(verified.status.success(), "{point}: {}", text(&verified.stderr));
        let imports = ws.ok(&["audit", "--event", "import"]);
        assert_eq!(imports.lines().count(), 1 + usize::from(lands), "{point}: {imports}");
        let debris: Vec<String> = std::fs::read_dir(&ws.root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        assert!(debris.is_empty(), "{point}: {debris:?}");
    }
}
