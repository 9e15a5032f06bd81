//! Running statements and dot-commands against a workspace's session: the one path the
//! interactive shell, `recon sql` and `recon < script.sql` share. Queries print as the
//! settings say (`.mode`, `.maxrows`, `.timer`, `.output`); statements that change the
//! workspace (views, working tables) are stored; canonical tables change only by import.

mod anomaly;
pub mod command;
mod ddl;
mod dot;
mod explain;
pub mod import;
mod manual;
pub mod periods;
mod reconcile;
mod report;

pub use manual::Decision;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::sql::parser::{DFParser, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::{ObjectType, Statement};
use futures::StreamExt;

use crate::cli::OutputFormat;
use crate::runner::command::DotCommand;
use recon::auth::User;
use recon::error::Error;
use recon::output::{self, Cells, Style};
use recon::script::{self, Piece};
use recon::session::Session;
use recon::workspace::Workspace;

/// How results are shown; changed by dot-commands.
pub struct Settings {
    pub mode: OutputFormat,
    pub max_rows: Option<usize>,
    pub timer: bool,
    output: Option<(PathBuf, BufWriter<File>)>,
}

/// What the caller should do after a piece ran.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

/// `--timeout`: seconds a statement may run, over the settings' (u64::MAX: not given).
static TIMEOUT_OVERRIDE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(u64::MAX);

pub fn set_timeout_override(seconds: u64) {
    TIMEOUT_OVERRIDE.store(seconds, std::sync::atomic::Ordering::Relaxed);
}

/// What can be completed, from the session.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Tables and views.
    pub tables: Vec<String>,
    pub columns: BTreeMap<String, Vec<String>>,
    pub functions: Vec<String>,
}

pub struct Runner {
    /// How long a statement may run.
    timeout: Option<std::time::Duration>,
    pub ws: Workspace,
    pub user: User,
    pub session: Session,
    pub settings: Settings,
    runtime: tokio::runtime::Runtime,
    /// A person is at a terminal: Ctrl-C cancels a query, rows are limited.
    interactive: bool,
    /// The last query run, for `.report save NAME`.
    last_query: Option<String>,
}

