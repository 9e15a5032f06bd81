//! What a file is, from its first bytes rather than its name: Parquet, XLSX, XLS, or
//! text, and for text its encoding (UTF-8 with or without BOM, UTF-16, GB18030/GBK, or
//! chardetng's best guess). Binary files are refused here, before anything is read.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

const SAMPLE: usize = 256 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Text(TextEncoding),
    Xlsx,
    Xls,
    Parquet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextEncoding {
    pub encoding: &'static Encoding,
    /// Bytes of byte-order mark to skip.
    pub bom: usize,
}

impl TextEncoding {
    pub fn label(&self) -> String {
        let name = if self.encoding == GB18030 { "gb18030" } else { self.encoding.name() };
        let name = name.to_ascii_lowercase();
        if self.bom > 0 && self.encoding == UTF_8 { format!("{name}-bom") } else { name }
    }

    /// ASCII-compatible encodings are parsed as bytes and decoded cell by cell, so a
    /// bad byte costs one row, not the file; UTF-16 is transcoded first.
    pub fn is_ascii_compatible(&self) -> bool {
        self.encoding != UTF_16LE && self.encoding != UTF_16BE
    }
}

impl Container {
    pub fn label(&self) -> String {
        match self {
            Container::Text(enc) => format!("text/{}", enc.label()),
            Container::Xlsx => "xlsx".into(),
            Container::Xls => "xls".into(),
            Container::Parquet => "parquet".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SniffError {
    #[error("the file is empty")]
    Empty,
    #[error("this is a binary file, not CSV/TSV text, XLSX, XLS or Parquet")]
    Binary,
    #[error("unknown encoding '{0}'")]
    UnknownEncoding(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

pub fn sniff(path: &Path, forced_encoding: Option<&str>) -> Result<Container, SniffError> {
    let mut sample = Vec::with_capacity(SAMPLE);
    File::open(path)?.take(SAMPLE as u64).read_to_end(&mut sample)?;
    sniff_bytes(&sample, forced_encoding)
}

pub fn sniff_bytes(sample: &[u8], forced_encoding: Option<&str>) -> Result<Container, SniffError> {
    if sample.is_empty() {
        return Err(SniffError::Empty);
    }
    if sample.starts_with(b"PAR1") {
        return Ok(Container::Parquet);
    }
    if sample.starts_with(b"PK\x03\x04") {
        return Ok(Container::Xlsx);
    }
    if sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(Container::Xls);
    }
    if let Some(label) = forced_encoding {
        let encoding = Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| SniffError::UnknownEncoding(label.to_string()))?;
        let bom = Encoding::for_bom(sample).filter(|(e, _)| *e == encoding).map_or(0, |(_, n)| n);
        return Ok(Container::Text(TextEncoding { encoding, bom }));
    }
    if let Some((encoding, bom)) = Encoding::for_bom(sample) {
        return Ok(Container::Text(TextEncoding { encoding, bom }));
    }
    if let Some(encoding) = utf16_without_bom(sample) {
        return Ok(Container::Text(TextEncoding { encoding, bom: 0 }));
    }
    if sample.contains(&0) || control_ratio(sample) > 0.02 {
        return Err(SniffError::Binary);
    }
    // A sample cut at its end may split a character: do not count that as an error.
    let body = if sample.len() < SAMPLE { sample } else { &sample[..sample.len() - 4] };
    // A few bad bytes in a file that is otherwise clean UTF-8 (or GBK) cost those rows
    // a clear reject; they must not turn the whole file into mojibake.
    let plausible = |(chars, errors): (usize, usize)| errors == 0 || errors * 10 <= chars;
    let encoding = if plausible(decode_stats(UTF_8, body)) {
        UTF_8
    } else if plausible(decode_stats(GB18030, body)) {
        GB18030
    } else {
        let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(sample, sample.len() < SAMPLE);
        det.guess(None, chardetng::Utf8Detection::Allow)
    };
    Ok(Container::Text(TextEncoding { encoding, bom: 0 }))
}

/// Non-ASCII characters decoded, and malformed sequences met, in this encoding.
fn decode_stats(encoding: &'static Encoding, sample: &[u8]) -> (usize, usize) {
    if encoding == UTF_8 {
        let (mut chars, mut errors) = (0, 0);
        for chunk in sample.utf8_chunks() {
            chars += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
            errors += usize::from(!chunk.invalid().is_empty());
        }
        return (chars, errors);
    }
    let (text, _) = encoding.decode_without_bom_handling(sample);
    let errors = text.chars().filter(|&c| c == '\u{fffd}').count();
    (text.chars().filter(|c| !c.is_ascii()).count() - errors, errors)
}
/// Text files never hold C0 control characters other than tab, CR, LF (and form feed).
fn control_ratio(sample: &[u8]) -> f64 {
    let controls = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n' | 0x0c)).count();
    controls as f64 / sample.len() as f64
}

/// UTF-16 without a BOM shows as a NUL in every other byte of ASCII text.
fn utf16_without_bom(sample: &[u8]) -> Option<&'static Encoding> {
    let n = sample.len().min(4096) / 2 * 2;
    if n < 8 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample[..n].chunks_exact(2) {
        if pair[0] == 0 {
            even += 1;
        }
        if pair[1] == 0 {
            odd += 1;
        }
    }
    let half = n / 2;
    if odd * 10 > half * 4 && even * 20 < half {
        Some(UTF_16LE)
    } else if even * 10 > half * 4 && odd * 20 < half {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(bytes: &[u8]) -> String {
        match sniff_bytes(bytes, None) {
            Ok(c) => c.label(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn containers_and_encodings() {
        assert_eq!(label(b"PAR1...."), "parquet");
        assert_eq!(label(b"PK\x03\x04rest"), "xlsx");
        assert_eq!(label(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]), "xls");
        assert_eq!(label("交易时间,金额\n".as_bytes()), "text/utf-8");
        assert_eq!(label("\u{feff}交易时间,金额\n".as_bytes()), "text/utf-8-bom");
        let (gbk, _, _) = GB18030.encode("交易时间,金额\n2026-10-01,12.00\n");
        assert_eq!(label(&gbk), "text/gb18030");
        let mut le = vec![0xFF, 0xFE];
        for u in "日期,金额\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(label(&le), "text/utf-16le");
        let no_bom: Vec<u8> = "date,amount\n2026-10-01,1.00\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(label(&no_bom), "text/utf-16le");
        assert_eq!(label(b""), "the file is empty");
        assert_eq!(
            label(&[0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]),
            "this is a binary file, not CSV/TSV text, XLSX, XLS or Parquet"
        );
    }

    #[test]
    fn a_sample_cut_mid_character_is_still_utf8() {
        let text = "交易时间".repeat(SAMPLE / 12 + 10);
        let bytes = &text.as_bytes()[..SAMPLE];
        assert_eq!(sniff_bytes(bytes, None).unwrap().label(), "text/utf-8");
    }
}
