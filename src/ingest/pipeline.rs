//! The threads of an import: the source reads and decodes rows in batches, converter
//! threads turn each batch into Arrow columns plus natural keys and per-row outcomes,
//! and the calling thread applies the converted batches in file order (duplicates,
//! reports) while the Parquet sink encodes on its own thread. On a two-core machine
//! every stage overlaps.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use datafusion::arrow::array::RecordBatch;

use super::builder::TableBuilder;
use super::convert::{Category, Converter, Extra, Problem, Val};
use super::row::RawRow;
use super::source::{Flow, Source, SourceError};
use crate::values;

/// What every row is checked against before it is converted.
#[derive(Clone, Debug)]
pub struct Checks {
    pub header_line: u64,
    /// Columns in the header.
    pub width: usize,
    pub unit: &'static str,
    pub encoding: String,
    pub source_file: String,
    pub import_id: i64,
}

/// A row that is not stored: why, and the row itself for the rejects file.
#[derive(Debug)]
pub struct Note {
    pub line: u64,
    pub category: &'static str,
    pub column: String,
    pub reason: String,
    pub row: String,
    /// A failed row that looks like a totals or footer line.
    pub footer_like: bool,
}

/// What became of one row, in file order.
#[derive(Debug)]
pub enum Outcome {
    /// Converted: the next row of the batch, and after it `extra` further lines the row
    /// stands for (stored or skipped with it). Its warnings count only if it is stored.
    Converted {
        warnings: Vec<Note>,
        extra: usize,
        /// Its direction was read from its words (不计收支): not in the file's own totals.
        inferred: bool,
    },
    NotStored(Note),
    /// Above the header: its line and text (a summary there is checked like a footer).
    Preamble(u64, String),
    Blank,
}

pub struct ConvertedBatch {
    pub seq: u64,
    /// The converted rows, in order; `keys` has one per row.
    pub rows: Option<RecordBatch>,
    pub keys: Vec<u128>,
    pub outcomes: Vec<Outcome>,
    /// Bytes of the file read up to this batch's end, for progress.
    pub offset: u64,
    /// The last row has no line break after it.
    pub unterminated: bool,
}

/// Reads the whole source and hands the converted batches to `apply`, in order.
pub fn run(
    source: &mut dyn Source,
    converter: &Converter,
    checks: &Checks,
    apply: &mut dyn FnMut(ConvertedBatch) -> Result<(), String>,
) -> Result<(), SourceError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let (work_tx, work_rx) = sync_channel::<(u64, Vec<RawRow>)>(workers * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<Result<ConvertedBatch, String>>(workers * 2);
    let (spent_tx, spent_rx) = channel::<Vec<RawRow>>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (rx, tx, spent, conv) = (work_rx.clone(), done_tx.clone(), spent_tx.clone(), converter.clone());
            scope.spawn(move || convert_batches(&conv, checks, &rx, &tx, &spent));
        }
        drop((work_rx, done_tx, spent_tx));
        let feeder = scope.spawn(move || {
            let mut seq = 0;
            source.for_each_batch(
                &mut |rows| {
                    work_tx.send((seq, rows)).map_err(|_| "the import stopped".to_string())?;
                    seq += 1;
                    Ok(Flow::Continue)
                },
                spent_rx,
            )
        });
        // Converters finish out of order; batches are applied in file order.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        let mut failure = None;
        'receive: for result in done_rx.iter() {
            match result {
                Ok(batch) => {
                    waiting.insert(batch.seq, batch);
                    while let Some(batch) = waiting.remove(&next) {
                        if let Err(e) = apply(batch) {
                            failure = Some(e);
                            break 'receive;
                        }
                        next += 1;
                    }
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        // Dropping the receiver stops the converters, and with them the feeder.
        drop(done_rx);
        let fed = feeder.join().map_err(|_| SourceError::Visitor("the reader thread panicked".into()))?;
        match failure {
            Some(e) => Err(SourceError::Visitor(e)),
            None => fed,
        }
    })
}

fn convert_batches(
    converter: &Converter,
    checks: &Checks,
    work: &Mutex<Receiver<(u64, Vec<RawRow>)>>,
    done: &SyncSender<Result<ConvertedBatch, String>>,
    spent: &Sender<Vec<RawRow>>,
) {
    let mut builder = TableBuilder::new(converter.kind, &checks.source_file, checks.import_id);
    loop {
        let job = work.lock().map(|rx| rx.recv());
        let Ok(Ok((seq, rows))) = job else { return };
        let result = convert_batch(converter, &mut builder, checks, seq, &rows);
        let _ = spent.send(rows);
        if done.send(result).is_err() {
            return;
        }
    }
}