impl Runner {
    pub fn new(ws: Workspace, user: User, memory_limit: usize, interactive: bool) -> Result<Runner, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Io("the query runtime".into(), e))?;
        let session = runtime.block_on(Session::open(&ws, memory_limit, user.role))?;
        let settings =
            Settings { mode: OutputFormat::Table, max_rows: interactive.then_some(40), timer: false, output: None };
        let seconds = match TIMEOUT_OVERRIDE.load(std::sync::atomic::Ordering::Relaxed) {
            u64::MAX => recon::settings::Settings::load(&ws).map_err(Error::Usage)?.limits.statement_timeout,
            given => given,
        };
        let timeout = (seconds > 0).then(|| std::time::Duration::from_secs(seconds));
        Ok(Runner { timeout, ws, user, session, settings, runtime, interactive, last_query: None })
    }

    pub fn warnings(&self) -> &[String] {
        &self.session.warnings
    }

    /// The application layer for this session's user.
    pub fn app(&self) -> recon::app::Service {
        recon::app::Service::logged_in(self.ws.clone(), self.user.clone())
    }

    /// What the shell can complete: tables and views with their columns, functions.
    pub fn completion_names(&self) -> Names {
        let ctx = self.session.ctx.clone();
        let mut names = Names::default();
        if let Some(schema) = ctx.catalog("datafusion").and_then(|c| c.schema("public")) {
            for t in schema.table_names() {
                if let Ok(Some(provider)) = self.runtime.block_on(schema.table(&t)) {
                    names
                        .columns
                        .insert(t.clone(), provider.schema().fields().iter().map(|f| f.name().clone()).collect());
                }
                names.tables.push(t);
            }
        }
        names.tables.sort();
        let state = ctx.state();
        names.functions.extend(state.scalar_functions().keys().cloned());
        names.functions.extend(state.aggregate_functions().keys().cloned());
        names.functions.extend(state.window_functions().keys().cloned());
        names.functions.sort();
        names.functions.dedup();
        names
    }

    /// Runs every piece of `text`, stopping at the first error, which names where it
    /// happened: `origin` (a file, `-c`, stdin), the statement's number and line.
    pub fn run_script(&mut self, text: &str, origin: &str) -> Result<Next, Error> {
        let (mut pieces, rest) = script::split(text);
        // A script may leave its last statement without a `;`.
        pieces.extend(rest);
        for (n, piece) in pieces.iter().enumerate() {
            match self.run_piece(piece) {
                Ok(Next::Quit) => return Ok(Next::Quit),
                Ok(Next::Continue) => {}
                Err(e) if e.is_broken_pipe() => return Err(e),
                // A refusal stays one, so the exit code says so (4).
                Err(Error::Forbidden(message)) => {
                    return Err(Error::Forbidden(format!(
                        "{origin}: statement {} (line {}): {message}",
                        n + 1,
                        piece.line
                    )));
                }
                Err(e) => {
                    return Err(Error::Statement {
                        origin: origin.to_string(),
                        number: n + 1,
                        line: piece.line,
                        message: e.to_string(),
                    });
                }
            }
        }
        Ok(Next::Continue)
    }

    pub fn run_piece(&mut self, piece: &Piece) -> Result<Next, Error> {
        if piece.dot {
            let cmd: DotCommand =
                piece.text.parse().map_err(|e: crate::runner::command::CommandError| Error::Usage(e.to_string()))?;
            return self.run_dot(cmd);
        }
        self.run_sql(&piece.text)?;
        Ok(Next::Continue)
    }

    fn run_sql(&mut self, sql: &str) -> Result<(), Error> {
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        let statements = DFParser::parse_sql(sql).map_err(|e| Error::Sql(e.to_string()))?;
        for statement in statements {
            self.run_statement(statement)?;
        }
        Ok(())
    }

    fn run_statement(&mut self, statement: DFStatement) -> Result<(), Error> {
        if let DFStatement::Statement(s) = &statement {
            if matches!(s.as_ref(), Statement::Drop { .. }) {
                recon::auth::allow(&self.user, recon::auth::guard::Action::Define)?;
            }
            match s.as_ref() {
                Statement::CreateView(view) => return self.create_view(view),
                Statement::Drop { object_type: ObjectType::View, names, if_exists, .. } => {
                    return self.drop_views(names, *if_exists);
                }
                Statement::Drop { object_type: ObjectType::Table, names, if_exists, .. } => {
                    return self.drop_tables(names, *if_exists);
                }
                Statement::CreateTable(table) => return self.create_table(table),
                Statement::Insert(_)
                | Statement::Update(_)
                | Statement::Delete(_)
                | Statement::Truncate { .. }
                | Statement::Merge { .. } => {
                    return Err(Error::Usage(
                        "tables change only by `recon import` and `recon imports undo`; for a working table use CREATE TABLE name AS SELECT …".into(),
                    ));
                }
                Statement::Query(_) => self.last_query = Some(statement.to_string()),
                _ => {}
            }
        }
        self.query(statement)
    }

    /// Plans and runs one statement and prints its result: a table once every row is in
    /// (its columns take their widest cell), the other formats batch by batch.
    fn query(&mut self, statement: DFStatement) -> Result<(), Error> {
        let started = Instant::now();
        let style = self.style();
        let keep = output::shown_rows(style);
        let ctx = self.session.ctx.clone();
        let role = self.user.role;
        let root = self.session.root.clone();
        let name = self.output_name();
        let sink = &mut self.settings.output;
        let mut cells = None;
        let run = async {
            let plan = ctx.state().statement_to_plan(statement).await?;
            recon::session::check(role, &root, &plan)?;
            let df = ctx.execute_logical_plan(plan).await?;
            let schema: SchemaRef = df.schema().inner().clone();
            let mut stream = df.execute_stream().await?;
            if schema.fields().is_empty() {
                // A statement with no result (SET, a view made) prints nothing.
                return Ok(());
            }
            if let Some(mut writer) = output::Stream::new(&schema, style.format) {
                let mut out: Box<dyn Write> = match sink {
                    Some((_, file)) => Box::new(file),
                    None => Box::new(std::io::stdout().lock()),
                };
                let io = |e: std::io::Error| Error::Io(name.clone(), e);
                writer.begin(&mut out).map_err(io)?;
                // Batches are encoded on the blocking pool, the next while one is written
                // (text is most of a large CSV's time); they are written in order.
                let encoder = writer.encoder();
                let mut pending = std::collections::VecDeque::new();
                let mut before = 0;
                while let Some(batch) = stream.next().await {
                    let (batch, encoder, at) = (batch?, encoder.clone(), before);
                    before += batch.num_rows();
                    pending.push_back(tokio::task::spawn_blocking(move || encoder.encode(&batch, at)));
                    if pending.len() > ENCODING_AHEAD
                        && let Some(encoded) = pending.pop_front()
                    {
                        write_encoded(&mut out, encoded).await.map_err(io)?;
                    }
                }
                for encoded in pending {
                    write_encoded(&mut out, encoded).await.map_err(io)?;
                }
                return writer.end(&mut out).map_err(io);
            }
            let mut all = Cells::new(&schema);
            while let Some(batch) = stream.next().await {
                all.add(&batch?, keep).map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
            }
            cells = Some(all);
            Ok::<(), Error>(())
        };
        cancellable(&self.runtime, self.timeout, self.interactive, run)??;
        if let Some(cells) = cells {
            self.print(style, &cells)?;
        }
        if self.settings.timer {
            println!("Run time: {:.3} s", started.elapsed().as_secs_f64());
        }
        Ok(())
    }

    /// Runs a future to completion within the statement time limit; on a terminal,
    /// Ctrl-C drops it, which cancels a running query, and returns to the prompt.
    fn block_on_cancellable<T>(&self, fut: impl std::future::Future<Output = T>) -> Result<T, Error> {
        cancellable(&self.runtime, self.timeout, self.interactive, fut)
    }

    fn style(&self) -> Style {
        let width = if self.settings.output.is_none() && std::io::stdout().is_terminal() {
            Some(console::Term::stdout().size().1 as usize)
        } else {
            None
        };
        Style { format: self.settings.mode, max_rows: self.settings.max_rows, width }
    }

    fn print(&mut self, style: Style, cells: &Cells) -> Result<(), Error> {
        let result = match &mut self.settings.output {
            Some((_, file)) => output::write_cells(file, style, cells).and_then(|_| file.flush()),
            None => {
                let mut out = std::io::stdout().lock();
                output::write_cells(&mut out, style, cells).and_then(|_| out.flush())
            }
        };
        result.map_err(|e| Error::Io(self.output_name(), e))
    }

    /// Text to wherever results go (the screen, or the `.output` file).
    pub(super) fn write_text(&mut self, text: &str) -> Result<(), Error> {
        let result = match &mut self.settings.output {
            Some((_, file)) => file.write_all(text.as_bytes()).and_then(|_| file.flush()),
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes()).and_then(|_| out.flush())
            }
        };
        result.map_err(|e| Error::Io(self.output_name(), e))
    }

    fn output_name(&self) -> String {
        self.settings.output.as_ref().map_or_else(|| "standard output".into(), |(p, _)| p.display().to_string())
    }

    /// Runs SQL to a result quietly, for dot-commands that show the catalog.
    fn collect(&self, sql: &str) -> Result<(SchemaRef, Vec<datafusion::arrow::array::RecordBatch>), Error> {
        self.block_on_cancellable(recon::app::collect(&self.session, sql))?
    }

    pub(super) fn print_sql(&mut self, sql: &str) -> Result<(), Error> {
        let (schema, batches) = self.collect(sql)?;
        let mut cells = Cells::new(&schema);
        let style = Style { max_rows: None, ..self.style() };
        for b in &batches {
            cells.add(b, None).map_err(|e| Error::Io("a result".into(), e))?;
        }
        self.print(style, &cells)
    }
}

