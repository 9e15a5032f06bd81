//! A sheet of an XLSX or XLS workbook. XLSX rows are streamed cell by cell (calamine's
//! cell reader), so a large workbook is never held whole; XLS sheets are small by
//! format (65,536 rows) and read at once. The sheet is the one named in the mapping
//! file, else the first whose rows hold a header.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::mpsc::Receiver;

use calamine::{Data, Reader, Xls, Xlsx};

use super::{BatchFiller, BatchVisitor, Source, SourceError};
use crate::ingest::header::{SEARCH_ROWS, find_header};
use crate::ingest::row::RawRow;

pub struct SheetSource {
    xls: bool,
    sheet: String,
    size: u64,
    /// The workbook, opened once: opening reads every shared string, and a sheet is read
    /// several times (which sheet has the header, the rows detection samples, then all).
    book: Book,
}

enum Book {
    Xlsx(Xlsx<BufReader<File>>),
    Xls(Xls<BufReader<File>>),
}

impl SheetSource {
    pub fn open(path: &Path, xls: bool, wanted: Option<&str>) -> Result<SheetSource, SourceError> {
        let size = std::fs::metadata(path)?.len();
        let book = Book::open(path, xls)?;
        let names = match &book {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Xls(b) => b.sheet_names(),
        };
        let mut src = SheetSource { xls, sheet: String::new(), size, book };
        if let Some(w) = wanted {
            if !names.iter().any(|n| n == w) {
                return Err(SourceError::NoSheet(w.to_string(), names.join(", ")));
            }
            src.sheet = w.to_string();
            return Ok(src);
        }
        for name in &names {
            src.sheet = name.clone();
            let rows = super::head(&mut src, SEARCH_ROWS)?;
            if find_header(&rows).is_some() {
                return Ok(src);
            }
        }
        // No sheet has a header: keep the first, and let the caller say so.
        src.sheet = names.first().cloned().unwrap_or_default();
        Ok(src)
    }
}

/// What one workbook may expand to. A few megabytes of zip can unpack to gigabytes (by
/// accident or on purpose). Real exports compress their XML 4 to 10 times (a full-height
/// JD order sheet here: 646 MB of sheet and 296 MB of shared strings in 133 MB of zip);
/// a bomb, hundreds of times. So a large part that packs far tighter than any real one
/// is refused, and sizes beyond anything an export reaches bound the rest: calamine
/// keeps every shared string in memory (about their size), the sheet itself is
/// streamed and costs only time.
const MOST_SHARED_STRINGS: u64 = 1 << 30;
const MOST_IN_A_PART: u64 = 4 << 30;
const MOST_IN_A_WORKBOOK: u64 = 8 << 30;
/// Unpacked to packed size above which a part is a bomb, once it is past `SMALL_PART`
/// (a tiny part may pack tighter: a few repeated tags).
const MOST_RATIO: u64 = 100;
const SMALL_PART: u64 = 16 << 20;

/// Why a workbook part is refused, given its name, packed and unpacked sizes and the
/// workbook's unpacked total so far (this part included); `None`: it may be read.
fn refusal(name: &str, packed: u64, unpacked: u64, total: u64) -> Option<String> {
    let mb = |n: u64| n.div_ceil(1 << 20);
    let most = if name.ends_with("sharedStrings.xml") { MOST_SHARED_STRINGS } else { MOST_IN_A_PART };
    if unpacked > SMALL_PART && unpacked > packed.saturating_mul(MOST_RATIO) {
        return Some(format!(
            "its part {name} unpacks to {} MB from {} KB ({} times: real exports pack 4 to 10 times), \
             which is how a zip bomb looks",
            mb(unpacked),
            packed.div_ceil(1 << 10),
            unpacked / packed.max(1)
        ));
    }
    if unpacked > most {
        return Some(format!(
            "its part {name} unpacks to {} MB, more than recon reads from one workbook ({} MB) — if the export \
             is real, save it as CSV and import that",
            mb(unpacked),
            mb(most)
        ));
    }
    (total > MOST_IN_A_WORKBOOK).then(|| {
        format!(
            "it unpacks to more than {} MB, more than recon reads from one workbook ({} MB) — if the export is \
             real, save it as CSV and import that",
            mb(total),
            mb(MOST_IN_A_WORKBOOK)
        )
    })
}

