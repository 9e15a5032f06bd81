//! Writes an import's rows to a Parquet file in the workspace's `tmp/` on a thread of
//! its own, so encoding and compression overlap with parsing. The file is synced
//! before it is handed back for the commit.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use datafusion::parquet::schema::types::ColumnPath;

use crate::workspace::fsutil;

/// Columns whose values repeat a lot.
const DICTIONARY_COLUMNS: [&str; 12] = [
    "platform",
    "shop",
    "status",
    "currency",
    "courier",
    "kind",
    "counterparty",
    "counterparty_name",
    "account",
    "memo",
    "source_file",
    "import_id",
];

pub struct ParquetSink {
    path: PathBuf,
    tx: Option<SyncSender<RecordBatch>>,
    worker: Option<JoinHandle<Result<(), String>>>,
}

impl ParquetSink {
    pub fn create(path: &Path, schema: SchemaRef) -> std::io::Result<ParquetSink> {
        let file = fsutil::create_private(path)?;
        // Dictionaries pay for columns with few distinct values (platform, kind,
        // shop …); for ids, keys, times and amounts building one only costs time.
        // LZ4 rather than Snappy: faster both ways, a few percent larger.
        let mut props = WriterProperties::builder()
            .set_compression(Compression::LZ4_RAW)
            .set_max_row_group_row_count(Some(1 << 20))
            .set_dictionary_enabled(false)
            // Min/max per column chunk is what pruning uses; per page only costs time.
            .set_statistics_enabled(EnabledStatistics::Chunk);
        // The key is a hash: random bytes that no codec shrinks.
        props = props.set_column_compression(ColumnPath::from(crate::schema::KEY_COLUMN), Compression::UNCOMPRESSED);
        for field in schema.fields() {
            if DICTIONARY_COLUMNS.contains(&field.name().as_str()) {
                props = props.set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), true);
            }
        }
        let props = props.build();
        let mut writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(std::io::Error::other)?;
        let (tx, rx) = sync_channel::<RecordBatch>(2);
        let worker = std::thread::spawn(move || -> Result<(), String> {
            for batch in rx {
                writer.write(&batch).map_err(parquet_error)?;
            }
            let file: File = writer.into_inner().map_err(parquet_error)?;
            file.sync_all().map_err(|e| io_error(&e))
        });
        Ok(ParquetSink { path: path.to_path_buf(), tx: Some(tx), worker: Some(worker) })
    }

    pub fn write(&mut self, batch: RecordBatch) -> Result<(), String> {
        let sent = self.tx.as_ref().map(|tx| tx.send(batch));
        match sent {
            Some(Ok(())) => Ok(()),
            // The writer stopped: its own error says why.
            _ => Err(self.join().err().unwrap_or_else(|| "the Parquet writer stopped".into())),
        }
    }

    /// Finishes the file (footer written, data synced) and returns its path.
    pub fn finish(mut self) -> Result<PathBuf, String> {
        self.join()?;
        Ok(self.path.clone())
    }

    fn join(&mut self) -> Result<(), String> {
        self.tx.take();
        match self.worker.take() {
            Some(w) => w.join().map_err(|_| "the Parquet writer panicked".to_string())?,
            None => Ok(()),
        }
    }
}

/// A write error as a person reads it: a full disk said as such, with what to do.
fn io_error(e: &std::io::Error) -> String {
    if crate::workspace::reserve::is_full(e) {
        format!("the disk is full ({e}): free some space — `recon imports undo ID` removes an import — and try again")
    } else {
        e.to_string()
    }
}

fn parquet_error(e: datafusion::parquet::errors::ParquetError) -> String {
    use datafusion::parquet::errors::ParquetError;
    match &e {
        ParquetError::External(inner) => match inner.downcast_ref::<std::io::Error>() {
            Some(io) => io_error(io),
            None => e.to_string(),
        },
        _ => e.to_string(),
    }
}

impl Drop for ParquetSink {
    fn drop(&mut self) {
        let _ = self.join();
    }
}
