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

/// The day time-dependent figures are computed as of, by the server and the CLI alike.
const AS_OF: &str = "2026-10-31";
/// Another day a user may choose on the collections page.
const EARLIER: &str = "2026-09-30";
const ACCOUNTANT: &str = "ada";
const ACCOUNTANT_PW: &str = "accountant-pass-2026";

/// A workspace as `recon demo` builds it: every sample file imported (orders first, then
/// the money, then the warehouse side), then reconciled.
fn sample_workspace(root: &Path) -> Ws {
    let ws = Ws::new();
    let mut files = Vec::new();
    for folder in ["orders", "settlements", "bank", "shipments", "returns", "courier", "inventory"] {
        let mut names: Vec<String> = std::fs::read_dir(root.join("sample-data").join(folder))
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .collect();
        names.sort();
        files.extend(names);
    }
    let mut args = vec!["import", "--no-progress"];
    args.extend(files.iter().map(String::as_str));
    ws.ok(&args);
    ws.ok(&["reconcile", "--no-progress"]);
    ws
}

/// A query's rows as the admin sees them, as of [`AS_OF`].
fn cli_rows(ws: &Ws, sql: &str) -> Vec<Vec<String>> {
    rows_as(ws, "admin", PASSWORD, Some(AS_OF), sql)
}

fn cli_value(ws: &Ws, sql: &str) -> String {
    let rows = cli_rows(ws, sql);
    assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
    rows[0][0].clone()
}

/// Counts keyed by the first columns of each row joined with `|`; the count is the last.
fn counts(ws: &Ws, sql: &str) -> serde_json::Map<String, serde_json::Value> {
    cli_rows(ws, sql)
        .into_iter()
        .map(|mut r| {
            let n = r.pop().unwrap();
            (r.join("|"), serde_json::Value::String(n))
        })
        .collect()
}

/// A money figure as exact cents, from the CLI's text or a spreadsheet's number.
fn cents(v: &str) -> i64 {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let sign = if int.starts_with('-') { -1 } else { 1 };
    let int: i64 = int.trim_start_matches('-').parse().unwrap();
    let frac: i64 = format!("{frac:0<2}")[..2].parse().unwrap();
    sign * (int * 100 + frac)
}

/// Whether a sheet of `book` has a totals row (合计 Total) holding `expected` to the cent.
fn xlsx_total(book: &Path, expected: &str) -> bool {
    use calamine::{Data, Reader, Xlsx};
    let mut xlsx: Xlsx<_> = calamine::open_workbook(book).unwrap_or_else(|e| panic!("{}: {e}", book.display()));
    let want = cents(expected);
    for name in xlsx.sheet_names() {
        let range = xlsx.worksheet_range(&name).unwrap();
        for row in range.rows() {
            let label = matches!(row.first(), Some(Data::String(s)) if s.starts_with("合计"));
            let holds = row.iter().any(|c| match c {
                Data::Float(f) => (f * 100.0).round() as i64 == want,
                Data::Int(i) => *i * 100 == want,
                Data::String(s) => s.replace(',', "") == expected,
                _ => false,
            });
            if label && holds {
                return true;
            }
        }
    }
    false
}

