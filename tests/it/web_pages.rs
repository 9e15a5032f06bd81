//! The workbench's reading pages over real HTTP — collections, reports (built-in, saved on
//! the page, drilled into), the SQL page and downloads — each figure read back through the
//! CLI on the same workspace, and each refusal the CLI would make made by the page too.

use crate::common::*;
use crate::web::{Client, Server};

/// A reconciled workspace of generated orders, an admin logged in on its server.
fn served() -> (Ws, Server, Client) {
    let (ws, _) = generated(400, 11, "low");
    ws.ok(&["reconcile"]);
    let server = Server::start(&ws, &[]);
    let mut c = Client::new(&server);
    assert_eq!(c.login("admin", PASSWORD).status, 303);
    (ws, server, c)
}

#[test]
fn collections_and_reports_show_the_cli_figures_and_drill_to_the_rows() {
    let (ws, _server, mut c) = served();
    // Collections: the status summary's total is receivables' outstanding, to the cent.
    let page = c.get("/collections");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&grouped(&ws.value("SELECT sum(outstanding) FROM receivables"))), "{}", page.body);
    // Filtered: the count shown is the CLI's count under the same filter.
    let (platform, status) = {
        let r = ws.rows("SELECT platform, status FROM receivables WHERE status = 'overdue' LIMIT 1");
        (r[0][0].clone(), r[0][1].clone())
    };
    let n =
        ws.value(&format!("SELECT count(*) FROM receivables WHERE platform = '{platform}' AND status = '{status}'"));
    let page = c.get(&format!("/collections?platform={platform}&status={status}")).body;
    assert!(page.contains(&format!("<span class=\"count\">{n}</span>")), "{n} rows expected:\n{page}");
    // A filter value is data, never SQL: a quote finds nothing and breaks nothing.
    let page = c.get("/collections?platform=x%27%20OR%20%271%27%3D%271");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<span class=\"count\">0</span>"), "{}", page.body);
    // Follow-up: the largest overdue amount first.
    let top = ws.value("SELECT order_id FROM follow_up ORDER BY outstanding DESC, days_overdue DESC, order_id LIMIT 1");
    let page = c.get("/collections?tab=follow_up").body;
    let first_row = page.split("<tbody>").nth(2).unwrap_or_default();
    assert!(first_row.find(&top).is_some_and(|at| at < 400), "{top} should lead the follow-up list:\n{first_row}");
    // Another as-of computes another day's figures, as --as-of does.
    let earlier = rows_as(
        &ws,
        "admin",
        PASSWORD,
        Some("2026-09-30"),
        "SELECT count(*) FROM receivables WHERE status = 'overdue'",
    );
    let page = c.get("/collections?as_of=2026-09-30&status=overdue").body;
    assert!(page.contains(&format!("<span class=\"count\">{}</span>", earlier[0][0])), "{page}");
    assert_eq!(c.get("/collections?as_of=yesterday").status, 400);

    // A built-in report: its total sold is the CLI's; a row drills to the orders it adds up.
    let page = c.get("/reports/collection_summary").body;
    assert!(page.contains(&grouped(&ws.value("SELECT sum(sold) FROM collection_summary"))), "{page}");
    let drill = page.split("class=\"drill\" href=\"").nth(1).and_then(|s| s.split('"').next()).expect("a drill link");
    let drill = drill.replace("&amp;", "&").replace("&#x2f;", "/");
    let behind = c.get(&drill).body;
    let q = |k: &str| drill.split(['?', '&']).find_map(|kv| kv.strip_prefix(&format!("{k}="))).map(url_decoded);
    let (p, s, m) = (q("platform").unwrap(), q("shop").unwrap(), q("month").unwrap());
    let expected = ws.value(&format!(
        "SELECT count(*) FROM receivables WHERE platform = '{p}' AND shop = '{s}' \
         AND date_trunc('month', order_time) = date_trunc('month', CAST('{m}' AS TIMESTAMP))"
    ));
    let orders = ws.value(&format!(
        "SELECT orders FROM collection_summary WHERE platform = '{p}' AND shop = '{s}' AND month = CAST('{m}' AS TIMESTAMP)"
    ));
    assert_eq!(expected, orders, "the drill's rows are the ones the figure counts");
    assert!(behind.contains(&format!("<span class=\"count\">{expected}</span>")), "{behind}");
    assert!(behind.contains("explain?id="), "each row leads to its trail");
    // Only the views drills are made for; anything else is refused, not run.
    assert_eq!(c.get("/drill?view=users").status, 400);

    // An order's trail is recon explain's, with its source line.
    let order = ws.value("SELECT order_id FROM receivables WHERE status = 'settled' ORDER BY order_id LIMIT 1");
    let trail = c.get(&format!("/explain?id={order}")).body;
    let cli = ws.ok(&["explain", &order]);
    let why = cli.lines().find(|l| l.starts_with("Why")).expect("the CLI says why");
    assert!(trail.contains(why.trim()), "the page says what the CLI says: {why}\n{trail}");
    assert!(trail.contains("来源行号") && trail.contains("source?kind=order"), "{trail}");
}

