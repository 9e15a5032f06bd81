//! Importing a file into the workspace as one transaction: detect what the file is,
//! find its header, map its columns, convert and de-duplicate every row, write the
//! rows as Parquet, and commit them with their log entry, or leave the workspace
//! exactly as it was.

pub mod builder;
pub mod classify;
pub mod convert;
pub mod fields;
pub mod header;
pub mod keys;
pub mod mapping;
pub mod report;
pub mod row;
pub mod sink;
pub mod sniff;
pub mod source;
pub mod values;

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use self::convert::{Category, Converter, Val};
use self::header::{ColumnMap, Hints};
use self::mapping::{Defaults, MappingFile};
use self::report::{Counts, ImportReport, RejectsWriter, SHOWN_PROBLEMS};
use self::row::RawRow;
use self::source::{Flow, Source};
use crate::progress::Progress;
use crate::schema::Kind;
use crate::workspace::{ImportRecord, Workspace, WorkspaceError};

/// Rows per Arrow batch: memory is bounded by this, not by the file.
const BATCH_ROWS: usize = 65_536;

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub kind: Option<Kind>,
    pub mapping: Option<MappingFile>,
    /// From `--platform`, `--shop`, `--account`.
    pub defaults: Defaults,
    /// Any rejected row aborts the whole import.
    pub strict: bool,
    pub progress: bool,
    pub user: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {source}")]
    Sniff { file: String, source: sniff::SniffError },
    #[error("{file}: {source}")]
    Read { file: String, source: source::SourceError },
    #[error(
        "{file}: no header row found in its first {searched} {unit}s: expected a row of column names such as 订单编号, 交易时间, 金额, 对方户名 or order id, date, amount; a mapping file can name the header row (header_row = N)"
    )]
    HeaderNotFound { file: String, searched: usize, unit: &'static str },
    #[error("{file}: cannot tell what kind of data it holds: {detail}")]
    Kind { file: String, detail: String },
    #[error("{file}: {detail}")]
    Mapping { file: String, detail: String },
    #[error("{file}: nothing imported: {detail}")]
    NothingImported { file: String, detail: String },
    #[error("{file}: {source}")]
    Write { file: String, source: std::io::Error },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
}

/// What the first rows of a file say about it: everything `--explain` shows.
pub struct Plan {
    pub file: String,
    pub source: Box<dyn Source>,
    pub container: sniff::Container,
    pub header_line: u64,
    pub headers: Vec<String>,
    pub map: ColumnMap,
    pub hints: Hints,
    pub defaults: Defaults,
    pub date_format: Option<String>,
}

impl Plan {
    pub fn explain(&self) -> String {
        let mut s = format!(
            "{}\n  read as: {}\n  header: {} {}: {}\n  kind: {} (table {})\n",
            self.file,
            self.source.describe(),
            self.source.unit(),
            self.header_line,
            self.headers.iter().map(|h| h.trim()).collect::<Vec<_>>().join(", "),
            self.map.kind,
            self.map.kind.table()
        );
        s.push_str("  columns:\n");
        s.push_str(&self.map.describe(&self.headers));
        let unused: Vec<String> = (0..self.headers.len())
            .filter(|c| !self.map.fields.values().any(|cols| cols.contains(c)) && !self.headers[*c].trim().is_empty())
            .map(|c| format!("{} (column {})", self.headers[c].trim(), c + 1))
            .collect();
        if !unused.is_empty() {
            s.push_str(&format!("  not used: {}\n", unused.join(", ")));
        }
        let d = &self.defaults;
        for (name, v) in
            [("platform", &d.platform), ("shop", &d.shop), ("account", &d.account), ("currency", &d.currency)]
        {
            if let Some(v) = v {
                s.push_str(&format!("  {name} for every row (unless a column says otherwise): {v}\n"));
            }
        }
        s
    }
}

