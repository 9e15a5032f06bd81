//! The SQL session over a workspace: one DataFusion `SessionContext` per process with
//! the canonical tables registered over their Parquet files (nothing is scanned until a
//! query needs it), the import log as a table, analysts' own tables, the views of
//! `sql/` and then the user's views, a memory limit, and spilling to the workspace.

use std::num::NonZeroUsize;
use std::sync::Arc;

use datafusion::catalog::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::error::Result;
use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use crate::schema::Kind;
use crate::views::{self, ViewDef};
use crate::workspace::{Catalog, Workspace};

pub fn config() -> SessionConfig {
    SessionConfig::new()
        .with_information_schema(true)
        .set_bool("datafusion.sql_parser.parse_float_as_decimal", true)
        // Plan one input at a time: planning a built-in view's scan computes its answer
        // (src/computed), and a UNION's inputs planned at once computed several views
        // side by side, their memory added up (anomalies' three checks: 8.5 GB at 10M
        // orders). Each view's query still runs on every core.
        .set_usize("datafusion.execution.planning_concurrency", 1)
        .with_option_extension(crate::asof::initial())
}

pub struct Session {
    pub ctx: SessionContext,
    /// Views that no longer plan, and the like: reported, never fatal.
    pub warnings: Vec<String>,
    /// The catalog generation the registered tables reflect.
    pub generation: u64,
    pub views: Vec<ViewDef>,
    /// Whose session it is: what it may plan, and for a viewer every table holding
    /// personal data seen through masks.
    pub role: crate::auth::Role,
    pub masked: bool,
    /// The workspace's folder, which SQL may not read or write files in.
    pub root: std::path::PathBuf,
    /// Where the built-in views' answers are kept for this state.
    answers: Option<crate::workspace::answers::Answers>,
    /// The as-of this session pinned for itself when none was given (see `pin`).
    pinned: Option<String>,
    /// The memory its queries may use before spilling, in bytes.
    memory_limit: usize,
}