#[test]
fn a_report_saved_on_the_page_is_the_shells_and_a_viewer_only_runs_it() {
    let (ws, _server, mut c) = served();
    add_user(&ws, "vic", "viewer", "viewer-balance-8");
    let token = c.token("/reports");
    let sql = "SELECT order_id, outstanding FROM receivables WHERE platform = :platform ORDER BY order_id";
    let r =
        c.post("/reports", &[("csrf", &token), ("name", "by_platform"), ("title", "按平台 By platform"), ("sql", sql)]);
    assert_eq!(r.location, "/reports/by_platform");
    let file = std::fs::read_to_string(ws.root.join("reports/by_platform.sql")).expect("reports/NAME.sql");
    assert!(file.contains("-- title: 按平台 By platform") && file.contains(":platform"), "{file}");
    // Without its parameter it asks; with it, the rows the CLI's report gives.
    let page = c.get("/reports/by_platform").body;
    assert!(page.contains("id=\"p-platform\"") && !page.contains("id=\"report-rows\""), "{page}");
    let platform = admin_value(&ws, "SELECT platform FROM receivables ORDER BY platform LIMIT 1");
    let page = c.get(&format!("/reports/by_platform?p_platform={platform}")).body;
    let n = admin_value(&ws, &format!("SELECT count(*) FROM receivables WHERE platform = '{platform}'"));
    assert!(page.contains(&format!("<span class=\"count\">{n}</span>")), "{page}");
    let cli = as_user(
        &ws,
        "admin",
        PASSWORD,
        &["report", "by_platform", "--param", &format!("platform={platform}"), "--format", "csv"],
    );
    let cli = text(&cli.stdout);
    assert_eq!(cli.lines().filter(|l| !l.trim().is_empty()).count() as u64, n.parse::<u64>().unwrap() + 1, "{cli}");
    // A query that does not plan is refused, with why, and nothing is kept.
    let r = c.post(
        "/reports",
        &[("csrf", &token), ("name", "broken"), ("title", ""), ("sql", "SELECT nope FROM receivables")],
    );
    assert!(r.location.starts_with("/reports?"), "{} {} {}", r.status, r.location, r.body);
    assert!(c.get(&r.location).body.contains("flash error"));
    assert!(!ws.root.join("reports/broken.sql").exists());
    // A statement that changes something is no report: back to the form, saying why.
    let r =
        c.post("/reports", &[("csrf", &token), ("name", "sneaky"), ("title", ""), ("sql", "DROP VIEW receivables")]);
    assert!(r.location.starts_with("/reports?"), "{} {}", r.status, r.location);
    assert!(c.get(&r.location).body.contains("one query"));
    assert!(!ws.root.join("reports/sneaky.sql").exists());

    // A viewer runs it, masked as the CLI masks, and may neither save nor drop nor export.
    let mut v = Client::new(&_server);
    v.login("vic", "viewer-balance-8");
    assert!(
        v.get(&format!("/reports/by_platform?p_platform={platform}"))
            .body
            .contains(&format!("<span class=\"count\">{n}</span>"))
    );
    let vt = v.token("/reports");
    assert_eq!(
        v.post("/reports", &[("csrf", &vt), ("name", "mine"), ("title", ""), ("sql", "SELECT 1 AS x")]).status,
        403
    );
    assert_eq!(v.post("/reports/by_platform/drop", &[("csrf", &vt)]).status, 403);
    let r = v.post("/export", &[("csrf", &vt), ("what", "report"), ("name", "collection_summary"), ("format", "xlsx")]);
    assert_eq!(r.status, 403);
    assert!(ws.root.join("reports/by_platform.sql").exists());
    // The SQL page: queries run under the viewer's masks; nothing else runs at all.
    let masked = rows_as(
        &ws,
        "vic",
        "viewer-balance-8",
        None,
        "SELECT counterparty_name FROM bank_txns WHERE counterparty_name IS NOT NULL ORDER BY line_id LIMIT 1",
    );
    let page = v.get("/sql?sql=SELECT+counterparty_name+FROM+bank_txns+WHERE+counterparty_name+IS+NOT+NULL+ORDER+BY+line_id+LIMIT+1").body;
    assert!(page.contains(&masked[0][0]), "the viewer sees {} on the page as in the CLI:\n{page}", masked[0][0]);
    let page = c.get("/sql?sql=CREATE+VIEW+x+AS+SELECT+1").body;
    assert!(page.contains("id=\"sql-error\""), "{page}");
    assert!(c.get("/sql?sql=SELECT+*+FROM+x").body.contains("id=\"sql-error\""), "no view x was made");
    let page = c.get("/sql?sql=SELECT+count(*)+AS+n+FROM+receivables").body;
    assert!(page.contains(&admin_value(&ws, "SELECT count(*) FROM receivables")), "{page}");
}

