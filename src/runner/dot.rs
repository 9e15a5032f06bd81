//! What each dot-command does.

use std::io::{BufWriter, IsTerminal};

use super::{Decision, Next, Runner};
use crate::runner::command::{self, DotCommand};
use recon::error::Error;

impl Runner {
    pub fn run_dot(&mut self, cmd: DotCommand) -> Result<Next, Error> {
        match cmd {
            DotCommand::Help(None) => {
                print!("{}", command::help());
                println!("More: .help views (what each view answers), .help functions (SQL functions).");
            }
            DotCommand::Help(Some(topic)) if topic == "views" => self.help_views(),
            DotCommand::Help(Some(topic)) if topic.starts_with("functions") => {
                self.help_functions(topic["functions".len()..].trim())?
            }
            DotCommand::Help(Some(topic)) => {
                return Err(Error::Usage(format!(".help knows views and functions, not '{topic}'")));
            }
            DotCommand::Tables { all } => self.print_sql(&tables_sql(&self.ws.catalog()?, &self.session, all))?,
            DotCommand::Schema(table) => self.schema(table.as_deref())?,
            DotCommand::Views => self.print_views(),
            DotCommand::Mode(mode) => self.settings.mode = mode,
            DotCommand::MaxRows(n) => self.settings.max_rows = n,
            DotCommand::Timer(on) => self.settings.timer = on,
            DotCommand::Output(None) => self.settings.output = None,
            DotCommand::Output(Some((path, force))) => {
                // Writing results to a file is exporting: the same rules, and audited.
                recon::auth::allow(&self.user, recon::auth::guard::Action::Export)?;
                let (real, file) = recon::outfile::stream(&self.ws, &path, force)?;
                recon::workspace::audit::record(
                    &self.ws,
                    &self.user.name,
                    "export",
                    &format!("results to {}", real.display()),
                )?;
                self.settings.output = Some((path, BufWriter::new(file)));
            }
            DotCommand::Read(path) => {
                // A script is the user's own file: the workspace's files are not scripts,
                // and reading one would echo what it holds.
                let inside = std::fs::canonicalize(&path).ok().zip(std::fs::canonicalize(self.ws.root()).ok());
                if inside.is_some_and(|(p, root)| p.starts_with(root)) {
                    return Err(Error::Forbidden(format!(
                        ".read {}: files inside the workspace are not scripts",
                        path.display()
                    )));
                }
                let text = std::fs::read_to_string(&path).map_err(|e| Error::Io(path.display().to_string(), e))?;
                return self.run_script(&text, &path.display().to_string());
            }
            DotCommand::Import(args) => {
                super::import::import_from_shell(&self.ws, &self.user, &args)?;
                self.runtime.block_on(self.session.refresh(&self.ws))?;
            }
            DotCommand::Reconcile(words) => {
                #[derive(clap::Parser)]
                #[command(name = ".reconcile", no_binary_name = true)]
                struct Args {
                    #[command(flatten)]
                    args: crate::cli::ReconcileArgs,
                }
                self.reconcile(&parse_words::<Args>(&words)?.args)?;
            }
            DotCommand::Match(words) => self.decide(Decision::Match(parse_words::<DecisionWords>(&words)?.args))?,
            DotCommand::Revoke(n) => {
                let id = n
                    .parse::<u64>()
                    .map_err(|_| Error::Usage(format!(".revoke N: '{n}' is not a decision's number")))?;
                self.revoke(id)?
            }
            DotCommand::Unmatch(words) => self.decide(Decision::Unmatch(parse_words::<DecisionWords>(&words)?.args))?,
            DotCommand::Writeoff(words) => {
                #[derive(clap::Parser)]
                #[command(name = ".writeoff", no_binary_name = true)]
                struct Args {
                    #[command(flatten)]
                    args: crate::cli::WriteoffArgs,
                }
                self.decide(Decision::Writeoff(parse_words::<Args>(&words)?.args))?;
            }
            DotCommand::Close(words) => {
                #[derive(clap::Parser)]
                #[command(name = ".close", no_binary_name = true)]
                struct Args {
                    #[command(flatten)]
                    args: crate::cli::CloseArgs,
                }
                self.close_period(&parse_words::<Args>(&words)?.args.period)?;
            }
            DotCommand::Reopen(words) => {
                #[derive(clap::Parser)]
                #[command(name = ".reopen", no_binary_name = true)]
                struct Args {
                    #[command(flatten)]
                    args: crate::cli::ReopenArgs,
                }
                let args = parse_words::<Args>(&words)?.args;
                self.reopen_period(&args.period, &args.reason)?;
            }
            DotCommand::Anomaly(words) => {
                #[derive(clap::Parser)]
                #[command(name = ".anomaly", no_binary_name = true)]
                struct Args {
                    #[command(flatten)]
                    args: crate::cli::AnomalyArgs,
                }
                self.anomaly(parse_words::<Args>(&words)?.args.action)?;
            }
            DotCommand::Explain(id) => self.explain(&id)?,
            DotCommand::Report(words) => self.report_command(&words)?,
            DotCommand::Export(export) => self.export_command(&export)?,
            DotCommand::Chart(words) => {
                let sql = self
                    .last_query
                    .clone()
                    .ok_or_else(|| Error::Usage("no result to chart yet: run a query first, then .chart".into()))?;
                let (schema, batches) = self.collect(&sql)?;
                let width = match &self.settings.output {
                    None if std::io::stdout().is_terminal() => console::Term::stdout().size().1 as usize,
                    _ => 80,
                };
                let spec = recon::chart::Spec::parse(&words);
                let drawn = recon::chart::render(&schema, &batches, &spec, width).map_err(Error::Usage)?;
                self.write_text(&drawn)?;
            }
            DotCommand::Users => {
                let users = self.app().users()?;
                // User names are checked identifiers: no quote can be in one.
                let rows: Vec<String> = users
                    .iter()
                    .map(|u| format!("('{}', '{}', {}, {})", u.name, u.role.name(), u.locked, u.failed_logins))
                    .collect();
                self.print_sql(&format!(
                    "SELECT column1 AS \"user\", column2 AS role, column3 AS locked, column4 AS failed_logins \
                     FROM (VALUES {}) ORDER BY 1",
                    rows.join(", ")
                ))?;
            }
            DotCommand::Quit => return Ok(Next::Quit),
        }
        Ok(Next::Continue)
    }

