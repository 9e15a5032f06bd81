//! A write transaction: the writer lock, the catalog as it will be committed, and the
//! files staged for it. Order of a commit, and what a crash at each step leaves:
//! data files synced in `tmp/` (crash: debris in `tmp/`), renamed into `tables/`
//! (crash: files no catalog lists), then the new catalog renamed over the old one (the
//! commit). Debris is ignored by readers and removed by the next writer.

use std::collections::HashSet;
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use super::catalog::{AuditEvent, Catalog};
use super::{Workspace, WorkspaceError, fsutil, readers};

const LOCK_FILE: &str = ".lock";

pub struct Transaction {
    ws: Workspace,
    // Held for the transaction's life; the OS releases it if the process dies.
    _lock: File,
    pub catalog: Catalog,
    staged: Vec<(PathBuf, String)>,
    /// Files to delete at the commit (a dropped view or report), relative to the root.
    removed: Vec<String>,
}

impl Transaction {
    pub(super) fn begin(ws: &Workspace) -> Result<Transaction, WorkspaceError> {
        let io = |e| WorkspaceError::Io(ws.root.display().to_string(), e);
        let lock = fsutil::create_private(&ws.root.join(LOCK_FILE))
            .or_else(|_| File::open(ws.root.join(LOCK_FILE)))
            .map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                eprintln!("waiting for another recon process to finish writing to this workspace…");
                lock.lock().map_err(io)?;
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        // The last commit's audit lines, if its process died before writing them: no
        // change lands on top of one the log does not show.
        super::reserve::with_room(&ws.root, full, || crate::workspace::audit::flush(ws))
            .map_err(|e| WorkspaceError::Audit(e.to_string()))?;
        let mut catalog = ws.catalog()?;
        catalog.audit.clear();
        let tx = Transaction { ws: ws.clone(), _lock: lock, catalog, staged: Vec::new(), removed: Vec::new() };
        tx.remove_debris().map_err(io)?;
        let catalog_bytes = fs::metadata(ws.root.join(super::catalog::CATALOG_FILE)).map_or(0, |m| m.len());
        super::reserve::keep(&ws.root, catalog_bytes);
        Ok(tx)
    }

    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    /// A path in `tmp/` to write a new file to before staging it.
    pub fn temp_path(&self, name: &str) -> PathBuf {
        self.ws.tmp_dir().join(name)
    }

    /// Marks a finished temp file to be moved to `relative` (from the workspace root)
    /// when the transaction commits. The caller has synced it.
    pub fn stage(&mut self, tmp: PathBuf, relative: String) {
        self.staged.push((tmp, relative));
    }

    /// Marks a file (relative to the workspace root) to be deleted when the transaction
    /// commits.
    pub fn remove(&mut self, relative: String) {
        self.removed.push(relative);
    }

    /// The audit line of this change, committed with it: it reaches the audit log
    /// right after the commit, or by the next process if this one dies in between.
    pub fn audit(&mut self, user: &str, event: &str, detail: &str) {
        self.catalog.audit.push(AuditEvent {
            time: crate::clock::now().to_rfc3339(),
            user: user.to_string(),
            event: event.to_string(),
            detail: detail.to_string(),
        });
    }

    /// Moves the staged files into place and commits the catalog. The lock is kept, so
    /// one process can commit several changes in a row (one import per file).
    pub fn commit(&mut self) -> Result<(), WorkspaceError> {
        let root = self.ws.root.clone();
        let io = |e| WorkspaceError::Io(root.display().to_string(), e);
        crate::faults::point("commit:start");
        for (tmp, relative) in std::mem::take(&mut self.staged) {
            fsutil::persist(&tmp, &self.ws.root.join(&relative)).map_err(io)?;
            crate::faults::point("commit:file-moved");
        }
        for relative in std::mem::take(&mut self.removed) {
            match fs::remove_file(self.ws.root.join(&relative)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
                _ => {}
            }
        }
        self.catalog.generation += 1;
        let (catalog_path, bytes) = (self.ws.root.join(super::catalog::CATALOG_FILE), self.catalog.to_bytes());
        // On a full disk the room kept for it: undoing an import must be able to land.
        super::reserve::with_room(&self.ws.root, super::reserve::is_full, || {
            fsutil::write_atomic(&catalog_path, &bytes)
        })
        .map_err(io)?;
        crate::faults::point("commit:done");
        // The answers kept for the state this commit replaced are of no use to anyone
        // now (a reader still at work keeps them: swept only when no one reads).
        let _ = readers::alone(&self.ws.root, || super::answers::sweep(&self.ws.root, &self.catalog));
        // The change has landed; its lines are in the catalog, so a failure here is
        // made good by the next command, not lost.
        if !self.catalog.audit.is_empty() {
            if let Err(e) = crate::workspace::audit::flush(&self.ws) {
                eprintln!("warning: the audit log could not be written ({e}); the next command writes it");
            }
            self.catalog.audit.clear();
        }
        Ok(())
    }

