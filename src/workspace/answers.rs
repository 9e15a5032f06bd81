//! Answers kept per workspace state. The matching chain's views take minutes at a
//! million orders; a process that computes one writes its result here as Parquet, and
//! any later process or session over the same state and as-of reads the file instead
//! of computing again. The state is a fingerprint of everything the built-in views
//! read — the catalog's imports, decisions, periods and anomaly log, `settings.toml`,
//! and the program itself — so any import, decision or settings change (or a new
//! build) makes new answers, and what an old state left is swept by the next writer
//! that has the workspace to itself.
//!
//! These files are derived, never the record: losing them costs time, not data. So
//! they are written beside the transaction, not in it (each one atomically, so a
//! reader sees a whole file or none), and a run, a new user or an audit line — which
//! no view reads — leaves the answers valid.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::fsutil;
use super::{Catalog, Workspace};

const DIR: &str = "answers";
/// When no as-of is given, a session computes as of the first moment today that this
/// state was read (`NOW` holds it), so its answers can be kept like any other as-of.
const NOW: &str = "now";

/// Where the answers of one workspace state live.
#[derive(Debug, Clone)]
pub struct Answers {
    dir: PathBuf,
}

impl Answers {
    /// The answers folder of the workspace's committed state; `None` when it cannot
    /// be made (a read-only copy): everything is then computed, as before.
    pub fn of(ws: &Workspace, catalog: &Catalog) -> Option<Answers> {
        let dir = ws.root().join(DIR).join(state(ws.root(), catalog)?);
        fsutil::create_private_dir(&dir).ok()?;
        Some(Answers { dir })
    }

    /// The file holding `view`'s answer as of `as_of` (`None`: a view whose answer does
    /// not depend on it). Only built-in view names reach here; anything else gets none.
    pub fn file(&self, view: &str, as_of: Option<&str>) -> Option<PathBuf> {
        if view.is_empty() || !view.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let folder = match as_of {
            None => "timeless".to_string(),
            Some(a) if a.trim().is_empty() => return None,
            // The as-of is the user's text: it names a folder only through its hash.
            Some(a) => format!("as-of-{}", &hex::encode(Sha256::digest(a.trim().as_bytes()))[..16]),
        };
        Some(self.dir.join(folder).join(format!("{view}.parquet")))
    }

    /// The file the built-in views' shapes are kept in for this state (`computed::shapes`).
    pub fn shapes_file(&self) -> PathBuf {
        self.dir.join("views.arrow")
    }

    /// The instant a session without an as-of computes as of: the one an earlier
    /// process pinned for this state today, or now (pinned for the next). Time passing
    /// within a day changes no stored fact, and a state change pins anew; the session
    /// shows the instant it used (`SHOW recon.as_of`, the `as_of` column).
    pub fn pinned_now(&self) -> String {
        let now = crate::clock::now_naive();
        let path = self.dir.join(NOW);
        if let Ok(text) = fs::read_to_string(&path)
            && let Some(t) = crate::asof::parse(&text)
            && t.date() == now.date()
            && t <= now
        {
            return text.trim().to_string();
        }
        let text = now.format("%Y-%m-%d %H:%M:%S").to_string();
        let _ = fsutil::write_atomic(&path, text.as_bytes());
        text
    }
}

/// Writes `file` with `write` through a temp file beside it, so a reader finds the
/// whole answer or none.
pub fn keep(file: &Path, write: impl FnOnce(fs::File) -> io::Result<()>) -> io::Result<()> {
    if let Some(parent) = file.parent() {
        fsutil::create_private_dir(parent)?;
    }
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = file.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = fsutil::create_private(&tmp).and_then(write).and_then(|()| fsutil::persist(&tmp, file));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The fingerprint of what the built-in views read in this state.
fn state(root: &Path, catalog: &Catalog) -> Option<String> {
    let mut read = catalog.clone();
    // What no built-in view reads: a run's kept figures, analysts' own tables, the
    // commit counter and the audit lines a commit carries.
    read.generation = 0;
    read.runs.clear();
    read.tables.clear();
    read.audit.clear();
    let mut h = Sha256::new();
    h.update(b"recon answers 1\0");
    h.update(serde_json::to_vec(&read).ok()?);
    h.update(b"\0");
    match fs::read(root.join(super::SETTINGS_FILE)) {
        Ok(bytes) => h.update(&bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(_) => return None,
    }
    // The program: its views' SQL and functions. A rebuilt binary starts afresh.
    let exe = fs::metadata(std::env::current_exe().ok()?).ok()?;
    let built = exe.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    h.update(format!("\0{}\0{}\0{}", env!("CARGO_PKG_VERSION"), exe.len(), built.as_nanos()).as_bytes());
    Some(hex::encode(&h.finalize()[..16]))
}

/// Removes the answers of every state but the committed one, and temp files of
/// writers that died. Called by a writer that has the workspace to itself.
pub(super) fn sweep(root: &Path, catalog: &Catalog) -> io::Result<()> {
    let Ok(entries) = fs::read_dir(root.join(DIR)) else { return Ok(()) };
    let current = state(root, catalog);
    for dir in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        if dir.file_name().and_then(|n| n.to_str()) != current.as_deref() {
            fs::remove_dir_all(&dir)?;
            continue;
        }
        for sub in fs::read_dir(&dir)?.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
            for file in fs::read_dir(&sub)?.flatten() {
                let owner = fsutil::temp_owner(&file.file_name().to_string_lossy());
                if owner.is_some_and(|pid| pid != std::process::id()) {
                    fs::remove_file(file.path())?;
                }
            }
        }
    }
    Ok(())
}