#[test]
fn downloads_are_the_files_the_cli_writes_and_are_audited() {
    use calamine::{Data, Reader, Xlsx};
    let (ws, _server, mut c) = served();
    let token = c.token("/reports/collection_summary");
    let sold = ws.value("SELECT sum(sold) FROM collection_summary");

    let xlsx = c.post_bytes(
        "/export",
        &[("csrf", &token), ("what", "report"), ("name", "collection_summary"), ("format", "xlsx")],
    );
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx workbook");
    assert_eq!(book.sheet_names(), ["回款汇总 Collection summary"]);
    let sheet = book.worksheet_range("回款汇总 Collection summary").unwrap();
    let totals = sheet.rows().find(|r| matches!(&r[0], Data::String(s) if s.contains("Total"))).expect("a totals row");
    let cents = |d: &Data| match d {
        Data::Float(f) => (f * 100.0).round() as i64,
        Data::Int(i) => *i * 100,
        _ => 0,
    };
    let sold_cents: i64 = sold.replace('.', "").parse().unwrap();
    assert!(totals.iter().any(|d| cents(d) == sold_cents), "the workbook's total sold is {sold}: {totals:?}");

    let pdf = c.post_bytes("/export", &[("csrf", &token), ("what", "analysis"), ("format", "pdf")]);
    let path = ws.scratch("analysis.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext").args([path.to_str().unwrap(), "-"]).output().expect("pdftotext");
    let said = text(&out.stdout);
    assert!(said.contains("经营分析报告 Management report") && said.contains("admin"), "{said}");

    let csv =
        c.post_bytes("/export", &[("csrf", &token), ("what", "collections"), ("tab", "aging"), ("format", "csv")]);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM, so Excel reads Chinese");
    assert_eq!(csv.lines().count() as u64, ws.value("SELECT count(*) FROM aging").parse::<u64>().unwrap() + 1);

    // Each download is an export line of the audit log, by who made it.
    let audit = ws.ok(&["audit", "--event", "export"]);
    assert_eq!(audit.lines().filter(|l| l.contains("export") && l.contains("admin")).count(), 3, "{audit}");
    assert!(audit.contains("to a download, recon-report-"), "the audit line says where it went: {audit}");
    // Nothing is left behind in the workspace.
    let strays: Vec<_> = walk(&ws.root)
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "xlsx" || e == "pdf" || e == "csv")
                && !p.starts_with(ws.root.join("rejects"))
        })
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

fn url_decoded(v: &str) -> String {
    form_urlencoded::parse(format!("v={v}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}