/// DataFusion's logical optimizer rules, with `eliminate_cross_join` kept from dropping
/// join conditions (`join_keys`).
fn optimizer_rules() -> Vec<Arc<dyn datafusion::optimizer::OptimizerRule + Send + Sync>> {
    datafusion::optimizer::Optimizer::new()
        .rules
        .into_iter()
        .map(|rule| -> Arc<dyn datafusion::optimizer::OptimizerRule + Send + Sync> {
            if rule.name() == crate::join_keys::GUARDED {
                Arc::new(crate::join_keys::KeepJoinConditions::new(rule))
            } else {
                rule
            }
        })
        .collect()
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
    /// Builds the session of a user with `role`; `memory_limit` in bytes.
    pub async fn open(ws: &Workspace, memory_limit: usize, role: crate::auth::Role) -> Result<Session> {
        let masked = role == crate::auth::Role::Viewer;
        // A folder of this process's own: another process's debris sweep leaves it be
        // while this one lives (transaction.rs), even when it is empty between spills.
        let spill = ws.root().join("spill");
        crate::workspace::fsutil::create_private_dir(&spill)?;
        let spill = spill.join(std::process::id().to_string());
        crate::workspace::fsutil::create_private_dir(&spill)?;
        // Fair shares for what can spill (sorts, aggregates), first come for what cannot
        // (a hash join's build side): under a low limit a sort spills instead of taking
        // the room a join needs and failing the query.
        let pool = TrackConsumersPool::new(FairSpillPool::new(memory_limit), NonZeroUsize::new(5).expect("5 > 0"));
        let runtime =
            RuntimeEnvBuilder::new().with_memory_pool(Arc::new(pool)).with_temp_file_path(spill).build_arc()?;
        // A sort keeps this much aside to merge what it spilled; DataFusion's 10 MB would
        // leave nothing else to a small limit.
        let merge = (memory_limit / 16).min(10 << 20);
        let config = config().set_usize("datafusion.execution.sort_spill_reservation_bytes", merge);
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(runtime)
            .with_default_features()
            .with_optimizer_rules(optimizer_rules())
            .with_physical_optimizer_rule(Arc::new(crate::optimizer::SmallSideFirst))
            .build();
        let ctx = SessionContext::new_with_state(state);
        let catalog = ws.catalog().map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
        let mut session = Session {
            ctx,
            warnings: Vec::new(),
            generation: catalog.generation,
            views: Vec::new(),
            role,
            masked,
            root: ws.root().to_path_buf(),
            answers: None,
            pinned: None,
            memory_limit,
        };
        session.load(ws, &catalog).await?;
        Ok(session)
    }

    /// Loads everything anew when another process (or this one) committed since: what
    /// a view computed, and what a user's view read, may have changed.
    pub async fn refresh(&mut self, ws: &Workspace) -> Result<()> {
        let catalog = ws.catalog().map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
        if catalog.generation != self.generation {
            self.load(ws, &catalog).await?;
            self.generation = catalog.generation;
        }
        Ok(())
    }

    async fn load(&mut self, ws: &Workspace, catalog: &Catalog) -> Result<()> {
        self.warnings.clear();
        // The functions that read settings (the working-day calendar, the text limit)
        // follow a settings change like every view does.
        let settings = crate::settings::Settings::load(ws).map_err(datafusion::error::DataFusionError::Plan)?;
        let calendar = settings.calendar().map_err(datafusion::error::DataFusionError::Plan)?;
        crate::udf::register(&self.ctx, Arc::new(calendar));
        crate::udf::bounded::register(&self.ctx, settings.limits.max_text_length);
        self.register_tables(ws, catalog).await?;
        self.answers = crate::workspace::answers::Answers::of(ws, catalog);
        self.pin()?;
        self.load_builtin_views().await;
        if self.masked {
            // Built-in views were planned over the originals (matching by buyer name
            // must not change with who looks); from here on every name resolves to masks.
            self.mask_tables().await?;
        }
        self.load_user_views(ws).await;
        Ok(())
    }

    /// Gives a session without an as-of the instant its state was first read today, so
    /// its answers can be kept and read by the next process (`Answers::pinned_now`). An
    /// as-of the user set stays; one this session pinned moves with a new state.
    fn pin(&mut self) -> Result<()> {
        let Some(answers) = &self.answers else { return Ok(()) };
        let current = crate::asof::key(self.ctx.state().config_options());
        if !current.is_empty() && self.pinned.as_ref() != Some(&current) {
            return Ok(());
        }
        let now = answers.pinned_now();
        self.ctx.state_ref().write().config_mut().options_mut().set("recon.as_of", &now)?;
        self.pinned = Some(now);
        Ok(())
    }

    /// Re-registers every table and view that holds personal data behind masks.
    async fn mask_tables(&self) -> Result<()> {
        let Some(schema) = self.ctx.catalog("datafusion").and_then(|c| c.schema("public")) else {
            return Ok(());
        };
        let state = self.ctx.state();
        let udfs: Vec<_> =
            crate::auth::mask::PERSONAL.iter().filter_map(|(_, f)| state.scalar_functions().get(*f).cloned()).collect();
        for name in schema.table_names() {
            let Some(provider) = schema.table(&name).await? else { continue };
            if let Some(masked) = crate::auth::mask::masked(&name, provider, &udfs)? {
                schema.deregister_table(&name)?;
                schema.register_table(name, masked)?;
            }
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
        let settings = crate::settings::Settings::load(ws).map_err(datafusion::error::DataFusionError::Plan)?;
        crate::records::register(ctx, catalog, &settings)?;
        for t in &catalog.tables {
            ctx.deregister_table(t.name.as_str())?;
            if self.masked && t.personal {
                self.warnings.push(format!(
                    "table {} was made from customers' personal data and is not shown to viewers",
                    t.name
                ));
                continue;
            }
            let path = ws.path(&t.file);
            if let Err(e) = ctx
                .register_parquet(t.name.as_str(), path.to_string_lossy().as_ref(), ParquetReadOptions::default())
                .await
            {
                self.warnings.push(format!("table {} cannot be read ({}): {e}", t.name, t.file));
            }
        }
        self.register_runs(ws, catalog).await
    }

    /// `run_<view>`: each view a run kept, across all runs, with its `run_id`.
    async fn register_runs(&self, ws: &Workspace, catalog: &Catalog) -> Result<()> {
        let mut by_view: std::collections::BTreeMap<&str, Vec<ListingTableUrl>> = std::collections::BTreeMap::new();
        for run in &catalog.runs {
            for view in run.views.keys() {
                let path = ws.path(&format!("{}/{view}.parquet", run.dir));
                by_view.entry(view.as_str()).or_default().push(ListingTableUrl::parse(path.to_string_lossy())?);
            }
        }
        for (view, urls) in by_view {
            let name = format!("run_{view}");
            self.ctx.deregister_table(name.as_str())?;
            let options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
            let config = ListingTableConfig::new_with_multi_paths(urls)
                .with_listing_options(options)
                .infer_schema(&self.ctx.state())
                .await?;
            self.ctx.register_table(name.as_str(), Arc::new(ListingTable::try_new(config)?))?;
        }
        Ok(())
    }

    /// Built-in views, as computed views. With the shapes an earlier session kept for
    /// this state, a view is registered unplanned (planned if it must be computed); a
    /// viewer's session plans every one now, before its tables are masked.
    async fn load_builtin_views(&mut self) {
        for v in &self.views {
            let _ = self.ctx.deregister_table(v.name.as_str());
        }
        self.views.clear();
        let file = self.answers.as_ref().map(|a| a.shapes_file());
        let known = file.as_deref().filter(|_| !self.masked).and_then(crate::computed::shapes::load);
        let mut shapes = std::collections::BTreeMap::new();
        // How this session reads SQL, for the views it plans later.
        let parser = self.ctx.state_ref().read().config().options().sql_parser.clone();
        let mut all_planned = true;
        for v in views::builtin() {
            let shape = known.as_ref().and_then(|k| k.get(&v.name)).filter(|_| !v.is_inlined());
            let registered = match shape {
                Some(shape) => self.register_unplanned(&v, shape.clone(), &parser).map(|()| Some(shape.clone())),
                None => self.register_builtin(&v).await,
            };
            match registered {
                Ok(Some(shape)) => {
                    shapes.insert(v.name.clone(), shape);
                }
                Ok(None) => {}
                Err(e) => {
                    all_planned = false;
                    self.warnings.push(format!("built-in view {} does not plan: {e}", v.name));
                }
            }
            self.views.push(v);
        }
        // Kept for the next session over this state, once every computed view planned,
        // and planned as recon reads SQL (not after a shell's SET of parser options).
        let as_recon_reads = parser == config().options().sql_parser;
        if let Some(file) = file
            && known.is_none()
            && !self.masked
            && as_recon_reads
            && all_planned
        {
            let _ = crate::computed::shapes::save(&file, &shapes);
        }
    }

    /// The user's views, each in an order where what it reads exists. Each query is
    /// planned here, in this session — under its role's checks, over its masks — exactly
    /// as if the reader had typed it; a view that does not plan is reported and left out.
    async fn load_user_views(&mut self, ws: &Workspace) {
        let (mut pending, refused) = views::user_views(ws);
        self.warnings.extend(refused);
        // A user view may read another: keep planning while something succeeds.
        loop {
            let before = pending.len();
            let (mut failed, mut errors) = (Vec::new(), Vec::new());
            for v in pending {
                match self.register_user_view(&v).await {
                    Ok(()) => self.views.push(v),
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

    /// Plans a user view's query as this session's user may, and registers it.
    pub async fn register_user_view(&self, v: &ViewDef) -> Result<()> {
        let plan = self.ctx.state().create_logical_plan(&v.query).await?;
        crate::auth::guard::check_plan(self.role, &plan).map_err(datafusion::error::DataFusionError::Plan)?;
        if !matches!(crate::auth::guard::statement_kind(&plan), crate::auth::guard::StatementKind::Query) {
            return Err(datafusion::error::DataFusionError::Plan("a view is a query".into()));
        }
        let _ = self.ctx.deregister_table(v.name.as_str())?;
        let view = datafusion::datasource::ViewTable::new(plan, Some(v.query.clone()));
        self.ctx.register_table(v.name.as_str(), Arc::new(view))?;
        Ok(())
    }

    /// Plans and registers a built-in view; a computed one's shape.
    async fn register_builtin(&self, v: &ViewDef) -> Result<Option<crate::computed::shapes::Shape>> {
        // A cheap filter over a big table costs more to keep than to recompute.
        if v.is_inlined() {
            self.ctx.sql(&v.sql).await?;
            return Ok(None);
        }
        let view =
            crate::computed::ComputedView::plan(&self.ctx, &v.name, &v.sql, &v.query, self.answers.clone()).await?;
        let shape = view.shape();
        self.ctx.register_table(v.name.as_str(), Arc::new(view))?;
        Ok(Some(shape))
    }

    /// Registers a computed built-in view of a known shape without planning it; `parser`
    /// reads its SQL when it is planned.
    fn register_unplanned(
        &self,
        v: &ViewDef,
        shape: crate::computed::shapes::Shape,
        parser: &datafusion::config::SqlParserOptions,
    ) -> Result<()> {
        let view = crate::computed::ComputedView::unplanned(
            &v.name,
            &v.sql,
            &v.query,
            shape,
            parser.clone(),
            self.answers.clone(),
        );
        self.ctx.register_table(v.name.as_str(), Arc::new(view))?;
        Ok(())
    }

    /// How many built-in views a run may compute side by side: one per core, or one at a
    /// time when the memory allowed is below the default (`--memory-limit`): their
    /// memory adds up, and a hash join cannot spill.
    pub fn views_at_once(&self) -> usize {
        if self.memory_limit < default_memory_limit() {
            return 1;
        }
        self.ctx.state().config().target_partitions().max(1)
    }

    pub fn is_user_view(&self, name: &str) -> bool {
        self.views.iter().any(|v| !v.builtin && v.name.eq_ignore_ascii_case(name))
    }
}

/// `sql` planned as `session`'s user may: checked before anything runs.
pub async fn planned(session: &Session, sql: &str) -> Result<datafusion::prelude::DataFrame> {
    let plan = session.ctx.state().create_logical_plan(sql).await?;
    check(session.role, &session.root, &plan)?;
    session.ctx.execute_logical_plan(plan).await
}

/// What every plan must pass before it runs: the role's rules, and no file inside the
/// workspace at `root` read or written through SQL.
pub fn check(
    role: crate::auth::Role,
    root: &std::path::Path,
    plan: &datafusion::logical_expr::LogicalPlan,
) -> Result<()> {
    crate::auth::guard::check_plan(role, plan).map_err(forbidden)?;
    crate::auth::guard::check_files(plan, root).map_err(forbidden)
}

/// A refusal carried through DataFusion's error type; `Error::from` turns it back.
pub fn forbidden(message: String) -> datafusion::error::DataFusionError {
    datafusion::error::DataFusionError::External(Box::new(crate::auth::Forbidden(message)))
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
