//! The workspace as a user meets it: init and login, the import log, undo, and two
//! writers at once.

use std::io::Write;
use std::process::Stdio;

use crate::common::{Ws, admin, bank_csv, recon, text};

#[test]
fn init_needs_a_good_password_and_makes_private_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let weak = recon().arg("--workspace").arg(&root).arg("init").env("RECON_PASSWORD", "short").output().unwrap();
    assert!(!weak.status.success());
    assert!(text(&weak.stderr).contains("weak password"), "{}", text(&weak.stderr));
    assert!(!root.exists(), "a refused init leaves nothing behind");
    let none = recon()
        .arg("--workspace")
        .arg(&root)
        .arg("init")
        .env_remove("RECON_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(text(&none.stderr).contains("no password given"), "{}", text(&none.stderr));

    let mut child = recon()
        .args(["--password-stdin", "--user", "alice", "--workspace"])
        .arg(&root)
        .arg("init")
        .env_remove("RECON_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"Sunny-ledger-42\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stdout));
    let users = std::fs::read_to_string(root.join("users.json")).unwrap();
    assert!(users.contains("$argon2id$v=19$m=19456,t=2,p=1$"), "{users}");
    assert!(!users.contains("Sunny-ledger-42"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["users.json", "catalog.json", "recon.toml"] {
            let mode = std::fs::metadata(root.join(f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{f}");
        }
        assert_eq!(std::fs::metadata(&root).unwrap().permissions().mode() & 0o777, 0o700);
    }
    let again =
        recon().arg("--workspace").arg(&root).arg("init").env("RECON_PASSWORD", "Another-ledger-9").output().unwrap();
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));
}

#[test]
fn every_command_logs_in_and_failures_look_the_same() {
    let ws = Ws::new();
    let wrong = ws.cmd().args(["sql", "-c", "SELECT 1"]).env("RECON_PASSWORD", "wrong-password-1").output().unwrap();
    let unknown = ws.cmd().args(["--user", "mallory", "sql", "-c", "SELECT 1"]).output().unwrap();
    assert_eq!(wrong.status.code(), Some(3));
    assert_eq!(unknown.status.code(), Some(3));
    assert_eq!(text(&wrong.stderr), text(&unknown.stderr));
    assert_eq!(text(&wrong.stderr).trim(), "error: login failed: wrong user name or password");
    assert!(!text(&wrong.stderr).contains("wrong-password-1"));
    assert_eq!(ws.value("SELECT 1 + 1"), "2");
    let missing = recon().args(["--workspace", "/nonexistent/ws", "sql", "-c", "SELECT 1"]).output().unwrap();
    assert!(text(&missing.stderr).contains("recon init"), "{}", text(&missing.stderr));
}

#[test]
fn the_import_log_lists_and_undo_removes_one_import_whole() {
    let ws = Ws::new();
    let a = ws.scratch("a.csv");
    let b = ws.scratch("b.csv");
    std::fs::write(&a, bank_csv(0..40)).unwrap();
    std::fs::write(&b, bank_csv(30..50)).unwrap();
    ws.import(&a);
    let out = ws.import(&b);
    assert!(out.contains("stored 10 rows · 10 duplicates skipped (10 already stored by import 1)"), "{out}");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "50");
    let log = ws.ok(&["imports"]);
    assert!(log.contains("a.csv") && log.contains("b.csv"), "{log}");
    assert_eq!(
        ws.rows("SELECT id, \"user\", source_file, kind, rows_stored, duplicates_skipped, length(sha256), time FROM imports ORDER BY id"),
        [
            ["1", "admin", "a.csv", "bank", "40", "0", "64", "2026-11-01 10:00:00"],
            ["2", "admin", "b.csv", "bank", "10", "10", "64", "2026-11-01 10:00:00"]
        ]
    );
    let undo = ws.ok(&["imports", "undo", "1"]);
    assert!(undo.contains("removed 40 bank rows"), "{undo}");
    assert!(undo.contains("import 2 (b.csv) skipped 10 of them as duplicates"), "{undo}");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "10");
    assert_eq!(ws.value("SELECT min(txn_id) FROM bank_txns"), "B0000040");
    assert_eq!(ws.value("SELECT undone_by FROM imports WHERE id = 1"), "admin");
    assert_eq!(
        std::fs::read_dir(ws.root.join("tables/bank_txns")).unwrap().count(),
        1,
        "the undone import's file is gone"
    );
    assert!(ws.fails(&["imports", "undo", "1"]).contains("already undone"));
    assert!(ws.fails(&["imports", "undo", "9"]).contains("there is no import 9"));
    // Undone rows come back when the file is imported again.
    let again = ws.import(&a);
    assert!(again.contains("stored 40 rows · 0 duplicates"), "{again}");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "50");
}

