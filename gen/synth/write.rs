//! Streaming file writers: CSV in UTF-8, UTF-8 with BOM, GBK or GB18030, and XLSX.
//!
//! CSV rows are quoted by the csv crate into a small UTF-8 buffer that is re-encoded and
//! written out every few hundred rows, so a million-row export never sits in memory.
//! Unencodable text is an error, never a silent `&#...;` replacement.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use encoding_rs::{Encoding, GB18030, GBK};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

use super::money::{Cents, push_cents_grouped, xlsx_number};
use super::{GenError, GeneratedFile};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Utf8Bom,
    Gbk,
    Gb18030,
}

impl Enc {
    fn encoding(self) -> Option<&'static Encoding> {
        match self {
            Enc::Utf8 | Enc::Utf8Bom => None,
            Enc::Gbk => Some(GBK),
            Enc::Gb18030 => Some(GB18030),
        }
    }
}

/// Reusable cells of one row: slots keep their allocation from row to row.
#[derive(Default)]
pub struct Row {
    cells: Vec<String>,
    len: usize,
}

impl Row {
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The next cell, empty, for the caller to fill.
    pub fn cell(&mut self) -> &mut String {
        if self.len == self.cells.len() {
            self.cells.push(String::new());
        }
        let c = &mut self.cells[self.len];
        c.clear();
        self.len += 1;
        c
    }

    pub fn push(&mut self, s: &str) {
        self.cell().push_str(s);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn cells(&self) -> &[String] {
        &self.cells[..self.len]
    }
}

const FLUSH_EVERY: u32 = 512;

pub struct CsvOut {
    rel: String,
    file: BufWriter<File>,
    builder: csv::WriterBuilder,
    /// Formats rows into memory; taken apart and rebuilt at every drain.
    csv: Option<csv::Writer<Vec<u8>>>,
    enc: Enc,
    eol: &'static str,
    rows: u64,
    pending: u32,
}

impl CsvOut {
    pub fn create(out: &Path, rel: &str, enc: Enc, crlf: bool) -> Result<Self, GenError> {
        let path = out.join(rel);
        let file = File::create(&path).map_err(|source| GenError::Io { file: rel.to_string(), source })?;
        let term = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
        let mut builder = csv::WriterBuilder::new();
        builder.flexible(true).terminator(term);
        let csv = Some(builder.from_writer(Vec::with_capacity(64 * 1024)));
        let mut w = CsvOut {
            rel: rel.to_string(),
            file: BufWriter::with_capacity(256 * 1024, file),
            builder,
            csv,
            enc,
            eol: if crlf { "\r\n" } else { "\n" },
            rows: 0,
            pending: 0,
        };
        if enc == Enc::Utf8Bom {
            w.write_bytes(b"\xEF\xBB\xBF")?;
        }
        Ok(w)
    }

    fn io_err(&self, source: std::io::Error) -> GenError {
        GenError::Io { file: self.rel.clone(), source }
    }

    fn write_bytes(&mut self, b: &[u8]) -> Result<(), GenError> {
        self.file.write_all(b).map_err(|e| self.io_err(e))
    }

    fn write_text(&mut self, text: &str) -> Result<(), GenError> {
        match self.enc.encoding() {
            None => self.write_bytes(text.as_bytes()),
            Some(enc) => {
                let (bytes, _, had_errors) = enc.encode(text);
                if had_errors {
                    return Err(GenError::Unencodable { file: self.rel.clone(), encoding: enc.name() });
                }
                self.file.write_all(&bytes).map_err(|source| GenError::Io { file: self.rel.clone(), source })
            }
        }
    }

    /// Moves what the csv writer has formatted so far into the file.
    fn drain(&mut self) -> Result<(), GenError> {
        let Some(csv) = self.csv.take() else {
            return Ok(());
        };
        let mut buf = csv.into_inner().map_err(|e| self.io_err(std::io::Error::other(e.to_string())))?;
        let res = match std::str::from_utf8(&buf) {
            Ok(text) => self.write_text(text),
            // Every cell comes from a &str, so the buffer is always UTF-8.
            Err(_) => Err(GenError::Unencodable { file: self.rel.clone(), encoding: "UTF-8" }),
        };
        buf.clear();
        self.csv = Some(self.builder.from_writer(buf));
        self.pending = 0;
        res
    }

    /// A line written as is: preambles, comments, footers.
    pub fn line(&mut self, text: &str) -> Result<(), GenError> {
        self.drain()?;
        self.write_text(text)?;
        let eol = self.eol;
        self.write_text(eol)
    }

    fn csv(&mut self) -> &mut csv::Writer<Vec<u8>> {
        let builder = &self.builder;
        self.csv.get_or_insert_with(|| builder.from_writer(Vec::new()))
    }

    pub fn header(&mut self, cols: &[&str]) -> Result<(), GenError> {
        self.csv().write_record(cols).map_err(|source| GenError::Csv { file: self.rel.clone(), source })?;
        self.drain()
    }

