//! The SQL session over a workspace: one DataFusion `SessionContext` per process with
//! the canonical tables registered over their Parquet files (nothing is scanned until a
//! query needs it), the import log as a table, analysts' own tables, the views of
//! `sql/` and then the user's views, a memory limit, and spilling to the workspace.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::catalog::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::error::Result;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use crate::schema::Kind;
use crate::views::{self, ViewDef};
use crate::workspace::{Catalog, Workspace};

pub fn config() -> SessionConfig {
    SessionConfig::new().with_information_schema(true).set_bool("datafusion.sql_parser.parse_float_as_decimal", true)
}

pub struct Session {
    pub ctx: SessionContext,
    /// Views that no longer plan, and the like: reported, never fatal.
    pub warnings: Vec<String>,
    /// The catalog generation the registered tables reflect.
    pub generation: u64,
    pub views: Vec<ViewDef>,
}

/// Half the machine's memory, the default limit for query memory before spilling.
pub fn default_memory_limit() -> usize {
    let total_kb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().find(|l| l.starts_with("MemTotal:"))?.split_whitespace().nth(1)?.parse::<usize>().ok());
    total_kb.map_or(4 << 30, |kb| kb * 1024 / 2)
}

/// `2GB`, `512MB`, `1.5G`, `800000000` → bytes.
pub fn parse_size(s: &str) -> Option<usize> {
    let t = s.trim().to_ascii_uppercase();
    let t = t.strip_suffix('B').unwrap_or(&t);
    let (num, mul) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 1usize << 10),
        'M' => (&t[..t.len() - 1], 1 << 20),
        'G' => (&t[..t.len() - 1], 1 << 30),
        'T' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let v: f64 = num.trim().parse().ok()?;
    (v > 0.0).then_some((v * mul as f64) as usize)
}

impl Session {
    /// Builds the session; `memory_limit` in bytes.
    pub async fn open(ws: &Workspace, memory_limit: usize) -> Result<Session> {
        let spill = ws.root().join("spill");
        crate::workspace::fsutil::create_private_dir(&spill)?;
        let runtime =
            RuntimeEnvBuilder::new().with_memory_limit(memory_limit, 1.0).with_temp_file_path(spill).build_arc()?;
        let ctx = SessionContext::new_with_config_rt(config(), runtime);
        crate::udf::register(&ctx);
        let catalog = ws.catalog().map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
        let mut session = Session { ctx, warnings: Vec::new(), generation: catalog.generation, views: Vec::new() };
        session.register_tables(ws, &catalog).await?;
        session.load_views(ws).await;
        Ok(session)
    }

    /// Re-registers the tables when another process (or this one) committed since.
    pub async fn refresh(&mut self, ws: &Workspace) -> Result<()> {
        let catalog = ws.catalog().map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
        if catalog.generation != self.generation {
            self.register_tables(ws, &catalog).await?;
            self.generation = catalog.generation;
        }
        Ok(())
    }

    async fn register_tables(&mut self, ws: &Workspace, catalog: &Catalog) -> Result<()> {
        let ctx = &self.ctx;
        for kind in Kind::ALL {
            let files = ws.data_files(catalog, kind);
            let schema = kind.schema();
            ctx.deregister_table(kind.table())?;
            if files.is_empty() {
                ctx.register_table(kind.table(), Arc::new(MemTable::try_new(schema, vec![vec![]])?))?;
                continue;
            }
            let urls = files.iter().map(|f| ListingTableUrl::parse(f.to_string_lossy())).collect::<Result<Vec<_>>>()?;
            let options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
            let config =
                ListingTableConfig::new_with_multi_paths(urls).with_listing_options(options).with_schema(schema);
            ctx.register_table(kind.table(), Arc::new(ListingTable::try_new(config)?))?;
        }
        ctx.deregister_table("imports")?;
        ctx.register_table("imports", Arc::new(imports_table(catalog)?))?;
        for t in &catalog.tables {
            ctx.deregister_table(t.name.as_str())?;
            let path = ws.path(&t.file);
            if let Err(e) = ctx
                .register_parquet(t.name.as_str(), path.to_string_lossy().as_ref(), ParquetReadOptions::default())
                .await
            {
                self.warnings.push(format!("table {} cannot be read ({}): {e}", t.name, t.file));
            }
        }
        Ok(())
    }

    /// Built-in views, then the user's, each in an order where what it reads exists.
    async fn load_views(&mut self, ws: &Workspace) {
        for v in views::builtin() {
            if let Err(e) = self.ctx.sql(&v.sql).await {
                self.warnings.push(format!("built-in view {} does not plan: {e}", v.name));
            }
            self.views.push(v);
        }
        // A user view may read another: keep planning while something succeeds.
        let mut pending = views::user_views(ws);
        loop {
            let before = pending.len();
            let (mut failed, mut errors) = (Vec::new(), Vec::new());
            for v in pending {
                match self.ctx.sql(&v.sql).await {
                    Ok(_) => self.views.push(v),
                    Err(e) => {
                        errors.push(format!("your view {} no longer plans and is left out: {e}", v.name));
                        failed.push(v);
                    }
                }
            }
            if failed.is_empty() {
                break;
            }
            if failed.len() == before {
                self.warnings.append(&mut errors);
                break;
            }
            pending = failed;
        }
    }

    pub fn is_user_view(&self, name: &str) -> bool {
        self.views.iter().any(|v| !v.builtin && v.name.eq_ignore_ascii_case(name))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2GB"), Some(2 << 30));
        assert_eq!(parse_size("512mb"), Some(512 << 20));
        assert_eq!(parse_size("1.5G"), Some(3 << 29));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("lots"), None);
        assert!(default_memory_limit() > 0);
    }
}
