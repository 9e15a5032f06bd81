//! A run's copy of a view it has just kept as an answer: the answer file's column chunks
//! spliced unchanged behind a new `run_id` column, rather than decoded and encoded again
//! (at a million orders re-encoding `order_settlement` and `receivables` was a tenth of
//! `reconcile`). The copy is what `SELECT run_id, * FROM view` would write.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ArrowReaderMetadata;
use datafusion::parquet::arrow::arrow_writer::compute_leaves;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::column::writer::ColumnCloseResult;
use datafusion::parquet::errors::{ParquetError, Result};
use datafusion::parquet::file::metadata::{PageIndexPolicy, ParquetMetaDataReader};
use datafusion::parquet::file::properties::WriterProperties;

/// Writes `answer`'s rows, each led by `run_id`, to `out` (synced); returns the rows.
pub fn with_run_id(answer: &Path, run_id: i64, out: File) -> Result<u64> {
    let source = File::open(answer)?;
    let metadata =
        ParquetMetaDataReader::new().with_page_index_policy(PageIndexPolicy::Optional).parse_and_finish(&source)?;
    // The Arrow schema the answer was written with (kept in its metadata), led by run_id.
    let arrow = ArrowReaderMetadata::try_new(Arc::new(metadata.clone()), Default::default())?;
    let mut fields = vec![Arc::new(Field::new("run_id", DataType::Int64, false))];
    fields.extend(arrow.schema().fields().iter().cloned());
    let schema = Arc::new(Schema::new_with_metadata(fields, arrow.schema().metadata().clone()));
    let props = WriterProperties::builder().set_compression(Compression::LZ4_RAW).build();
    let (mut writer, factory) = ArrowWriter::try_new(out, schema.clone(), Some(props))?.into_serialized_writer()?;
    let mut rows = 0u64;
    for (index, group) in metadata.row_groups().iter().enumerate() {
        let n = group.num_rows();
        rows += n as u64;
        let mut row_group = writer.next_row_group()?;
        // run_id: one value, encoded afresh (a dictionary of one, next to nothing).
        let mut id =
            factory.create_column_writers(index)?.into_iter().next().ok_or_else(|| general("no run_id column"))?;
        let ids: ArrayRef = Arc::new(Int64Array::from_value(run_id, n as usize));
        for leaf in compute_leaves(schema.field(0), &ids)? {
            id.write(&leaf)?;
        }
        id.close()?.append_to_row_group(&mut row_group)?;
        // Every other column as the answer has it, byte for byte.
        let page_index = |i: usize| {
            let column_index = metadata.column_index().and_then(|c| c.get(index)).and_then(|c| c.get(i)).cloned();
            let offset_index = metadata.offset_index().and_then(|o| o.get(index)).and_then(|o| o.get(i)).cloned();
            (column_index, offset_index)
        };
        for (i, column) in group.columns().iter().enumerate() {
            let (column_index, offset_index) = page_index(i);
            let close = ColumnCloseResult {
                bytes_written: column.compressed_size() as u64,
                rows_written: n as u64,
                metadata: column.clone(),
                bloom_filter: None,
                column_index,
                offset_index,
            };
            row_group.append_column(&source, close)?;
        }
        row_group.close()?;
    }
    writer.into_inner()?.sync_all()?;
    Ok(rows)
}

fn general(message: &str) -> ParquetError {
    ParquetError::General(message.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int64Array, ListBuilder, RecordBatch, StringArray, StringBuilder};
    use datafusion::arrow::compute::concat_batches;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use datafusion::parquet::file::properties::WriterProperties;

    /// The copy reads back as the answer's rows with run_id in front, flat and nested
    /// columns, over several row groups, nulls included.
    #[test]
    fn the_copy_is_the_answer_led_by_its_run() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("ids", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), true),
            Field::new("name", DataType::Utf8, true),
        ]));
        let mut ids = ListBuilder::new(StringBuilder::new());
        for i in 0..2500 {
            if i % 7 == 0 {
                ids.append_null();
            } else {
                ids.append_value([Some(format!("a{i}")), None]);
            }
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from_iter_values(0..2500)),
            Arc::new(ids.finish()),
            Arc::new(StringArray::from_iter((0..2500).map(|i| (i % 5 != 0).then(|| format!("名{i}"))))),
        ];
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let answer = dir.path().join("answer.parquet");
        let props = WriterProperties::builder().set_max_row_group_row_count(Some(1000)).build();
        let mut w = ArrowWriter::try_new(std::fs::File::create(&answer).unwrap(), schema.clone(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();

        let copy = dir.path().join("copy.parquet");
        let rows = super::with_run_id(&answer, 42, std::fs::File::create(&copy).unwrap()).unwrap();
        assert_eq!(rows, 2500);
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&copy).unwrap()).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 3);
        let read: Vec<RecordBatch> = reader.build().unwrap().map(Result::unwrap).collect();
        let read = concat_batches(&read[0].schema(), &read).unwrap();
        assert_eq!(read.schema().field(0), &Field::new("run_id", DataType::Int64, false));
        assert_eq!(read.column(0).as_ref(), &Int64Array::from_value(42, 2500));
        assert_eq!(read.project(&[1, 2, 3]).unwrap(), batch);
    }
}
