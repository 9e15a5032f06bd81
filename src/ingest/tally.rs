//! Applying converted batches in file order: skipping rows the workspace (or the file)
//! holds already, counting every row into the report and the rejects file, and
//! passing what is new on to the Parquet sink.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use datafusion::arrow::array::{Array, BooleanArray, FixedSizeBinaryArray, FixedSizeBinaryBuilder, RecordBatch};
use datafusion::arrow::compute::filter_record_batch;

use super::footer::FooterCheck;
use super::keys::{Key, KeyMap};
use super::pipeline::{ConvertedBatch, Note, Outcome};
use super::report::{Counts, RejectsWriter, SHOWN_PROBLEMS};
use super::sink::ParquetSink;
use crate::progress::Progress;
use crate::schema::KEY_COLUMN;
use xxhash_rust::xxh3::xxh3_128;

pub struct Tally<'a> {
    pub counts: Counts,
    pub problems: Vec<String>,
    pub unterminated: bool,
    import_id: u64,
    unit: &'static str,
    keys: &'a mut KeyMap,
    rejects: &'a mut RejectsWriter,
    sink: &'a mut ParquetSink,
    progress: &'a Progress,
    /// Below a totals line, rows that fail are the rest of the footer (WeChat writes
    /// its summary as a header row and a value row) — unless a good row comes after
    /// them: then the "footer" was a page line (`第1页,共2页`) in the middle of the table,
    /// and the failed rows below it are rejected like any other.
    in_footer: bool,
    /// Failed rows held since the last footer-like line, until the file shows whether
    /// more data follows: (the note, whether it looks like a footer line by itself).
    held: Vec<(Note, bool)>,
    /// For kinds whose repeated rows are separate facts (a parcel billed twice): how
    /// often each key has come in this file. The n-th repeat is stored under a key of
    /// its own, derived from the row's and n, so importing the file again still finds
    /// every row a duplicate.
    repeats: Option<HashMap<u128, u32>>,
    /// The totals the file's footer states, against the rows read.
    pub footer: FooterCheck,
}