    pub fn row(&mut self, row: &Row) -> Result<(), GenError> {
        self.csv().write_record(row.cells()).map_err(|source| GenError::Csv { file: self.rel.clone(), source })?;
        self.rows += 1;
        self.pending += 1;
        if self.pending >= FLUSH_EVERY {
            self.drain()?;
        }
        Ok(())
    }

    /// A row that is no data row (a totals footer): written, not counted.
    pub fn row_uncounted(&mut self, row: &Row) -> Result<(), GenError> {
        self.csv().write_record(row.cells()).map_err(|source| GenError::Csv { file: self.rel.clone(), source })?;
        self.drain()
    }

    pub fn finish(mut self, kind: &'static str) -> Result<GeneratedFile, GenError> {
        self.drain()?;
        self.file.flush().map_err(|e| self.io_err(e))?;
        Ok(GeneratedFile { path: self.rel, kind, rows: self.rows })
    }
}

/// One-sheet workbook written row by row. The sheet is rust_xlsxwriter's "constant
/// memory" kind: each finished row goes to a temporary file beside the output (text
/// inline, as many exporters write it), so a million-row export is not held as cells
/// (at ten million orders the held sheets were most of the generator's 5.6 GB).
pub struct XlsxOut {
    rel: String,
    out: PathBuf,
    sheet_name: String,
    created: ExcelDateTime,
    /// The workbook the current sheet will be saved in, and the sheet.
    book: Workbook,
    sheet: Worksheet,
    money: Format,
    row: u32,
    data_rows: u64,
    /// The lines above the table and its header, written again at the top of each
    /// further file when a sheet reaches Excel's row limit.
    preamble: Vec<Option<String>>,
    header: Option<(Vec<String>, Vec<f64>)>,
    /// Files finished so far (this export's earlier parts): path and rows.
    parts: Vec<(String, u64)>,
    max_rows: u32,
}

/// Rows an Excel sheet holds; a longer export is split over several files, as the
/// platforms' own exports are.
const EXCEL_ROWS: u32 = 1_048_576;

impl XlsxOut {
    /// `created` is the document's fixed creation time (UTC), so output is reproducible.
    pub fn new(out: &Path, rel: &str, sheet_name: &str, created: (u16, u8, u8, u16, u8)) -> Result<Self, GenError> {
        let err = |source| GenError::Xlsx { file: rel.to_string(), source };
        let (book, sheet) = new_sheet(out, sheet_name).map_err(err)?;
        let created = ExcelDateTime::from_ymd(created.0, created.1, created.2)
            .and_then(|d| d.and_hms(created.3, created.4, 0))
            .map_err(err)?;
        Ok(XlsxOut {
            rel: rel.to_string(),
            out: out.to_path_buf(),
            sheet_name: sheet_name.to_string(),
            created,
            book,
            sheet,
            money: Format::new().set_num_format("0.00"),
            row: 0,
            data_rows: 0,
            preamble: Vec::new(),
            header: None,
            parts: Vec::new(),
            max_rows: EXCEL_ROWS,
        })
    }

    /// The same, splitting after `rows` rows a file (for tests of the split).
    #[cfg(test)]
    fn with_max_rows(mut self, rows: u32) -> Self {
        self.max_rows = rows;
        self
    }

