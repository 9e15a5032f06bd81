//! A computed view's answer written as Parquet a row group at a time, as its rows come:
//! the process holds one row group of a view's answer, not the whole of it (at ten
//! million orders a per-order view is gigabytes).

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::{DataFusionError, Result};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_writer::{ArrowColumnChunk, ArrowRowGroupWriterFactory, compute_leaves};
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use datafusion::parquet::file::writer::SerializedFileWriter;

/// Rows in a row group of a kept answer.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Writes one answer file: small row groups so a later query reads them in parallel and
/// skips by statistics, LZ4 for speed over size, each row group's columns encoded on as
/// many threads as there are cores (one thread encoding every column was a quarter of
/// `reconcile` at a million orders).
pub struct AnswerWriter {
    schema: SchemaRef,
    writer: SerializedFileWriter<std::fs::File>,
    factory: ArrowRowGroupWriterFactory,
    /// Per field, how many leaf columns it has (one, unless nested).
    leaves: Vec<usize>,
    threads: usize,
    /// Rows waiting for their row group, and how many.
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    groups: usize,
    rows_per_group: usize,
}

impl AnswerWriter {
    pub fn new(file: std::fs::File, schema: SchemaRef) -> Result<AnswerWriter> {
        Self::with_group_rows(file, schema, ROW_GROUP_ROWS)
    }

    fn with_group_rows(file: std::fs::File, schema: SchemaRef, rows_per_group: usize) -> Result<AnswerWriter> {
        let props = WriterProperties::builder()
            .set_compression(Compression::LZ4_RAW)
            .set_max_row_group_row_count(Some(rows_per_group))
            // Min/max per row group is what a later query prunes by; per page, a
            // comparison of every string written.
            .set_statistics_enabled(EnabledStatistics::Chunk)
            // A column of few values (platform, status) keeps its dictionary; one of
            // ids or reasons gives it up after 32 KB rather than the default 1 MB,
            // having hashed and compared every value until then.
            .set_dictionary_page_size_limit(32 * 1024)
            .build();
        // ArrowWriter sets up the file with the Arrow schema in its metadata; its parts
        // then take the row groups one at a time.
        let (writer, factory) = ArrowWriter::try_new(file, schema.clone(), Some(props))?.into_serialized_writer()?;
        let descr = writer.schema_descr();
        let mut leaves = vec![0usize; schema.fields().len()];
        for leaf in 0..descr.num_columns() {
            leaves[descr.get_column_root_idx(leaf)] += 1;
        }
        let threads =
            std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, schema.fields().len().max(1));
        Ok(AnswerWriter {
            schema,
            writer,
            factory,
            leaves,
            threads,
            pending: Vec::new(),
            pending_rows: 0,
            groups: 0,
            rows_per_group,
        })
    }

    /// Takes the next rows; a full row group is encoded and written at once.
    pub fn push(&mut self, batch: &RecordBatch) -> Result<()> {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let n = (self.rows_per_group - self.pending_rows).min(batch.num_rows() - offset);
            self.pending.push(batch.slice(offset, n));
            self.pending_rows += n;
            offset += n;
            if self.pending_rows == self.rows_per_group {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes what is pending and the file's footer, and syncs it.
    pub fn finish(mut self) -> Result<()> {
        if self.pending_rows > 0 {
            self.flush()?;
        }
        self.writer.into_inner()?.sync_all()?;
        Ok(())
    }

    /// The pending rows as one row group.
    fn flush(&mut self) -> Result<()> {
        let group = std::mem::take(&mut self.pending);
        self.pending_rows = 0;
        let mut writers = self.factory.create_column_writers(self.groups)?.into_iter();
        self.groups += 1;
        // Fields dealt round the threads, each with its writers.
        let mut shares: Vec<Vec<(usize, Vec<_>)>> = (0..self.threads).map(|_| Vec::new()).collect();
        for (field, &n) in self.leaves.iter().enumerate() {
            shares[field % self.threads].push((field, writers.by_ref().take(n).collect::<Vec<_>>()));
        }
        let (schema, group) = (&self.schema, &group);
        // Per thread, its fields' column chunks.
        type Encoded = Result<Vec<(usize, Vec<ArrowColumnChunk>)>>;
        let encoded: Vec<Encoded> = std::thread::scope(|scope| {
            let handles: Vec<_> = shares
                .into_iter()
                .map(|share| {
                    scope.spawn(move || {
                        share
                            .into_iter()
                            .map(|(field, mut writers)| {
                                for batch in group {
                                    let leaves = compute_leaves(schema.field(field), batch.column(field))?;
                                    for (writer, leaf) in writers.iter_mut().zip(&leaves) {
                                        writer.write(leaf)?;
                                    }
                                }
                                let chunks = writers.into_iter().map(|w| w.close()).collect::<Result<Vec<_>, _>>()?;
                                Ok((field, chunks))
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| Err(DataFusionError::Internal("an encoding thread panicked".into())))
                })
                .collect()
        });
        let mut chunks = Vec::new();
        for share in encoded {
            chunks.extend(share?);
        }
        // Column chunks go into the row group in the schema's order.
        chunks.sort_by_key(|(field, _)| *field);
        let mut row_group = self.writer.next_row_group()?;
        for chunk in chunks.into_iter().flat_map(|(_, c)| c) {
            chunk.append_to_row_group(&mut row_group)?;
        }
        row_group.close()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int64Array, ListBuilder, StringArray, StringBuilder};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::*;

    /// Columns encoded apart and put back together read as written: flat and nested
    /// columns, batches cut across row groups and row groups made of several batches.
    #[test]
    fn answers_read_back_as_written() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("ids", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), true),
            Field::new("name", DataType::Utf8, true),
        ]));
        let batch = |from: i64, rows: i64| {
            let mut ids = ListBuilder::new(StringBuilder::new());
            for i in from..from + rows {
                if i % 7 == 0 {
                    ids.append_null();
                } else {
                    ids.append_value([Some(format!("a{i}")), None, Some(format!("b{i}"))]);
                }
            }
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from_iter_values(from..from + rows)),
                Arc::new(ids.finish()),
                Arc::new(StringArray::from_iter((from..from + rows).map(|i| (i % 5 != 0).then(|| format!("名{i}"))))),
            ];
            RecordBatch::try_new(schema.clone(), columns).unwrap()
        };
        let batches = vec![batch(0, 100_000), batch(100_000, 70_000), batch(170_000, 3), batch(170_003, 2_000)];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.parquet");
        let mut writer =
            AnswerWriter::with_group_rows(std::fs::File::create(&path).unwrap(), schema.clone(), 60_000).unwrap();
        for b in &batches {
            writer.push(b).unwrap();
        }
        writer.finish().unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
        let groups: Vec<i64> = reader.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, vec![60_000, 60_000, 52_003]);
        assert_eq!(reader.schema(), &schema);
        let read: Vec<RecordBatch> = reader.build().unwrap().map(Result::unwrap).collect();
        let all = |b: &[RecordBatch]| datafusion::arrow::compute::concat_batches(&schema, b).unwrap();
        assert_eq!(all(&read), all(&batches));
    }

    /// An answer with no rows is still a file with the view's columns.
    #[test]
    fn an_empty_answer_is_a_file_with_its_columns() {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, true)]));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.parquet");
        AnswerWriter::new(std::fs::File::create(&path).unwrap(), schema.clone()).unwrap().finish().unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 0);
        assert_eq!(reader.schema(), &schema);
    }
}
