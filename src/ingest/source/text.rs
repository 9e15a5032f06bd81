//! CSV and TSV text in any encoding. ASCII-compatible encodings (UTF-8, GB18030/GBK …)
//! are split into fields as bytes and decoded field by field, so one bad byte costs one
//! row with a clear reason rather than the file; UTF-16 is transcoded to UTF-8 first.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use encoding_rs::{Encoding, UTF_8};

use super::{BatchFiller, BatchVisitor, Flow, Source, SourceError};
use crate::ingest::header::{SEARCH_ROWS, find_header};
use crate::ingest::row::RawRow;
use crate::ingest::sniff::TextEncoding;

const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

pub struct TextSource {
    path: PathBuf,
    encoding: TextEncoding,
    delimiter: u8,
    size: u64,
    ends_with_newline: bool,
}

impl TextSource {
    pub fn open(path: &Path, encoding: TextEncoding, delimiter: Option<u8>) -> Result<TextSource, SourceError> {
        let mut file = File::open(path)?;
        let size = file.metadata()?.len();
        let ends_with_newline = if size == 0 {
            true
        } else {
            let mut last = [0u8; 2];
            let n = last.len().min(size as usize);
            file.seek(SeekFrom::End(-(n as i64)))?;
            file.read_exact(&mut last[..n])?;
            last[..n].iter().any(|&b| b == b'\n' || b == b'\r')
        };
        let mut src = TextSource { path: path.to_path_buf(), encoding, delimiter: b',', size, ends_with_newline };
        src.delimiter = match delimiter {
            Some(d) => d,
            None => src.detect_delimiter()?,
        };
        Ok(src)
    }

    /// The delimiter under which a header is found with the most known column names.
    fn detect_delimiter(&mut self) -> Result<u8, SourceError> {
        let mut best = (b',', 0usize, 0usize);
        for d in DELIMITERS {
            self.delimiter = d;
            let rows = super::head(self, SEARCH_ROWS)?;
            if let Some(i) = find_header(&rows) {
                let known = rows[i]
                    .cells()
                    .filter(|c| crate::ingest::fields::is_known_header(&crate::ingest::fields::normalise_header(c)))
                    .count();
                if known > best.1 || (known == best.1 && rows[i].len() > best.2) {
                    best = (d, known, rows[i].len());
                }
            }
        }
        Ok(best.0)
    }

    fn reader(&self) -> Result<Box<dyn Read + Send>, SourceError> {
        let mut file = BufReader::with_capacity(1 << 20, File::open(&self.path)?);
        if self.encoding.is_ascii_compatible() {
            let mut skip = [0u8; 4];
            file.read_exact(&mut skip[..self.encoding.bom.min(self.size as usize)])?;
            Ok(Box::new(CrToLf::new(file)))
        } else {
            Ok(Box::new(CrToLf::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(self.encoding.encoding))
                    .bom_override(true)
                    .build(file),
            )))
        }
    }

    fn decoder(&self) -> &'static Encoding {
        if self.encoding.is_ascii_compatible() { self.encoding.encoding } else { UTF_8 }
    }
}

impl Source for TextSource {
    fn describe(&self) -> String {
        let d = match self.delimiter {
            b'\t' => "tab".to_string(),
            d => format!("'{}'", d as char),
        };
        format!("text, {}, delimiter {d}", self.encoding.label())
    }

    fn unit(&self) -> &'static str {
        "line"
    }

    fn size(&self) -> u64 {
        self.size
    }

    /// A reader thread splits and decodes rows into batches while the caller works on
    /// the ones before.
    fn for_each_batch(
        &mut self,
        visit: &mut BatchVisitor<'_>,
        spent: Receiver<Vec<RawRow>>,
    ) -> Result<(), SourceError> {
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .buffer_capacity(1 << 20)
            .from_reader(self.reader()?);
        let (encoding, ends_with_newline, delimiter) = (self.decoder(), self.ends_with_newline, self.delimiter);
        let (full_tx, full_rx) = sync_channel::<Result<Vec<RawRow>, SourceError>>(4);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let filler = BatchFiller::new(spent);
                if let Err(e) = read_batches(csv, encoding, ends_with_newline, delimiter, &full_tx, filler) {
                    let _ = full_tx.send(Err(e));
                }
            });
            // Returning early drops the receiver, which stops the reader thread.
            for batch in full_rx {
                let batch = batch?;
                if !batch.is_empty() && matches!(visit(batch).map_err(SourceError::Visitor)?, Flow::Stop) {
                    return Ok(());
                }
            }
            Ok(())
        })
    }
}

