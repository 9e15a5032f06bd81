//! One row of a source file as text cells, whatever the container (CSV, sheet,
//! Parquet), with where it came from. Cells live in one reused buffer so reading a
//! row allocates nothing.

#[derive(Debug, Default, Clone)]
pub struct RawRow {
    /// 1-based line (text files) or row (sheets, Parquet) number.
    pub line: u64,
    /// Bytes of the file consumed so far, for the progress bar.
    pub offset: u64,
    /// The cell at this index could not be decoded in the file's encoding.
    pub undecodable: Option<usize>,
    /// The last row of a text file that does not end with a line break.
    pub unterminated: bool,
    /// Line breaks a quoted cell of this row swallowed, when so many (with delimiters
    /// between them) that a quote was opened and never closed: the rows below it were
    /// read into one cell.
    pub swallowed_lines: u64,
    buf: String,
    ends: Vec<usize>,
}

impl RawRow {
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.undecodable = None;
        self.unterminated = false;
        self.swallowed_lines = 0;
    }

    pub fn push(&mut self, cell: &str) {
        self.buf.push_str(cell);
        self.ends.push(self.buf.len());
    }

    /// A row of these cells (tests build rows this way).
    #[cfg(test)]
    pub fn of(cells: &[&str]) -> RawRow {
        let mut r = RawRow::default();
        for c in cells {
            r.push(c);
        }
        r
    }

    /// Starts a cell the caller writes into with `buf_mut`, then ends with `end_cell`.
    pub fn buf_mut(&mut self) -> &mut String {
        &mut self.buf
    }

    pub fn end_cell(&mut self) {
        self.ends.push(self.buf.len());
    }

    /// Appends several cells at once: `text` holds them back to back, `ends` gives the
    /// end of each within `text`.
    pub fn extend_cells(&mut self, text: &str, ends: impl Iterator<Item = usize>) {
        let base = self.buf.len();
        self.buf.push_str(text);
        self.ends.extend(ends.map(|e| base + e));
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> &str {
        if i >= self.ends.len() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    pub fn cells(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// True when no cell holds anything but padding.
    pub fn is_blank(&self) -> bool {
        self.cells().all(|c| crate::values::clean(c).is_none())
    }

    /// The cells as one CSV line (quoted where needed), for rejects files: the row can
    /// be read back exactly, commas in amounts and all.
    pub fn to_csv_line(&self) -> String {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        let _ = w.write_record(self.cells().map(str::trim));
        let mut line = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        line.truncate(line.trim_end_matches('\n').len());
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip() {
        let mut r = RawRow::default();
        r.push("a");
        r.push("");
        r.buf_mut().push_str("订单");
        r.end_cell();
        assert_eq!(r.len(), 3);
        assert_eq!(r.get(2), "订单");
        assert_eq!(r.get(7), "");
        assert_eq!(r.to_csv_line(), "a,,订单");
        r.push("1,234.50");
        assert_eq!(r.to_csv_line(), "a,,订单,\"1,234.50\"");
        r.clear();
        r.push(" / ");
        assert!(r.is_blank());
    }
}
