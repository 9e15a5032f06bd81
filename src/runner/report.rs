//! Reports in the shell and on the command line: `.report save|list|show|run|drop` and
//! `recon report NAME --param k=v [-o FILE]`. A result goes to the screen, or to a file
//! whose extension says the format (Excel; PDF; CSV with a BOM so Excel reads Chinese;
//! Parquet), also with `.export FILE [SQL | report NAME …]`.

use std::path::Path;

use super::{Runner, cancellable};
use crate::cli::ReportArgs;
use crate::runner::command::{Export, Exported};
use recon::app::{ExportOptions, Part};
use recon::error::Error;
use recon::reports::{self, Report};

impl Runner {
    /// `.report …` as typed after the command.
    pub fn report_command(&mut self, words: &[String]) -> Result<(), Error> {
        let usage = || {
            Error::Usage(
                ".report save NAME [--title TEXT] [SQL] | list | show NAME | run NAME [k=v …] | drop NAME".into(),
            )
        };
        let (sub, rest) = words.split_first().ok_or_else(usage)?;
        match (sub.as_str(), rest) {
            ("list", []) => self.list_reports(),
            ("show", [name]) => {
                let r = reports::find(&self.ws, name)?;
                println!(
                    "-- {} ({})",
                    r.title,
                    if r.builtin { "built-in".into() } else { format!("saved by {}", r.saved) }
                );
                if !r.params.is_empty() {
                    println!("-- params: {}", r.params.join(", "));
                }
                println!("{};", r.sql);
                Ok(())
            }
            ("drop", [name]) => {
                self.app().drop_report(name)?;
                println!("report {name} dropped");
                Ok(())
            }
            ("run", [name, values @ ..]) => {
                let values = values.iter().map(|v| parse_param(v)).collect::<Result<Vec<_>, _>>()?;
                let (report, sql) = self.bound(name, &values)?;
                println!("{}", report.title);
                self.run_sql(&sql)
            }
            ("save", [name, rest @ ..]) => {
                let (title, sql) = match rest {
                    [flag, title, sql @ ..] if flag == "--title" => (Some(title.as_str()), sql.join(" ")),
                    sql => (None, sql.join(" ")),
                };
                let sql = if sql.trim().is_empty() {
                    self.last_query.clone().ok_or_else(|| {
                        Error::Usage("no query to save yet: run one first, or give the SQL after the name".into())
                    })?
                } else {
                    sql
                };
                self.save_report(name, title, &sql)
            }
            _ => Err(usage()),
        }
    }

    fn save_report(&mut self, name: &str, title: Option<&str>, sql: &str) -> Result<(), Error> {
        let app = self.app();
        let r = self.runtime.block_on(app.save_report(&self.session, name, title, sql))?;
        let params =
            if r.params.is_empty() { String::new() } else { format!(" (parameters: {})", r.params.join(", ")) };
        println!("report {} saved as reports/{}.sql{params}", r.name, r.name);
        Ok(())
    }

    fn list_reports(&mut self) -> Result<(), Error> {
        let rows: Vec<String> = reports::list(&self.ws)
            .iter()
            .map(|r| {
                let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
                format!(
                    "({}, {}, {}, {})",
                    q(&r.name),
                    q(&r.title),
                    q(&r.params.join(", ")),
                    q(if r.builtin { "built-in" } else { &r.saved })
                )
            })
            .collect();
        self.print_sql(&format!(
            "SELECT column1 AS name, column2 AS title, column3 AS params, column4 AS source FROM (VALUES {})",
            rows.join(", ")
        ))
    }

    fn bound(&self, name: &str, values: &[(String, String)]) -> Result<(Report, String), Error> {
        let report = reports::find(&self.ws, name)?;
        let sql = reports::bind(&report, values)?;
        if !report.builtin {
            reports::check_query(name, &sql)?;
        }
        Ok((report, sql))
    }

    /// `recon report [NAME…] [--param k=v]… [-o FILE]`.
    pub fn report(&mut self, args: &ReportArgs) -> Result<(), Error> {
        if args.names.is_empty() {
            return self.list_reports();
        }
        let values = args.params.iter().map(|p| parse_param(p)).collect::<Result<Vec<_>, _>>()?;
        let parts = recon::app::report_parts(&self.ws, &args.names, &values)?;
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        match &args.output {
            None => {
                self.settings.mode = args.format;
                for part in &parts {
                    if parts.len() > 1 {
                        println!("{}", part.title);
                    }
                    self.run_sql(&part.sql)?;
                }
                Ok(())
            }
            Some(path) => {
                let options = ExportOptions {
                    force: args.force,
                    english: args.lang == "en",
                    font: args.font.clone(),
                    delivered_as: None,
                };
                self.export(path, &parts, &options)
            }
        }
    }

    /// `.export FILE [SQL | report NAME [k=v]…]`.
    pub fn export_command(&mut self, export: &Export) -> Result<(), Error> {
        let parts = match &export.what {
            Exported::Last => {
                let sql = self.last_query.clone().ok_or_else(|| {
                    Error::Usage("no query to export yet: run one first, or give the SQL after the file".into())
                })?;
                vec![Part { title: "查询结果 Query result".into(), params: Vec::new(), sql, adds_up: true }]
            }
            Exported::Sql(sql) => {
                let (pieces, rest) = recon::script::split(sql);
                let statements: Vec<String> =
                    pieces.into_iter().chain(rest).map(|p| p.text).filter(|t| !t.trim().is_empty()).collect();
                let n = statements.len();
                statements
                    .into_iter()
                    .enumerate()
                    .map(|(i, sql)| Part {
                        title: if n == 1 {
                            "查询结果 Query result".into()
                        } else {
                            format!("查询结果 Query {}", i + 1)
                        },
                        params: Vec::new(),
                        sql,
                        adds_up: true,
                    })
                    .collect()
            }
            Exported::Reports(list) => {
                let mut parts = Vec::new();
                for (name, params) in list {
                    let values = params.iter().map(|p| parse_param(p)).collect::<Result<Vec<_>, _>>()?;
                    parts.extend(recon::app::report_parts(&self.ws, std::slice::from_ref(name), &values)?);
                }
                parts
            }
        };
        let options = ExportOptions {
            force: export.force,
            english: export.english,
            font: export.font.clone(),
            delivered_as: None,
        };
        self.export(&export.file, &parts, &options)
    }

    /// Writes results to `path` in the format its extension names (the application
    /// layer's export), and says what went where.
    fn export(&mut self, path: &Path, parts: &[Part], options: &ExportOptions) -> Result<(), Error> {
        let app = self.app();
        let written = app.export(&self.session, path, parts, options);
        let rows = cancellable(&self.runtime, self.timeout, self.interactive, written)??;
        let what = parts.iter().map(|p| p.title.as_str()).collect::<Vec<_>>().join(", ");
        println!("{what}: {rows} rows written to {}", path.display());
        Ok(())
    }
}

fn parse_param(s: &str) -> Result<(String, String), Error> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().trim_start_matches(':').to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Error::Usage(format!("parameter {s:?}: write it as name=value")))
}
