//! Reports in the shell and on the command line: `.report save|list|show|run|drop` and
//! `recon report NAME --param k=v [-o FILE]`. A result goes to the screen, or to a file
//! whose extension says the format (Excel; PDF; CSV with a BOM so Excel reads Chinese;
//! Parquet), also with `.export FILE [SQL | report NAME …]`.

use std::io::Write;
use std::path::Path;

use super::Runner;
use crate::auth::guard::Action;
use crate::cli::ReportArgs;
use crate::error::Error;
use crate::export::{Meta, Sheet};
use crate::output::{self, Cells, Style};
use crate::reports::{self, Report};
use crate::runner::command::{Export, Exported};

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
        let parts = self.report_parts(&args.names, &values)?;
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
                let options = ExportOptions { force: args.force, english: args.lang == "en", font: args.font.clone() };
                self.export(path, &parts, &options)
            }
        }
    }

    /// Each report bound to the parameters it takes; a parameter none of them takes is
    /// a mistake worth reporting.
    fn report_parts(&self, names: &[String], values: &[(String, String)]) -> Result<Vec<Part>, Error> {
        let mut parts = Vec::new();
        let mut used = vec![false; values.len()];
        for name in names {
            if let Some(sections) = reports::sections(name) {
                parts.extend(sections.iter().enumerate().map(|(i, s)| Part {
                    // The first section carries the report's own title.
                    title: if i == 0 { format!("{} · {}", reports::ANALYSIS.1, s.title) } else { s.title.to_string() },
                    params: Vec::new(),
                    sql: s.sql.to_string(),
                    adds_up: s.adds_up,
                }));
                continue;
            }
            let report = reports::find(&self.ws, name)?;
            if !report.builtin {
                reports::check_query(name, &report.sql)?;
            }
            let mine: Vec<(String, String)> = values
                .iter()
                .enumerate()
                .filter(|(_, (k, _))| names.len() == 1 || report.params.contains(k))
                .map(|(i, kv)| {
                    used[i] = true;
                    kv.clone()
                })
                .collect();
            let sql = reports::bind(&report, &mine)?;
            let params = mine.iter().map(|(k, v)| format!("{k}={v}")).collect();
            parts.push(Part { adds_up: report.adds_up(), title: report.title, params, sql });
        }
        if let Some(i) = used.iter().position(|u| !u) {
            return Err(Error::Usage(format!("none of the reports takes a parameter {}", values[i].0)));
        }
        Ok(parts)
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
                let (pieces, rest) = crate::script::split(sql);
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
                    parts.extend(self.report_parts(std::slice::from_ref(name), &values)?);
                }
                parts
            }
        };
        let options = ExportOptions { force: export.force, english: export.english, font: export.font.clone() };
        self.export(&export.file, &parts, &options)
    }

    /// Writes results to `path` in the format its extension names: one sheet (or PDF
    /// section) per part; CSV and Parquet hold one result.
    fn export(&mut self, path: &Path, parts: &[Part], options: &ExportOptions) -> Result<(), Error> {
        crate::auth::allow(&self.user, Action::Export)?;
        let target = crate::outfile::target(&self.ws, path, options.force)?;
        let written = self.export_to(path, &target, parts, options);
        match &written {
            Ok(_) => target.finish()?,
            Err(_) => target.abandon(),
        }
        let rows = written?;
        let what = parts.iter().map(|p| p.title.as_str()).collect::<Vec<_>>().join(", ");
        println!("{what}: {rows} rows written to {}", path.display());
        let queries = parts.iter().map(|p| p.sql.as_str()).collect::<Vec<_>>().join("; ");
        crate::workspace::audit::record(
            &self.ws,
            &self.user.name,
            "export",
            &format!("{rows} rows of {what} to {}: {queries}", target.path.display()),
        )?;
        Ok(())
    }

    /// Writes the parts to the target's temp file; the rows written.
    fn export_to(
        &mut self,
        path: &Path,
        target: &crate::outfile::Target,
        parts: &[Part],
        options: &ExportOptions,
    ) -> Result<u64, Error> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        let io = |e| Error::Io(path.display().to_string(), e);
        let single = || match parts {
            [one] => Ok(one),
            _ => Err(Error::Usage(format!(
                "{}: a .{ext} file holds one result; write several to .xlsx (a sheet each) or .pdf",
                path.display()
            ))),
        };
        Ok(match ext.as_str() {
            "parquet" => {
                let part = single()?;
                self.write_query(&part.sql, &target.tmp)?
            }
            "csv" => {
                let part = single()?;
                let (schema, batches) = self.collect(&part.sql)?;
                let mut cells = Cells::new(&schema);
                for b in &batches {
                    cells.add(b, None).map_err(io)?;
                }
                let mut buf: Vec<u8> = "\u{feff}".as_bytes().to_vec();
                let style = Style { format: crate::cli::OutputFormat::Csv, max_rows: None, width: None };
                output::write_cells(&mut buf, style, &cells).map_err(io)?;
                target.create()?.write_all(&buf).map_err(io)?;
                batches.iter().map(|b| b.num_rows() as u64).sum()
            }
            "xlsx" | "pdf" => {
                let mut sheets = Vec::new();
                for part in parts {
                    let (schema, batches) = self.collect(&part.sql)?;
                    sheets.push(Sheet {
                        title: part.title.clone(),
                        params: part.params.clone(),
                        adds_up: part.adds_up,
                        schema,
                        batches,
                    });
                }
                let meta = Meta {
                    user: self.user.name.clone(),
                    time: crate::clock::now().format("%Y-%m-%d %H:%M").to_string(),
                    english: options.english,
                    font: options.font.clone(),
                };
                let written = if ext == "xlsx" {
                    crate::export::xlsx::write(&target.tmp, &meta, &sheets)
                } else {
                    crate::export::pdf::write(&target.tmp, &meta, &sheets)
                };
                written.map_err(Error::Other)?
            }
            _ => {
                return Err(Error::Usage(format!(
                    "{}: recon writes .xlsx, .pdf, .csv and .parquet files",
                    path.display()
                )));
            }
        })
    }
}

/// One result to export: its title, the parameters it ran with, its SQL.
struct Part {
    title: String,
    params: Vec<String>,
    sql: String,
    adds_up: bool,
}

struct ExportOptions {
    force: bool,
    english: bool,
    font: Option<std::path::PathBuf>,
}

fn parse_param(s: &str) -> Result<(String, String), Error> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().trim_start_matches(':').to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Error::Usage(format!("parameter {s:?}: write it as name=value")))
}
