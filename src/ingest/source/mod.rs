//! Sources of raw rows: a CSV/TSV text file in any encoding, a sheet of an XLSX or XLS
//! workbook, or a Parquet file. Each streams its rows into a visitor, so memory stays
//! bounded by one row (or one batch) whatever the file size.

mod parquet;
mod sheet;
mod text;

use std::path::Path;

pub use self::parquet::ParquetSource;
pub use sheet::SheetSource;
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
}

pub type Visitor<'a> = dyn FnMut(&RawRow) -> Result<Flow, String> + 'a;

pub trait Source {
    /// `text/gb18030, ','`, `xlsx, sheet 明细`, `parquet`.
    fn describe(&self) -> String;
    /// The word for a row's position in messages: "line" or "row".
    fn unit(&self) -> &'static str;
    /// Total bytes, for the progress bar.
    fn size(&self) -> u64;
    fn for_each_row(&mut self, visit: &mut Visitor<'_>) -> Result<(), SourceError>;
}

/// The source for a sniffed file. Text needs its delimiter found and workbooks their
/// sheet chosen, both by looking for the header.
pub fn open(path: &Path, container: Container, mapping: Option<&MappingFile>) -> Result<Box<dyn Source>, SourceError> {
    Ok(match container {
        Container::Text(enc) => Box::new(TextSource::open(path, enc, mapping.and_then(MappingFile::delimiter_byte))?),
        Container::Xlsx | Container::Xls => {
            Box::new(SheetSource::open(path, container == Container::Xls, mapping.and_then(|m| m.sheet.as_deref()))?)
        }
        Container::Parquet => Box::new(ParquetSource::open(path)?),
    })
}

/// Reads at most `n` rows from the start of a source.
pub fn head(source: &mut dyn Source, n: usize) -> Result<Vec<RawRow>, SourceError> {
    let mut rows = Vec::new();
    source.for_each_row(&mut |row| {
        rows.push(row.clone());
        Ok(if rows.len() >= n { Flow::Stop } else { Flow::Continue })
    })?;
    Ok(rows)
}