/// Reads every record into batches. A full batch goes out only once the next record is
/// known to exist, so the last row of the file is always in the last batch, where it
/// can be marked unterminated.
fn read_batches(
    mut csv: csv::Reader<Box<dyn Read + Send>>,
    encoding: &'static Encoding,
    ends_with_newline: bool,
    delimiter: u8,
    full: &SyncSender<Result<Vec<RawRow>, SourceError>>,
    mut filler: BatchFiller,
) -> Result<(), SourceError> {
    let mut record = csv::ByteRecord::new();
    loop {
        let more = csv
            .read_byte_record(&mut record)
            .map_err(|e| SourceError::Csv { line: e.position().map_or(0, |p| p.line()), message: e.to_string() })?;
        if !more {
            if let Some(last) = filler.last_row() {
                last.unterminated = !ends_with_newline;
                // Without a final line break the reader never moved to a next line.
                last.line += u64::from(last.unterminated);
            }
            let _ = full.send(Ok(filler.take()));
            return Ok(());
        }
        if filler.is_full() && full.send(Ok(filler.take())).is_err() {
            return Ok(());
        }
        let row = filler.next_row();
        // The record's own position counts from any blank lines before it; the
        // reader's position after it is exact, less the line breaks inside quotes.
        let embedded = record.iter().map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64).sum::<u64>();
        row.line = csv.position().line().saturating_sub(1 + embedded);
        row.swallowed_lines = swallowed(&record, delimiter);
        // A quote left open to the end of the file took the last line break into its
        // cell: the record ended without one of its own.
        if row.swallowed_lines > 0 && record.iter().next_back().is_some_and(|f| f.ends_with(b"\n")) {
            row.line += 1;
            row.swallowed_lines -= 1;
        }
        row.offset = csv.position().byte();
        // UTF-8 is checked a record at a time; fields split at ASCII delimiters, so
        // each is valid when the whole is.
        if encoding == UTF_8
            && let Ok(all) = std::str::from_utf8(record.as_slice())
        {
            row.extend_cells(all, (0..record.len()).filter_map(|i| record.range(i)).map(|r| r.end));
            continue;
        }
        for (i, field) in record.iter().enumerate() {
            if !decode_into(encoding, field, row.buf_mut()) && row.undecodable.is_none() {
                row.undecodable = Some(i);
            }
            row.end_cell();
        }
    }
}

/// Line breaks inside one cell beyond which a quote was surely left open: a cell that
/// runs over this many lines with delimiters on them holds the rows below it.
const MOST_LINES_IN_A_CELL: u64 = 8;