/// The pages of the second part of the workbench — collections, reports, analysis, the
/// SQL page, downloads, English and a viewer — in Chromium on the sample workspace
/// (tests/web/e2e_pages.mjs), each key figure against `recon sql` as of the same day;
/// then the files downloaded, the report saved and the audit log read back here.
#[test]
fn the_reading_pages_in_a_browser_agree_with_the_cli() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let web = root.join("tests/web");
    if let Some(why) = missing(&web) {
        eprintln!("skipped: {why}");
        return;
    }
    let started = std::time::Instant::now();
    let ws = sample_workspace(&root);
    add_user(&ws, ACCOUNTANT, "accountant", ACCOUNTANT_PW);
    add_user(&ws, VIEWER, "viewer", VIEWER_PW);

    // What the pages must show: the CLI's figures on the same workspace, the same day.
    let custom_sql = "SELECT order_id, outstanding FROM receivables WHERE platform = 'tmall' \
                      AND order_time >= CAST(:since AS TIMESTAMP)";
    let since = "2026-10-01";
    let sql_text =
        "SELECT platform, sum(outstanding) AS outstanding FROM receivables GROUP BY platform ORDER BY platform";
    let viewer_sql =
        "SELECT order_id, buyer_name, buyer_phone FROM orders WHERE buyer_name <> '' ORDER BY order_id LIMIT 5";
    let not_created = "e2e_not_created";
    let viewer_rows = rows_as(&ws, VIEWER, VIEWER_PW, Some(AS_OF), viewer_sql);
    let unmasked = cli_rows(&ws, viewer_sql);
    assert_ne!(viewer_rows, unmasked, "the CLI masks customers' names for a viewer");
    let outstanding_total = cli_value(&ws, "SELECT sum(outstanding) FROM receivables");
    let sold_total = cli_value(&ws, "SELECT sum(sold) FROM collection_summary");
    let expect = serde_json::json!({
        "as_of": AS_OF,
        "outstanding_total": outstanding_total,
        "tmall_overdue": cli_value(&ws, "SELECT count(*) FROM receivables WHERE platform = 'tmall' AND status = 'overdue'"),
        "follow_up_max": cli_value(&ws, "SELECT max(outstanding) FROM follow_up"),
        "aging_total": cli_value(&ws, "SELECT sum(outstanding) FROM aging"),
        "aging_orders": counts(&ws, "SELECT platform, shop, aging_bucket, count(*) FROM receivables GROUP BY 1, 2, 3"),
        "sold_total": sold_total,
        "month_orders": counts(
            &ws,
            "SELECT platform, shop, currency, substr(CAST(CAST(date_trunc('month', order_time) AS DATE) AS VARCHAR), 1, 7), \
             count(*) FROM receivables GROUP BY 1, 2, 3, 4",
        ),
        "bank_items": counts(&ws, "SELECT account, count(*) FROM bank_reconciliation_items GROUP BY account"),
        "risks": cli_value(&ws, "SELECT count(*) FROM risks"),
        "earlier": {
            "as_of": EARLIER,
            "overdue": rows_as(&ws, "admin", PASSWORD, Some(EARLIER), "SELECT count(*) FROM receivables WHERE status = 'overdue'")[0][0],
            "follow_up_max": rows_as(&ws, "admin", PASSWORD, Some(EARLIER), "SELECT max(outstanding) FROM follow_up")[0][0],
        },
        "custom": {
            "name": "tmall_since",
            "title": "天猫新订单 Tmall orders since",
            "sql": custom_sql,
            "since": since,
            "count": cli_value(&ws, &format!(
                "SELECT count(*) FROM receivables WHERE platform = 'tmall' AND order_time >= CAST('{since}' AS TIMESTAMP)"
            )),
        },
        "broken": { "name": "tmall_broken", "sql": "SELECT order_idd FROM receivables WHERE platform = 'tmall'" },
        "not_query": { "name": "tmall_view", "sql": format!("CREATE VIEW {not_created} AS SELECT 1") },
        "sql": {
            "text": sql_text,
            "rows": cli_rows(&ws, sql_text),
            "not_query": format!("CREATE VIEW {not_created} AS SELECT 1"),
            "view_exists": format!("SELECT count(*) FROM information_schema.tables WHERE table_name = '{not_created}'"),
        },
        "viewer": { "sql": viewer_sql, "rows": viewer_rows, "unmasked": unmasked },
    });

    let downloads = ws.scratch("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let server = Server::start(&ws, &["--as-of", AS_OF]);
    let out = Command::new("node")
        .arg(web.join("e2e_pages.mjs"))
        .current_dir(&web)
        .env("RECON_URL", &server.base)
        .env("RECON_USER", ACCOUNTANT)
        .env("RECON_PASSWORD", ACCOUNTANT_PW)
        .env("RECON_VIEWER", VIEWER)
        .env("RECON_VIEWER_PASSWORD", VIEWER_PW)
        .env("RECON_SHOTS", web.join("screenshots"))
        .env("RECON_DOWNLOADS", &downloads)
        .env("RECON_EXPECT", expect.to_string())
        .output()
        .unwrap();
    drop(server);
    let browser = format!(
        "e2e_pages.mjs ({:?}); screenshots in tests/web/screenshots\n--- stdout\n{}--- stderr\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr),
    );
    // RECON_E2E_KEEP_GOING=1: every browser step ran; check what it left, then fail.
    let keep_going = std::env::var_os("RECON_E2E_KEEP_GOING").is_some();
    assert!(out.status.success() || keep_going, "{browser}");
    eprintln!("{browser}");

    // The report saved on the page is the CLI's: its file, and the rows the page showed.
    assert!(ws.root.join("reports/tmall_since.sql").is_file(), "reports/tmall_since.sql was not written");
    for refused in ["tmall_broken", "tmall_view"] {
        assert!(!ws.root.join(format!("reports/{refused}.sql")).exists(), "the refused report {refused} was saved");
    }
    let cli = crate::common::as_user(
        &ws,
        ACCOUNTANT,
        ACCOUNTANT_PW,
        &["--as-of", AS_OF, "report", "tmall_since", "--param", &format!("since={since}"), "--format", "csv"],
    );
    assert!(cli.status.success(), "recon report tmall_since: {}", text(&cli.stderr));
    let mut cli_rows_seen: Vec<Vec<String>> = csv::Reader::from_reader(cli.stdout.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    if let Ok(seen) = std::fs::read(downloads.join("tmall_since.json")) {
        let mut page: Vec<Vec<String>> = serde_json::from_slice(&seen).unwrap();
        page.sort();
        cli_rows_seen.sort();
        assert_eq!(page, cli_rows_seen, "the rows the page showed for tmall_since against `recon report`");
    } else {
        assert!(keep_going, "the page wrote no tmall_since.json");
    }
    assert_eq!(
        cli_value(&ws, &format!("SELECT count(*) FROM information_schema.tables WHERE table_name = '{not_created}'")),
        "0"
    );

    // Each download: the sheet totals the CLI's figure; the PDF names its title and its user.
    let pdftotext = Command::new("pdftotext").arg("-v").output().is_ok();
    for (name, title, total) in [
        ("collection_summary", "回款汇总 Collection summary", &sold_total),
        ("analysis", "经营分析报告 Management report", &sold_total),
        ("sql", "查询结果 Query result", &outstanding_total),
    ] {
        let xlsx = downloads.join(format!("{name}.xlsx"));
        assert!(xlsx.is_file(), "{} was not downloaded", xlsx.display());
        assert!(xlsx_total(&xlsx, total), "{}: no totals row holding {total}", xlsx.display());
        let pdf = downloads.join(format!("{name}.pdf"));
        assert!(pdf.is_file(), "{} was not downloaded", pdf.display());
        if !pdftotext {
            eprintln!("pdftotext is absent: {} not read back", pdf.display());
            continue;
        }
        let read = Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().unwrap();
        let said = text(&read.stdout);
        assert!(said.contains(title), "{} does not name {title}:\n{said}", pdf.display());
        assert!(said.contains(&format!("by {ACCOUNTANT}")), "{} does not name its user:\n{said}", pdf.display());
        assert!(said.contains(&crate::common::grouped(total)), "{} does not show {total}:\n{said}", pdf.display());
    }
    // The audit log has an export per download, by the one who downloaded; none by the viewer.
    let exports = |user: &str| {
        crate::common::admin(&ws, &["audit", "--event", "export", "--by", user])
            .lines()
            .filter(|l| l.split_whitespace().nth(4) == Some("export"))
            .count()
    };
    assert_eq!(exports(ACCOUNTANT), 6, "export entries by {ACCOUNTANT}");
    assert_eq!(exports(VIEWER), 0, "export entries by {VIEWER}");
    assert!(out.status.success(), "{browser}");
    eprintln!("the reading pages took {:.0?} in all", started.elapsed());
}
