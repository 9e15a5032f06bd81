//! SQL in batch: `recon sql -c`, `-f`, and a script on standard input. Outputs are
//! compared whole (they are the specification); the first error stops the run with a
//! non-zero exit naming the statement and its line. Views and working tables persist;
//! built-in views and the canonical tables are protected.

use std::io::Write;
use std::process::Stdio;

use crate::common::{Ws, bank_csv, text};

fn with_bank(ws: &Ws) {
    let f = ws.scratch("bank.csv");
    std::fs::write(
        &f,
        "交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,摘要\n\
         2026-10-01 09:00:00,B1,,1200.00,1200.00,支付宝（中国）网络技术有限公司,提现 2026100120004001\n\
         2026-10-02 10:30:00,B2,50.00,,1150.00,中国移动,话费\n\
         2026-10-03 11:00:00,B3,,88.80,1238.80,财付通支付科技有限公司,结算款\n",
    )
    .unwrap();
    ws.import(&f);
}

/// Runs a script on standard input, as `recon < script.sql` does.
fn stdin_script(ws: &Ws, script: &str) -> std::process::Output {
    let mut child = ws.cmd().stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn batch_output_is_exact() {
    let ws = Ws::new();
    with_bank(&ws);
    let out = ws.ok(&[
        "sql",
        "-c",
        "SELECT txn_id, txn_time, amount, counterparty_name FROM bank_txns ORDER BY txn_id; SELECT sum(amount) AS net FROM bank_txns",
    ]);
    assert_eq!(
        out,
        "\
+--------+---------------------+---------+--------------------------------+
| txn_id | txn_time            |  amount | counterparty_name              |
+--------+---------------------+---------+--------------------------------+
| B1     | 2026-10-01 09:00:00 | 1200.00 | 支付宝（中国）网络技术有限公司 |
| B2     | 2026-10-02 10:30:00 |  -50.00 | 中国移动                       |
| B3     | 2026-10-03 11:00:00 |   88.80 | 财付通支付科技有限公司         |
+--------+---------------------+---------+--------------------------------+
3 rows
+---------+
|     net |
+---------+
| 1238.80 |
+---------+
1 row
"
    );
    let json = ws.ok(&["sql", "--format", "json", "-c", "SELECT txn_id, amount FROM bank_txns ORDER BY txn_id"]);
    assert_eq!(
        json,
        "[{\"txn_id\":\"B1\",\"amount\":1200.00},\n{\"txn_id\":\"B2\",\"amount\":-50.00},\n{\"txn_id\":\"B3\",\"amount\":88.80}]\n"
    );
    let md = ws.ok(&["sql", "--format", "markdown", "-c", "SELECT kind, count(*) AS n FROM imports GROUP BY kind"]);
    assert_eq!(md, "| kind | n |\n|---|---:|\n| bank | 1 |\n");
}

#[test]
fn the_first_error_stops_the_run_and_says_where() {
    let ws = Ws::new();
    with_bank(&ws);
    let script = ws.scratch("month-end.sql");
    std::fs::write(&script, "-- month end\nSELECT count(*) AS n FROM bank_txns;\n\nSELECT no_such_column\n  FROM bank_txns;\nSELECT 'never runs';\n").unwrap();
    let out = ws.run(&["sql", "--format", "csv", "-f", script.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "n\n3\n");
    let err = text(&out.stderr);
    assert!(err.starts_with(&format!("error: {}: statement 2 (line 4): ", script.display())), "{err}");
    assert!(err.contains("no_such_column"), "{err}");
    let syntax = ws.run(&["sql", "-c", "SELECT 1;\nSELEC 2"]);
    assert_eq!(syntax.status.code(), Some(1));
    let err = text(&syntax.stderr);
    assert!(err.contains("-c: statement 2 (line 2)") && err.contains("SELEC"), "{err}");
}

#[test]
fn a_script_on_standard_input_with_dot_commands() {
    let ws = Ws::new();
    with_bank(&ws);
    let out = stdin_script(
        &ws,
        ".mode csv\nSELECT txn_id FROM bank_txns\n  WHERE amount > 0 ORDER BY 1;\n.mode line\nSELECT 'x' AS a, 2 AS b;\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "txn_id\nB1\nB3\na = x\nb = 2\n\n1 row\n");
    let bad = stdin_script(&ws, ".mode fancy\n");
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("stdin: statement 1 (line 1): .mode takes table|csv|json|jsonl|markdown|line"));
    let read = ws.scratch("inner.sql");
    std::fs::write(&read, "SELECT 41 + 1 AS answer;\n").unwrap();
    let out = stdin_script(&ws, &format!(".mode csv\n.read {}\n", read.display()));
    assert_eq!(text(&out.stdout), "answer\n42\n");
    let outfile = ws.scratch("out.csv");
    let out = stdin_script(
        &ws,
        &format!(
            ".mode csv\n.output {}\nSELECT txn_id FROM bank_txns ORDER BY 1;\n.output\nSELECT 'screen' AS s;\n",
            outfile.display()
        ),
    );
    assert_eq!(text(&out.stdout), "s\nscreen\n");
    assert_eq!(std::fs::read_to_string(&outfile).unwrap(), "txn_id\nB1\nB2\nB3\n");
}

#[test]
fn views_persist_and_built_in_views_are_protected() {
    let ws = Ws::new();
    with_bank(&ws);
    let out = ws.ok(&["sql", "-c", "CREATE VIEW credits AS SELECT txn_id, amount FROM bank_txns WHERE amount > 0"]);
    assert!(out.contains("view credits saved"), "{out}");
    assert_eq!(ws.value("SELECT count(*) FROM credits"), "2");
    ws.ok(&["sql", "-c", "CREATE OR REPLACE VIEW credits AS SELECT txn_id, amount FROM bank_txns WHERE amount > 100"]);
    assert_eq!(ws.value("SELECT count(*) FROM credits"), "1");
    // Views built on views come back in an order that plans.
    ws.ok(&["sql", "-c", "CREATE VIEW a_total AS SELECT sum(amount) AS total FROM credits"]);
    assert_eq!(ws.value("SELECT total FROM a_total"), "1200.00");

    for (sql, says) in [
        ("DROP VIEW payouts", "payouts is a built-in view and cannot be dropped"),
        ("CREATE OR REPLACE VIEW payouts AS SELECT 1", "payouts is a built-in view"),
        ("CREATE VIEW orders AS SELECT 1", "orders is a table"),
        ("DROP VIEW nothing_here", "there is no view nothing_here"),
    ] {
        let err = ws.fails(&["sql", "-c", sql]);
        assert!(err.contains(says), "{sql}: {err}");
    }
    ws.ok(&["sql", "-c", "DROP VIEW a_total"]);
    assert!(ws.fails(&["sql", "-c", "SELECT * FROM a_total"]).contains("a_total"));
    assert_eq!(ws.value("SELECT count(*) FROM credits"), "1");
}

#[test]
fn a_view_that_no_longer_plans_is_reported_not_fatal() {
    let ws = Ws::new();
    with_bank(&ws);
    ws.ok(&["sql", "-c", "CREATE TABLE staging AS SELECT txn_id, amount AS amt FROM bank_txns"]);
    ws.ok(&["sql", "-c", "CREATE VIEW uses_staging AS SELECT amt FROM staging"]);
    ws.ok(&["sql", "-c", "CREATE OR REPLACE TABLE staging AS SELECT txn_id, amount FROM bank_txns"]);
    let out = ws.run(&["sql", "-c", "SELECT count(*) FROM bank_txns"]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("warning: your view uses_staging no longer plans and is left out"), "{err}");
}

#[test]
fn working_tables_are_stored_and_canonical_tables_change_only_by_import() {
    let ws = Ws::new();
    with_bank(&ws);
    let out = ws.ok(&[
        "sql",
        "-c",
        "CREATE TABLE october AS SELECT txn_id, amount FROM bank_txns WHERE txn_time >= '2026-10-02'",
    ]);
    assert!(out.contains("table october saved in the workspace (2 rows)"), "{out}");
    assert_eq!(ws.value("SELECT sum(amount) FROM october"), "38.80");
    let tables = ws.ok(&["sql", "-c", ".tables"]);
    assert!(tables.contains("october") && tables.contains("table: yours, 2 rows, by admin"), "{tables}");
    // Every input table, the answers, not the internal steps (unless asked).
    for name in ["shipments", "returns", "courier_bills", "inventory", "payments", "receivables", "risks"] {
        assert!(tables.contains(&format!("| {name} ")), "{name}: {tables}");
    }
    assert!(!tables.contains("l2_candidates"), "{tables}");
    let all = ws.ok(&["sql", "-c", ".tables all"]);
    assert!(all.contains("| l2_candidates ") && all.contains("view: internal step"), "{all}");
    // Each table `.tables` names can be read.
    for line in all.lines().filter(|l| l.contains("table: ")) {
        let name = line.trim_start_matches('|').split('|').next().unwrap().trim();
        ws.ok(&["sql", "-c", &format!("SELECT count(*) FROM {name}")]);
    }
    assert_eq!(std::fs::read_dir(ws.root.join("tables/user")).unwrap().count(), 1);
    assert!(
        ws.fails(&["sql", "-c", "CREATE TABLE october AS SELECT 1 AS x"])
            .contains("CREATE OR REPLACE TABLE replaces it")
    );
    for (sql, says) in [
        ("INSERT INTO orders (order_id) VALUES ('x')", "tables change only by `recon import`"),
        ("DELETE FROM bank_txns", "tables change only by `recon import`"),
        ("DROP TABLE bank_txns", "bank_txns is filled by imports"),
        ("CREATE TABLE t (a INT)", "CREATE TABLE name AS SELECT"),
    ] {
        let err = ws.fails(&["sql", "-c", sql]);
        assert!(err.contains(says), "{sql}: {err}");
    }
    ws.ok(&["sql", "-c", "DROP TABLE october"]);
    assert!(ws.fails(&["sql", "-c", "SELECT * FROM october"]).contains("october"));
    assert_eq!(std::fs::read_dir(ws.root.join("tables/user")).unwrap().count(), 0, "its file is gone");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "3");
    // Made and dropped, each with its audit line.
    let defined = ws.ok(&["audit", "--event", "define"]);
    assert!(defined.contains("table october (2 rows)") && defined.contains("dropped table october"), "{defined}");
}

#[test]
fn help_and_schema_describe_what_is_there() {
    let ws = Ws::new();
    let help = ws.ok(&["sql", "-c", ".help"]);
    for cmd in [".tables", ".schema", ".views", ".mode", ".maxrows", ".timer", ".output", ".read", ".import", ".quit"] {
        assert!(help.contains(cmd), "{cmd}: {help}");
    }
    let views = ws.ok(&["sql", "-c", ".help views"]);
    assert!(views.contains("payouts (built-in)") && views.contains("money leaving a platform wallet"), "{views}");
    let schema = ws.ok(&["sql", "--format", "csv", "-c", ".schema bank_txns"]);
    assert!(
        schema.starts_with("table,column,type,nullable\nbank_txns,account,Utf8,YES\nbank_txns,txn_id,Utf8,YES\n"),
        "{schema}"
    );
    assert!(schema.contains("bank_txns,amount,\"Decimal128(18, 2)\",YES"), "{schema}");
    assert!(ws.fails(&["sql", "-c", ".schema nope"]).contains("there is no table or view nope"));
    let functions = ws.ok(&["sql", "-c", ".help functions date_tr"]);
    assert!(functions.contains("date_trunc(precision, expression)"), "{functions}");
    assert!(functions.contains("Truncates a timestamp"), "{functions}");
}

#[test]
fn dot_import_in_a_script_and_queries_that_spill() {
    let ws = Ws::new();
    let f = ws.scratch("many.csv");
    std::fs::write(&f, bank_csv(0..200_000)).unwrap();
    let out =
        stdin_script(&ws, &format!(".import --no-progress {}\nSELECT count(*) AS n FROM bank_txns;\n", f.display()));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("stored 200,000 rows") && stdout.contains("| 200000 |"), "{stdout}");
    // A sort larger than the memory allowed spills to the workspace and finishes.
    let sort = "SELECT max(r) AS n FROM (SELECT row_number() OVER (ORDER BY memo DESC, counterparty_name, txn_id) AS r FROM bank_txns)";
    let sorted = ws.ok(&["--memory-limit", "16MB", "sql", "--format", "csv", "-c", sort]);
    assert_eq!(sorted, "n\n200000\n");
    let plan = ws.ok(&["--memory-limit", "16MB", "sql", "--format", "csv", "-c", &format!("EXPLAIN ANALYZE {sort}")]);
    let spills: u64 = plan
        .split("spill_count=")
        .skip(1)
        .filter_map(|s| s.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u64>().ok())
        .sum();
    assert!(spills > 0, "the sort spilled: {plan}");
    assert!(ws.fails(&["--memory-limit", "lots", "sql", "-c", "SELECT 1"]).contains("give a size such as 2GB"));
}