#[test]
fn two_writers_at_once_never_corrupt_or_duplicate() {
    let ws = Ws::new();
    let a = ws.scratch("a.csv");
    let b = ws.scratch("b.csv");
    std::fs::write(&a, bank_csv(0..3000)).unwrap();
    std::fs::write(&b, bank_csv(1000..4000)).unwrap();
    let spawn = |f: &std::path::Path| {
        ws.cmd().args(["import", "--no-progress"]).arg(f).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    };
    let (pa, pb) = (spawn(&a), spawn(&b));
    let (oa, ob) = (pa.wait_with_output().unwrap(), pb.wait_with_output().unwrap());
    assert!(oa.status.success() && ob.status.success(), "{}\n{}", text(&oa.stderr), text(&ob.stderr));
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "4000");
    assert_eq!(ws.value("SELECT count(DISTINCT txn_id) FROM bank_txns"), "4000");
    assert_eq!(ws.value("SELECT sum(duplicates_skipped) FROM imports"), "2000");
}

#[test]
fn parquet_exports_import_back_unchanged() {
    let ws = Ws::new();
    let a = ws.scratch("a.csv");
    std::fs::write(&a, bank_csv(0..25)).unwrap();
    ws.import(&a);
    let export = ws.scratch("export/bank.parquet");
    ws.ok(&["sql", "-c", &format!("COPY (SELECT * FROM bank_txns) TO '{}' STORED AS PARQUET", export.display())]);
    let other = Ws::new();
    let out = other.import(&export);
    assert!(out.contains("→ bank_txns (parquet"), "{out}");
    assert!(out.contains("stored 25 rows"), "{out}");
    let q = "SELECT account, txn_id, txn_time, amount, currency, balance, counterparty_name, memo FROM bank_txns ORDER BY txn_id";
    assert_eq!(ws.rows(q), other.rows(q));
}

#[test]
fn each_file_lands_on_its_own() {
    let ws = Ws::new();
    let good = ws.scratch("good.csv");
    let empty = ws.scratch("empty.csv");
    std::fs::write(&good, bank_csv(0..5)).unwrap();
    std::fs::write(&empty, b"").unwrap();
    let out = ws.run(&["import", "--no-progress", empty.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("empty.csv: the file is empty"), "{err}");
    assert!(err.contains("1 of 2 files were not imported"), "{err}");
    assert!(text(&out.stdout).contains("import 1: "), "the good file landed");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "5");
}

/// Several files in one import are read ahead of their turn (the next file while one is
/// stored); each still lands as if read in its turn: numbered in order, duplicates found
/// against the files before it — when a file before it fails or stores nothing, and
/// when the one read ahead is longer than what may wait in memory.
#[test]
fn files_read_ahead_land_in_order() {
    let ws = Ws::new();
    let (a, empty, b, c) = (ws.scratch("a.csv"), ws.scratch("empty.csv"), ws.scratch("b.csv"), ws.scratch("c.csv"));
    std::fs::write(&a, bank_csv(0..3000)).unwrap();
    std::fs::write(&empty, b"").unwrap();
    std::fs::write(&b, bank_csv(2000..142_000)).unwrap();
    std::fs::write(&c, bank_csv(141_000..143_000)).unwrap();
    let files = [&a, &empty, &b, &a, &c].map(|p| p.to_str().unwrap().to_string());
    let mut args = vec!["import", "--no-progress"];
    args.extend(files.iter().map(String::as_str));
    let out = ws.run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("1 of 5 files were not imported"), "{}", text(&out.stderr));
    assert_eq!(
        ws.rows("SELECT id, source_file, rows_stored, duplicates_skipped FROM imports ORDER BY id"),
        [["1", "a.csv", "3000", "0"], ["2", "b.csv", "139000", "1000"], ["3", "c.csv", "1000", "1000"]]
    );
    assert_eq!(
        ws.rows("SELECT import_id, min(source_file), max(source_file), count(*) FROM bank_txns GROUP BY 1 ORDER BY 1"),
        [["1", "a.csv", "a.csv", "3000"], ["2", "b.csv", "b.csv", "139000"], ["3", "c.csv", "c.csv", "1000"]]
    );
    assert_eq!(ws.value("SELECT count(DISTINCT txn_id) FROM bank_txns"), "143000");
    // The second a.csv stored nothing: every row was a duplicate, said so.
    assert!(text(&out.stdout).contains("stored 0 rows · 3,000 duplicates skipped"), "{}", text(&out.stdout));
}

