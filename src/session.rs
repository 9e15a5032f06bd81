//! The SQL session over a workspace: one DataFusion `SessionContext` with the canonical
//! tables registered over their Parquet files (nothing is scanned until a query needs
//! it) and the import log as a table.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::catalog::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::schema::Kind;
use crate::workspace::{Catalog, Workspace};

pub fn config() -> SessionConfig {
    SessionConfig::new().with_information_schema(true).set_bool("datafusion.sql_parser.parse_float_as_decimal", true)
}

/// A context with every table of the workspace registered.
pub fn open(ws: &Workspace) -> Result<SessionContext> {
    let catalog = ws.catalog().map_err(|e| DataFusionError::External(Box::new(e)))?;
    let ctx = SessionContext::new_with_config(config());
    register_tables(&ctx, ws, &catalog)?;
    Ok(ctx)
}

pub fn register_tables(ctx: &SessionContext, ws: &Workspace, catalog: &Catalog) -> Result<()> {
    for kind in Kind::ALL {
        let files = ws.data_files(catalog, kind);
        let schema = kind.schema();
        if files.is_empty() {
            ctx.register_table(kind.table(), Arc::new(MemTable::try_new(schema, vec![vec![]])?))?;
            continue;
        }
        let urls = files.iter().map(|f| ListingTableUrl::parse(f.to_string_lossy())).collect::<Result<Vec<_>>>()?;
        let options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let config = ListingTableConfig::new_with_multi_paths(urls).with_listing_options(options).with_schema(schema);
        ctx.register_table(kind.table(), Arc::new(ListingTable::try_new(config)?))?;
    }
    ctx.register_table("imports", Arc::new(imports_table(catalog)?))?;
    Ok(())
}

/// The import log as a table, undone imports included (their `undone_at` is set).
fn imports_table(catalog: &Catalog) -> Result<MemTable> {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("time", ts.clone(), false),
        Field::new("user", DataType::Utf8, false),
        Field::new("source_file", DataType::Utf8, false),
        Field::new("sha256", DataType::Utf8, false),
        Field::new("format", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("rows_stored", DataType::Int64, false),
        Field::new("duplicates_skipped", DataType::Int64, false),
        Field::new("rows_rejected", DataType::Int64, false),
        Field::new("rows_ignored", DataType::Int64, false),
        Field::new("lines_skipped", DataType::Int64, false),
        Field::new("undone_at", ts, true),
        Field::new("undone_by", DataType::Utf8, true),
    ]));
    let imports = &catalog.imports;
    let time =
        |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.naive_local().and_utc().timestamp_micros());
    let int = |f: &dyn Fn(&crate::workspace::ImportRecord) -> u64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(imports.iter().map(|r| f(r) as i64)))
    };
    let text = |f: &dyn Fn(&crate::workspace::ImportRecord) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(imports.iter().map(f)))
    };
    let columns: Vec<ArrayRef> = vec![
        int(&|r| r.id),
        Arc::new(TimestampMicrosecondArray::from_iter(imports.iter().map(|r| time(&r.time)))),
        text(&|r| &r.user),
        text(&|r| &r.source_file),
        text(&|r| &r.sha256),
        text(&|r| &r.format),
        text(&|r| &r.kind),
        int(&|r| r.rows_stored),
        int(&|r| r.duplicates_skipped),
        int(&|r| r.rows_rejected),
        int(&|r| r.rows_ignored),
        int(&|r| r.lines_skipped),
        Arc::new(TimestampMicrosecondArray::from_iter(
            imports.iter().map(|r| r.undone.as_ref().and_then(|u| time(&u.time))),
        )),
        Arc::new(StringArray::from_iter(imports.iter().map(|r| r.undone.as_ref().map(|u| u.user.as_str())))),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    MemTable::try_new(schema, vec![vec![batch]])
}
