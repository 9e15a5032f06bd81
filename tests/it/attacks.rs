//! The findings of the attack suite run against recon (issue "Security: close what an
//! attack suite got through"), each done again exactly as it was done, and refused — with
//! the workspace unchanged where the attack meant to change it.

use std::path::Path;

use crate::common::{PASSWORD, Ws, add_user, as_user, text};

const VIEWER_PW: &str = "viewer-pass-2026";
const ACCOUNTANT_PW: &str = "accountant-pass-2026";

/// A workspace with orders holding personal data, an accountant `alan` and a viewer `vera`.
fn workspace() -> Ws {
    let ws = Ws::new();
    let orders = ws.scratch("orders.csv");
    std::fs::write(
        &orders,
        "订单编号,平台,店铺,下单时间,实付金额,收货人,联系手机,收货地址\n\
         T1,天猫,旗舰店,2026-10-01 10:00:00,100.00,张三丰,13812341234,上海市超市路1号\n\
         T2,天猫,旗舰店,2026-10-02 10:00:00,200.00,欧阳娜娜,13987654321,浙江省杭州市西湖区文三路90号\n\
         T3,天猫,旗舰店,2026-10-03 10:00:00,300.00,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",13700000000,北京市朝阳区建国路1号\n",
    )
    .unwrap();
    ws.import(&orders);
    add_user(&ws, "alan", "accountant", ACCOUNTANT_PW);
    add_user(&ws, "vera", "viewer", VIEWER_PW);
    ws
}

fn alan(ws: &Ws, args: &[&str]) -> std::process::Output {
    as_user(ws, "alan", ACCOUNTANT_PW, args)
}

fn vera(ws: &Ws, args: &[&str]) -> std::process::Output {
    as_user(ws, "vera", VIEWER_PW, args)
}

fn refused(out: &std::process::Output, why: &str) {
    assert!(!out.status.success(), "allowed: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains(why), "expected {why:?} in: {err}");
}

fn secrets_in(s: &str) -> Vec<&'static str> {
    ["张三丰", "欧阳娜娜", "13812341234", "13987654321", "文三路"].into_iter().filter(|x| s.contains(x)).collect()
}

