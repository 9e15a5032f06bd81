//! A bank statement checks itself: each running balance must follow from the line
//! before (in whichever order the bank lists them), and successive statements of one
//! account must join up, so a missing or reordered line and a missing statement are
//! reported with where they are.

use crate::common::{BANK_HEADER, Ws};

fn statement(ws: &Ws, name: &str, lines: &[&str]) -> String {
    let path = ws.scratch(name);
    std::fs::write(&path, format!("{BANK_HEADER}{}\n", lines.join("\n"))).unwrap();
    ws.ok(&["import", "--no-progress", "--account", "6222001", path.to_str().unwrap()])
}

const OCTOBER: [&str; 5] = [
    "2026-10-01 10:00:00,A1,,100.00,1100.00,甲公司,货款",
    "2026-10-02 10:00:00,A2,50.00,,1050.00,乙公司,费用",
    "2026-10-03 10:00:00,A3,,200.00,1250.00,丙公司,货款",
    "2026-10-04 10:00:00,A4,,300.00,1550.00,丁公司,货款",
    "2026-10-06 10:00:00,A6,10.00,,1540.00,己公司,费用",
];

#[test]
fn a_missing_or_reordered_line_breaks_the_running_balance() {
    let ws = Ws::new();
    let whole = statement(&ws, "whole.csv", &OCTOBER);
    assert!(!whole.contains("balance goes to"), "{whole}");
    // Newest first, as some banks export: it still follows.
    let reversed: Vec<&str> = OCTOBER.iter().rev().copied().collect();
    let ws2 = Ws::new();
    let out = statement(&ws2, "newest_first.csv", &reversed);
    assert!(!out.contains("balance goes to"), "{out}");

    // Line A4 (300.00) missing: the break is named by the lines around it.
    let ws3 = Ws::new();
    let missing = [OCTOBER[0], OCTOBER[1], OCTOBER[2], OCTOBER[4]];
    let out = statement(&ws3, "missing.csv", &missing);
    assert!(
        out.contains(
            "between lines 4 and 5 of missing.csv the balance goes to 1540.00 where the amounts give 1240.00 (300.00 unexplained"
        ),
        "{out}"
    );
    assert_eq!(
        ws3.rows("SELECT prev_line, source_line, difference FROM balance_breaks"),
        vec![vec!["4", "5", "300.00"]]
    );

    // Two lines swapped: reported at the swap, not everywhere after it.
    let ws4 = Ws::new();
    let swapped = [OCTOBER[0], OCTOBER[2], OCTOBER[1], OCTOBER[3], OCTOBER[4]];
    statement(&ws4, "swapped.csv", &swapped);
    let breaks = ws4.rows("SELECT prev_line, source_line FROM balance_breaks ORDER BY source_line");
    assert_eq!(breaks, vec![vec!["2", "3"], vec!["3", "4"], vec!["4", "5"]]);
}

#[test]
fn successive_statements_join_up_or_show_where_they_do_not() {
    let ws = Ws::new();
    statement(&ws, "oct_1_6.csv", &OCTOBER);
    // Nothing moved on 7–9 October: no statement covers them, but the balance carries over.
    statement(
        &ws,
        "oct_10_12.csv",
        &["2026-10-10 10:00:00,B1,,20.00,1560.00,庚公司,货款", "2026-10-12 10:00:00,B2,,20.00,1580.00,庚公司,货款"],
    );
    // The next one opens at 1,680.00 where the last closed at 1,580.00: 100.00 is missing.
    statement(&ws, "oct_15.csv", &["2026-10-15 10:00:00,C1,,20.00,1700.00,辛公司,货款"]);
    // One that overlaps the first: its shared lines are skipped as duplicates.
    let overlap = statement(&ws, "oct_6_8.csv", &[OCTOBER[4], "2026-10-08 10:00:00,D1,5.00,,1535.00,壬公司,费用"]);
    assert!(overlap.contains("1 duplicates"), "{overlap}");

    let coverage = ws.rows(
        "SELECT source_file, first_day, last_day, opening_balance, closing_balance, gap_days, overlap_days, balance_gap \
         FROM statement_coverage ORDER BY first_day, import_id",
    );
    assert_eq!(
        coverage,
        vec![
            vec!["oct_1_6.csv", "2026-10-01", "2026-10-06", "1000.00", "1540.00", "", "", ""],
            vec!["oct_6_8.csv", "2026-10-08", "2026-10-08", "1540.00", "1535.00", "1", "0", "0.00"],
            vec!["oct_10_12.csv", "2026-10-10", "2026-10-12", "1540.00", "1580.00", "1", "0", "5.00"],
            vec!["oct_15.csv", "2026-10-15", "2026-10-15", "1680.00", "1700.00", "2", "0", "100.00"],
        ]
    );
    let listed = ws.ok(&["imports"]);
    assert!(listed.contains("Bank statements by account"), "{listed}");
    assert!(listed.contains("BALANCE GAP: 100.00 missing"), "{listed}");
    assert!(listed.contains("GAP: 2 days no statement covers"), "{listed}");
}
