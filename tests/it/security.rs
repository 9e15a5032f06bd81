//! Who can do what, attacked the way a curious or careless user would: a viewer and an
//! accountant try every path to files outside the workspace, to changing data, and to
//! customers' unmasked names, phones and addresses; a brute-force login; and an audit
//! log edited, cut and reordered. Every attempt must fail cleanly, and nothing leak.

use crate::common::{PASSWORD, Ws, add_user, admin, as_user, text};

const VIEWER_PW: &str = "viewer-pass-2026";
const ACCOUNTANT_PW: &str = "accountant-pass-2026";

/// The tally the note quotes: attempts tried, refused (or answered with masks only),
/// and leaked (must stay 0).
#[derive(Default, Debug)]
struct Tally {
    tried: usize,
    refused: usize,
    leaked: Vec<String>,
}

#[test]
fn the_attack_suite() {
    let (ws, _) = crate::common::generated(300, 7, "low");
    add_user(&ws, "vera", "viewer", VIEWER_PW);
    add_user(&ws, "alan", "accountant", ACCOUNTANT_PW);
    // What must never reach a viewer: the originals, read as admin.
    let secrets: Vec<String> = {
        let out = admin(
            &ws,
            &[
                "sql",
                "--format",
                "csv",
                "-c",
                "SELECT buyer_name, buyer_phone, ship_address FROM orders \
                 WHERE buyer_name IS NOT NULL AND buyer_phone IS NOT NULL AND ship_address IS NOT NULL LIMIT 50",
            ],
        );
        out.lines().skip(1).flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>()).collect()
    };
    assert!(secrets.len() >= 30, "{secrets:?}");
    // An accountant's view, table and saved report holding the personal columns.
    let out = as_user(
        &ws,
        "alan",
        ACCOUNTANT_PW,
        &[
            "sql",
            "-c",
            "CREATE VIEW contacts AS SELECT order_id, buyer_name, buyer_phone, ship_address FROM orders; \
             CREATE TABLE contact_copy AS SELECT order_id, buyer_name, buyer_phone, ship_address FROM orders; \
             CREATE TABLE renamed AS SELECT order_id, buyer_name AS who, upper(ship_address) AS place FROM orders; \
             CREATE TABLE harmless AS SELECT order_id, paid_amount FROM orders",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = ws.scratch("save.sql");
    std::fs::write(&script, ".report save contact_list SELECT buyer_name, buyer_phone, ship_address FROM orders\n")
        .unwrap();
    assert!(as_user(&ws, "alan", ACCOUNTANT_PW, &["sql", "-f", script.to_str().unwrap()]).status.success());

    let mut tally = Tally::default();
    let outside = ws.scratch("stolen.csv");
    let refusals: Vec<(&str, &str, Vec<String>)> = vec![
        ("vera", VIEWER_PW, sql("DROP VIEW receivables")),
        ("vera", VIEWER_PW, sql("INSERT INTO orders SELECT * FROM orders")),
        ("vera", VIEWER_PW, sql("CREATE TABLE mine AS SELECT * FROM orders")),
        ("vera", VIEWER_PW, sql("CREATE VIEW mine AS SELECT * FROM orders")),
        ("vera", VIEWER_PW, sql("CREATE EXTERNAL TABLE pw STORED AS CSV LOCATION '/etc/passwd'")),
        ("vera", VIEWER_PW, sql(&format!("COPY (SELECT * FROM orders) TO '{}'", outside.display()))),
        ("vera", VIEWER_PW, sql("SELECT * FROM '/etc/passwd'")),
        ("vera", VIEWER_PW, args(&["report", "aging", "-o", outside.to_str().unwrap()])),
        ("vera", VIEWER_PW, args(&["import", outside.to_str().unwrap()])),
        ("vera", VIEWER_PW, args(&["reconcile"])),
        ("vera", VIEWER_PW, args(&["writeoff", "--bank", "x", "--reason", "r"])),
        ("vera", VIEWER_PW, args(&["user", "list"])),
        // Tables made from personal data, under any column names, are not shown to viewers.
        ("vera", VIEWER_PW, sql("SELECT * FROM renamed")),
        ("vera", VIEWER_PW, sql("SELECT * FROM contact_copy")),
        ("vera", VIEWER_PW, args(&["audit"])),
        ("alan", ACCOUNTANT_PW, sql("CREATE EXTERNAL TABLE pw STORED AS CSV LOCATION '/etc/passwd'")),
        ("alan", ACCOUNTANT_PW, sql(&format!("COPY (SELECT * FROM orders) TO '{}'", outside.display()))),
        ("alan", ACCOUNTANT_PW, sql("SELECT * FROM '/etc/passwd'")),
        ("alan", ACCOUNTANT_PW, args(&["user", "add", "mallory", "--role", "admin"])),
        ("alan", ACCOUNTANT_PW, args(&["audit", "verify"])),
    ];
    for (user, pw, a) in &refusals {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let out = as_user(&ws, user, pw, &a);
        tally.tried += 1;
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{user} {a:?} was allowed:\n{}", text(&out.stdout));
        assert!(
            err.contains("permission denied") || err.contains("not found") || err.contains("tables change only"),
            "{user} {a:?}: unclear refusal: {err}"
        );
        tally.refused += 1;
    }
    assert!(!outside.exists(), "nothing was written outside the workspace");

    // Paths to the originals: each answers, but with masks only.
    let reads = [
        "SELECT buyer_name, buyer_phone, ship_address FROM orders",
        "SELECT * FROM orders",
        "SELECT * FROM contacts",
        "SELECT count(*) FROM harmless",
        "SELECT o.buyer_name, o.buyer_phone FROM orders o JOIN order_settlement s ON s.order_id = o.order_id",
        "SELECT (SELECT max(buyer_phone) FROM orders) AS p, (SELECT min(ship_address) FROM orders) AS a",
        "WITH c AS (SELECT buyer_name, ship_address FROM orders) SELECT * FROM c",
        "SELECT buyer_name FROM orders UNION ALL SELECT ship_address FROM orders",
        "SELECT upper(buyer_name), normalize_party(buyer_name), concat(buyer_phone, '') FROM orders",
        "SELECT buyer_name, buyer_nick, buyer_company FROM direct_orders",
        "SELECT string_agg(buyer_phone, ',') FROM orders",
        "EXPLAIN SELECT buyer_name FROM orders",
    ];
    for q in reads {
        let out = as_user(&ws, "vera", VIEWER_PW, &["sql", "--format", "csv", "-c", q]);
        tally.tried += 1;
        assert!(out.status.success(), "{q}: {}", text(&out.stderr));
        let seen = format!("{}{}", text(&out.stdout), text(&out.stderr));
        match secrets.iter().find(|s| s.chars().count() > 2 && seen.contains(s.as_str())) {
            Some(s) => tally.leaked.push(format!("{q} showed {s}")),
            None => tally.refused += 1,
        }
    }
    let report = as_user(&ws, "vera", VIEWER_PW, &["report", "contact_list", "--format", "csv"]);
    tally.tried += 1;
    let seen = text(&report.stdout);
    assert!(report.status.success() && seen.contains("****"), "{seen}");
    match secrets.iter().find(|s| s.chars().count() > 2 && seen.contains(s.as_str())) {
        Some(s) => tally.leaked.push(format!("the accountant's report showed {s}")),
        None => tally.refused += 1,
    }
    // What the viewer sees is masked as promised.
    let masked = as_user(
        &ws,
        "vera",
        VIEWER_PW,
        &["sql", "--format", "csv", "-c", "SELECT buyer_phone FROM orders WHERE buyer_phone IS NOT NULL LIMIT 1"],
    );
    let phone = text(&masked.stdout).lines().nth(1).unwrap().to_string();
    assert!(phone.len() == 11 && &phone[3..7] == "****", "{phone}");

    println!("attack suite: {tally:?}");
    assert!(tally.leaked.is_empty(), "leaked: {:?}", tally.leaked);
    assert_eq!(tally.tried, tally.refused);
    // The accountant still sees the originals, and an admin may use files.
    let plain = as_user(&ws, "alan", ACCOUNTANT_PW, &["sql", "--format", "csv", "-c", "SELECT * FROM contacts"]);
    assert!(text(&plain.stdout).contains(&secrets[0]));
    admin(&ws, &["sql", "-c", &format!("COPY (SELECT order_id FROM orders) TO '{}'", outside.display())]);
    assert!(outside.exists());
}

fn sql(q: &str) -> Vec<String> {
    vec!["sql".into(), "-c".into(), q.into()]
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn brute_force_is_locked_out_and_the_audit_log_shows_tampering() {
    let ws = Ws::new();
    add_user(&ws, "vera", "viewer", VIEWER_PW);
    for _ in 0..5 {
        let out = as_user(&ws, "vera", "guess-guess-guess", &["sql", "-c", "SELECT 1"]);
        assert_eq!(out.status.code(), Some(3));
        assert!(text(&out.stderr).contains("wrong user name or password"));
    }
    // The sixth attempt is refused even with the right password; a new process too.
    let sixth = as_user(&ws, "vera", VIEWER_PW, &["sql", "-c", "SELECT 1"]);
    assert_eq!(sixth.status.code(), Some(3));
    assert!(text(&sixth.stderr).contains("too many failed logins"), "{}", text(&sixth.stderr));
    // Unknown names lock the same way, so the lockout tells nothing about who exists.
    for _ in 0..5 {
        as_user(&ws, "nobody", "guess-guess-guess", &["sql", "-c", "SELECT 1"]);
    }
    assert!(text(&as_user(&ws, "nobody", "x", &["sql", "-c", "SELECT 1"]).stderr).contains("too many failed logins"));
    admin(&ws, &["user", "unlock", "vera"]);
    assert!(as_user(&ws, "vera", VIEWER_PW, &["sql", "-c", "SELECT 1"]).status.success());
    // An admin's lock holds until unlocked; a role change takes effect at the next login.
    admin(&ws, &["user", "lock", "vera"]);
    assert!(text(&as_user(&ws, "vera", VIEWER_PW, &["sql", "-c", "SELECT 1"]).stderr).contains("is locked"));
    admin(&ws, &["user", "unlock", "vera"]);
    let define = ["sql", "-c", "CREATE VIEW ones AS SELECT 1 AS one"];
    assert!(!as_user(&ws, "vera", VIEWER_PW, &define).status.success());
    admin(&ws, &["user", "role", "vera", "accountant"]);
    assert!(as_user(&ws, "vera", VIEWER_PW, &define).status.success());
    let listed = admin(&ws, &["sql", "-c", ".users"]);
    assert!(listed.contains("| vera ") && listed.contains("accountant"), "{listed}");
    assert!(admin(&ws, &["audit", "--event", "user_role"]).contains("vera: viewer -> accountant"));

    let log = admin(&ws, &["audit", "--by", "vera"]);
    assert!(log.contains("login_failed") && log.contains("login_refused") && log.contains("login "), "{log}");
    assert!(admin(&ws, &["audit", "verify"]).contains("audit log intact"));
    let users = std::fs::read_to_string(ws.root.join("users.json")).unwrap();
    assert!(!users.contains(VIEWER_PW) && users.contains("$argon2id$"), "only hashes in the users file");

    let path = ws.root.join("audit.log");
    let original = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let verify = |ws: &Ws| {
        let out = as_user(ws, "admin", PASSWORD, &["audit", "verify"]);
        assert!(
            !out.status.success(),
            "verify passed a tampered log: {}{}\n{}",
            text(&out.stdout),
            text(&out.stderr),
            std::fs::read_to_string(ws.root.join("audit.log")).unwrap_or_default()
        );
        text(&out.stderr)
    };
    // Edited: a failure made to look like a success.
    std::fs::write(&path, original.replacen("login_failed", "login", 1)).unwrap();
    let edited = lines.iter().position(|l| l.contains("login_failed")).unwrap() + 1;
    assert!(verify(&ws).contains(&format!("line {edited} ")), "{}", verify(&ws));
    // Removed: the third line.
    let without: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != 2).map(|(_, l)| *l).collect();
    std::fs::write(&path, without.join("\n") + "\n").unwrap();
    assert!(verify(&ws).contains("line 3 (entry 4): entries 3–3 are missing"), "{}", verify(&ws));
    // Truncated: the last lines cut off.
    std::fs::write(&path, lines[..lines.len() - 4].join("\n") + "\n").unwrap();
    let cut = verify(&ws);
    assert!(cut.contains("truncated") || cut.contains("missing"), "{cut}");
}
