//! Readers keep what they read: every process that opens a workspace holds `.readers`
//! shared for as long as it runs, and a writer deletes the files of an undone import
//! or a replaced table only when it can hold `.readers` alone. Otherwise the files stay,
//! unlisted, until a later writer finds no reader (a query that started before an
//! `imports undo` still finds its Parquet files).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::fsutil;

pub(super) const FILE: &str = ".readers";

/// The `.readers` file this process holds shared, one per workspace it opened.
static HELD: Mutex<Vec<(PathBuf, File)>> = Mutex::new(Vec::new());

/// Holds the workspace's `.readers` shared until the process ends. A workspace that
/// cannot take it (a read-only copy) is read all the same.
pub fn hold(root: &Path) {
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if held.iter().any(|(r, _)| r == root) {
        return;
    }
    let path = root.join(FILE);
    let file = File::open(&path).or_else(|_| fsutil::create_private(&path));
    if let Ok(file) = file
        && file.lock_shared().is_ok()
    {
        held.push((root.to_path_buf(), file));
    }
}

/// Runs `f` if no other process is reading the workspace, with `.readers` held alone
/// meanwhile; `None` (and `f` not run) when some reader is.
pub fn alone<T>(root: &Path, f: impl FnOnce() -> T) -> Option<T> {
    let held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, file)) = held.iter().find(|(r, _)| r == root) {
        // Our own shared hold becomes exclusive (flock converts it), then shared again.
        if file.try_lock().is_err() {
            return None;
        }
        let out = f();
        let _ = file.lock_shared();
        return Some(out);
    }
    drop(held);
    let path = root.join(FILE);
    let file = File::open(&path).or_else(|_| fsutil::create_private(&path)).ok()?;
    file.try_lock().ok()?;
    Some(f())
}