/// 1. A view name that carries code: refused as a name; and a view file written so by an
///    older recon is never run, so a viewer never reads `leak` nor /etc/passwd.
#[test]
fn a_view_name_cannot_carry_code() {
    let ws = workspace();
    let attack = format!(
        "CREATE VIEW \"x\ncreate external table leak stored as parquet location '{}/tables/orders/' /*\" AS SELECT 1 AS \"*/ */ --\"",
        ws.root.display()
    );
    let before = ws.state();
    refused(&alan(&ws, &["sql", "-c", &attack]), "view name");
    assert_eq!(ws.state(), before, "nothing stored");
    // The file such a name once produced, planted as is.
    let views = ws.root.join("views");
    std::fs::create_dir_all(&views).unwrap();
    std::fs::write(
        views.join("x.sql"),
        format!(
            "-- x\ncreate external table leak stored as parquet location '{}/tables/orders/' /*: created by alan\nCREATE VIEW \"x\ncreate external table leak stored as parquet location '{}/tables/orders/' /*\" AS SELECT 1 AS \"*/ */ --\";\n",
            ws.root.display(),
            ws.root.display()
        ),
    )
    .unwrap();
    let out = vera(&ws, &["sql", "-c", "SELECT buyer_name, buyer_phone FROM leak"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("views/x.sql is not loaded"), "{}", text(&out.stderr));
    assert!(secrets_in(&text(&out.stdout)).is_empty());
    // A view an accountant made over personal columns is planned in the viewer's own
    // session: masked.
    assert!(
        alan(&ws, &["sql", "-c", "CREATE VIEW contacts AS SELECT buyer_name, buyer_phone FROM orders"])
            .status
            .success()
    );
    let out = vera(&ws, &["sql", "--format", "csv", "-c", "SELECT * FROM contacts"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(secrets_in(&text(&out.stdout)).is_empty(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("138****1234"), "{}", text(&out.stdout));
}

/// 2. A copy of a personal working table is as personal as the table it copies.
#[test]
fn personal_data_follows_through_copies_of_tables() {
    let ws = workspace();
    let out = alan(
        &ws,
        &[
            "sql",
            "-c",
            "CREATE TABLE t1 AS SELECT order_id, buyer_phone AS p FROM orders; CREATE TABLE t2 AS SELECT * FROM t1; CREATE TABLE t3 AS SELECT p AS q FROM t2",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    for t in ["t1", "t2", "t3"] {
        let out = vera(&ws, &["sql", "--format", "csv", "-c", &format!("SELECT * FROM {t}")]);
        assert!(!out.status.success(), "{t} shown to a viewer: {}", text(&out.stdout));
        assert!(secrets_in(&text(&out.stdout)).is_empty());
    }
}

/// 3. Table names are identifiers, not paths: nothing is written outside the workspace,
///    nor over an import's data.
#[test]
fn table_names_are_not_paths() {
    let ws = workspace();
    let before = ws.state();
    let outside = ws.root.parent().unwrap().join("x-parquet");
    for name in ["../../../tmp/x", "../tables/orders/imp-000001", "../runs/000002/x", &format!("{}", outside.display())]
    {
        let out = alan(&ws, &["sql", "-c", &format!("CREATE TABLE \"{name}\" AS SELECT 1 AS a")]);
        refused(&out, "table name");
    }
    assert_eq!(ws.state(), before);
    assert!(!outside.exists() && !Path::new("/tmp/x-000001.parquet").exists());
}

/// 4. Writing results is exporting: not for viewers; for anyone never into the workspace,
///    never through a link into it, never over a file without --force; audited.
#[test]
fn output_goes_nowhere_it_should_not() {
    let ws = workspace();
    let before = ws.state();
    let script = ws.scratch("out.sql");
    let run = |user: &str, pw: &str, target: &Path, force: bool| {
        let flag = if force { "--force " } else { "" };
        std::fs::write(&script, format!(".output {flag}{}\nSELECT * FROM orders;\n", target.display())).unwrap();
        as_user(&ws, user, pw, &["sql", "-f", script.to_str().unwrap()])
    };
    refused(&run("vera", VIEWER_PW, &ws.scratch("v.csv"), false), "may not export");
    refused(&run("alan", ACCOUNTANT_PW, &ws.root.join("catalog.json"), true), "inside the workspace");
    refused(&run("alan", ACCOUNTANT_PW, &ws.root.join("users.json"), true), "inside the workspace");
    #[cfg(unix)]
    {
        let link = ws.scratch("innocent.csv");
        std::os::unix::fs::symlink(ws.root.join("logins.json"), &link).unwrap();
        refused(&run("alan", ACCOUNTANT_PW, &link, true), "");
        let dir_link = ws.scratch("wsdir");
        std::os::unix::fs::symlink(&ws.root, &dir_link).unwrap();
        refused(&run("alan", ACCOUNTANT_PW, &dir_link.join("audit.head"), true), "inside the workspace");
    }
    assert_eq!(ws.state(), before, "the workspace is untouched");
    let mine = ws.scratch("mine.csv");
    std::fs::write(&mine, "keep me").unwrap();
    refused(&run("alan", ACCOUNTANT_PW, &mine, false), "--force replaces it");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "keep me");
    assert!(run("alan", ACCOUNTANT_PW, &mine, true).status.success());
    assert!(std::fs::read_to_string(&mine).unwrap().contains("order_id"));
    let audit = as_user(&ws, "admin", PASSWORD, &["audit", "--event", "export"]);
    assert!(text(&audit.stdout).contains("mine.csv"), "{}", text(&audit.stdout));
}

/// 5. Thirty wrong passwords at once are thirty failures: the lock holds, and the right
///    password afterwards is refused.
#[test]
fn parallel_guesses_are_all_counted() {
    let ws = workspace();
    let guesses: Vec<_> = (0..30)
        .map(|i| {
            ws.cmd()
                .args(["--user", "vera", "sql", "-c", "SELECT 1"])
                .env("RECON_PASSWORD", format!("wrong-guess-{i}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut g in guesses {
        assert!(!g.wait().unwrap().success());
    }
    let logins: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.root.join("logins.json")).unwrap()).unwrap();
    let count = logins["failures"]["vera"]["count"].as_u64().unwrap();
    assert!(count >= 5, "counted {count}");
    refused(&vera(&ws, &["sql", "-c", "SELECT 1"]), "");
}

/// 6. A saved report is one query, checked when saved and again when run — whoever runs
///    it, an admin included.
#[test]
fn a_saved_report_is_a_query() {
    let ws = workspace();
    let stolen = ws.scratch("stolen.csv");
    let save = ws.scratch("save.sql");
    std::fs::write(
        &save,
        format!(".report save grab COPY (SELECT buyer_phone FROM orders) TO '{}'\n", stolen.display()),
    )
    .unwrap();
    refused(&alan(&ws, &["sql", "-f", save.to_str().unwrap()]), "one query");
    // Planted straight into the workspace, it still does not run.
    std::fs::create_dir_all(ws.root.join("reports")).unwrap();
    std::fs::write(
        ws.root.join("reports/grab.sql"),
        format!(
            "-- title: grab\n-- params: \n-- saved: alan\nCOPY (SELECT buyer_phone FROM orders) TO '{}';\n",
            stolen.display()
        ),
    )
    .unwrap();
    refused(&as_user(&ws, "admin", PASSWORD, &["report", "grab"]), "one query");
    assert!(!stolen.exists(), "nothing was written");
}

/// 7. `.export --force` never writes into the workspace's data.
#[test]
fn export_never_writes_into_the_workspace() {
    let ws = workspace();
    let before = ws.state();
    let data = ws.root.join("tables/orders/imp-000001.parquet");
    assert!(data.exists());
    let script = ws.scratch("x.sql");
    std::fs::write(&script, format!("SELECT 1 AS a;\n.export --force {}\n", data.display())).unwrap();
    refused(&alan(&ws, &["sql", "-f", script.to_str().unwrap()]), "inside the workspace");
    refused(
        &alan(&ws, &["report", "aging", "--force", "-o", ws.root.join("catalog.json").to_str().unwrap()]),
        "inside the workspace",
    );
    assert_eq!(ws.state(), before);
}

/// Not even an admin's SQL reads or writes the workspace's own files: `COPY … TO` over
/// the catalog or into a table's folder (through a relative path or a link too) would
/// break the workspace or slip rows past the import, and an external table over
/// `users.json` would read every password hash.
#[test]
fn sql_never_reads_or_writes_the_workspace_files() {
    let ws = workspace();
    let before = ws.state();
    let link = ws.scratch("into-ws");
    std::os::unix::fs::symlink(&ws.root, &link).unwrap();
    let root = ws.root.display().to_string();
    for sql in [
        format!("COPY (SELECT 1 AS x) TO '{root}/catalog.json' STORED AS CSV"),
        format!("COPY (SELECT 1 AS x) TO 'file://{root}/tables/orders/extra.parquet' STORED AS PARQUET"),
        format!("COPY (SELECT 1 AS x) TO '{root}/tables/orders/../../users.json' STORED AS CSV"),
        format!("COPY (SELECT 1 AS x) TO '{}/catalog.json' STORED AS CSV", link.display()),
        format!("CREATE EXTERNAL TABLE hashes STORED AS JSON LOCATION '{root}/users.json'"),
    ] {
        let out = ws.run(&["--user", "admin", "sql", "-c", &sql]);
        assert_eq!(out.status.code(), Some(4), "{sql}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("inside the workspace"), "{sql}: {}", text(&out.stderr));
    }
    assert_eq!(ws.state(), before);
    // Outside it, an admin's COPY still writes.
    let outside = ws.scratch("out/one.csv");
    ws.run(&[
        "--user",
        "admin",
        "sql",
        "-c",
        &format!("COPY (SELECT 1 AS x) TO '{}' STORED AS CSV", outside.display()),
    ]);
    assert!(outside.exists());
}

/// 8. Runtime settings are an admin's; a function cannot allocate without bound; a
///    statement has a time limit.
#[test]
fn resources_are_bounded() {
    let ws = workspace();
    for stmt in [
        "SET datafusion.runtime.memory_limit = '64G'",
        "RESET datafusion.runtime.memory_limit",
        "SET datafusion.runtime.temp_directory = '/tmp'",
        "SET datafusion.execution.batch_size = 1",
    ] {
        refused(&vera(&ws, &["sql", "-c", stmt]), "permission denied");
    }
    assert!(vera(&ws, &["sql", "-c", "SET recon.as_of = '2026-10-31'"]).status.success());
    for q in [
        "SELECT length(repeat('x', 2000000000))",
        "SELECT length(lpad('x', 2000000000, 'y'))",
        "SELECT cardinality(array_repeat(1, 2000000000))",
    ] {
        refused(&vera(&ws, &["sql", "-c", q]), "max_text_length");
    }
    let started = std::time::Instant::now();
    let forever = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r";
    refused(&vera(&ws, &["--timeout", "2", "sql", "-c", forever]), "stopped after 2 s");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

/// 9. Each user has a history of their own.
#[test]
fn shell_history_is_per_user() {
    use rexpect::session::spawn_command;
    let ws = workspace();
    // An older recon's one history file for everyone goes.
    std::fs::write(ws.root.join("history"), "SELECT * FROM orders WHERE buyer_phone = '13812341234';\n").unwrap();
    let shell = |user: &str, pw: &str, line: &str| {
        let mut cmd = ws.cmd();
        cmd.args(["--user", user]).env("RECON_PASSWORD", pw).env("TERM", "xterm");
        let mut p = spawn_command(cmd, Some(60_000)).unwrap();
        p.exp_string("recon> ").unwrap();
        p.send_line(line).unwrap();
        p.exp_string("recon> ").unwrap();
        p.send_line(".quit").unwrap();
        p.exp_eof().unwrap();
    };
    shell("alan", ACCOUNTANT_PW, "SELECT order_id FROM orders WHERE buyer_phone = '13987654321';");
    shell("vera", VIEWER_PW, "SELECT 1;");
    let alan_history = std::fs::read_to_string(ws.root.join("history/alan")).unwrap();
    let vera_history = std::fs::read_to_string(ws.root.join("history/vera")).unwrap();
    assert!(alan_history.contains("13987654321"));
    assert!(secrets_in(&vera_history).is_empty(), "{vera_history}");
    assert!(!vera_history.contains("13812341234"));
}

/// 11. A viewer's EXPLAIN shows no statistics of the files (a masked column's min and max).
#[test]
fn explain_shows_no_statistics_to_viewers() {
    let ws = workspace();
    refused(&vera(&ws, &["sql", "-c", "EXPLAIN VERBOSE SELECT buyer_name FROM orders"]), "permission denied");
    refused(&vera(&ws, &["sql", "-c", "SET datafusion.explain.show_statistics = true"]), "permission denied");
    let out = vera(&ws, &["sql", "-c", "EXPLAIN SELECT buyer_name, buyer_phone FROM orders"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(secrets_in(&text(&out.stdout)).is_empty(), "{}", text(&out.stdout));
}

/// 12. A cell a spreadsheet would run as a formula is written as text in every CSV.
#[test]
fn csv_cells_are_never_formulas() {
    let ws = workspace();
    let out = as_user(
        &ws,
        "admin",
        PASSWORD,
        &["sql", "--format", "csv", "-c", "SELECT buyer_name FROM orders WHERE order_id = 'T3'"],
    );
    assert!(text(&out.stdout).contains("'=HYPERLINK"), "{}", text(&out.stdout));
    let file = ws.scratch("names.csv");
    std::fs::write(
        ws.scratch("e.sql"),
        format!("SELECT buyer_name, paid_amount FROM orders ORDER BY order_id;\n.export {}\n", file.display()),
    )
    .unwrap();
    assert!(as_user(&ws, "admin", PASSWORD, &["sql", "-f", ws.scratch("e.sql").to_str().unwrap()]).status.success());
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("'=HYPERLINK") && written.contains("300.00"), "{written}");
}

/// 13. The rest: masks that keep no street and no name's length; a person paying into
///     the bank masked like a buyer; a locked user hears the same whatever the password;
///     a password typed as the user name is never written down; `.read` reads no file of
///     the workspace; a refused statement exits 4.
#[test]
fn the_smaller_findings() {
    let ws = workspace();
    let out =
        vera(&ws, &["sql", "--format", "csv", "-c", "SELECT buyer_name, ship_address FROM orders ORDER BY order_id"]);
    let seen = text(&out.stdout);
    assert!(seen.contains("张**,上海市") && seen.contains("欧**,浙江省杭州市"), "{seen}");
    let bank = ws.scratch("bank.csv");
    std::fs::write(
        &bank,
        "交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要\n\
         2026-10-05 10:00:00,B1,,300.00,,肖娜,6298452762755177764,公司代付 T3\n\
         2026-10-06 10:00:00,B2,,100.00,,支付宝（中国）网络技术有限公司,20057161471213544,提现\n",
    )
    .unwrap();
    assert!(as_user(&ws, "admin", PASSWORD, &["import", "--no-progress", bank.to_str().unwrap()]).status.success());
    let seen = text(
        &vera(
            &ws,
            &[
                "sql",
                "--format",
                "csv",
                "-c",
                "SELECT counterparty_name, counterparty_account FROM bank_txns ORDER BY txn_id",
            ],
        )
        .stdout,
    );
    assert!(!seen.contains("肖娜") && !seen.contains("6298452762755177764") && seen.contains("支付宝"), "{seen}");

    as_user(&ws, "admin", PASSWORD, &["user", "lock", "vera"]);
    let right = text(&vera(&ws, &["sql", "-c", "SELECT 1"]).stderr);
    let wrong = text(&as_user(&ws, "vera", "not-her-password", &["sql", "-c", "SELECT 1"]).stderr);
    assert_eq!(right, wrong);

    let typed = "S3cret-Passw0rd-typed-as-name";
    assert!(!as_user(&ws, typed, "whatever-it-was", &["sql", "-c", "SELECT 1"]).status.success());
    for f in ["audit.log", "logins.json"] {
        assert!(!std::fs::read_to_string(ws.root.join(f)).unwrap().contains(typed), "{f}");
    }

    let script = ws.scratch("read.sql");
    std::fs::write(&script, format!(".read {}\n", ws.root.join("users.json").display())).unwrap();
    let out = alan(&ws, &["sql", "-f", script.to_str().unwrap()]);
    refused(&out, "not scripts");
    assert!(!text(&out.stderr).contains("argon2"));

    let out = as_user(&ws, "admin", PASSWORD, &["user", "unlock", "vera"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = vera(&ws, &["sql", "-c", "SELECT 1; CREATE VIEW v AS SELECT 1"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
}
