//! Collects converted rows into Arrow record batches of a canonical table, with the
//! provenance columns (source file, line, import id) and the hidden key column.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Decimal128Builder, FixedSizeBinaryBuilder, Int64Builder, RecordBatch, StringBuilder,
    TimestampMicrosecondBuilder,
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
    key: FixedSizeBinaryBuilder,
    source_file: String,
    import_id: i64,
    rows: usize,
}

impl TableBuilder {
    pub fn new(kind: Kind, source_file: &str, import_id: i64) -> TableBuilder {
        let cols = kind
            .columns()
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
            key: FixedSizeBinaryBuilder::new(16),
            source_file: source_file.to_string(),
            import_id,
            rows: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one row: the table's own values, then provenance and key.
    pub fn append(&mut self, vals: &[Val<'_>], line: u64, key: u128) {
        let own = self.cols.len() - 3;
        debug_assert_eq!(vals.len(), own);
        for (b, v) in self.cols.iter_mut().zip(vals) {
            match (b, v) {
                (ColBuilder::Text(b), Val::Text(t)) => b.append_value(t),
                (ColBuilder::Money(b), Val::Money(m)) => b.append_value(*m),
                (ColBuilder::Time(b), Val::Time(t)) => b.append_value(*t),
                (ColBuilder::Text(b), Val::Null) => b.append_null(),
                (ColBuilder::Money(b), Val::Null) => b.append_null(),
                (ColBuilder::Time(b), Val::Null) => b.append_null(),
                (b, v) => unreachable!("column type and value disagree: {v:?} for {}", b.name()),
            }
        }
        let [file, line_col, import] = &mut self.cols[own..] else { unreachable!("three provenance columns") };
        match (file, line_col, import) {
            (ColBuilder::Text(f), ColBuilder::Int(l), ColBuilder::Int(i)) => {
                f.append_value(&self.source_file);
                l.append_value(line as i64);
                i.append_value(self.import_id);
            }
            _ => unreachable!("provenance columns are text, int, int"),
        }
        self.key.append_value(key.to_be_bytes()).expect("16-byte key");
        self.rows += 1;
    }

    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
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
        arrays.push(Arc::new(self.key.finish()));
        self.rows = 0;
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
