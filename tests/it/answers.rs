//! Answers kept per workspace state: a process reads what an earlier one computed over
//! the same state and as-of, gets exactly what computing would give, and any change to
//! what the views read — an import, a decision, the settings — computes anew.

use crate::common::*;

const AS_OF: &str = "2026-09-30";

/// The public views a clerk and an analyst read, each ordered so two answers compare.
const VIEWS: &[(&str, &str)] = &[
    ("receivables", "SELECT * FROM receivables ORDER BY platform, order_id"),
    ("bank_matches", "SELECT * FROM bank_matches ORDER BY line_id, payout_id"),
    ("order_settlement", "SELECT * FROM order_settlement ORDER BY platform, order_id"),
    ("collection_summary", "SELECT * FROM collection_summary ORDER BY 1, 2, 3"),
    ("unmatched_payouts", "SELECT * FROM unmatched_payouts ORDER BY payout_id"),
];

/// A query's CSV and what `RECON_VIEW_TIMES` said about each view it needed.
fn query(ws: &Ws, as_of: Option<&str>, sql: &str) -> (String, String) {
    let mut c = ws.cmd();
    c.env("RECON_VIEW_TIMES", "1");
    if let Some(at) = as_of {
        c.args(["--as-of", at]);
    }
    let out = c.args(["sql", "--format", "csv", "-c", sql]).output().unwrap();
    assert!(out.status.success(), "{sql}: {}", text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

fn computed(log: &str) -> usize {
    log.lines().filter(|l| l.contains("ms (computed views")).count()
}

fn kept_files(ws: &Ws) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(states) = std::fs::read_dir(ws.root.join("answers")) else { return out };
    for state in states.flatten() {
        for folder in std::fs::read_dir(state.path()).unwrap().flatten().filter(|e| e.path().is_dir()) {
            out.extend(std::fs::read_dir(folder.path()).unwrap().flatten().map(|e| e.path()));
        }
    }
    out
}

#[test]
fn a_later_process_reads_the_answers_an_earlier_one_kept_and_a_change_computes_anew() {
    let (ws, out) = generated(400, 7, "high");
    ws.ok(&["--as-of", AS_OF, "reconcile", "--no-progress"]);
    assert!(!kept_files(&ws).is_empty(), "the run kept its answers");

    // Every public view, read by new processes: what the run computed is read, a view
    // it did not is computed once over the kept answers it reads, and then read too;
    // the same rows as a workspace computing everything afresh (the Parquet round trip
    // loses nothing).
    let mut kept = Vec::new();
    for (view, sql) in VIEWS {
        let (_, log) = query(&ws, Some(AS_OF), sql);
        let others = log.lines().filter(|l| l.contains("ms (computed") && !l.starts_with(&format!("view {view}:")));
        assert_eq!(others.count(), 0, "{view}: only itself computed, if the run did not:\n{log}");
        let (rows, log) = query(&ws, Some(AS_OF), sql);
        assert_eq!(computed(&log), 0, "{view} read from what was kept:\n{log}");
        assert!(log.contains(&format!("view {view}: read from kept answers")), "{log}");
        assert!(rows.lines().count() > 1, "{view} has rows");
        kept.push(rows);
    }
    // A later process registers the views from the shapes the first one kept, without
    // planning them; one that must compute a view plans it then: the same rows.
    let shapes: Vec<_> = std::fs::read_dir(ws.root.join("answers"))
        .unwrap()
        .flatten()
        .map(|state| state.path().join("views.arrow"))
        .filter(|f| f.exists())
        .collect();
    assert_eq!(shapes.len(), 1, "the views' shapes kept with the state's answers");
    for ((view, sql), kept) in VIEWS.iter().zip(&kept) {
        for file in kept_files(&ws) {
            std::fs::remove_file(file).unwrap();
        }
        let (fresh, log) = query(&ws, Some(AS_OF), sql);
        assert!(computed(&log) > 0, "{view} computed again, planned when needed");
        assert_eq!(&fresh, kept, "{view}: computed from known shapes, the same rows");
    }
    // Planned as recon reads its own SQL, whatever the reader set for theirs.
    for file in kept_files(&ws) {
        std::fs::remove_file(file).unwrap();
    }
    let sql = format!("SET datafusion.sql_parser.parse_float_as_decimal = false; {}", VIEWS[0].1);
    let (fresh, _) = query(&ws, Some(AS_OF), &sql);
    assert_eq!(fresh, kept[0], "receivables computed after a SET of the reader's: the same rows");
    for ((view, sql), kept) in VIEWS.iter().zip(&kept) {
        std::fs::remove_dir_all(ws.root.join("answers")).unwrap();
        let (fresh, log) = query(&ws, Some(AS_OF), sql);
        assert!(computed(&log) > 0, "{view} computed again once its answers are gone");
        assert_eq!(&fresh, kept, "{view}: a kept answer is the computed one");
    }

    // Another as-of is another answer.
    let (_, log) = query(&ws, Some("2026-08-31"), "SELECT count(*) FROM receivables");
    assert!(computed(&log) > 0, "a new as-of computes:\n{log}");

    // A damaged file is computed again, not trusted.
    let file = kept_files(&ws).into_iter().find(|p| p.ends_with("receivables.parquet")).expect("receivables kept");
    std::fs::write(&file, b"not parquet").unwrap();
    let (rows, log) = query(&ws, Some(AS_OF), VIEWS[0].1);
    assert!(log.contains("view receivables: ") && log.contains("ms (computed"), "{log}");
    assert_eq!(rows, kept[0]);

    // A decision is a new state: what it changes is computed, and the figures move.
    let (open, _) = query(&ws, Some(AS_OF), "SELECT payout_id FROM unmatched_payouts ORDER BY payout_id LIMIT 1");
    let payout = open.lines().nth(1).expect("an open payout").to_string();
    ws.ok(&["--as-of", AS_OF, "writeoff", "--payout", &payout, "--reason", "reversed by the platform"]);
    let (after, log) = query(&ws, Some(AS_OF), VIEWS[4].1);
    assert!(computed(&log) > 0, "a decision computes anew:\n{log}");
    assert!(!after.contains(&payout), "the written-off payout is no longer open");
    assert_eq!(after.lines().count() + 1, kept[4].lines().count());

    // An import is too; and the answers of the states before are swept by the writer.
    let states = || std::fs::read_dir(ws.root.join("answers")).map(|d| d.count()).unwrap_or(0);
    let files = data_files(&out);
    let more = ws.scratch("more.csv");
    std::fs::write(
        &more,
        "交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,摘要\n\
         2026-09-29 15:00:00,NEW-1,,777.77,,某某贸易有限公司,货款\n",
    )
    .unwrap();
    assert!(!files.is_empty());
    ws.import(&more);
    // (the import itself may have opened the new state to tell what it did)
    assert!(states() <= 1, "the import swept the answers of the state it replaced");
    let (_, log) = query(&ws, Some(AS_OF), "SELECT count(*) FROM bank_matches");
    assert!(computed(&log) > 0, "an import computes anew");
    assert_eq!(states(), 1);
}

#[test]
fn without_an_as_of_processes_of_one_day_share_the_instant_and_the_answers() {
    let (ws, _) = generated(200, 3, "low");
    let (first, log) = query(&ws, None, "SELECT as_of() AS at, count(*) AS n FROM receivables");
    assert!(computed(&log) > 0);
    let (again, log) = query(&ws, None, "SELECT as_of() AS at, count(*) AS n FROM receivables");
    assert_eq!(computed(&log), 0, "the second process reads the first one's answers:\n{log}");
    assert_eq!(first, again, "as of the same instant");
    // An as-of the user gives is theirs: not the pinned one.
    let (given, _) = query(&ws, Some("2026-10-31 12:00"), "SELECT as_of() AS at");
    assert!(given.contains("2026-10-31T12:00:00") || given.contains("2026-10-31 12:00:00"), "{given}");
}
