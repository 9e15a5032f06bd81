//! Crash-safe file writes: write a temp file, fsync it, rename it into place, fsync the
//! directory. After a crash at any point a reader sees either the old file or the new
//! one, never a torn mix. Files are created owner-only: they hold a company's money
//! records and its customers' personal data.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Opens a new file for writing with owner-only permissions (0600 on Unix).
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Creates a directory (and parents) with owner-only permissions (0700 on Unix).
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Makes a rename or a new file in `dir` durable. Without it a crash can lose the
/// directory entry even though the file's data was synced.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Moves a finished, synced file into its final place and makes the move durable.
pub fn persist(tmp: &Path, dest: &Path) -> io::Result<()> {
    fs::rename(tmp, dest)?;
    if let Some(parent) = dest.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Replaces `dest` with `bytes` atomically, using a temp file beside it.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_beside(dest);
    let result = (|| {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        crate::faults::point("write-atomic:before-rename");
        persist(&tmp, dest)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The process that writes a temp file of [`write_atomic`], from its name
/// (`.catalog.json.tmp-4242`).
pub fn temp_owner(name: &str) -> Option<u32> {
    let (stem, pid) = name.rsplit_once(".tmp-")?;
    if !stem.starts_with('.') {
        return None;
    }
    pid.parse().ok()
}

fn temp_beside(dest: &Path) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Whether `location` (a path or a `file://` URL, as SQL names a file: relative to the
/// current folder, maybe not there yet) lies inside the workspace at `root`, links
/// resolved. What cannot be resolved counts as inside: it is refused, not guessed.
pub fn inside(root: &Path, location: &str) -> bool {
    let Ok(root) = std::fs::canonicalize(root) else { return true };
    let raw = location.strip_prefix("file://").unwrap_or(location);
    let path = Path::new(raw);
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(cwd) => cwd.join(path),
            Err(_) => return true,
        }
    };
    // The nearest folder that exists, resolved, and the rest as written.
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else { return true };
        rest.push(name.to_os_string());
        existing = parent;
    }
    let Ok(mut resolved) = std::fs::canonicalize(existing) else { return true };
    for part in rest.iter().rev() {
        if part == ".." {
            return true;
        }
        resolved.push(part);
    }
    resolved.starts_with(&root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("catalog.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
