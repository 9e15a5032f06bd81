//! Importing a file into the workspace as one transaction: detect what the file is,
//! find its header, map its columns, convert and de-duplicate every row, write the
//! rows as Parquet, and commit them with their log entry, or leave the workspace
//! exactly as it was.

mod ahead;
pub mod archive;
pub mod builder;
pub mod classify;
mod clock_columns;
pub mod convert;
pub mod fields;
pub mod footer;
pub mod formats;
pub mod header;
pub mod keys;
mod ledger_guess;
pub mod mapping;
pub mod pipeline;
pub mod report;
pub mod row;
pub mod sink;
pub mod sniff;
pub mod source;
pub mod tally;
mod template;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use self::header::{ColumnMap, Hints};
use self::mapping::{Defaults, MappingFile};
use self::report::{ImportReport, RejectsWriter};
use self::row::RawRow;
use self::source::Source;
use self::tally::Tally;
use crate::progress::Progress;
use crate::schema::Kind;
use crate::workspace::{ImportRecord, Transaction, Workspace, WorkspaceError};

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub kind: Option<Kind>,
    /// Import a bank statement whose balances do not add up, saying so.
    pub allow_unbalanced: bool,
    /// A named format the file must be in (`--as alipay-ledger`).
    pub format: Option<&'static formats::Format>,
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
    /// The named format recognised (or insisted on), if any.
    pub format: Option<&'static formats::Format>,
    pub hints: Hints,
    pub defaults: Defaults,
    pub date_format: Option<String>,
    /// Rows the whole file probably holds, judged by the bytes its first rows take.
    pub estimated_rows: u64,
}