/// Refuses a workbook whose parts would unpack to more than recon reads, before a byte
/// of it is unpacked: the sizes come from the zip's directory.
fn check_expansion(path: &Path) -> Result<(), SourceError> {
    let Ok(mut zip) = zip::ZipArchive::new(File::open(path)?) else {
        return Ok(()); // calamine says what is wrong with it
    };
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index_raw(i) else { continue };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        total = total.saturating_add(part.size());
        if let Some(why) = refusal(&name, part.compressed_size(), part.size(), total) {
            return Err(SourceError::Workbook(why));
        }
    }
    Ok(())
}

fn open_xlsx(path: &Path) -> Result<Xlsx<BufReader<File>>, SourceError> {
    check_expansion(path)?;
    calamine::open_workbook(path).map_err(|e: calamine::XlsxError| SourceError::Workbook(e.to_string()))
}

impl Book {
    fn open(path: &Path, xls: bool) -> Result<Book, SourceError> {
        Ok(if xls { Book::Xls(open_xls(path)?) } else { Book::Xlsx(open_xlsx(path)?) })
    }
}

fn open_xls(path: &Path) -> Result<Xls<BufReader<File>>, SourceError> {
    calamine::open_workbook(path).map_err(|e: calamine::XlsError| SourceError::Workbook(e.to_string()))
}

impl Source for SheetSource {
    fn describe(&self) -> String {
        format!("{}, sheet {}", if self.xls { "xls" } else { "xlsx" }, self.sheet)
    }

    fn unit(&self) -> &'static str {
        "row"
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn for_each_batch(
        &mut self,
        visit: &mut BatchVisitor<'_>,
        spent: Receiver<Vec<RawRow>>,
    ) -> Result<(), SourceError> {
        let mut filler = BatchFiller::new(spent);
        let book = match &mut self.book {
            Book::Xlsx(book) => book,
            Book::Xls(book) => {
                let range = book.worksheet_range(&self.sheet).map_err(|e| SourceError::Workbook(e.to_string()))?;
                let (first_row, first_col) = range.start().unwrap_or((0, 0));
                for (i, cells) in range.rows().enumerate() {
                    if filler.is_full() && !filler.flush(visit)? {
                        return Ok(());
                    }
                    let row = filler.next_row();
                    row.line = u64::from(first_row) + i as u64 + 1;
                    for _ in 0..first_col {
                        row.end_cell();
                    }
                    for cell in cells {
                        write_cell(cell, row.buf_mut());
                        row.end_cell();
                    }
                }
                filler.flush(visit)?;
                return Ok(());
            }
        };
        let mut cells = book.worksheet_cells_reader(&self.sheet).map_err(|e| SourceError::Workbook(e.to_string()))?;
        // The row being read; cells are sparse, so gaps are filled with empty ones.
        let mut row = RawRow::default();
        let mut current: Option<u32> = None;
        let mut col = 0u32;
        loop {
            let cell = cells.next_cell().map_err(|e| SourceError::Workbook(e.to_string()))?;
            let pos = cell.as_ref().map(|c| c.get_position());
            if current.is_some() && pos.map(|p| p.0) != current {
                if filler.is_full() && !filler.flush(visit)? {
                    return Ok(());
                }
                std::mem::swap(filler.next_row(), &mut row);
                row.clear();
                current = None;
            }
            let Some(cell) = cell else {
                filler.flush(visit)?;
                return Ok(());
            };
            let (r, c) = cell.get_position();
            if current.is_none() {
                row.line = u64::from(r) + 1;
                current = Some(r);
                col = 0;
            }
            while col < c {
                row.end_cell();
                col += 1;
            }
            write_cell(&Data::from(cell.get_value().clone()), row.buf_mut());
            row.end_cell();
            col += 1;
        }
    }
}

