//! `recon demo` on a fresh machine: one command builds a workspace from the bundled
//! sample data, prints a password once, and the workspace answers SQL with it.

use crate::common::{recon, text};

#[test]
fn demo_builds_a_workspace_that_answers_sql() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("demo");
    let out = recon().args(["demo", "--dir"]).arg(&home).env_remove("RECON_PASSWORD").output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // Orders (six exports), wallets (eight bills, WeChat's two among them) and banks, then
    // shipments, returns, seven courier bills and stock.
    assert!(stdout.contains("import 26"), "{stdout}");
    let row = |table: &str| stdout.lines().find(|l| l.starts_with(&format!("| {table} "))).unwrap_or_default();
    assert!(row("orders").contains("|  400 |"), "{stdout}");
    assert!(row("shipments").contains("|  384 |"), "{stdout}");
    assert!(stdout.contains("Disagreements to work"), "{stdout}");
    // It reconciles and shows what matched, by rule, and what is open.
    assert!(stdout.contains("Run 1 by demo"), "{stdout}");
    for report in ["collection_summary", "follow_up"] {
        // Beside the workspace: results never go inside it.
        let file = dir.path().join("demo-exports").join(format!("{report}.xlsx"));
        assert!(stdout.contains(&format!("rows written to {}", file.display())), "{stdout}");
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
        assert!(book.worksheet_range_at(0).unwrap().unwrap().height() > 4, "{report} has rows");
        let pdf = dir.path().join("demo-exports").join(format!("{report}.pdf"));
        assert!(stdout.contains(&format!("rows written to {}", pdf.display())), "{stdout}");
        let read = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
        assert!(text(&read.stdout).contains("合计 Total"), "{report}.pdf reads back");
    }
    for shown in
        ["| reference ", "| amount ", "| several_payouts ", "| unmatched_bank ", "| match_candidates ", "| settled "]
    {
        assert!(stdout.contains(shown), "{shown} in {stdout}");
    }
    let password = stdout
        .split("with password ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("the password is printed")
        .to_string();
    let q = recon()
        .args(["--user", "demo", "--workspace"])
        .arg(&home)
        .args(["sql", "--format", "csv", "-c", "SELECT count(*) FROM settlements WHERE kind = 'withdrawal'"])
        .env("RECON_PASSWORD", &password)
        .output()
        .unwrap();
    assert!(q.status.success(), "{}", text(&q.stderr));
    let n: u32 = text(&q.stdout).lines().nth(1).unwrap().parse().unwrap();
    assert!(n > 50, "withdrawals: {n}");
    // Running it again replaces the earlier demo, never anything else.
    let again = recon().args(["demo", "--dir"]).arg(&home).output().unwrap();
    assert!(again.status.success(), "{}", text(&again.stderr));
    let other = dir.path().join("mine");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("ledger.xlsx"), b"precious").unwrap();
    let refused = recon().args(["demo", "--dir"]).arg(&other).output().unwrap();
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("is not a recon demo"), "{}", text(&refused.stderr));
    assert_eq!(std::fs::read(other.join("ledger.xlsx")).unwrap(), b"precious");
}