/// Checks and converts the rows of one batch.
pub fn convert_batch(
    converter: &Converter,
    builder: &mut TableBuilder,
    checks: &Checks,
    seq: u64,
    rows: &[RawRow],
) -> Result<ConvertedBatch, String> {
    let mut out = ConvertedBatch {
        seq,
        rows: None,
        keys: Vec::with_capacity(rows.len()),
        outcomes: Vec::with_capacity(rows.len()),
        offset: rows.last().map_or(0, |r| r.offset),
        unterminated: false,
    };
    let mut problems = Vec::new();
    // One allocation for the values of every row.
    let mut spare: Vec<Val<'static>> = Vec::with_capacity(24);
    let mut spare_extra: Vec<Extra<'static>> = Vec::new();
    for row in rows {
        if row.line == checks.header_line {
            continue;
        }
        let outcome = if row.line < checks.header_line {
            Outcome::Preamble(row.line, row.cells().collect::<Vec<_>>().join(","))
        } else if row.is_blank() {
            Outcome::Blank
        } else if let Some(note) = precheck(row, checks, converter) {
            Outcome::NotStored(note)
        } else {
            out.unterminated |= row.unterminated;
            let mut vals = recycle(std::mem::take(&mut spare));
            let mut extra = recycle_extra(std::mem::take(&mut spare_extra));
            let result = converter.convert(row, &mut vals, &mut extra, &mut problems);
            let outcome = match result {
                Ok(key) => {
                    builder.append(&vals, row.line, key);
                    out.keys.push(key);
                    for e in &extra {
                        builder.append(&e.vals, row.line, e.key);
                        out.keys.push(e.key);
                    }
                    let warnings = problems.drain(..).map(|p| note(row, converter, p, false)).collect();
                    Outcome::Converted { warnings, extra: extra.len(), inferred: converter.took_inferred_direction() }
                }
                Err(p) => {
                    let footer_like = p.category == Category::Rejected && looks_like_footer(row);
                    Outcome::NotStored(note(row, converter, p, footer_like))
                }
            };
            spare = recycle(vals);
            spare_extra = recycle_extra(extra);
            outcome
        };
        out.outcomes.push(outcome);
    }
    if !builder.is_empty() {
        out.rows = Some(builder.finish().map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// Rows that cannot be converted at all: comments, bad bytes, cut-off lines, rows
/// wider than the header.
fn precheck(row: &RawRow, checks: &Checks, converter: &Converter) -> Option<Note> {
    let width = checks.width;
    // `#` opens the comment and totals lines wallet exports write around their table,
    // one or two cells long; a row with more that starts with `#` is data (Shopify's #1001).
    let filled = || row.cells().filter(|c| values::clean(c).is_some()).count();
    let (category, column, reason) = if row.get(0).trim_start().starts_with('#') && filled() <= 2 {
        ("skipped", String::new(), "comment line".to_string())
    } else if row.swallowed_lines > 0 {
        (
            "rejected",
            String::new(),
            format!(
                "a quote opened in this row is never closed: the {} lines below it were read into one cell — close the quote (or remove it) and import again",
                row.swallowed_lines
            ),
        )
    } else if row.unterminated && (row.len() < width || row.undecodable.is_some()) {
        (
            "rejected",
            String::new(),
            format!(
                "the file ends in the middle of this {}: is it truncated? ({} of {width} fields)",
                checks.unit,
                row.len()
            ),
        )
    } else if let Some(col) = row.undecodable {
        ("rejected", converter.column_label(col), format!("bytes that are not valid {}", checks.encoding))
    } else if let Some(extra) = (width..row.len()).find(|&i| values::clean(row.get(i)).is_some()) {
        (
            "rejected",
            format!("column {}", extra + 1),
            format!("the row has {} fields but the header has {width}: an unquoted comma?", row.len()),
        )
    } else {
        return None;
    };
    Some(Note { line: row.line, category, column, reason, row: row.to_csv_line(), footer_like: false })
}

fn note(row: &RawRow, converter: &Converter, p: Problem, footer_like: bool) -> Note {
    let category = match p.category {
        Category::Rejected => "rejected",
        Category::Ignored => "ignored",
        Category::Warning => "warning",
    };
    Note {
        line: row.line,
        category,
        column: p.column.map(|c| converter.column_label(c)).unwrap_or_default(),
        reason: p.reason,
        row: row.to_csv_line(),
        footer_like,
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

/// Reuses an emptied vector's allocation for lines borrowed from another row.
fn recycle_extra<'b>(mut v: Vec<Extra<'_>>) -> Vec<Extra<'b>> {
    v.clear();
    v.into_iter().map(|_| unreachable!("the vector is empty")).collect()
}

/// Reuses an emptied vector's allocation for values borrowed from another row.
fn recycle<'b>(mut v: Vec<Val<'_>>) -> Vec<Val<'b>> {
    v.clear();
    // An empty vector maps to an empty one in place: no element is ever converted.
    v.into_iter().map(|_| unreachable!("the vector is empty")).collect()
}
