//! Built-in views as computed tables. The matching views build on each other many
//! levels deep; as plain views every query would inline and re-run the whole chain,
//! and planning alone would take minutes. A computed view runs its query the first
//! time a statement reads it and keeps the result until the workspace changes (a new
//! session, or the tables registered anew after an import or a decision) or, for a view
//! whose answer depends on it, the session's as-of does, so each step of matching runs
//! once. To a user it is a view: always the current state, its SQL shown by `.views`.
//! Each result is also kept as Parquet per workspace state and as-of
//! (`workspace::answers`): another process over the same state reads the file, and
//! this one, having written it, reads it back rather than holding it in memory.

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{MemTable, Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::context::SessionState;
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use tokio::sync::Mutex;

use crate::workspace::answers::{self, Answers};

mod schedule;
pub mod shapes;
mod writer;
pub use schedule::compute;
use writer::AnswerWriter;

#[derive(Debug)]
pub struct ComputedView {
    name: String,
    /// The `CREATE VIEW` statement, for `information_schema.views`.
    definition: String,
    /// Its query, planned when the view is first computed unless planned already.
    query: String,
    /// The query planned, over the tables registered when it was: a viewer's session
    /// plans the built-in views before it masks tables, so matching (by buyer name, among
    /// others) computes the same whoever looks. Other sessions that know each view's
    /// schema (`shapes`) plan a view only when it must be computed: a process that reads
    /// two kept answers does not plan a hundred and twenty views first.
    plan: tokio::sync::OnceCell<LogicalPlan>,
    /// How its SQL is read when planned late: the session's own settings, not what a
    /// reader `SET` since.
    parser: datafusion::config::SqlParserOptions,
    schema: SchemaRef,
    /// The result, the as-of setting it was computed under, and the file it is kept in.
    result: Mutex<Option<(String, Answer)>>,
    /// Whether its answer is the same whatever the as-of: it neither calls `as_of()` nor
    /// reads a view that depends on it. Such a view (the whole matching chain) is not
    /// computed again when only the as-of changes.
    timeless: bool,
    /// Where results are kept for other processes; none for a read-only workspace.
    answers: Option<Answers>,
}

impl ComputedView {
    /// Plans `query` (against what is registered already) to learn its schema; runs
    /// nothing yet.
    pub async fn plan(
        ctx: &SessionContext,
        name: &str,
        definition: &str,
        query: &str,
        answers: Option<Answers>,
    ) -> Result<ComputedView> {
        let state = ctx.state();
        let plan = state.create_logical_plan(query).await?;
        Ok(ComputedView {
            name: name.to_string(),
            definition: definition.to_string(),
            query: query.to_string(),
            schema: Arc::new(plan.schema().as_arrow().clone()),
            timeless: timeless(&plan),
            plan: tokio::sync::OnceCell::new_with(Some(plan)),
            parser: state.config().options().sql_parser.clone(),
            result: Mutex::new(None),
            answers,
        })
    }

    /// A view whose schema and as-of dependence are known (`shapes`): its query is
    /// planned the first time it must be computed, by the session that reads it, its SQL
    /// read with `parser`.
    pub fn unplanned(
        name: &str,
        definition: &str,
        query: &str,
        shape: shapes::Shape,
        parser: datafusion::config::SqlParserOptions,
        answers: Option<Answers>,
    ) -> ComputedView {
        ComputedView {
            name: name.to_string(),
            definition: definition.to_string(),
            query: query.to_string(),
            schema: shape.schema,
            timeless: shape.timeless,
            plan: tokio::sync::OnceCell::new(),
            parser,
            result: Mutex::new(None),
            answers,
        }
    }

    /// What another session needs to register this view without planning it.
    pub fn shape(&self) -> shapes::Shape {
        shapes::Shape { schema: self.schema.clone(), timeless: self.timeless }
    }

    /// The view's query planned (now, over `state`'s tables, if it was not yet) as the
    /// session that registered it reads SQL, whatever a reader `SET` since (decimal
    /// literals, text types).
    async fn logical_plan(&self, state: &dyn Session) -> Result<LogicalPlan> {
        let plan = self
            .plan
            .get_or_try_init(|| async {
                let mut state = full(state)?.clone();
                state.config_mut().options_mut().sql_parser = self.parser.clone();
                state.create_logical_plan(&self.query).await
            })
            .await?;
        if plan.schema().as_arrow().fields() != self.schema.fields() {
            // A known shape that no longer fits is a program error, never silently used.
            return Err(DataFusionError::Internal(format!(
                "view {}: its query no longer gives the columns it was registered with",
                self.name
            )));
        }
        Ok(plan.clone())
    }

    /// The answer under `state`'s as-of, computed (and kept) the first time it is wanted.
    async fn current(&self, state: &dyn Session) -> Result<Answer> {
        let key = if self.timeless { String::new() } else { crate::asof::key(state.config_options()) };
        let mut cached = self.result.lock().await;
        match cached.as_ref() {
            Some((k, a)) if *k == key => Ok(a.clone()),
            _ => {
                let a = self.answer(state, &key).await?;
                *cached = Some((key, a.clone()));
                Ok(a)
            }
        }
    }

    /// The file the answer under `state`'s as-of is kept in (computing it if need be);
    /// `None` when it is held in memory instead (a read-only workspace, a failed write).
    pub async fn kept_file(&self, state: &dyn Session) -> Result<Option<std::path::PathBuf>> {
        Ok(self.current(state).await?.file)
    }

    /// The answer as of `key`: the kept file if there is one, else computed into it.
    async fn answer(&self, state: &dyn Session, key: &str) -> Result<Answer> {
        let file = self.answers.as_ref().and_then(|a| a.file(&self.name, (!self.timeless).then_some(key)));
        let Some(file) = file else { return self.held(self.compute(state).await?) };
        if let Some(kept) = self.kept(&file) {
            if times_wanted() {
                eprintln!("view {}: read from kept answers", self.name);
            }
            return Ok(Answer { table: kept, file: Some(file) });
        }
        let plan = self.logical_plan(state).await?;
        let (schema, path) = (self.schema.clone(), file.clone());
        let written =
            self.run_task(state, move |state| stream_into(state, plan.clone(), schema.clone(), path.clone())).await?;
        // Read back from the file: this process never holds a whole view it computed.
        match written {
            Ok(()) => {
                if let Some(table) = self.kept(&file) {
                    return Ok(Answer { table, file: Some(file) });
                }
            }
            Err(e) if times_wanted() => eprintln!("view {}: not kept ({e})", self.name),
            Err(_) => {}
        }
        // Only time is lost: computed again and held (the next process computes it too).
        self.held(self.compute(state).await?)
    }

    /// A computed answer held in memory (when it could not be kept in a file).
    fn held(&self, batches: Vec<RecordBatch>) -> Result<Answer> {
        let table = MemTable::try_new(self.schema.clone(), vec![batches])
            .map_err(|e| DataFusionError::Context(format!("view {}", self.name), Box::new(e)))?;
        Ok(Answer { table: Arc::new(table), file: None })
    }

    /// A table over a kept answer, if the file is there and is this view's.
    fn kept(&self, file: &std::path::Path) -> Option<Arc<dyn TableProvider>> {
        let f = std::fs::File::open(file).ok()?;
        let reader = datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f).ok()?;
        let names =
            |s: &datafusion::arrow::datatypes::Schema| s.fields().iter().map(|f| f.name().clone()).collect::<Vec<_>>();
        if names(reader.schema()) != names(&self.schema) {
            return None;
        }
        let url = ListingTableUrl::parse(file.to_string_lossy()).ok()?;
        let options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let config = ListingTableConfig::new(url).with_listing_options(options).with_schema(self.schema.clone());
        Some(Arc::new(ListingTable::try_new(config).ok()?))
    }

    /// The view's rows, collected in memory.
    async fn compute(&self, state: &dyn Session) -> Result<Vec<RecordBatch>> {
        let (plan, schema) = (self.logical_plan(state).await?, self.schema.clone());
        self.run_task(state, move |state| {
            let (plan, schema) = (plan.clone(), schema.clone());
            async move {
                let batches = SessionContext::new_with_state(state).execute_logical_plan(plan).await?.collect().await?;
                batches.iter().map(|b| conform(b, &schema)).collect::<Result<Vec<_>>>()
            }
        })
        .await
    }

    /// Runs `attempt` (the view's query, its rows going somewhere) as a task of its own,
    /// and once more in one partition if it ran out of memory.
    async fn run_task<T, F, Fut>(&self, state: &dyn Session, attempt: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(SessionState) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T>> + Send + 'static,
    {
        let state = full(state)?.clone();
        let name = self.name.clone();
        let started = std::time::Instant::now();
        // A task of its own. Run inside the planner's future, each view's work was
        // polled through every planner above it, and every wake went up and down the
        // whole nest: the time doubled with each level of views (bank_matches took
        // 16 s at 2,000 orders, all of it in polling).
        let task = tokio::spawn(async move {
            match attempt(state.clone()).await {
                // A hash join cannot spill: when the build sides of the view's
                // partitions do not fit at once, the view runs again one partition at a
                // time (about half the memory here; no repartition, which in DataFusion
                // 55 can panic when its input ran out of memory). Slower, but it
                // finishes — what `--memory-limit` promises — or says which view
                // does not fit.
                Err(e) if exhausted(&e) => {
                    let mut state = state;
                    state.config_mut().options_mut().execution.target_partitions = 1;
                    if times_wanted() {
                        eprintln!("view {name}: out of memory, again in one partition");
                    }
                    // Failing again is final: said so the views above do not try again
                    // themselves (each would run this one twice more).
                    attempt(state).await.map_err(|e| {
                        DataFusionError::Execution(format!(
                            "view {name} does not fit in the memory limit even in one partition \
                             (give recon more with --memory-limit): {e}"
                        ))
                    })
                }
                other => other,
            }
        });
        // Aborting a task that has finished does nothing.
        let _guard = AbortOnDrop(task.abort_handle());
        let done = task.await.map_err(|e| DataFusionError::External(Box::new(e)))??;
        // Where the time of a workspace's first answer goes (bench/view_times.py reads it).
        if times_wanted() {
            eprintln!("view {}: {} ms (computed views it reads included)", self.name, started.elapsed().as_millis());
        }
        Ok(done)
    }
}

/// A view's computed rows: a table over the kept file, or held in memory.
#[derive(Clone, Debug)]
struct Answer {
    table: Arc<dyn TableProvider>,
    file: Option<std::path::PathBuf>,
}

/// Runs `plan` into the answer file `file` as its rows come (`AnswerWriter` on a thread
/// of its own, so encoding one row group overlaps computing the next). The outer error
/// is the query's; the inner, the file's: a file that could not be written costs only
/// time. A query that fails or is stopped leaves no file.
async fn stream_into(
    state: SessionState,
    plan: LogicalPlan,
    schema: SchemaRef,
    file: std::path::PathBuf,
) -> Result<std::io::Result<()>> {
    use futures::StreamExt;
    let mut stream = SessionContext::new_with_state(state).execute_logical_plan(plan).await?.execute_stream().await?;
    // `None` says the rows are complete; a closed channel without it, that they never will be.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Option<RecordBatch>>(2);
    let writer_schema = schema.clone();
    let writer = tokio::task::spawn_blocking(move || {
        answers::keep(&file, |f| {
            let mut w = AnswerWriter::new(f, writer_schema).map_err(std::io::Error::other)?;
            loop {
                match rx.blocking_recv() {
                    Some(Some(batch)) => w.push(&batch).map_err(std::io::Error::other)?,
                    Some(None) => return w.finish().map_err(std::io::Error::other),
                    None => return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "the query stopped")),
                }
            }
        })
    });
    let mut outcome = Ok(());
    while let Some(batch) = stream.next().await {
        match batch.and_then(|b| conform(&b, &schema)) {
            // A writer that stopped has its error waiting below.
            Ok(b) => {
                if tx.send(Some(b)).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    drop(stream);
    if outcome.is_ok() {
        let _ = tx.send(None).await;
    }
    drop(tx);
    let written = writer.await.map_err(|e| DataFusionError::External(Box::new(e)))?;
    outcome.map(|()| written)
}

/// Whether a query failed for want of memory (the error may come wrapped). Under a
/// memory limit of a few megabytes DataFusion 55 also fails another way: a repartition
/// whose input ran out of memory executes a partition twice and its task panics ("partition
/// not used yet"). A panicked task counts too: the second run has no repartition.
fn exhausted(e: &DataFusionError) -> bool {
    match e.find_root() {
        DataFusionError::ResourcesExhausted(_) => true,
        DataFusionError::External(inner) => {
            inner.downcast_ref::<Arc<tokio::task::JoinError>>().is_some_and(|j| j.is_panic())
        }
        _ => false,
    }
}

/// The session state behind `state`: a computed view plans and runs in a full one.
fn full(state: &dyn Session) -> Result<&SessionState> {
    state
        .as_any()
        .downcast_ref::<SessionState>()
        .ok_or_else(|| DataFusionError::Internal("a computed view needs a full session".into()))
}

/// Whether each view's time goes to standard error (`RECON_VIEW_TIMES`).
fn times_wanted() -> bool {
    std::env::var_os("RECON_VIEW_TIMES").is_some()
}

/// Whether `plan` gives the same rows whatever the as-of: no `as_of()` in it (subqueries
/// and inlined views included), and no computed view it reads depends on the as-of.
fn timeless(plan: &LogicalPlan) -> bool {
    use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
    let mut timed = false;
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && let Ok(provider) = datafusion::datasource::source_as_provider(&scan.source)
            && provider.downcast_ref::<ComputedView>().is_some_and(|v| !v.timeless)
        {
            timed = true;
        }
        node.apply_expressions(|e| {
            e.apply(|e| {
                if matches!(e, Expr::ScalarFunction(f) if f.name() == crate::asof::FUNCTION) {
                    timed = true;
                }
                Ok(if timed { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
            })
        })?;
        Ok(if timed { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    });
    !timed
}

/// Stops a view's task when the statement that wanted it is dropped (a timeout, ^C).
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The batches as planned. DataFusion may coerce a UNION's columns differently in the
/// physical plan (a Float64 as a wide decimal, Utf8 as Utf8View) than the logical plan
/// announced; a view keeps the schema it announced.
fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema() == *schema {
        return Ok(batch.clone());
    }
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| if c.data_type() == f.data_type() { Ok(c.clone()) } else { cast(c, f.data_type()) })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

#[async_trait]
impl TableProvider for ComputedView {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    fn get_table_definition(&self) -> Option<&str> {
        Some(&self.definition)
    }

    fn get_logical_plan(&self) -> Option<Cow<'_, datafusion::logical_expr::LogicalPlan>> {
        None
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.current(state).await?.table.scan(state, projection, filters, limit).await
    }
}
