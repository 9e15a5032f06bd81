//! Rows held in memory: files that are read whole, checked and expanded before the
//! import sees them (bank statement standards, payout exports), handed out in batches
//! like any other source.

use std::sync::mpsc::Receiver;

use chrono::{NaiveDateTime, NaiveTime};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use rust_decimal::Decimal;

use super::{BatchFiller, BatchVisitor, Source, SourceError};
use crate::ingest::row::RawRow;

pub struct HeldRows {
    pub describe: String,
    pub size: u64,
    /// The header first, then the data rows with the file lines they come from.
    pub rows: Vec<RawRow>,
    /// What the import summary should say about the file as a whole.
    pub warnings: Vec<String>,
}

impl Source for HeldRows {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn unit(&self) -> &'static str {
        "line"
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    fn for_each_batch(
        &mut self,
        visit: &mut BatchVisitor<'_>,
        spent: Receiver<Vec<RawRow>>,
    ) -> Result<(), SourceError> {
        let mut filler = BatchFiller::new(spent);
        for row in &self.rows {
            if filler.is_full() && !filler.flush(visit)? {
                return Ok(());
            }
            let r = filler.next_row();
            r.line = row.line;
            r.offset = row.offset;
            for c in row.cells() {
                r.push(c);
            }
        }
        filler.flush(visit)?;
        Ok(())
    }
}

/// Text in the encoding the user named, the BOM says, or the file declares, else UTF-8;
/// bytes that are not UTF-8 are read as Windows-1252, which Western banks and Amazon's
/// EU marketplaces write.
pub fn decode(bytes: &[u8], forced: Option<&str>, declared: Option<&str>) -> Result<String, String> {
    if let Some(label) = forced {
        let enc = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| format!("unknown encoding '{label}'"))?;
        return Ok(enc.decode_with_bom_removal(bytes).0.into_owned());
    }
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return Ok(enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned());
    }
    // A declared single-byte charset wins; a declared UTF-8 that is not is read as
    // Windows-1252 like an undeclared one.
    let declared = declared.and_then(|l| Encoding::for_label(l.trim().as_bytes())).filter(|e| *e != UTF_8);
    if let Some(enc) = declared {
        return Ok(enc.decode_without_bom_handling(bytes).0.into_owned());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(_) => Ok(WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()),
    }
}

/// The table keeps money in cents.
const MAX_DECIMALS: u32 = 2;

/// Money as the table keeps it, or why it cannot be.
pub fn money(d: Decimal) -> Result<String, String> {
    let d = d.normalize();
    if d.scale() > MAX_DECIMALS {
        return Err(format!("{d} has more decimal places than recon keeps ({MAX_DECIMALS})"));
    }
    Ok(format!("{d:.2}"))
}

/// A time as the importer reads it back: the date alone when there is no time of day.
pub fn format_time(t: NaiveDateTime) -> String {
    if t.time() == NaiveTime::MIN {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}
