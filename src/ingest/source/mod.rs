//! Sources of raw rows: a CSV/TSV text file in any encoding, a sheet of an XLSX or XLS
//! workbook, a Parquet file, a bank statement in a standard (MT940, camt.053, OFX), or a
//! platform's payout export (Amazon Settlement V2).
//! Each streams its rows in batches, so memory stays bounded by a few batches whatever
//! the file size; batches handed back through the `spent` channel are refilled rather
//! than allocated anew. (Statements and payout exports are small and parsed whole before
//! the first row.)

mod held;
mod parquet;
mod payout;
mod sheet;
mod statement;
mod text;

use std::path::Path;
use std::sync::mpsc::{Receiver, channel};

pub use self::parquet::ParquetSource;
pub use payout::PayoutSource;
pub use sheet::SheetSource;
pub use statement::StatementSource;
pub use text::TextSource;

use super::mapping::MappingFile;
use super::row::RawRow;
use super::sniff::Container;

/// What the visitor wants next.
pub enum Flow {
    Continue,
    Stop,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("not a readable workbook (damaged or truncated?): {0}")]
    Workbook(String),
    #[error("the workbook has no sheet named '{0}'; it has: {1}")]
    NoSheet(String, String),
    #[error("not a readable Parquet file (damaged or truncated?): {0}")]
    Parquet(String),
    #[error("stopped: {0}")]
    Visitor(String),
    /// A bank statement standard's file that cannot be read or does not add up.
    #[error("{0}")]
    Statement(String),
}

/// Receives each batch of rows, in file order.
pub type BatchVisitor<'a> = dyn FnMut(Vec<RawRow>) -> Result<Flow, String> + 'a;

/// Rows per batch.
pub const BATCH_ROWS: usize = 4096;

pub trait Source: Send {
    /// `text/gb18030, ','`, `xlsx, sheet 明细`, `parquet`.
    fn describe(&self) -> String;
    /// The word for a row's position in messages: "line" or "row".
    fn unit(&self) -> &'static str;
    /// Total bytes, for the progress bar.
    fn size(&self) -> u64;
    /// What the import summary should say about the file as a whole.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// Streams every row in batches. `spent` returns batches the caller is done with,
    /// so their rows' buffers can be reused.
    fn for_each_batch(&mut self, visit: &mut BatchVisitor<'_>, spent: Receiver<Vec<RawRow>>)
    -> Result<(), SourceError>;
}

/// Fills batches of rows, reusing spent ones.
pub(crate) struct BatchFiller {
    batch: Vec<RawRow>,
    n: usize,
    spent: Receiver<Vec<RawRow>>,
}

impl BatchFiller {
    pub fn new(spent: Receiver<Vec<RawRow>>) -> BatchFiller {
        BatchFiller { batch: Vec::with_capacity(BATCH_ROWS), n: 0, spent }
    }

    pub fn is_full(&self) -> bool {
        self.n == BATCH_ROWS
    }

    /// A cleared row to fill, the next of the batch.
    pub fn next_row(&mut self) -> &mut RawRow {
        if self.batch.len() == self.n {
            self.batch.push(RawRow::default());
        }
        let row = &mut self.batch[self.n];
        self.n += 1;
        row.clear();
        row
    }

    pub fn last_row(&mut self) -> Option<&mut RawRow> {
        self.batch[..self.n].last_mut()
    }

    /// The filled batch; a spent one (or a new one) takes its place.
    pub fn take(&mut self) -> Vec<RawRow> {
        let next = self.spent.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH_ROWS));
        let mut batch = std::mem::replace(&mut self.batch, next);
        batch.truncate(self.n);
        self.n = 0;
        batch
    }

    /// Hands the filled batch to `visit`; false when the visitor wants no more.
    pub fn flush(&mut self, visit: &mut BatchVisitor<'_>) -> Result<bool, SourceError> {
        if self.n == 0 {
            return Ok(true);
        }
        let batch = self.take();
        Ok(matches!(visit(batch).map_err(SourceError::Visitor)?, Flow::Continue))
    }
}

/// Visits rows one at a time (for the first rows of a file, where speed does not matter).
pub fn for_each_row(
    source: &mut dyn Source,
    mut visit: impl FnMut(&RawRow) -> Result<Flow, String>,
) -> Result<(), SourceError> {
    let (_keep, spent) = channel();
    source.for_each_batch(
        &mut |batch| {
            for row in &batch {
                if let Flow::Stop = visit(row)? {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        },
        spent,
    )
}

/// The source for a sniffed file. Text needs its delimiter found and workbooks their
/// sheet chosen, both by looking for the header.
/// `unbalanced_ok`: a bank statement standard whose balances do not add up is read anyway.
pub fn open(
    path: &Path,
    container: Container,
    mapping: Option<&MappingFile>,
    unbalanced_ok: bool,
) -> Result<Box<dyn Source>, SourceError> {
    Ok(match container {
        Container::Text(enc) => Box::new(TextSource::open(path, enc, mapping.and_then(MappingFile::delimiter_byte))?),
        Container::Xlsx | Container::Xls => {
            Box::new(SheetSource::open(path, container == Container::Xls, mapping.and_then(|m| m.sheet.as_deref()))?)
        }
        Container::Parquet => Box::new(ParquetSource::open(path)?),
        Container::Statement(standard) => Box::new(StatementSource::open(path, standard, mapping, unbalanced_ok)?),
        Container::Payout(export) => Box::new(PayoutSource::open(path, export, mapping)?),
    })
}

/// Reads at most `n` rows from the start of a source.
pub fn head(source: &mut dyn Source, n: usize) -> Result<Vec<RawRow>, SourceError> {
    let mut rows = Vec::new();
    for_each_row(source, |row| {
        rows.push(row.clone());
        Ok(if rows.len() >= n { Flow::Stop } else { Flow::Continue })
    })?;
    Ok(rows)
}
