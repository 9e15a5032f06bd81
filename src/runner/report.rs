//! Reports in the shell and on the command line: `.report save|list|show|run|drop` and
//! `recon report NAME --param k=v [-o FILE]`. A result goes to the screen, or to a file
//! whose extension says the format (Excel; CSV with a BOM so Excel reads Chinese; Parquet).

use std::io::Write;
use std::path::Path;

use super::Runner;
use crate::cli::ReportArgs;
use crate::error::Error;
use crate::output::{self, Cells, Style};
use crate::reports::{self, Report};

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
                reports::drop(&self.ws, name)?;
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
        // It must plan, with each parameter standing in as a literal.
        let probe = Report {
            name: name.into(),
            title: String::new(),
            params: reports::params_of(sql),
            sql: sql.trim().trim_end_matches(';').to_string(),
            builtin: false,
            saved: String::new(),
        };
        let stand_ins: Vec<(String, String)> = probe.params.iter().map(|p| (p.clone(), "2000-01-01".into())).collect();
        let planned = reports::bind(&probe, &stand_ins)?;
        let ctx = self.session.ctx.clone();
        self.runtime
            .block_on(async move { ctx.state().create_logical_plan(&planned).await })
            .map_err(|e| Error::Usage(format!("the report's query does not plan: {e}")))?;
        let r = reports::save(&self.ws, name, title, sql, &self.user.name)?;
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
        Ok((report, sql))
    }

    /// `recon report [NAME] [--param k=v]… [-o FILE]`.
    pub fn report(&mut self, args: &ReportArgs) -> Result<(), Error> {
        let Some(name) = &args.name else {
            return self.list_reports();
        };
        let values = args.params.iter().map(|p| parse_param(p)).collect::<Result<Vec<_>, _>>()?;
        let (report, sql) = self.bound(name, &values)?;
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        match &args.output {
            None => {
                self.settings.mode = args.format;
                self.run_sql(&sql)
            }
            Some(path) => {
                if path.exists() && !args.force {
                    return Err(Error::Usage(format!("{} exists; --force replaces it", path.display())));
                }
                let rows = self.export(&sql, path, &report.title, &args.params, args.lang == "en")?;
                println!("{}: {rows} rows written to {}", report.title, path.display());
                Ok(())
            }
        }
    }

    /// Writes a query's result to `path` in the format its extension names.
    fn export(&mut self, sql: &str, path: &Path, title: &str, params: &[String], english: bool) -> Result<u64, Error> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        let io = |e| Error::Io(path.display().to_string(), e);
        match ext.as_str() {
            "parquet" => {
                let tmp = path.with_extension("parquet.partial");
                let rows = self.write_query(sql, &tmp);
                match rows {
                    Ok(rows) => {
                        std::fs::rename(&tmp, path).map_err(io)?;
                        Ok(rows)
                    }
                    Err(e) => {
                        let _ = std::fs::remove_file(&tmp);
                        Err(e)
                    }
                }
            }
            "csv" => {
                let (schema, batches) = self.collect(sql)?;
                let mut cells = Cells::new(&schema);
                for b in &batches {
                    cells.add(b, None).map_err(io)?;
                }
                let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
                let mut buf: Vec<u8> = "\u{feff}".as_bytes().to_vec();
                let style = Style { format: crate::cli::OutputFormat::Csv, max_rows: None, width: None };
                output::write_cells(&mut buf, style, &cells).map_err(io)?;
                let mut f = crate::workspace::fsutil::create_private(path).map_err(io)?;
                f.write_all(&buf).and_then(|_| f.sync_all()).map_err(io)?;
                Ok(rows as u64)
            }
            "xlsx" => {
                let (schema, batches) = self.collect(sql)?;
                let heading = crate::xlsx::Heading {
                    title: title.to_string(),
                    params: params.to_vec(),
                    user: self.user.name.clone(),
                    time: crate::clock::now().format("%Y-%m-%d %H:%M").to_string(),
                    english,
                };
                crate::xlsx::write(path, &heading, &schema, &batches).map_err(Error::Other)
            }
            other => Err(Error::Usage(format!(
                "{}: recon writes .xlsx, .csv and .parquet files{}",
                path.display(),
                if other == "pdf" { "; PDF export is not built yet" } else { "" }
            ))),
        }
    }
}

fn parse_param(s: &str) -> Result<(String, String), Error> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().trim_start_matches(':').to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Error::Usage(format!("parameter {s:?}: write it as name=value")))
}
