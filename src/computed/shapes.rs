//! The built-in views' shapes — each one's columns and whether its answer depends on the
//! as-of — kept with a workspace state's answers, so a later process registers the views
//! without planning them (planning all of them was most of a short command's start). One
//! Arrow IPC file: a column per view, a struct of the view's own columns.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::ipc::reader::FileReader;
use datafusion::arrow::ipc::writer::FileWriter;

/// What registering a view needs besides its SQL.
#[derive(Clone, Debug)]
pub struct Shape {
    pub schema: SchemaRef,
    pub timeless: bool,
}

const TIMELESS: &str = "recon.timeless";

/// The shapes kept in `file`; `None` when there is none or it cannot be read (the views
/// are then planned, as always).
pub fn load(file: &Path) -> Option<BTreeMap<String, Shape>> {
    let reader = FileReader::try_new(std::fs::File::open(file).ok()?, None).ok()?;
    let mut shapes = BTreeMap::new();
    for field in reader.schema().fields() {
        let DataType::Struct(columns) = field.data_type() else { return None };
        let timeless = field.metadata().get(TIMELESS)?.as_str() == "true";
        let schema = Arc::new(Schema::new(columns.clone()));
        shapes.insert(field.name().clone(), Shape { schema, timeless });
    }
    Some(shapes)
}

/// Keeps `shapes` in `file` (whole or not at all, like an answer).
pub fn save(file: &Path, shapes: &BTreeMap<String, Shape>) -> std::io::Result<()> {
    let fields: Vec<Field> = shapes
        .iter()
        .map(|(name, shape)| {
            Field::new(name, DataType::Struct(shape.schema.fields().clone()), true)
                .with_metadata(std::iter::once((TIMELESS.to_string(), shape.timeless.to_string())).collect())
        })
        .collect();
    let schema = Schema::new(fields);
    crate::workspace::answers::keep(file, |f| {
        let mut writer = FileWriter::try_new(f, &schema).map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)?;
        writer.into_inner().map_err(std::io::Error::other)?.sync_all()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::TimeUnit;

    #[test]
    fn shapes_come_back_as_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("views.arrow");
        let mut shapes = BTreeMap::new();
        let receivables = Schema::new(vec![
            Field::new("order_id", DataType::Utf8, true),
            Field::new("outstanding", DataType::Decimal128(18, 2), false),
            Field::new("due_date", DataType::Timestamp(TimeUnit::Microsecond, None), true),
        ]);
        shapes.insert("receivables".to_string(), Shape { schema: Arc::new(receivables.clone()), timeless: false });
        let payouts = Schema::new(vec![Field::new("payout_id", DataType::Utf8View, false)]);
        shapes.insert("payouts".to_string(), Shape { schema: Arc::new(payouts.clone()), timeless: true });
        save(&file, &shapes).unwrap();
        let back = load(&file).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(*back["receivables"].schema, receivables);
        assert!(!back["receivables"].timeless);
        assert_eq!(*back["payouts"].schema, payouts);
        assert!(back["payouts"].timeless);
        std::fs::write(&file, b"not arrow").unwrap();
        assert!(load(&file).is_none(), "a damaged file is no shapes, not an error");
    }
}