/// Reads the head of the file and decides how to read the rest.
pub fn plan(path: &Path, opts: &ImportOptions) -> Result<Plan, ImportError> {
    let file = path.display().to_string();
    let mapping = opts.mapping.as_ref();
    let container = sniff::sniff(path, mapping.and_then(|m| m.encoding.as_deref()))
        .map_err(|source| ImportError::Sniff { file: file.clone(), source })?;
    let read_err = |source| ImportError::Read { file: file.clone(), source };
    let mut src = source::open(path, container, mapping).map_err(read_err)?;
    let head = source::head(src.as_mut(), header::SEARCH_ROWS).map_err(read_err)?;
    if head.iter().all(RawRow::is_blank) {
        return Err(ImportError::Sniff { file, source: sniff::SniffError::Empty });
    }
    let header_at = match mapping.and_then(|m| m.header_row) {
        Some(line) => head.iter().position(|r| r.line == line).ok_or_else(|| ImportError::Mapping {
            file: file.clone(),
            detail: format!("header_row = {line}, but the file has no such {} in its first {}", src.unit(), head.len()),
        })?,
        None => header::find_header(&head).ok_or_else(|| ImportError::HeaderNotFound {
            file: file.clone(),
            searched: head.len(),
            unit: src.unit(),
        })?,
    };
    let header_row = &head[header_at];
    let headers: Vec<String> =
        header_row.cells().map(|c| c.trim().trim_start_matches('\u{feff}').to_string()).collect();
    let hints = header::preamble_hints(&head[..header_at]);
    let kind = opts.kind.or_else(|| mapping.and_then(MappingFile::kind));
    let map = match kind {
        Some(kind) => {
            let map = header::map_columns(kind, &headers, mapping)
                .map_err(|detail| ImportError::Mapping { file: file.clone(), detail })?;
            if let Some(missing) = map.missing() {
                let looks = match header::guess_kind(&headers, mapping) {
                    Ok(m) => format!("; it looks like {} data", m.kind),
                    Err(_) => String::new(),
                };
                return Err(ImportError::Kind {
                    file,
                    detail: format!("it was imported as {kind}, but has {missing}{looks}"),
                });
            }
            map
        }
        None => {
            header::guess_kind(&headers, mapping).map_err(|detail| ImportError::Kind { file: file.clone(), detail })?
        }
    };
    let from_file = Defaults {
        platform: hints.platform.as_deref().map(header::normalise_platform).or_else(|| {
            if map.kind == Kind::Bank {
                None
            } else {
                hints.platform_mentioned.clone().or_else(|| header::platform_in_header(&headers))
            }
        }),
        shop: hints.shop.clone(),
        account: hints.account.clone(),
        currency: hints.currency.as_deref().map(header::normalise_currency),
    };
    let mut cli = opts.defaults.clone();
    cli.platform = cli.platform.as_deref().map(header::normalise_platform);
    let defaults = cli.or(&mapping.map(|m| m.defaults.clone()).unwrap_or_default()).or(&from_file);
    Ok(Plan {
        file,
        source: src,
        container,
        header_line: header_row.line,
        headers,
        map,
        hints,
        defaults,
        date_format: mapping.and_then(|m| m.date_format.clone()),
    })
}

pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Imports one file as one transaction.
pub fn import_file(ws: &Workspace, path: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let mut plan = plan(path, opts)?;
    let file = plan.file.clone();
    let io_err = |source| ImportError::Write { file: file.clone(), source };
    let sha256 = sha256_file(path).map_err(io_err)?;
    let kind = plan.map.kind;

    let mut tx = ws.begin()?;
    let import_id = tx.catalog.next_import_id;
    let mut warnings = Vec::new();
    if let Some(prev) = tx.catalog.import_with_sha(&sha256) {
        warnings.push(format!("this file was imported before, as import {} on {}", prev.id, prev.time));
    }
    if kind != Kind::Bank && plan.defaults.platform.is_none() && !plan.map.has(fields::Field::Platform) {
        warnings.push(
            "the platform is not known: pass --platform (tmall, jd, douyin, pdd …) so matching can use it".into(),
        );
    }
    let mut keys = keys::KeyMap::default();
    keys::load_keys(&ws.data_files(&tx.catalog, kind), &mut keys)
        .map_err(|e| io_err(std::io::Error::other(format!("reading stored keys: {e}"))))?;

    let source_name = path.file_name().map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
    let data_tmp = tx.temp_path(&format!("imp-{import_id:06}.parquet"));
    let rejects_tmp = tx.temp_path(&format!("imp-{import_id:06}.rejects.csv"));
    // Whatever ends this import, its temp files go: a refused import leaves the
    // workspace exactly as it was. (Committed files were moved away already.)
    let _cleanup = RemoveOnDrop(vec![data_tmp.clone(), rejects_tmp.clone()]);
    let mut sink = sink::ParquetSink::create(&data_tmp, kind.file_schema()).map_err(io_err)?;
    let mut rejects = RejectsWriter::create(&rejects_tmp).map_err(io_err)?;
    let converter = Converter {
        kind,
        map: plan.map.clone(),
        headers: plan.headers.clone(),
        defaults: plan.defaults.clone(),
        date_format: plan.date_format.clone(),
    };
    let mut builder = builder::TableBuilder::new(kind, &source_name, import_id as i64);
    let mut counts = Counts::default();
    let mut problems: Vec<String> = Vec::new();
    let progress = Progress::bytes(opts.progress, plan.source.size(), &source_name);
    let unit = plan.source.unit();
    let header_line = plan.header_line;
    let width = plan.headers.len();
    let mut failure: Option<String> = None;
    let mut unterminated = false;
    let mut in_footer = false;
    let mut notes = Vec::new();

    let mut visit = |row: &RawRow| -> Result<Flow, String> {
        if row.line <= header_line {
            counts.skipped += u64::from(row.line < header_line);
            return Ok(Flow::Continue);
        }
        progress.set(row.offset);
        if counts.stored == 1000 {
            crate::faults::point("import:mid-file");
        }
        let mut note = |counts: &mut Counts, category: &str, column: String, reason: String| -> Result<(), String> {
            match category {
                "rejected" => counts.rejected += 1,
                "ignored" => counts.ignored += 1,
                "warning" => counts.warnings += 1,
                _ => counts.skipped += 1,
            }
            if category != "skipped" && problems.len() < SHOWN_PROBLEMS {
                let at = if column.is_empty() { String::new() } else { format!(", {column}") };
                problems.push(format!("{category}: {unit} {}{at}: {reason}", row.line));
            }
            rejects.add(row.line, category, &column, &reason, &row.to_csv_line()).map_err(|e| e.to_string())
        };
        if row.is_blank() {
            counts.skipped += 1;
            return Ok(Flow::Continue);
        }
        if row.get(0).trim_start().starts_with('#') {
            note(&mut counts, "skipped", String::new(), "comment line".into())?;
            return Ok(Flow::Continue);
        }
        if row.unterminated && (row.len() < width || row.undecodable.is_some()) {
            note(
                &mut counts,
                "rejected",
                String::new(),
                format!(
                    "the file ends in the middle of this {unit}: is it truncated? ({} of {width} fields)",
                    row.len()
                ),
            )?;
            return Ok(Flow::Continue);
        }
        if let Some(col) = row.undecodable {
            note(
                &mut counts,
                "rejected",
                converter.column_label(col),
                format!("bytes that are not valid {}", plan_encoding(&plan.container)),
            )?;
            return Ok(Flow::Continue);
        }
        unterminated |= row.unterminated;
        if let Some(extra) = (width..row.len()).find(|&i| values::clean(row.get(i)).is_some()) {
            note(
                &mut counts,
                "rejected",
                format!("column {}", extra + 1),
                format!("the row has {} fields but the header has {width}: an unquoted comma?", row.len()),
            )?;
            return Ok(Flow::Continue);
        }
        let mut vals: Vec<Val> = Vec::with_capacity(20);
        match converter.convert(row, &mut vals, &mut notes) {
            Ok(key) => {
                if let Some(origin) = keys.get(&key) {
                    counts.duplicates += 1;
                    *counts.duplicate_origins.entry(*origin).or_default() += 1;
                    return Ok(Flow::Continue);
                }
                for n in notes.drain(..) {
                    let col = n.column.map(|c| converter.column_label(c)).unwrap_or_default();
                    note(&mut counts, "warning", col, n.reason)?;
                }
                keys.insert(key, import_id);
                builder.append(&vals, row.line, key);
                counts.stored += 1;
                if builder.len() >= BATCH_ROWS {
                    let batch = builder.finish().map_err(|e| e.to_string())?;
                    sink.write(batch)?;
                }
            }
            Err(p) if p.category == Category::Ignored => {
                let col = p.column.map(|c| converter.column_label(c)).unwrap_or_default();
                note(&mut counts, "ignored", col, p.reason)?;
            }
            // Below a totals line comes the rest of the footer (WeChat writes its
            // summary as a header row and a value row).
            Err(_) if in_footer || looks_like_footer(row) => {
                in_footer = true;
                note(&mut counts, "skipped", String::new(), "totals or footer line".into())?;
            }
            Err(p) => {
                let col = p.column.map(|c| converter.column_label(c)).unwrap_or_default();
                note(&mut counts, "rejected", col, p.reason)?;
            }
        }
        Ok(Flow::Continue)
    };
    if let Err(e) = plan.source.for_each_row(&mut visit) {
        failure = Some(e.to_string());
    }
    progress.finish();
    if let Some(message) = failure {
        return Err(ImportError::Read { file, source: source::SourceError::Visitor(message) });
    }
    if !builder.is_empty() {
        let batch = builder.finish().map_err(|e| io_err(std::io::Error::other(e)))?;
        sink.write(batch).map_err(|e| io_err(std::io::Error::other(e)))?;
    }
    if unterminated {
        warnings.push(format!("the last {unit} has no line break after it: check the file is complete"));
    }

    let mut report = ImportReport {
        file: file.clone(),
        source: plan.source.describe(),
        kind,
        unit,
        header_line,
        import_id,
        committed: false,
        counts,
        problems,
        rejects_file: None,
        warnings,
    };
    let c = &report.counts;
    if opts.strict && c.rejected > 0 {
        return Err(ImportError::NothingImported {
            file,
            detail: format!("--strict, and {} rows were rejected:\n{}", c.rejected, report.problems.join("\n")),
        });
    }
    if c.stored == 0 {
        if c.rejected > 0 {
            return Err(ImportError::NothingImported {
                file,
                detail: format!("all {} data rows were rejected:\n  {}", c.rejected, report.problems.join("\n  ")),
            });
        }
        if c.duplicates == 0 && c.ignored == 0 {
            return Err(ImportError::NothingImported {
                file,
                detail: format!("there are no data rows below the header ({unit} {header_line})"),
            });
        }
        return Ok(report);
    }

    let data_path = sink.finish().map_err(|e| io_err(std::io::Error::other(e)))?;
    let data_rel = format!("tables/{}/imp-{import_id:06}.parquet", kind.table());
    tx.stage(data_path, data_rel.clone());
    let rejects_rel = if rejects.rows > 0 {
        let p = rejects.finish().map_err(io_err)?;
        let rel = format!("rejects/imp-{import_id:06}.csv");
        tx.stage(p, rel.clone());
        report.rejects_file = Some(ws.path(&rel));
        Some(rel)
    } else {
        None
    };
    let c = &report.counts;
    tx.catalog.imports.push(ImportRecord {
        id: import_id,
        time: crate::clock::now().to_rfc3339(),
        user: opts.user.clone(),
        source_file: source_name,
        sha256,
        format: plan.source.describe(),
        kind: kind.name().to_string(),
        rows_stored: c.stored,
        duplicates_skipped: c.duplicates,
        rows_rejected: c.rejected,
        rows_ignored: c.ignored,
        lines_skipped: c.skipped,
        duplicates_of: c
            .duplicate_origins
            .iter()
            .filter(|(id, _)| **id != import_id)
            .map(|(id, n)| (*id, *n))
            .collect(),
        data_file: Some(data_rel),
        rejects_file: rejects_rel,
        undone: None,
    });
    tx.catalog.next_import_id += 1;
    tx.commit()?;
    report.committed = true;
    Ok(report)
}

struct RemoveOnDrop(Vec<std::path::PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn plan_encoding(c: &sniff::Container) -> String {
    match c {
        sniff::Container::Text(enc) => enc.label(),
        other => other.label(),
    }
}

/// Totals and footer rows below a table: few cells, or words like 合计.
fn looks_like_footer(row: &RawRow) -> bool {
    let filled: Vec<&str> = row.cells().filter_map(values::clean).collect();
    if filled.len() <= 2 {
        return true;
    }
    const WORDS: [&str; 8] = ["合计", "总计", "小计", "汇总", "共计", "total", "笔数", "总笔数"];
    filled.first().is_some_and(|first| {
        let lower = first.to_lowercase();
        WORDS.iter().any(|w| lower.contains(w))
    })
}
