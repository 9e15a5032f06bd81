//! Collects converted rows into Arrow record batches of a canonical table, with the
//! provenance columns (source file, line, import id) and the hidden key column.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Decimal128Builder, FixedSizeBinaryBuilder, Int64Array, Int64Builder, RecordBatch, StringArray,
    StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::error::ArrowError;

use super::convert::Val;
use crate::schema::{ColType, Kind, MONEY_PRECISION, MONEY_SCALE};

enum ColBuilder {
    Text(StringBuilder),
    Money(Decimal128Builder),
    Time(TimestampMicrosecondBuilder),
    Int(Int64Builder),
}

pub struct TableBuilder {
    schema: SchemaRef,
    cols: Vec<ColBuilder>,
    lines: Vec<i64>,
    key: FixedSizeBinaryBuilder,
    source_file: String,
    import_id: i64,
}

impl TableBuilder {
    pub fn new(kind: Kind, source_file: &str, import_id: i64) -> TableBuilder {
        // The table's own columns; provenance (the last three) is added at finish.
        let own = kind.columns().len() - 3;
        let cols = kind.columns()[..own]
            .iter()
            .map(|c| match c.ty {
                ColType::Text => ColBuilder::Text(StringBuilder::new()),
                ColType::Money => ColBuilder::Money(
                    Decimal128Builder::new()
                        .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)
                        .expect("valid decimal type"),
                ),
                ColType::Time => ColBuilder::Time(TimestampMicrosecondBuilder::new()),
                ColType::Int => ColBuilder::Int(Int64Builder::new()),
            })
            .collect();
        TableBuilder {
            schema: kind.file_schema(),
            cols,
            lines: Vec::new(),
            key: FixedSizeBinaryBuilder::new(16),
            source_file: source_file.to_string(),
            import_id,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Appends one row: the table's own values, its line and its key.
    pub fn append(&mut self, vals: &[Val<'_>], line: u64, key: u128) {
        debug_assert_eq!(vals.len(), self.cols.len());
        for (b, v) in self.cols.iter_mut().zip(vals) {
            match (b, v) {
                (ColBuilder::Text(b), Val::Text(t)) => b.append_value(t),
                (ColBuilder::Money(b), Val::Money(m)) => b.append_value(*m),
                (ColBuilder::Time(b), Val::Time(t)) => b.append_value(*t),
                (ColBuilder::Int(b), Val::Int(i)) => b.append_value(*i),
                (ColBuilder::Int(b), Val::Null) => b.append_null(),
                (ColBuilder::Text(b), Val::Null) => b.append_null(),
                (ColBuilder::Money(b), Val::Null) => b.append_null(),
                (ColBuilder::Time(b), Val::Null) => b.append_null(),
                (b, v) => unreachable!("column type and value disagree: {v:?} for {}", b.name()),
            }
        }
        self.lines.push(line as i64);
        self.key.append_value(key.to_be_bytes()).expect("16-byte key");
    }

    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let n = self.lines.len();
        let mut arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|b| -> ArrayRef {
                match b {
                    ColBuilder::Text(b) => Arc::new(b.finish()),
                    ColBuilder::Money(b) => Arc::new(b.finish()),
                    ColBuilder::Time(b) => Arc::new(b.finish()),
                    ColBuilder::Int(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        // Provenance: the same file and import for every row, built in one go.
        arrays.push(Arc::new(StringArray::from_iter_values(std::iter::repeat_n(self.source_file.as_str(), n))));
        arrays.push(Arc::new(Int64Array::from(std::mem::take(&mut self.lines))));
        arrays.push(Arc::new(Int64Array::from_value(self.import_id, n)));
        arrays.push(Arc::new(self.key.finish()));
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}

impl ColBuilder {
    fn name(&self) -> &'static str {
        match self {
            ColBuilder::Text(_) => "text",
            ColBuilder::Money(_) => "money",
            ColBuilder::Time(_) => "time",
            ColBuilder::Int(_) => "int",
        }
    }
}