/// A join condition that reads two earlier tables (`x.d = n.v - k.w`) holds in the answer.
/// DataFusion 55's cross-join elimination dropped such a condition silently when the join
/// also had a plain key (`x.p = r.p`): every `x` row came back for every `n`, `k` pair, 3,
/// 6 and 9 rows instead of 1, 2 and 3. The same query written with WHERE must agree.
#[test]
fn a_join_condition_over_two_earlier_tables_is_kept() {
    let ws = Ws::new();
    let tables = "(VALUES ('a')) r(p) CROSS JOIN (VALUES (1), (2), (3)) n(v)";
    let x = "(VALUES ('a', 0), ('a', 1), ('a', 2)) x(p, d)";
    let on = ws.rows(&format!(
        "SELECT n.v, count(*) FROM {tables} JOIN (VALUES (1), (2), (3)) k(w) ON k.w <= n.v \
         JOIN {x} ON x.p = r.p AND x.d = n.v - k.w GROUP BY n.v ORDER BY n.v"
    ));
    let expected = vec![vec!["1", "1"], vec!["2", "2"], vec!["3", "3"]];
    assert_eq!(on, expected);
    let where_ = ws.rows(&format!(
        "SELECT n.v, count(*) FROM {tables} CROSS JOIN (VALUES (1), (2), (3)) k(w) CROSS JOIN {x} \
         WHERE k.w <= n.v AND x.p = r.p AND x.d = n.v - k.w GROUP BY n.v ORDER BY n.v"
    ));
    assert_eq!(where_, expected);
}