/// The line breaks a cell swallowed when a quote was opened and never closed; 0 for
/// an ordinary cell, even one with a few lines (an address, a memo).
fn swallowed(record: &csv::ByteRecord, delimiter: u8) -> u64 {
    record
        .iter()
        .map(|f| {
            let lines = f.iter().filter(|&&b| b == b'\n').count() as u64;
            if lines >= MOST_LINES_IN_A_CELL
                && f.split(|&b| b == b'\n').filter(|l| l.contains(&delimiter)).count() as u64 >= lines / 2
            {
                lines
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0)
}

/// Every line ending as a plain `\n`: CRLF (Windows) loses its CR, a lone CR (classic
/// Mac, or mixed files) becomes `\n`, so lines count exactly as in an LF file (the CSV
/// reader only counts a line once it has seen its `\n`). A CR is never part of a GBK or
/// UTF-8 multi-byte character, so nothing else changes.
struct CrToLf<R> {
    inner: R,
    /// The last byte handed out was a CR turned into `\n`: a `\n` right after it is the
    /// rest of the same CRLF.
    after_cr: bool,
}

impl<R> CrToLf<R> {
    fn new(inner: R) -> Self {
        CrToLf { inner, after_cr: false }
    }
}

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            // A LF right after a CR the last read ended with is the rest of that CRLF.
            let mut r = usize::from(self.after_cr && buf[0] == b'\n');
            self.after_cr = false;
            // Most files have no CR at all, or none in this read: nothing moves.
            if r == 0 && memchr::memchr(b'\r', &buf[..n]).is_none() {
                return Ok(n);
            }
            let mut w = 0;
            while r < n {
                let Some(cr) = memchr::memchr(b'\r', &buf[r..n]) else {
                    buf.copy_within(r..n, w);
                    w += n - r;
                    break;
                };
                buf.copy_within(r..r + cr, w);
                w += cr;
                buf[w] = b'\n';
                w += 1;
                r += cr + 1;
                if r == n {
                    self.after_cr = true;
                } else if buf[r] == b'\n' {
                    r += 1;
                }
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

/// Appends the decoded field; false (and nothing appended) if its bytes are not valid
/// in the encoding.
fn decode_into(encoding: &'static Encoding, bytes: &[u8], out: &mut String) -> bool {
    if encoding == UTF_8 {
        return match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                true
            }
            Err(_) => false,
        };
    }
    if bytes.is_ascii() {
        // SAFETY-free fast path: ASCII is valid UTF-8.
        out.push_str(std::str::from_utf8(bytes).expect("ascii"));
        return true;
    }
    // Decode straight into the row's buffer: no string per field.
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let start = out.len();
    out.reserve(decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 3));
    let (result, _) = decoder.decode_to_string_without_replacement(bytes, out, true);
    if matches!(result, encoding_rs::DecoderResult::InputEmpty) {
        true
    } else {
        out.truncate(start);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sniff::{Container, sniff};

    fn rows_of(bytes: &[u8]) -> (String, Vec<RawRow>) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.csv");
        std::fs::write(&p, bytes).unwrap();
        let Container::Text(enc) = sniff(&p, None, false).unwrap() else { panic!("text") };
        let mut src = TextSource::open(&p, enc, None).unwrap();
        let rows = super::super::head(&mut src, 1000).unwrap();
        (src.describe(), rows)
    }

    #[test]
    fn gbk_text_with_tabs_and_quotes() {
        let (bytes, _, _) = encoding_rs::GB18030
            .encode("#说明\n交易时间,金额,对方户名\n2026-10-01 12:00:00,\"1,234.50\",支付宝（中国）\t\n");
        let (desc, rows) = rows_of(&bytes);
        assert_eq!(desc, "text, gb18030, delimiter ','");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].get(1), "1,234.50");
        assert_eq!(rows[2].get(2), "支付宝（中国）\t");
        assert_eq!(rows[2].line, 3);
        assert!(!rows[2].unterminated);
    }

    #[test]
    fn tsv_and_unterminated_last_line() {
        let (desc, rows) =
            rows_of("date\tamount\tmemo\n\n\n2026-10-01\t1.00\t\"two\nlines\"\n2026-10-02\t2.0".as_bytes());
        assert_eq!(desc, "text, utf-8, delimiter tab");
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].line, rows[1].line, rows[2].line), (1, 4, 6));
        assert!(rows[2].unterminated);
        assert!(!rows[1].unterminated);
    }

    #[test]
    fn crlf_lines_are_counted_like_lf() {
        let (_, rows) = rows_of(b"title\r\n\r\ndate,amount,memo\r\n2026-10-01,1.00,x\r\n2026-10-02,2.00,y\r\n");
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 3, 4, 5]);
        assert_eq!(rows[3].get(2), "y");
    }

    /// Line endings come out the same however the reads fall: a CRLF split between two
    /// reads, reads without any CR, a lone CR, CR CR LF.
    #[test]
    fn line_endings_do_not_depend_on_where_reads_end() {
        struct Trickle<'a>(&'a [u8], usize);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(self.0.len()).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let input = b"a,b\r\nlong line without any carriage return\r\nc\rd\r\r\ne\n\r\n";
        let expected = b"a,b\nlong line without any carriage return\nc\nd\n\ne\n\n".to_vec();
        for step in 1..=input.len() {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut CrToLf::new(Trickle(input, step)), &mut out).unwrap();
            assert_eq!(out, expected, "reads of {step} bytes");
        }
    }

    #[test]
    fn a_bad_byte_marks_its_field() {
        let mut bytes = "交易时间,金额,摘要\n".as_bytes().to_vec();
        for _ in 0..5 {
            bytes.extend_from_slice("2026-10-01 12:00:00,1.00,支付宝提现\n".as_bytes());
        }
        bytes.extend_from_slice(b"2026-10-02 12:00:00,2.00,\xff\xfe\n");
        let (desc, rows) = rows_of(&bytes);
        assert_eq!(desc, "text, utf-8, delimiter ','");
        assert_eq!(rows[1].undecodable, None);
        assert_eq!(rows[6].undecodable, Some(2));
    }

    #[test]
    fn utf16_is_transcoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "日期\t金额\t摘要\n2026-10-01\t1.00\t转账\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let (desc, rows) = rows_of(&bytes);
        assert_eq!(desc, "text, utf-16le, delimiter tab");
        assert_eq!(rows[1].get(2), "转账");
    }
}