    /// Removes files the committed catalog no longer refers to (an undone import's).
    pub fn sweep(&self) -> Result<(), WorkspaceError> {
        self.remove_debris().map_err(|e| WorkspaceError::Io(self.ws.root.display().to_string(), e))
    }

    /// Deletes what no committed catalog refers to: leftovers of writes that died
    /// before their commit, and files of undone imports.
    fn remove_debris(&self) -> std::io::Result<()> {
        let live: HashSet<PathBuf> =
            self.catalog.referenced_files().into_iter().map(|f| self.ws.root.join(f)).collect();
        for dir in [self.ws.root.join("rejects"), self.ws.user_tables_dir()] {
            if !dir.is_dir() {
                fsutil::create_private_dir(&dir)?;
            }
        }
        // Files a committed catalog no longer lists may still be read by a query that
        // started before: they go when no other process has the workspace open.
        // Answers of states no longer current go the same way.
        readers::alone(&self.ws.root, || {
            self.remove_unlisted_files(&live)?;
            super::answers::sweep(&self.ws.root, &self.catalog)
        })
        .transpose()?;
        // Temp files of atomic writes (`.users.json.tmp-<pid>` holds every password
        // hash) whose process is gone, and spill folders a killed query left empty.
        for entry in fs::read_dir(&self.ws.root)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = fsutil::temp_owner(&name)
                && !process_alive(pid)
            {
                fs::remove_file(entry.path())?;
            }
        }
        // Each process spills into a folder named by its pid (session.rs): a live one's
        // stays, even empty between two spills of a long query; a dead one's goes whole.
        if let Ok(spill) = fs::read_dir(self.ws.root.join("spill")) {
            for dir in spill.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
                match dir.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse::<u32>().ok()) {
                    Some(pid) if !process_alive(pid) => {
                        let _ = fs::remove_dir_all(&dir);
                    }
                    Some(_) => {}
                    // An older layout's folder: removed only when empty.
                    None => {
                        let _ = fs::remove_dir(&dir);
                    }
                }
            }
        }
        let tmp = self.ws.tmp_dir();
        if tmp.is_dir() {
            remove_unlisted(&tmp, &HashSet::new())?;
        } else {
            fsutil::create_private_dir(&tmp)?;
        }
        Ok(())
    }
}

impl Transaction {
    fn remove_unlisted_files(&self, live: &HashSet<PathBuf>) -> std::io::Result<()> {
        let mut dirs: Vec<PathBuf> = crate::schema::Kind::ALL.iter().map(|k| self.ws.table_dir(*k)).collect();
        dirs.push(self.ws.root.join("rejects"));
        dirs.push(self.ws.user_tables_dir());
        for dir in dirs {
            remove_unlisted(&dir, live)?;
        }
        // Runs keep a folder each; a folder no run lists goes whole.
        if let Ok(runs) = fs::read_dir(self.ws.root.join("runs")) {
            for run in runs.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
                remove_unlisted(&run, live)?;
                if fs::read_dir(&run).map(|mut d| d.next().is_none()).unwrap_or(false) {
                    fs::remove_dir(&run)?;
                }
            }
        }
        Ok(())
    }
}

/// Whether a workspace error is the disk being full.
fn full(e: &WorkspaceError) -> bool {
    matches!(e, WorkspaceError::Io(_, e) if super::reserve::is_full(e))
}

/// Whether a process with this id is running (a temp file's writer may still be busy).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else { return false };
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

fn remove_unlisted(dir: &Path, keep: &HashSet<PathBuf>) -> std::io::Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return fsutil::create_private_dir(dir);
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_file() && !keep.contains(&path) {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Kind;

    #[test]
    fn uncommitted_files_are_debris_for_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        let stray = ws.table_dir(Kind::Orders).join("imp-000009.parquet");
        fs::write(&stray, b"half written").unwrap();
        fs::write(ws.tmp_dir().join("x.partial"), b"x").unwrap();
        let mut tx = ws.begin().unwrap();
        assert!(!stray.exists());
        assert_eq!(fs::read_dir(ws.tmp_dir()).unwrap().count(), 0);
        tx.commit().unwrap();
        assert_eq!(ws.catalog().unwrap().generation, 1);
    }
}
