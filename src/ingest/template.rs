//! A ready-to-edit mapping file for a file recon cannot read by itself: `recon import
//! --explain FILE` prints it where the kind or the header cannot be told, filled in with
//! what could be guessed, every other field of the likeliest kind commented out, and the
//! file's own column names listed, so a person only picks and uncomments.

use std::fmt::Write;

use crate::ingest::fields::{self, Field};
use crate::ingest::header::ColumnMap;
use crate::schema::Kind;

/// What is known of the file: why it could not be read, its header line and names, and
/// the kinds it might be, best first.
pub struct Known<'a> {
    pub file: &'a str,
    pub reason: &'a str,
    pub header_line: Option<u64>,
    pub headers: &'a [String],
    pub candidates: &'a [ColumnMap],
    /// The file's first line that is not blank, where no header row was found.
    pub first_line: u64,
    /// The first rows under the header, to show what the columns hold.
    pub sample: Vec<Vec<String>>,
}

/// A TOML string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub fn mapping_template(k: &Known) -> String {
    // Where no column was recognised at all, a statement of money in and out is the
    // likeliest thing a merchant has in hand that recon could not read.
    let best = k.candidates.first().filter(|m| !m.fields.is_empty());
    let kind = best.map_or(Kind::Bank, |m| m.kind);
    let mut out = String::new();
    let _ = writeln!(out, "# A mapping file for {}", k.file);
    let _ = writeln!(out, "# recon could not read it by itself: {}", k.reason);
    let _ = writeln!(out, "# Check each line, fill in or uncomment what is missing, save it (say map.toml) and run");
    let _ = writeln!(out, "#   recon import --map map.toml {}", k.file);
    let _ = writeln!(
        out,
        "kind = {}   # orders | settlements (a platform's wallet) | bank | shipments | returns | courier_bills | inventory",
        quoted(kind.to_string().as_str())
    );
    match k.header_line {
        Some(line) => {
            let _ = writeln!(out, "header_row = {line}   # the line (row, in a workbook) of the column names");
        }
        None => {
            let _ = writeln!(
                out,
                "header_row = {}   # a guess: the first line (row, in a workbook) of the file; put the line of the column names",
                k.first_line
            );
        }
    }
    let _ = writeln!(out, "# date_format = \"%Y-%m-%d %H:%M:%S\"   # only if the dates are in an unusual spelling");
    let _ = writeln!(out, "# negate = true   # if money out is written positive (a credit card's bill)");
    let _ = writeln!(out, "\n[defaults]");
    let _ = writeln!(out, "# platform = \"\"   # tmall, jd, douyin, pdd, kuaishou, xiaohongshu … for every row");
    let _ = writeln!(out, "# shop = \"\"");
    let _ = writeln!(out, "# account = \"\"   # bank statements: the account of every row");
    let _ = writeln!(out, "# currency = \"CNY\"");
    let _ = writeln!(out, "\n[columns]   # field = \"the column's name in the file\"");
    let mut used = vec![false; k.headers.len()];
    for spec in fields::specs(kind) {
        let field: Field = spec.field;
        match best.map(|m| m.columns(field)).filter(|c| !c.is_empty()) {
            Some(cols) => {
                for c in cols {
                    used[*c] = true;
                }
                let names: Vec<String> = cols.iter().map(|c| quoted(k.headers[*c].trim())).collect();
                let value = if names.len() == 1 { names[0].clone() } else { format!("[{}]", names.join(", ")) };
                let _ = writeln!(out, "{} = {value}", field.name());
            }
            None => {
                let _ = writeln!(out, "# {} = \"\"", field.name());
            }
        }
    }
    let _ = writeln!(out, "\n# The file's columns, with the first values under each:");
    for (c, h) in k.headers.iter().enumerate() {
        let values: Vec<&str> =
            k.sample.iter().filter_map(|r| r.get(c).map(|v| v.trim())).filter(|v| !v.is_empty()).take(3).collect();
        let mark = if used[c] { "" } else { "  (not used)" };
        let _ = writeln!(out, "#   {}: {}{}", h.trim(), values.join(" | "), mark);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::header::map_columns;
    use crate::ingest::mapping::MappingFile;

    #[test]
    fn the_template_is_a_mapping_file_that_loads() {
        let headers: Vec<String> = ["日子", "钱数", "对家"].iter().map(|s| s.to_string()).collect();
        let candidates = [map_columns(Kind::Bank, &headers, None).unwrap()];
        let known = Known {
            file: "odd.csv",
            reason: "its columns fit none",
            header_line: Some(3),
            first_line: 1,
            headers: &headers,
            candidates: &candidates,
            sample: vec![vec!["2026-09-01".into(), "12.00".into(), "某公司\"A\"".into()]],
        };
        let text = mapping_template(&known);
        assert!(text.contains("kind = \"bank\""), "{text}");
        assert!(text.contains("header_row = 3"), "{text}");
        assert!(text.contains("# txn_time = \"\""), "{text}");
        assert!(text.contains("#   钱数: 12.00  (not used)"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("map.toml");
        std::fs::write(&p, &text).unwrap();
        let filled =
            text.replace("# txn_time = \"\"", "txn_time = \"日子\"").replace("# amount = \"\"", "amount = \"钱数\"");
        std::fs::write(&p, filled).unwrap();
        let m = MappingFile::load(&p).unwrap();
        assert_eq!(m.kind(), Some(Kind::Bank));
        assert_eq!(m.column_fields().len(), 2);
    }
}
