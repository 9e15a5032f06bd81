//! A Parquet file: its column names are the header, its values are formatted as text
//! and go through the same cleaning and parsing as any other source.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{BatchFiller, BatchVisitor, Source, SourceError};
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

    fn for_each_batch(
        &mut self,
        visit: &mut BatchVisitor<'_>,
        spent: Receiver<Vec<RawRow>>,
    ) -> Result<(), SourceError> {
        let perr = |e: datafusion::parquet::errors::ParquetError| SourceError::Parquet(e.to_string());
        let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&self.path)?).map_err(perr)?;
        let total = builder.metadata().file_metadata().num_rows().max(1) as u64;
        let mut filler = BatchFiller::new(spent);
        // The column names are the header, on "row 0".
        let header = filler.next_row();
        for f in builder.schema().fields() {
            header.push(f.name());
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
                if filler.is_full() && !filler.flush(visit)? {
                    return Ok(());
                }
                line += 1;
                let row = filler.next_row();
                row.line = line;
                row.offset = self.size * line / total;
                for f in &formatters {
                    use std::fmt::Write;
                    let _ = write!(row.buf_mut(), "{}", f.value(i));
                    row.end_cell();
                }
            }
        }
        filler.flush(visit)?;
        Ok(())
    }
}
