//! A Parquet file: its column names are the header, its values are formatted as text
//! and go through the same cleaning and parsing as any other source.

use std::fs::File;
use std::path::{Path, PathBuf};

use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{Flow, Source, SourceError, Visitor};
use crate::ingest::row::RawRow;

pub struct ParquetSource {
    path: PathBuf,
    size: u64,
}

impl ParquetSource {
    pub fn open(path: &Path) -> Result<ParquetSource, SourceError> {
        let size = std::fs::metadata(path)?.len();
        // Read the footer now, so a damaged file fails before anything else happens.
        ParquetRecordBatchReaderBuilder::try_new(File::open(path)?).map_err(|e| SourceError::Parquet(e.to_string()))?;
        Ok(ParquetSource { path: path.to_path_buf(), size })
    }
}

impl Source for ParquetSource {
    fn describe(&self) -> String {
        "parquet".into()
    }

    fn unit(&self) -> &'static str {
        "row"
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn for_each_row(&mut self, visit: &mut Visitor<'_>) -> Result<(), SourceError> {
        let perr = |e: datafusion::parquet::errors::ParquetError| SourceError::Parquet(e.to_string());
        let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&self.path)?).map_err(perr)?;
        let total = builder.metadata().file_metadata().num_rows().max(1) as u64;
        let mut row = RawRow::default();
        // The column names are the header, on "row 0".
        for f in builder.schema().fields() {
            row.push(f.name());
        }
        if let Flow::Stop = visit(&row).map_err(SourceError::Visitor)? {
            return Ok(());
        }
        let reader = builder.with_batch_size(8192).build().map_err(perr)?;
        let opts = FormatOptions::default().with_null("");
        let mut line = 0u64;
        for batch in reader {
            let batch = batch.map_err(|e| SourceError::Parquet(e.to_string()))?;
            let formatters: Vec<ArrayFormatter> = batch
                .columns()
                .iter()
                .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
                .collect::<Result<_, _>>()
                .map_err(|e| SourceError::Parquet(e.to_string()))?;
            for i in 0..batch.num_rows() {
                line += 1;
                row.clear();
                row.line = line;
                row.offset = self.size * line / total;
                for f in &formatters {
                    use std::fmt::Write;
                    let _ = write!(row.buf_mut(), "{}", f.value(i));
                    row.end_cell();
                }
                if let Flow::Stop = visit(&row).map_err(SourceError::Visitor)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