/// One import holds only the stored keys of the table it is filling; files of two tables
/// interleaved still find every duplicate, the keys read again when their table comes back.
#[test]
fn duplicates_are_found_when_files_of_two_tables_alternate() {
    let ws = Ws::new();
    let (bank_a, bank_b, orders_a, orders_b) =
        (ws.scratch("bank_a.csv"), ws.scratch("bank_b.csv"), ws.scratch("orders_a.csv"), ws.scratch("orders_b.csv"));
    std::fs::write(&bank_a, bank_csv(0..300)).unwrap();
    std::fs::write(&bank_b, bank_csv(200..500)).unwrap();
    let orders = |ids: std::ops::Range<u32>| {
        let mut s = String::from("订单编号,平台,店铺,下单时间,实付金额\n");
        for i in ids {
            s.push_str(&format!("{},tmall,店,2026-09-01 10:00:00,{}.00\n", 7_000_000 + i, 10 + i));
        }
        s
    };
    std::fs::write(&orders_a, orders(0..40)).unwrap();
    std::fs::write(&orders_b, orders(30..70)).unwrap();
    let files = [&bank_a, &orders_a, &bank_b, &orders_b, &bank_a].map(|p| p.to_str().unwrap().to_string());
    let mut args = vec!["import", "--no-progress"];
    args.extend(files.iter().map(String::as_str));
    let report = ws.ok(&args);
    assert_eq!(
        ws.rows("SELECT source_file, rows_stored, duplicates_skipped FROM imports ORDER BY id"),
        [
            ["bank_a.csv", "300", "0"],
            ["orders_a.csv", "40", "0"],
            ["bank_b.csv", "200", "100"],
            ["orders_b.csv", "30", "10"]
        ]
    );
    // The last file is all duplicates: nothing stored, said so.
    assert!(report.contains("stored 0 rows · 300 duplicates skipped"), "{report}");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "500");
    assert_eq!(ws.value("SELECT count(DISTINCT order_id) FROM orders"), "70");
}

/// Every kind of change, made by separate processes at the same moment: users added,
/// views created, reports saved, files imported. Each goes through the workspace's
/// writer lock and transaction, so all land, each with its audit line, and the log's
/// chain holds.
#[test]
fn every_kind_of_change_at_once_loses_nothing() {
    let ws = Ws::new();
    let files: Vec<_> = (0..2u32)
        .map(|i| {
            let f = ws.scratch(&format!("bank{i}.csv"));
            std::fs::write(&f, bank_csv(i * 500..i * 500 + 500)).unwrap();
            f
        })
        .collect();
    let quiet = |mut c: std::process::Command| c.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut children = Vec::new();
    for i in 0..2 {
        let mut add = ws.cmd();
        add.args(["--user", "admin", "user", "add", &format!("clerk{i}"), "--role", "viewer"])
            .env("RECON_NEW_PASSWORD", "viewer-pass-2026");
        children.push(quiet(add));
        let mut view = ws.cmd();
        view.args([
            "--user",
            "admin",
            "sql",
            "-c",
            &format!("CREATE VIEW big{i} AS SELECT * FROM bank_txns WHERE amount > {i}"),
        ]);
        children.push(quiet(view));
        let mut report = ws.cmd();
        report.args([
            "--user",
            "admin",
            "sql",
            "-c",
            &format!(".report save credits{i} SELECT count(*) AS n FROM bank_txns WHERE amount > :min"),
        ]);
        children.push(quiet(report));
        let mut import = ws.cmd();
        import.args(["--user", "admin", "import", "--no-progress"]).arg(&files[i as usize]);
        children.push(quiet(import));
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let value = |sql: &str| admin(&ws, &["sql", "--format", "csv", "-c", sql]).lines().nth(1).unwrap_or("").to_string();
    let users = admin(&ws, &["user", "list"]);
    assert!(users.contains("clerk0") && users.contains("clerk1"), "{users}");
    assert_eq!(value("SELECT count(*) FROM bank_txns"), "1000");
    assert_eq!(value("SELECT count(*) FROM big0"), value("SELECT count(*) FROM bank_txns WHERE amount > 0"));
    assert_eq!(value("SELECT count(*) FROM big1"), value("SELECT count(*) FROM bank_txns WHERE amount > 1"));
    let reports = admin(&ws, &["sql", "-c", ".report list"]);
    assert!(reports.contains("credits0") && reports.contains("credits1"), "{reports}");
    for (event, n) in [("user_add", 2), ("import", 2), ("define", 4)] {
        let lines = admin(&ws, &["audit", "--event", event]);
        assert_eq!(lines.lines().count(), n, "{event}: {lines}");
    }
    assert!(admin(&ws, &["audit", "verify"]).contains("audit log intact"));
}
