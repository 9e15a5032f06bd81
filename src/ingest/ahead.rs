//! Reading the next file while this one is stored. An import of many files ran one file
//! at a time, and between files (the last rows encoded, the checksum, the commit) and
//! within a slow reader (a workbook's XML) one of two cores sat idle. The next file is
//! planned, read and converted on a thread of its own meanwhile, into a bounded queue;
//! its rows are applied — duplicates found, counted, stored — only when its turn comes,
//! in order, exactly as if it were read then. What it reads ahead it reads under the
//! import number it will have if the file before it commits; if that one does not, the
//! work is dropped and the file read again in its turn.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use super::convert::Converter;
use super::pipeline::{self, Checks, ConvertedBatch};
use super::source::{BatchVisitor, Source, SourceError};
use super::{ImportError, ImportOptions, Plan, plan, plan_encoding};
use crate::ingest::row::RawRow;

/// Converted batches a file read ahead may hold before its turn (4,096 rows each).
const QUEUED_BATCHES: usize = 32;

/// A file ready to be read: how, and into which import.
pub struct Prepared {
    pub plan: Plan,
    pub converter: Converter,
    pub checks: Checks,
}

/// Plans `path` and sets up its conversion for import `import_id`.
pub fn prepare(
    path: &Path,
    opts: &ImportOptions,
    platforms: &crate::platforms::Aliases,
    import_id: u64,
) -> Result<Prepared, ImportError> {
    let plan = plan(path, opts)?;
    let source_file = path.file_name().map_or_else(|| plan.file.clone(), |n| n.to_string_lossy().into_owned());
    let converter = Converter::new(
        plan.map.kind,
        plan.map.clone(),
        plan.headers.clone(),
        plan.defaults.clone(),
        plan.date_format.clone(),
    )
    .with_platforms(platforms.clone())
    .with_negate(plan.format.is_some_and(|f| f.negate) || opts.mapping.as_ref().is_some_and(|m| m.negate))
    .with_netted_refunds(plan.format.is_some_and(|f| f.nets_refunds));
    let checks = Checks {
        header_line: plan.header_line,
        width: plan.headers.len(),
        unit: plan.source.unit(),
        encoding: plan_encoding(&plan.container),
        source_file,
        import_id: import_id as i64,
    };
    Ok(Prepared { plan, converter, checks })
}

/// The reading thread's end: the source, given back for its warnings, and how reading went.
type Reader = JoinHandle<(Box<dyn Source>, Result<(), SourceError>)>;

/// Where a file's converted rows come from when its turn comes.
pub enum Feed {
    /// Read now, on the importing thread's watch.
    Here,
    /// Read ahead: the rest of the rows as they arrive.
    Ahead { batches: Receiver<ConvertedBatch>, reader: Reader },
}

impl Feed {
    /// Hands every batch to `apply`, in file order, and puts the source back in `plan`
    /// (its warnings are read after). An error from `apply` stops the reading.
    pub fn run(
        self,
        prepared: &mut Prepared,
        apply: &mut dyn FnMut(ConvertedBatch) -> Result<(), String>,
    ) -> Result<(), SourceError> {
        let (batches, reader) = match self {
            Feed::Here => {
                let Prepared { plan, converter, checks } = prepared;
                return pipeline::run(plan.source.as_mut(), converter, checks, apply);
            }
            Feed::Ahead { batches, reader } => (batches, reader),
        };
        let mut failure = None;
        for batch in batches.iter() {
            if let Err(e) = apply(batch) {
                failure = Some(e);
                break;
            }
        }
        // Dropping the queue stops the reader, if it is still going.
        drop(batches);
        let (source, read) = reader.join().map_err(|_| SourceError::Visitor("the reader thread panicked".into()))?;
        prepared.plan.source = source;
        match failure {
            Some(e) => Err(SourceError::Visitor(e)),
            None => read,
        }
    }
}

/// A file being read ahead.
pub struct Ahead {
    path: PathBuf,
    /// The import it is read as.
    pub import_id: u64,
    prepared: Receiver<Result<Prepared, ImportError>>,
    batches: Option<Receiver<ConvertedBatch>>,
    reader: Option<Reader>,
}

impl Ahead {
    /// Starts planning and reading `path` as import `import_id`.
    pub fn start(path: &Path, opts: &ImportOptions, platforms: &crate::platforms::Aliases, import_id: u64) -> Ahead {
        let (prepared_tx, prepared) = channel();
        let (batch_tx, batches) = sync_channel(QUEUED_BATCHES);
        let (path_buf, opts, platforms) = (path.to_path_buf(), opts.clone(), platforms.clone());
        let reader =
            std::thread::spawn(move || read_ahead(&path_buf, &opts, &platforms, import_id, prepared_tx, batch_tx));
        Ahead { path: path.to_path_buf(), import_id, prepared, batches: Some(batches), reader: Some(reader) }
    }

    /// The file's plan (waiting for it if need be) and the feed of its rows.
    pub fn take(mut self) -> Result<(Prepared, Feed), ImportError> {
        let stopped = |path: &Path| ImportError::Read {
            file: path.display().to_string(),
            source: SourceError::Visitor("the reader thread stopped".into()),
        };
        let prepared = self.prepared.recv().map_err(|_| stopped(&self.path))??;
        // Both are there until taken here or dropped.
        let (batches, reader) = self.batches.take().zip(self.reader.take()).ok_or_else(|| stopped(&self.path))?;
        Ok((prepared, Feed::Ahead { batches, reader }))
    }
}

impl Drop for Ahead {
    /// Work not taken (the import number turned out otherwise) stops: its queue closes,
    /// so the reader's next send fails.
    fn drop(&mut self) {
        self.batches.take();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// The reading thread: the plan first (the importer waits on it), then every batch.
fn read_ahead(
    path: &Path,
    opts: &ImportOptions,
    platforms: &crate::platforms::Aliases,
    import_id: u64,
    prepared_tx: Sender<Result<Prepared, ImportError>>,
    batch_tx: SyncSender<ConvertedBatch>,
) -> (Box<dyn Source>, Result<(), SourceError>) {
    let stopped = || -> (Box<dyn Source>, Result<(), SourceError>) {
        (Box::new(Away::default()), Err(SourceError::Visitor("the import stopped".into())))
    };
    let mut prepared = match prepare(path, opts, platforms, import_id) {
        Ok(p) => p,
        Err(e) => {
            let _ = prepared_tx.send(Err(e));
            return stopped();
        }
    };
    let away = Away {
        describe: prepared.plan.source.describe(),
        unit: prepared.plan.source.unit(),
        size: prepared.plan.source.size(),
    };
    let mut source = std::mem::replace(&mut prepared.plan.source, Box::new(away));
    let (converter, checks) = (prepared.converter.clone(), prepared.checks.clone());
    if prepared_tx.send(Ok(prepared)).is_err() {
        return stopped();
    }
    let read = pipeline::run(source.as_mut(), &converter, &checks, &mut |batch| {
        batch_tx.send(batch).map_err(|_| "the import stopped".to_string())
    });
    (source, read)
}

/// Stands in a plan for its source while the source is read on the reading thread.
#[derive(Default)]
struct Away {
    describe: String,
    unit: &'static str,
    size: u64,
}

impl Source for Away {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn unit(&self) -> &'static str {
        self.unit
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn for_each_batch(&mut self, _: &mut BatchVisitor<'_>, _: Receiver<Vec<RawRow>>) -> Result<(), SourceError> {
        Err(SourceError::Visitor("the file is read on another thread".into()))
    }
}