/// Runs `fut` on `runtime` within `limit`; when `interactive`, Ctrl-C drops it (which
/// cancels a running query). A free function so a caller may lend the future parts of
/// the runner, such as its session, while the runtime drives it.
fn cancellable<T>(
    runtime: &tokio::runtime::Runtime,
    limit: Option<std::time::Duration>,
    interactive: bool,
    fut: impl std::future::Future<Output = T>,
) -> Result<T, Error> {
    let limited = async move {
        match limit {
            Some(d) => tokio::time::timeout(d, fut).await.map_err(|_| Error::TimedOut(d.as_secs())),
            None => Ok(fut.await),
        }
    };
    if !interactive {
        return runtime.block_on(limited);
    }
    runtime.block_on(async {
        tokio::select! {
            out = limited => out,
            _ = tokio::signal::ctrl_c() => Err(Error::Cancelled),
        }
    })
}

/// Batches a streamed result may have encoding while one is written.
const ENCODING_AHEAD: usize = 2;

/// Writes a batch once its encoding is done.
async fn write_encoded(
    out: &mut dyn Write,
    encoded: tokio::task::JoinHandle<std::io::Result<Vec<u8>>>,
) -> std::io::Result<()> {
    let bytes = encoded.await.map_err(std::io::Error::other)??;
    out.write_all(&bytes)
}