/// A cell as the text a user sees: numbers without float noise, dates as
/// `2026-10-01 12:00:00`, times of day as `12:00:00`.
fn write_cell(cell: &Data, out: &mut String) {
    use std::fmt::Write;
    match cell {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => write_number(*f, out),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            if serial < 1.0 && !dt.is_duration() {
                let secs = (serial * 86_400.0).round() as u32;
                let _ = write!(out, "{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
            } else if let Some(t) = dt.as_datetime() {
                let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
            } else {
                write_number(serial, out);
            }
        }
        Data::Error(e) => {
            let _ = write!(out, "#{e:?}");
        }
    }
}

/// Whole numbers without `.0`; others in the shortest form that reads back the same
/// float, which is what the person who typed it wrote (12345.67, not 12345.6699…). A
/// whole number of more than 15 digits is not what anyone typed: Excel keeps 15
/// significant digits and shows the rest as zeros, so an 18-digit order id typed into a
/// number cell has lost its last digits. It is written as Excel shows it (1.23457E+17),
/// which an id column rejects and an amount column refuses, rather than as other digits.
fn write_number(f: f64, out: &mut String) {
    use std::fmt::Write;
    if f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
    } else if f.fract() == 0.0 && f.is_finite() {
        let text = format!("{f:.5E}");
        let (mantissa, exponent) = text.split_once('E').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let _ = write!(out, "{mantissa}E+{exponent}");
    } else {
        let _ = write!(out, "{f}");
    }
}

#[cfg(test)]
mod tests {
    /// Real exports pass, whatever their size within bounds; a part packed hundreds of
    /// times is refused, as are sizes past the bounds.
    #[test]
    fn a_workbook_is_refused_by_how_tight_it_packs_and_how_large_it_grows() {
        use super::refusal;
        const MB: u64 = 1 << 20;
        // A full-height order sheet and its shared strings (sizes of a real-shaped one).
        assert_eq!(refusal("xl/sharedStrings.xml", 62 * MB, 296 * MB, 296 * MB), None);
        assert_eq!(refusal("xl/worksheets/sheet1.xml", 71 * MB, 646 * MB, 942 * MB), None);
        // A tiny part packs as tight as it likes.
        assert_eq!(refusal("xl/styles.xml", 1024, 2 * MB, 2 * MB), None);
        let bomb = refusal("xl/sharedStrings.xml", 300 * 1024, 300 * MB, 300 * MB).unwrap();
        assert!(bomb.contains("unpacks to 300 MB from 300 KB (1024 times") && bomb.contains("zip bomb"), "{bomb}");
        let big = refusal("xl/sharedStrings.xml", 300 * MB, 1100 * MB, 1100 * MB).unwrap();
        assert!(big.contains("more than recon reads from one workbook (1024 MB)"), "{big}");
        let whole = refusal("xl/worksheets/sheet9.xml", 200 * MB, 1000 * MB, 9000 * MB).unwrap();
        assert!(whole.contains("it unpacks to more than 9000 MB"), "{whole}");
    }

    use super::*;

    #[test]
    fn numbers_read_as_typed() {
        let s = |f: f64| {
            let mut o = String::new();
            write_number(f, &mut o);
            o
        };
        assert_eq!(s(12345.67), "12345.67");
        assert_eq!(s(100000011234.0), "100000011234");
        assert_eq!(s(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(s(-3.5), "-3.5");
        assert_eq!(s(123456789012345678.0), "1.23457E+17");
        assert_eq!(s(999999999999999.0), "999999999999999");
    }

    #[test]
    fn reads_a_workbook_written_by_rust_xlsxwriter() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("明细").unwrap();
        ws.write_string(0, 0, "中国工商银行对公账户交易明细").unwrap();
        for (c, h) in ["交易时间", "交易流水号", "借方发生额", "贷方发生额"].iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        ws.write_string(3, 0, "2026-10-03 10:00:00").unwrap();
        ws.write_string(3, 1, "B1").unwrap();
        ws.write_number(3, 3, 1234.5).unwrap();
        wb.save(&p).unwrap();
        let mut src = SheetSource::open(&p, false, None).unwrap();
        assert_eq!(src.describe(), "xlsx, sheet 明细");
        let rows = super::super::head(&mut src, 10).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[2].get(2), "");
        assert_eq!(rows[2].get(3), "1234.5");
        assert!(matches!(SheetSource::open(&p, false, Some("nope")), Err(SourceError::NoSheet(..))));
    }
}
