//! Exporting results: to a file whose extension says the format (Excel and PDF with one
//! sheet or section per part, the user and time on them; CSV with a BOM so Excel reads
//! Chinese; Parquet), never inside the workspace, never over a file unless asked,
//! always whole (crate::outfile), and audited with what was written where.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Service;
use super::query::collect;
use super::runs::write_query;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::export::{Meta, Sheet};
use crate::output::{self, Cells, OutputFormat, Style};
use crate::session::Session;

/// One result to export: its title, the parameters it ran with, its SQL, and whether
/// its money columns add up (a total row makes sense).
#[derive(Clone, Debug)]
pub struct Part {
    pub title: String,
    pub params: Vec<String>,
    pub sql: String,
    pub adds_up: bool,
}

/// How to write: replace an existing file, English headings, the PDF's font, and where
/// the file goes when not to the path written (a browser's download), for the audit line.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    pub force: bool,
    pub english: bool,
    pub font: Option<PathBuf>,
    pub delivered_as: Option<String>,
}

impl Service {
    /// Writes `parts` to `path` in the format its extension names: one sheet (or PDF
    /// section) per part; CSV and Parquet hold one result. Returns the rows written.
    pub async fn export(
        &self,
        session: &Session,
        path: &Path,
        parts: &[Part],
        options: &ExportOptions,
    ) -> Result<u64, Error> {
        self.allowed(Action::Export)?;
        let target = crate::outfile::target(&self.ws, path, options.force)?;
        let written = self.export_to(session, path, &target, parts, options).await;
        match &written {
            Ok(_) => target.finish()?,
            Err(_) => target.abandon(),
        }
        let rows = written?;
        let what = parts.iter().map(|p| p.title.as_str()).collect::<Vec<_>>().join(", ");
        let queries = parts.iter().map(|p| p.sql.as_str()).collect::<Vec<_>>().join("; ");
        crate::workspace::audit::record(
            &self.ws,
            &self.user.name,
            "export",
            &format!(
                "{rows} rows of {what} to {}: {queries}",
                options.delivered_as.clone().unwrap_or_else(|| target.path.display().to_string())
            ),
        )?;
        Ok(rows)
    }

    /// Writes the parts to the target's temp file; the rows written.
    async fn export_to(
        &self,
        session: &Session,
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
                write_query(session, &part.sql, &target.tmp).await?
            }
            "csv" => {
                let part = single()?;
                let (schema, batches) = collect(session, &part.sql).await?;
                let mut cells = Cells::new(&schema);
                for b in &batches {
                    cells.add(b, None).map_err(io)?;
                }
                let mut buf: Vec<u8> = "\u{feff}".as_bytes().to_vec();
                let style = Style { format: OutputFormat::Csv, max_rows: None, width: None };
                output::write_cells(&mut buf, style, &cells).map_err(io)?;
                target.create()?.write_all(&buf).map_err(io)?;
                batches.iter().map(|b| b.num_rows() as u64).sum()
            }
            "xlsx" | "pdf" => {
                let mut sheets = Vec::new();
                for part in parts {
                    let (schema, batches) = collect(session, &part.sql).await?;
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