    /// The path of part `n` (0 the first): `orders/jd_orders.xlsx`, then `…_2.xlsx`.
    fn part_path(&self, n: usize) -> String {
        match n {
            0 => self.rel.clone(),
            n => match self.rel.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}_{}.{ext}", n + 1),
                None => format!("{}_{}", self.rel, n + 1),
            },
        }
    }

    /// Saves the sheet so far, in its workbook, as one file of the export.
    fn save(&mut self, mut book: Workbook, sheet: Worksheet) -> Result<(), GenError> {
        let rel = self.part_path(self.parts.len());
        let err = |source| GenError::Xlsx { file: rel.clone(), source };
        let props = DocProperties::new().set_author("recon gen").set_creation_datetime(&self.created);
        book.set_properties(&props);
        book.push_worksheet(sheet);
        book.save(self.out.join(&rel)).map_err(err)?;
        self.parts.push((rel, self.data_rows));
        Ok(())
    }

    /// At Excel's row limit: this file is done; the next starts with the same lines above
    /// the table and the same header.
    fn roll_if_full(&mut self) -> Result<(), GenError> {
        if self.row < self.max_rows {
            return Ok(());
        }
        let (book, sheet) = new_sheet(&self.out, &self.sheet_name).map_err(|e| self.err(e))?;
        let full_book = std::mem::replace(&mut self.book, book);
        let full = std::mem::replace(&mut self.sheet, sheet);
        self.save(full_book, full)?;
        self.row = 0;
        self.data_rows = 0;
        for line in std::mem::take(&mut self.preamble) {
            self.preamble(line.as_deref())?;
        }
        if let Some((cols, widths)) = self.header.take() {
            let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
            self.header(&cols, &widths)?;
        }
        Ok(())
    }

    fn err(&self, source: rust_xlsxwriter::XlsxError) -> GenError {
        GenError::Xlsx { file: self.rel.clone(), source }
    }

    /// A line above the table (title, export time); `None` leaves the row empty.
    pub fn preamble(&mut self, text: Option<&str>) -> Result<(), GenError> {
        self.preamble.push(text.map(str::to_string));
        if let Some(t) = text {
            let r = self.row;
            let res = self.sheet.write_string(r, 0, t).map(|_| ());
            res.map_err(|e| self.err(e))?;
        }
        self.row += 1;
        Ok(())
    }

    pub fn header(&mut self, cols: &[&str], widths: &[f64]) -> Result<(), GenError> {
        self.header = Some((cols.iter().map(|c| c.to_string()).collect(), widths.to_vec()));
        let bold = Format::new().set_bold();
        for (c, name) in cols.iter().enumerate() {
            let r = self.row;
            let res = self.sheet.write_string_with_format(r, c as u16, *name, &bold).map(|_| ());
            res.map_err(|e| self.err(e))?;
        }
        for (c, &w) in widths.iter().enumerate() {
            let res = self.sheet.set_column_width(c as u16, w).map(|_| ());
            res.map_err(|e| self.err(e))?;
        }
        self.row += 1;
        Ok(())
    }

    /// A text cell of the current row; empty text leaves the cell blank.
    pub fn text(&mut self, col: u16, s: &str) -> Result<(), GenError> {
        if s.is_empty() {
            return Ok(());
        }
        self.roll_if_full()?;
        let r = self.row;
        let res = self.sheet.write_string(r, col, s).map(|_| ());
        res.map_err(|e| self.err(e))
    }

    pub fn money(&mut self, col: u16, c: Cents) -> Result<(), GenError> {
        self.roll_if_full()?;
        let r = self.row;
        let res = self.sheet.write_number_with_format(r, col, xlsx_number(c), &self.money).map(|_| ());
        res.map_err(|e| self.err(e))
    }

    /// An amount typed in as text with thousands separators, as some banks export it.
    pub fn money_text(&mut self, col: u16, c: Cents) -> Result<(), GenError> {
        let mut s = String::with_capacity(16);
        push_cents_grouped(&mut s, c);
        self.text(col, &s)
    }

    pub fn end_row(&mut self) {
        self.row += 1;
        self.data_rows += 1;
    }

    /// Saves the last file; every file of the export, with its rows.
    pub fn finish(mut self, kind: &'static str) -> Result<Vec<GeneratedFile>, GenError> {
        let book = std::mem::take(&mut self.book);
        let sheet = std::mem::take(&mut self.sheet);
        self.save(book, sheet)?;
        Ok(self.parts.into_iter().map(|(path, rows)| GeneratedFile { path, kind, rows }).collect())
    }
}

/// A workbook and its one sheet, named `name`, whose rows go to a temporary file in `dir`
/// as they are finished (not the system's temporary directory, which may be memory).
fn new_sheet(dir: &Path, name: &str) -> Result<(Workbook, Worksheet), rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    book.set_tempdir(dir)?;
    let mut sheet = book.new_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    Ok((book, sheet))
}

#[cfg(test)]
mod tests {
    use calamine::{Reader, Xlsx, open_workbook};

    use super::*;

    /// Past the row limit an export goes on in a further workbook that starts with the
    /// same lines above the table and the same header; every row lands once, in order.
    #[test]
    fn a_long_sheet_is_split_over_workbooks_each_with_its_header() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("orders")).unwrap();
        let mut w = XlsxOut::new(dir.path(), "orders/jd.xlsx", "订单", (2026, 11, 1, 1, 0)).unwrap().with_max_rows(10);
        w.preamble(Some("订单导出")).unwrap();
        w.preamble(None).unwrap();
        w.header(&["订单号", "金额"], &[12.0, 10.0]).unwrap();
        for i in 0..25u32 {
            w.text(0, &format!("JD{i:04}")).unwrap();
            w.money(1, i64::from(i) * 100).unwrap();
            w.end_row();
        }
        let files = w.finish("orders").unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["orders/jd.xlsx", "orders/jd_2.xlsx", "orders/jd_3.xlsx", "orders/jd_4.xlsx"]);
        assert_eq!(files.iter().map(|f| f.rows).collect::<Vec<_>>(), [7, 7, 7, 4]);
        let mut ids = Vec::new();
        for f in &files {
            let mut book: Xlsx<_> = open_workbook(dir.path().join(&f.path)).unwrap();
            let range = book.worksheet_range("订单").unwrap();
            let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
            assert_eq!(rows[0][0], "订单导出", "{}", f.path);
            assert_eq!(rows[2], ["订单号", "金额"], "{}", f.path);
            ids.extend(rows[3..].iter().map(|r| r[0].clone()));
        }
        assert_eq!(ids, (0..25).map(|i| format!("JD{i:04}")).collect::<Vec<_>>());
    }
}