impl<'a> Tally<'a> {
    pub fn new(
        import_id: u64,
        unit: &'static str,
        keys: &'a mut KeyMap,
        rejects: &'a mut RejectsWriter,
        sink: &'a mut ParquetSink,
        progress: &'a Progress,
        repeats_are_distinct: bool,
    ) -> Tally<'a> {
        Tally {
            counts: Counts::default(),
            problems: Vec::new(),
            unterminated: false,
            import_id,
            unit,
            keys,
            rejects,
            sink,
            progress,
            in_footer: false,
            held: Vec::new(),
            repeats: repeats_are_distinct.then(HashMap::new),
            footer: FooterCheck::default(),
        }
    }

    pub fn apply(&mut self, batch: ConvertedBatch) -> Result<(), String> {
        self.progress.set(batch.offset);
        self.unterminated |= batch.unterminated;
        let mut keep = Vec::with_capacity(batch.keys.len());
        // Rows that continue the source row before them (its fee lines): counted and
        // checked against footers as one with it.
        let mut derived = Vec::with_capacity(batch.keys.len());
        let mut inferred = Vec::with_capacity(batch.keys.len());
        let mut renamed: Vec<(usize, u128)> = Vec::new();
        let mut keys = batch.keys.iter();
        for outcome in batch.outcomes {
            match outcome {
                Outcome::Preamble(line, text) => {
                    self.counts.skipped += 1;
                    self.footer.see_summary(line, &text);
                }
                Outcome::Blank => self.counts.skipped += 1,
                Outcome::NotStored(n) => {
                    if n.category == "rejected" && (self.in_footer || n.footer_like) {
                        self.in_footer = true;
                        let own = n.footer_like;
                        self.held.push((n, own));
                    } else {
                        self.note(n)?;
                    }
                }
                Outcome::Converted { warnings, extra, inferred: was_inferred } => {
                    // Data again: what was held was no footer. A line that looks like
                    // one by itself (a page line) is skipped; the rest are rejected.
                    self.in_footer = false;
                    for (n, own) in std::mem::take(&mut self.held) {
                        if own { self.note(as_footer(n))? } else { self.note(n)? }
                    }
                    let mut key = *keys.next().ok_or("a converted row without a key")?;
                    derived.push(false);
                    inferred.push(was_inferred);
                    if let Some(seen) = &mut self.repeats {
                        let n = seen.entry(key).or_default();
                        if *n > 0 {
                            let mut bytes = key.to_le_bytes().to_vec();
                            bytes.extend_from_slice(&n.to_le_bytes());
                            key = xxh3_128(&bytes);
                            renamed.push((keep.len(), key));
                        }
                        *n += 1;
                    }
                    match self.keys.entry(Key::from(key)) {
                        Entry::Occupied(origin) => {
                            self.counts.duplicates += 1;
                            *self.counts.duplicate_origins.entry(u64::from(*origin.get())).or_default() += 1;
                            keep.push(false);
                        }
                        Entry::Vacant(slot) => {
                            slot.insert(self.import_id as u32);
                            self.counts.stored += 1;
                            keep.push(true);
                            for w in warnings {
                                self.note(w)?;
                            }
                        }
                    }
                    // The row's further lines go where the row goes.
                    let stored = *keep.last().expect("pushed above");
                    if stored {
                        self.counts.lines += 1 + extra as u64;
                    }
                    for _ in 0..extra {
                        let k = *keys.next().ok_or("a further line without a key")?;
                        if stored {
                            self.keys.insert(Key::from(k), self.import_id as u32);
                        }
                        keep.push(stored);
                        derived.push(true);
                        inferred.push(false);
                    }
                }
            }
        }
        if self.counts.stored >= 1000 {
            crate::faults::point("import:mid-file");
        }
        let Some(mut rows) = batch.rows else { return Ok(()) };
        self.footer.add_rows(&rows, &derived, &inferred);
        if !renamed.is_empty() {
            rows = with_keys_renamed(&rows, &renamed)?;
        }
        let rows = if keep.iter().all(|k| *k) {
            rows
        } else {
            filter_record_batch(&rows, &BooleanArray::from(keep)).map_err(|e| e.to_string())?
        };
        if rows.num_rows() > 0 {
            self.sink.write(rows)?;
        }
        Ok(())
    }

    /// The end of the file: what is still held is the footer.
    pub fn finish(&mut self) -> Result<(), String> {
        self.in_footer = false;
        for (n, _) in std::mem::take(&mut self.held) {
            self.note(as_footer(n))?;
        }
        Ok(())
    }

    fn note(&mut self, n: Note) -> Result<(), String> {
        if n.category == "skipped" {
            self.footer.see_line(n.line, &n.row);
        }
        match n.category {
            "rejected" => self.counts.rejected += 1,
            "ignored" => self.counts.ignored += 1,
            "warning" => self.counts.warnings += 1,
            _ => self.counts.skipped += 1,
        }
        if n.category != "skipped" && self.problems.len() < SHOWN_PROBLEMS {
            let at = if n.column.is_empty() { String::new() } else { format!(", {}", n.column) };
            self.problems.push(format!("{}: {} {}{at}: {}", n.category, self.unit, n.line, n.reason));
        }
        self.rejects.add(n.line, n.category, &n.column, &n.reason, &n.row).map_err(|e| e.to_string())
    }
}

/// A failed row counted as part of the totals or footer below the table.
fn as_footer(mut n: Note) -> Note {
    n.category = "skipped";
    n.column.clear();
    n.reason = "totals or footer line".into();
    n
}

/// The batch with the key column's values at the given rows replaced.
fn with_keys_renamed(rows: &RecordBatch, renamed: &[(usize, u128)]) -> Result<RecordBatch, String> {
    let index = rows.schema().index_of(KEY_COLUMN).map_err(|e| e.to_string())?;
    let old = rows
        .column(index)
        .as_any()
        .downcast_ref::<FixedSizeBinaryArray>()
        .ok_or("the key column is not 16-byte binary")?;
    let mut new = FixedSizeBinaryBuilder::with_capacity(old.len(), 16);
    let mut next = renamed.iter().peekable();
    for i in 0..old.len() {
        match next.peek() {
            Some((row, key)) if *row == i => {
                new.append_value(key.to_be_bytes()).map_err(|e| e.to_string())?;
                next.next();
            }
            _ => new.append_value(old.value(i)).map_err(|e| e.to_string())?,
        }
    }
    let mut columns = rows.columns().to_vec();
    columns[index] = Arc::new(new.finish());
    RecordBatch::try_new(rows.schema(), columns).map_err(|e| e.to_string())
}
