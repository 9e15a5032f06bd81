//! The project's own fixtures (tests/fixtures: one per real-world bank and wallet
//! layout, see its README) import exactly as their `.expected.csv` says, row by row:
//! line, time, signed amount, id, counterparty, balance; and the counts in
//! `.meta.toml` (stored, duplicates, ignored, rejected) hold.

use crate::common::{Ws, fixture};

#[derive(Debug)]
struct Meta {
    kind: String,
    stored: i64,
    duplicates: i64,
    ignored: i64,
    rejected: i64,
}

fn meta(name: &str) -> Meta {
    let text = std::fs::read_to_string(fixture(&format!("{name}.meta.toml"))).unwrap();
    let v: toml::Table = text.parse().unwrap();
    let int = |k: &str| v[k].as_integer().unwrap_or_else(|| panic!("{name}: {k}"));
    Meta {
        kind: v["kind"].as_str().unwrap().to_string(),
        stored: int("stored"),
        duplicates: int("duplicates"),
        ignored: int("ignored"),
        rejected: int("rejected"),
    }
}

fn fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str()?.strip_suffix(".meta.toml").map(str::to_string))
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_imports_as_expected() {
    let names = fixtures();
    assert!(names.len() >= 12, "{names:?}");
    let ws = Ws::new();
    for (n, name) in names.iter().enumerate() {
        let import_id = n + 1;
        let m = meta(name);
        let report = ws.import(&fixture(name));
        let counts = ws.rows(&format!(
            "SELECT kind, rows_stored, duplicates_skipped, rows_ignored, rows_rejected FROM imports WHERE id = {import_id}"
        ));
        assert_eq!(
            counts[0],
            [
                m.kind.clone(),
                m.stored.to_string(),
                m.duplicates.to_string(),
                m.ignored.to_string(),
                m.rejected.to_string()
            ],
            "{name}: kind, stored, duplicates, ignored, rejected\n{report}"
        );
        let (table, counterparty) =
            if m.kind == "bank" { ("bank_txns", "counterparty_name") } else { ("settlements", "counterparty") };
        let got = ws.rows(&format!(
            "SELECT CAST(source_line AS VARCHAR) AS line, to_char(txn_time, '%Y-%m-%d %H:%M:%S'), CAST(amount AS VARCHAR),
                    coalesce(txn_id, ''), coalesce({counterparty}, ''), coalesce(CAST(balance AS VARCHAR), '')
             FROM {table} WHERE import_id = {import_id} ORDER BY source_line"
        ));
        let mut expected = Vec::new();
        let mut r = csv::Reader::from_path(fixture(&format!("{name}.expected.csv"))).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            expected.push(vec![
                rec[0].to_string(),
                rec[1].to_string(),
                rec[2].to_string(),
                rec[3].to_string(),
                rec[4].to_string(),
                rec[6].to_string(),
            ]);
        }
        assert_eq!(got.len(), expected.len(), "{name}: rows\n{report}");
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e, "{name}: line {} (line, time, amount, id, counterparty, balance)", e[0]);
        }
    }
}
