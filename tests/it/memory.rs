//! A low `--memory-limit` makes matching slower or, far too low, a clear refusal — never
//! a different answer: sorts and aggregates spill, a view whose hash joins do not fit
//! runs again one partition at a time, and one that still does not fit is named.

use crate::common::*;

const AT: &str = "2026-10-31";
const SQL: &str = "SELECT * FROM receivables ORDER BY platform, order_id";

/// The query under `limit`, in two partitions whatever the machine's cores.
fn limited(ws: &Ws, limit: &str) -> std::process::Output {
    let sql = format!("SET datafusion.execution.target_partitions = 2; {SQL}");
    ws.cmd().args(["--memory-limit", limit, "--as-of", AT, "sql", "--format", "csv", "-c", &sql]).output().unwrap()
}

#[test]
fn a_low_memory_limit_gives_the_same_answers_or_says_what_does_not_fit() {
    let (ws, _) = generated(2000, 5, "high");
    let free = ws.ok(&["--as-of", AT, "sql", "--format", "csv", "-c", SQL]);
    assert_eq!(free.lines().count(), 2001, "every order");

    std::fs::remove_dir_all(ws.root.join("answers")).unwrap();
    let out = limited(&ws, "32MB");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), free, "the same answer under a limit");

    std::fs::remove_dir_all(ws.root.join("answers")).unwrap();
    let out = limited(&ws, "4MB");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "refused, not crashed: {err}");
    assert!(err.contains("does not fit in the memory limit") && err.contains("--memory-limit"), "{err}");
    assert!(out.stdout.is_empty(), "no partial answer");
    // Answers are written as their rows come: the view that stopped half way left no file
    // behind, whole or partial.
    let mut left = Vec::new();
    let mut dirs = vec![ws.root.join("answers")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.to_string_lossy().contains(".tmp-") {
                left.push(path);
            }
        }
    }
    assert!(left.is_empty(), "temp files of a stopped view: {left:?}");
    let again = ws.ok(&["--as-of", AT, "sql", "--format", "csv", "-c", SQL]);
    assert_eq!(again, free, "what the refused run kept is whole");
}

/// A run computes the views it keeps side by side where one does not read another, or one
/// at a time under a memory limit below the default: the same rows either way.
#[test]
fn views_side_by_side_or_one_at_a_time_keep_the_same_run() {
    let (ws, _) = generated(2000, 5, "high");
    ws.ok(&["--as-of", AT, "reconcile", "--no-progress"]);
    std::fs::remove_dir_all(ws.root.join("answers")).unwrap();
    ws.ok(&["--memory-limit", "256MB", "--as-of", AT, "reconcile", "--no-progress"]);
    // What is left open may be nothing at 2,000 orders; what matched is not.
    let views = [
        ("order_settlement", true),
        ("receivables", true),
        ("bank_matches", true),
        ("match_candidates", false),
        ("unmatched_bank", false),
    ];
    for (view, has_rows) in views {
        let run = |id: u64| {
            let sql = format!("SELECT * EXCLUDE (run_id) FROM run_{view} WHERE run_id = {id}");
            let mut rows: Vec<String> =
                ws.ok(&["--as-of", AT, "sql", "--format", "csv", "-c", &sql]).lines().map(String::from).collect();
            rows.sort();
            rows
        };
        let (first, second) = (run(1), run(2));
        assert!(!has_rows || first.len() > 1, "{view} kept rows");
        assert_eq!(first, second, "{view}: the same rows computed side by side and one at a time");
    }
}