    fn help_views(&self) {
        for v in &self.session.views {
            let kind = if v.builtin { "built-in" } else { "yours" };
            println!("{} ({kind})\n    {}", v.name, v.about);
        }
        println!("The SQL of each: .views");
    }

    fn help_functions(&mut self, pattern: &str) -> Result<(), Error> {
        if pattern.is_empty() {
            let n = self.session.ctx.state().scalar_functions().len()
                + self.session.ctx.state().aggregate_functions().len();
            println!("recon's own: {}.", recon::udf::names().join(", "));
            println!(
                "All {n} functions of DataFusion and recon work. `.help functions NAME` explains one; `.help functions date` lists those whose name has `date`."
            );
            return Ok(());
        }
        let like = pattern.replace('\'', "''");
        let (schema, batches) = self.collect(&format!("SHOW FUNCTIONS LIKE '%{like}%'"))?;
        let _ = schema;
        // SHOW FUNCTIONS lists one row per signature; one per function reads better.
        let mut seen = std::collections::BTreeMap::new();
        for b in &batches {
            let col = |name: &str| {
                b.column_by_name(name)
                    .map(|c| datafusion::arrow::util::display::ArrayFormatter::try_new(c.as_ref(), &Default::default()))
            };
            let (Some(Ok(names)), Some(Ok(syntax)), Some(Ok(about))) =
                (col("function_name"), col("syntax_example"), col("description"))
            else {
                continue;
            };
            for i in 0..b.num_rows() {
                seen.entry(names.value(i).to_string())
                    .or_insert_with(|| (syntax.value(i).to_string(), about.value(i).to_string()));
            }
        }
        if seen.is_empty() {
            println!("no function's name has `{pattern}`");
        }
        for (name, (syntax, about)) in seen {
            println!("{name}\n    {syntax}\n    {}", about.lines().next().unwrap_or(""));
        }
        Ok(())
    }

    fn print_views(&self) {
        for v in &self.session.views {
            let kind = if v.builtin { "built-in" } else { "yours" };
            println!("-- {} ({kind})\n{}\n", v.name, v.sql.trim());
        }
    }

    fn schema(&mut self, table: Option<&str>) -> Result<(), Error> {
        let filter = match table {
            Some(t) => {
                let t = t.trim_matches('"').to_lowercase();
                let exists = self.collect(&format!(
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{}'",
                    t.replace('\'', "''")
                ))?;
                if exists.1.iter().all(|b| b.num_rows() == 0) {
                    return Err(Error::Usage(format!("there is no table or view {t}; .tables lists them")));
                }
                format!("AND table_name = '{}'", t.replace('\'', "''"))
            }
            None => String::new(),
        };
        self.print_sql(&format!(
            "SELECT table_name AS \"table\", column_name AS \"column\", data_type AS type, is_nullable AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' {filter} ORDER BY table_name, ordinal_position"
        ))?;
        if let Some(t) = table
            && let Some(v) = self.session.views.iter().find(|v| v.name.eq_ignore_ascii_case(t.trim_matches('"')))
        {
            println!("{}", v.sql.trim());
        }
        Ok(())
    }
}

#[derive(clap::Parser)]
#[command(name = ".match", no_binary_name = true)]
struct DecisionWords {
    #[command(flatten)]
    args: crate::cli::DecisionArgs,
}

/// A dot-command's words parsed as its `recon` subcommand's options.
fn parse_words<P: clap::Parser>(words: &[String]) -> Result<P, Error> {
    P::try_parse_from(words).map_err(|e| Error::Usage(e.to_string().trim_end().to_string()))
}

/// `.tables`: every input table (sql/views.toml), the user's tables, the public views
/// and the user's; with `all`, the internal steps too.
fn tables_sql(catalog: &recon::workspace::Catalog, session: &recon::session::Session, all: bool) -> String {
    let inputs: Vec<(String, String)> = recon::views::registry()
        .inputs
        .iter()
        .map(|(name, what)| (name.clone(), format!("table: {}", what.as_str().unwrap_or_default())))
        .collect();
    let mut kinds: Vec<(&str, &str)> = inputs.iter().map(|(n, w)| (n.as_str(), w.as_str())).collect();
    let mine: Vec<String> =
        catalog.tables.iter().map(|t| format!("table: yours, {} rows, by {}", t.rows, t.user)).collect();
    for (t, k) in catalog.tables.iter().zip(&mine) {
        kinds.push((t.name.as_str(), k.as_str()));
    }
    for v in session.views.iter().filter(|v| all || v.is_public()) {
        let what = match (v.builtin, v.is_public()) {
            (false, _) => "view: yours",
            (true, true) => "view: built-in",
            (true, false) => "view: internal step",
        };
        kinds.push((v.name.as_str(), what));
    }
    let rows: Vec<String> =
        kinds.iter().map(|(n, k)| format!("('{}', '{}')", n.replace('\'', "''"), k.replace('\'', "''"))).collect();
    format!("SELECT column1 AS name, column2 AS what FROM (VALUES {}) ORDER BY name", rows.join(", "))
}
