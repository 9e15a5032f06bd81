//! What an import did, row by row accounted for: stored, duplicates (and where the
//! originals are), rejected with reasons, ignored, skipped non-data lines. The rows
//! not stored go to a rejects file (CSV, opens in Excel) kept with the import.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::schema::Kind;
use crate::workspace::fsutil;

/// How many problems a report prints; the rejects file has them all.
pub const SHOWN_PROBLEMS: usize = 10;

#[derive(Debug, Default)]
pub struct Counts {
    pub stored: u64,
    /// Table lines the stored rows became: more than `stored` where a row holds several
    /// facts (a settlement row with fee columns is its sale and a line per fee).
    pub lines: u64,
    pub duplicates: u64,
    /// Import id → how many duplicates it already held (this import's own id: repeats
    /// within the file).
    pub duplicate_origins: BTreeMap<u64, u64>,
    pub rejected: u64,
    pub ignored: u64,
    /// Blank, comment, preamble and totals lines.
    pub skipped: u64,
    /// Stored rows with a secondary value left empty.
    pub warnings: u64,
}

#[derive(Debug)]
pub struct ImportReport {
    pub file: String,
    pub source: String,
    pub kind: Kind,
    pub unit: &'static str,
    pub header_line: u64,
    pub import_id: u64,
    /// False when nothing was stored, so the workspace was left as it was.
    pub committed: bool,
    pub counts: Counts,
    pub problems: Vec<String>,
    pub rejects_file: Option<PathBuf>,
    pub warnings: Vec<String>,
}

fn n(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl ImportReport {
    /// The import's line in the audit log.
    pub fn audit_detail(&self) -> String {
        format!(
            "import {}: {} ({} rows stored into {})",
            self.import_id,
            self.file,
            self.counts.stored,
            self.kind.table()
        )
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        // Statement standards and payout exports are read whole, under a header of
        // recon's own: there is no header line of the file to point at.
        let header = match self.header_line {
            0 => String::new(),
            line => format!(", header on {} {line}", self.unit),
        };
        if self.committed {
            writeln!(f, "import {}: {} → {} ({}{header})", self.import_id, self.file, self.kind.table(), self.source)?;
        } else {
            writeln!(f, "{} → {} ({}{header}): nothing stored", self.file, self.kind.table(), self.source)?;
        }
        write!(f, "  stored {} rows", n(c.stored))?;
        if c.lines > c.stored {
            write!(
                f,
                " ({} lines in {}: a row with fee columns is its sale and a line per fee)",
                n(c.lines),
                self.kind.table()
            )?;
        }
        if c.duplicates > 0 {
            let origins: Vec<String> = c
                .duplicate_origins
                .iter()
                .map(|(id, k)| {
                    if *id == self.import_id {
                        format!("{} repeated within the file", n(*k))
                    } else {
                        format!("{} already stored by import {id}", n(*k))
                    }
                })
                .collect();
            write!(f, " · {} duplicates skipped ({})", n(c.duplicates), origins.join(", "))?;
        } else {
            write!(f, " · 0 duplicates")?;
        }
        write!(f, " · {} rejected", n(c.rejected))?;
        if c.ignored > 0 {
            write!(
                f,
                " · {} ignored (nothing to store: a row that moved no money, or part of one above)",
                n(c.ignored)
            )?;
        }
        if c.warnings > 0 {
            write!(f, " · {} values left empty", n(c.warnings))?;
        }
        writeln!(f, " · {} non-data lines skipped", n(c.skipped))?;
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        let listed = c.rejected + c.ignored + c.warnings;
        if listed as usize > self.problems.len() {
            writeln!(f, "  … and {} more", n(listed - self.problems.len() as u64))?;
        }
        if let Some(r) = &self.rejects_file {
            writeln!(f, "  rows not stored are listed in {}", r.display())?;
        }
        Ok(())
    }
}

/// The rejects file being written: `line,category,column,reason,row`.
pub struct RejectsWriter {
    path: PathBuf,
    out: csv::Writer<BufWriter<std::fs::File>>,
    pub rows: u64,
}

impl RejectsWriter {
    pub fn create(path: &Path) -> std::io::Result<RejectsWriter> {
        let mut file = BufWriter::new(fsutil::create_private(path)?);
        // A BOM, so Excel opens the Chinese text as UTF-8.
        file.write_all(b"\xef\xbb\xbf")?;
        let mut out = csv::Writer::from_writer(file);
        out.write_record(["line", "category", "column", "reason", "row"]).map_err(std::io::Error::other)?;
        Ok(RejectsWriter { path: path.to_path_buf(), out, rows: 0 })
    }

    pub fn add(&mut self, line: u64, category: &str, column: &str, reason: &str, row: &str) -> std::io::Result<()> {
        self.rows += 1;
        self.out.write_record([line.to_string().as_str(), category, column, reason, row]).map_err(std::io::Error::other)
    }

    /// Flushes and syncs; returns the path for staging.
    pub fn finish(self) -> std::io::Result<PathBuf> {
        let file = self.out.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(n(0), "0");
        assert_eq!(n(999), "999");
        assert_eq!(n(1000), "1,000");
        assert_eq!(n(4_500_000), "4,500,000");
    }
}