impl Plan {
    pub fn explain(&self) -> String {
        let mut s = format!(
            "{}\n  format: {}\n  read as: {}\n  header: {} {}: {}\n  kind: {} (table {})\n",
            self.file,
            match (self.format, self.container) {
                (Some(f), _) => format!("{} ({})", f.name, f.title),
                (None, sniff::Container::Statement(s)) => format!("{} (bank statement standard)", s.label()),
                (None, sniff::Container::Payout(p)) => format!("{} (payout export)", p.label()),
                (None, _) => "none of the named ones: read by its column names".into(),
            },
            self.source.describe(),
            self.source.unit(),
            self.header_line,
            self.headers.iter().map(|h| h.trim()).collect::<Vec<_>>().join(", "),
            self.map.kind,
            self.map.kind.table()
        );
        s.push_str("  columns:\n");
        s.push_str(&self.map.describe(&self.headers));
        for why in &self.map.why {
            s.push_str(&format!("  assumed: {why}\n"));
        }
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
/// The file opened, and its first rows (where the header is looked for).
struct Opened {
    file: String,
    container: sniff::Container,
    src: Box<dyn Source>,
    head: Vec<RawRow>,
}

fn open_head(path: &Path, opts: &ImportOptions) -> Result<Opened, ImportError> {
    let file = path.display().to_string();
    let mapping = opts.mapping.as_ref();
    let mapped = mapping.is_some_and(|m| !m.columns.is_empty());
    let container = sniff::sniff(path, mapping.and_then(|m| m.encoding.as_deref()), mapped)
        .map_err(|source| ImportError::Sniff { file: file.clone(), source })?;
    let read_err = |source| ImportError::Read { file: file.clone(), source };
    let mut src = source::open(path, container, mapping, opts.allow_unbalanced).map_err(read_err)?;
    // Detection looks at the first rows; a header row the mapping names is read
    // wherever it is (a report with a long preamble), with rows below it to sample.
    let named = mapping.and_then(|m| m.header_row).map_or(0, |n| usize::try_from(n.min(1_000_000)).unwrap_or(0));
    let rows = header::SEARCH_ROWS.max(named.saturating_add(header::SEARCH_ROWS));
    let head = source::head(src.as_mut(), rows).map_err(read_err)?;
    if head.iter().all(RawRow::is_blank) {
        return Err(ImportError::Sniff { file, source: sniff::SniffError::Empty });
    }
    Ok(Opened { file, container, src, head })
}

/// What `recon import --explain` prints: how the file would be read; or, where recon
/// cannot tell its kind or find its header, a mapping file to fill in (stdout) and why.
pub fn explain(path: &Path, opts: &ImportOptions) -> Result<String, ImportError> {
    let err = match plan(path, opts) {
        Ok(plan) => return Ok(plan.explain()),
        Err(e @ (ImportError::Kind { .. } | ImportError::HeaderNotFound { .. })) => e,
        Err(e) => return Err(e),
    };
    let opened = open_head(path, opts)?;
    let head = &opened.head;
    let at = header::find_header(head).or_else(|| head.iter().position(|r| !r.is_blank())).unwrap_or(0);
    let headers: Vec<String> = head[at].cells().map(|c| c.trim().trim_start_matches('\u{feff}').to_string()).collect();
    let candidates = header::candidates(&headers, opts.mapping.as_ref()).unwrap_or_default();
    let reason = err.to_string();
    let known = template::Known {
        file: &opened.file,
        reason: reason.strip_prefix(&format!("{}: ", opened.file)).unwrap_or(&reason),
        header_line: header::find_header(head).map(|i| head[i].line),
        first_line: head[at].line,
        headers: &headers,
        candidates: &candidates,
        sample: head[at + 1..]
            .iter()
            .filter(|r| !r.is_blank())
            .take(3)
            .map(|r| r.cells().map(String::from).collect())
            .collect(),
    };
    Ok(template::mapping_template(&known))
}

pub fn plan(path: &Path, opts: &ImportOptions) -> Result<Plan, ImportError> {
    let mapping = opts.mapping.as_ref();
    let Opened { file, container, src, head } = open_head(path, opts)?;
    let header_at = match mapping.and_then(|m| m.header_row) {
        Some(line) => head.iter().position(|r| r.line == line).ok_or_else(|| ImportError::Mapping {
            file: file.clone(),
            detail: format!("header_row = {line}, but the file has no such {} in its first {}", src.unit(), head.len()),
        })?,
        // A mapping file that names columns: the first row holding every name it gives.
        None => mapping
            .and_then(|m| header::row_with_names(&head, &m.column_fields()))
            .or_else(|| header::find_header(&head))
            .ok_or_else(|| ImportError::HeaderNotFound {
                file: file.clone(),
                searched: head.len(),
                unit: src.unit(),
            })?,
    };
    let header_row = &head[header_at];
    let headers: Vec<String> =
        header_row.cells().map(|c| c.trim().trim_start_matches('\u{feff}').to_string()).collect();
    let hints = header::preamble_hints(&head[..header_at]);
    let kind = opts
        .kind
        .or(opts.format.map(|f| f.kind))
        .or_else(|| mapping.and_then(MappingFile::kind))
        .or_else(|| formats::identify_unguessable(&headers).map(|f| f.kind));
    let kind = match container {
        // A statement standard holds bank transactions, whatever a mapping says.
        sniff::Container::Statement(standard) => match opts.kind {
            Some(k) if k != Kind::Bank => {
                return Err(ImportError::Kind {
                    file,
                    detail: format!("it is a {} bank statement, so it imports as bank, not {k}", standard.label()),
                });
            }
            _ => Some(Kind::Bank),
        },
        // A payout export's rows are settlement lines (a trade bill's, trade records),
        // whatever a mapping says.
        sniff::Container::Payout(export) => match opts.kind {
            Some(k) if k != export.kind() => {
                return Err(ImportError::Kind {
                    file,
                    detail: format!("it is a {}, so it imports as {}, not {k}", export.title(), export.kind()),
                });
            }
            _ => Some(export.kind()),
        },
        _ => kind,
    };
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
        None => match header::guess_kind(&headers, mapping) {
            Ok(map) => map,
            // Nothing fits by name: a platform's ledger recon has no format for is still
            // read, by what its columns hold, and says so.
            Err(detail) => {
                let nothing_fits =
                    header::candidates(&headers, mapping).map_or(true, |all| all.iter().all(|m| m.missing().is_some()));
                let ledger = if nothing_fits && mapping.is_none() {
                    ledger_guess::guess(&headers, &head[header_at + 1..])
                } else {
                    None
                };
                ledger.ok_or_else(|| ImportError::Kind { file: file.clone(), detail })?
            }
        },
    };
    let mut map = map;
    let explicit_time = mapping.is_some_and(|m| {
        m.column_fields().iter().any(|(f, _)| matches!(f, fields::Field::TxnTime | fields::Field::TxnDate))
    });
    if let Some(note) = clock_columns::join(&mut map, &headers, &head[header_at + 1..], explicit_time) {
        map.why.push(note);
    }
    let format = match opts.format {
        Some(f) => {
            let missing = f.missing(&headers);
            if !missing.is_empty() {
                return Err(ImportError::Mapping {
                    file,
                    detail: format!(
                        "imported as {} ({}), but its header (line {}) has no column {}",
                        f.name,
                        f.title,
                        header_row.line,
                        missing.join(", ")
                    ),
                });
            }
            Some(f)
        }
        None => formats::identify(&headers, map.kind),
    };
    let from_file = Defaults {
        platform: hints.platform.as_deref().map(|p| header::normalise_platform(p).into_owned()).or_else(|| {
            if map.kind == Kind::Bank {
                None
            } else {
                hints.platform_mentioned.clone().or_else(|| header::platform_in_header(&headers))
            }
        }),
        shop: hints.shop.clone(),
        account: hints.account.clone(),
        currency: hints.currency.as_deref().map(|c| header::normalise_currency(c).into_owned()),
    };
    let mut cli = opts.defaults.clone();
    cli.platform = cli.platform.as_deref().map(|p| header::normalise_platform(p).into_owned());
    let from_format = Defaults { platform: format.and_then(|f| f.platform).map(String::from), ..Defaults::default() };
    let mut defaults = cli.or(&mapping.map(|m| m.defaults.clone()).unwrap_or_default()).or(&from_file).or(&from_format);
    // Last of all, a platform the file's name gives (快手小店资金流水.csv): said, since a
    // name may mislead.
    if defaults.platform.is_none() && map.kind != Kind::Bank && !map.has(fields::Field::Platform) {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if let Some(p) = crate::platforms::named_in(&stem) {
            map.why.push(format!("the platform is taken from the file's name: {p} (--platform says otherwise)"));
            defaults.platform = Some(p.to_string());
        }
    }
    let estimated_rows =
        head.last().filter(|r| r.offset > 0).map_or(0, |r| src.size().saturating_mul(head.len() as u64) / r.offset);
    Ok(Plan {
        file,
        source: src,
        container,
        header_line: header_row.line,
        headers,
        map,
        format,
        hints,
        defaults,
        date_format: mapping.and_then(|m| m.date_format.clone()),
        estimated_rows,
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
    Importer::begin(ws)?.import(path, opts)
}

/// Imports files one after another under one writer lock. Each file is its own
/// transaction; the keys already stored are read once per run of files of one table, not
/// once per file.
pub struct Importer<'w> {
    ws: &'w Workspace,
    tx: Transaction,
    keys: HashMap<Kind, keys::KeyMap>,
    /// The workspace's channel names (settings `[platforms]`).
    platforms: crate::platforms::Aliases,
}

impl<'w> Importer<'w> {
    pub fn begin(ws: &'w Workspace) -> Result<Importer<'w>, ImportError> {
        let settings = crate::settings::Settings::load(ws)
            .map_err(|detail| ImportError::Mapping { file: crate::settings::FILE.into(), detail })?;
        let platforms = crate::platforms::Aliases::new(&settings.platforms.aliases);
        Ok(Importer { ws, tx: ws.begin()?, keys: HashMap::new(), platforms })
    }

    pub fn import(&mut self, path: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
        self.import_fed(path, opts, None)
    }

    /// Imports each file in turn, reading the next one ahead while one is stored (see
    /// [`ahead`]); `each` hears how each went as it finishes, and may stop the rest.
    pub fn import_all(
        &mut self,
        files: &[std::path::PathBuf],
        opts: &ImportOptions,
        mut each: impl FnMut(&Path, Result<ImportReport, ImportError>) -> std::ops::ControlFlow<()>,
    ) {
        let mut next: Option<ahead::Ahead> = None;
        for (i, path) in files.iter().enumerate() {
            let current = next.take();
            // Read as the import after this one, which it is if this one commits.
            next = files
                .get(i + 1)
                .map(|p| ahead::Ahead::start(p, opts, &self.platforms, self.tx.catalog.next_import_id + 1));
            let result = self.import_fed(path, opts, current);
            if each(path, result).is_break() {
                return;
            }
        }
    }

    fn import_fed(
        &mut self,
        path: &Path,
        opts: &ImportOptions,
        ahead: Option<ahead::Ahead>,
    ) -> Result<ImportReport, ImportError> {
        let import_id = self.tx.catalog.next_import_id;
        let result = self.import_one(path, opts, ahead);
        if !matches!(&result, Ok(r) if r.committed) {
            // Keys this attempt added were never committed.
            for keys in self.keys.values_mut() {
                keys.retain(|_, origin| u64::from(*origin) != import_id);
            }
        }
        result
    }

    fn import_one(
        &mut self,
        path: &Path,
        opts: &ImportOptions,
        ahead: Option<ahead::Ahead>,
    ) -> Result<ImportReport, ImportError> {
        let ws = self.ws;
        let tx = &mut self.tx;
        let import_id = tx.catalog.next_import_id;
        // Read ahead under this import's number, or read now: a file before it did not
        // commit, so the number differs (the work read ahead stops here).
        let (mut prepared, feed) = match ahead.filter(|a| a.import_id == import_id) {
            Some(a) => a.take()?,
            None => (ahead::prepare(path, opts, &self.platforms, import_id)?, ahead::Feed::Here),
        };
        let plan = &prepared.plan;
        let file = plan.file.clone();
        let io_err = |source| ImportError::Write { file: file.clone(), source };
        // The checksum is read on a thread of its own, beside the parse.
        let sha_thread = {
            let path = path.to_path_buf();
            std::thread::spawn(move || sha256_file(&path))
        };
        let kind = plan.map.kind;

        let mut warnings: Vec<String> = plan.map.why.clone();
        if matches!(kind, Kind::Orders | Kind::Settlements)
            && plan.defaults.platform.is_none()
            && !plan.map.has(fields::Field::Platform)
        {
            warnings.push(
                "the platform is not known: pass --platform (tmall, jd, douyin, pdd …) so matching can use it".into(),
            );
        }
        // Only this table's keys are held: at ten million orders the keys of every table
        // an import touched came to gigabytes. Files come grouped by table (a folder
        // each), so a table's keys are read again only when its files are interleaved
        // with another's.
        self.keys.retain(|k, _| *k == kind);
        let keys = match self.keys.entry(kind) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut stored = keys::KeyMap::default();
                keys::load_keys(&ws.data_files(&tx.catalog, kind), &mut stored)
                    .map_err(|e| io_err(std::io::Error::other(format!("reading stored keys: {e}"))))?;
                e.insert(stored)
            }
        };
        keys.reserve(plan.estimated_rows as usize);

        let source_name = prepared.checks.source_file.clone();
        let data_tmp = tx.temp_path(&format!("imp-{import_id:06}.parquet"));
        let rejects_tmp = tx.temp_path(&format!("imp-{import_id:06}.rejects.csv"));
        // Whatever ends this import, its temp files go: a refused import leaves the
        // workspace exactly as it was. (Committed files were moved away already.)
        let _cleanup = RemoveOnDrop(vec![data_tmp.clone(), rejects_tmp.clone()]);
        let mut sink = sink::ParquetSink::create(&data_tmp, kind.file_schema()).map_err(io_err)?;
        let mut rejects = RejectsWriter::create(&rejects_tmp).map_err(io_err)?;
        let unit = prepared.checks.unit;
        let header_line = plan.header_line;
        let progress = Progress::bytes(opts.progress, plan.source.size(), &source_name);
        let mut tally =
            Tally::new(import_id, unit, keys, &mut rejects, &mut sink, &progress, kind.repeats_are_distinct());
        let read = feed.run(&mut prepared, &mut |batch| tally.apply(batch));
        let (plan, converter) = (&prepared.plan, &prepared.converter);
        progress.finish();
        read.map_err(|source| ImportError::Read { file: file.clone(), source })?;
        tally.finish().map_err(|e| ImportError::Write { file: file.clone(), source: std::io::Error::other(e) })?;
        warnings.extend(tally.footer.mismatches());
        let shifted = converter.shifted_times();
        if shifted > 0 {
            warnings.push(format!(
                "{shifted} time{} carried a UTC offset (…Z, …-05:00) and {} converted to local time ({}), the time every other row is in",
                if shifted == 1 { "" } else { "s" },
                if shifted == 1 { "was" } else { "were" },
                chrono::Local::now().format("%:z")
            ));
        }
        warnings.extend(plan.source.warnings());
        let (counts, problems) = (tally.counts, tally.problems);
        if tally.unterminated {
            warnings.push(format!("the last {unit} has no line break after it: check the file is complete"));
        }

        let sha256 = sha_thread
            .join()
            .map_err(|_| io_err(std::io::Error::other("the checksum thread panicked")))?
            .map_err(io_err)?;
        if let Some(prev) = tx.catalog.import_with_sha(&sha256) {
            warnings.push(format!("this file was imported before, as import {} on {}", prev.id, prev.time));
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
            format: match plan.format {
                Some(f) => format!("{}: {}", f.name, plan.source.describe()),
                None => plan.source.describe(),
            },
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
        tx.audit(&opts.user, "import", &report.audit_detail());
        tx.commit()?;
        report.committed = true;
        Ok(report)
    }
}

struct RemoveOnDrop(Vec<std::path::PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

pub(crate) fn plan_encoding(c: &sniff::Container) -> String {
    match c {
        sniff::Container::Text(enc) => enc.label(),
        other => other.label(),
    }
}
