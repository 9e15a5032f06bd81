//! Where results may be written, and how. Writing a file is exporting, whoever asks
//! (`.export`, `recon report -o`, `.output`): never inside the workspace — not its data,
//! not its catalog, users or audit log, not through a link that leads there — never over
//! an existing file unless asked (`--force`), and always whole: a temp file beside the
//! target, synced, then renamed over it, so a reader or a crash sees the old file or the
//! new one.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::workspace::Workspace;

/// A file a result will be written to: where, and the temp file beside it to write first.
#[derive(Debug)]
pub struct Target {
    pub path: PathBuf,
    pub tmp: PathBuf,
}

/// `path`'s real location: its folder with every link resolved, and its own name (a link
/// there is resolved too, to see where writing would land).
fn real(path: &Path) -> Result<PathBuf, Error> {
    let io = |e| Error::Io(path.display().to_string(), e);
    if let Ok(resolved) = std::fs::canonicalize(path) {
        return Ok(resolved);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| Error::Usage(format!("{}: not a file name", path.display())))?;
    Ok(std::fs::canonicalize(parent).map_err(io)?.join(name))
}

/// Checks that results may go to `path`, and names the temp file to write them to first.
pub fn target(ws: &Workspace, path: &Path, force: bool) -> Result<Target, Error> {
    let root = std::fs::canonicalize(ws.root()).map_err(|e| Error::Io(ws.root().display().to_string(), e))?;
    let resolved = real(path)?;
    if resolved.starts_with(&root) {
        return Err(Error::Forbidden(format!(
            "{}: results are never written inside the workspace ({}); choose a file outside it",
            path.display(),
            root.display()
        )));
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Error::Forbidden(format!("{}: a link; results are not written through links", path.display())));
        }
        Ok(m) if m.is_dir() => return Err(Error::Usage(format!("{} is a folder", path.display()))),
        Ok(_) if !force => return Err(Error::Usage(format!("{} exists; --force replaces it", path.display()))),
        _ => {}
    }
    let name = resolved.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = resolved.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    Ok(Target { path: resolved, tmp })
}

impl Target {
    /// A new temp file to write the result to (owner-only).
    pub fn create(&self) -> Result<File, Error> {
        let _ = std::fs::remove_file(&self.tmp);
        crate::workspace::fsutil::create_private(&self.tmp).map_err(|e| Error::Io(self.tmp.display().to_string(), e))
    }

    /// Makes the written temp file owner-only (a report holds customers' and the
    /// company's figures, like the workspace), syncs it and moves it over the target.
    /// Every export ends here, whichever writer made the file.
    pub fn finish(&self) -> Result<(), Error> {
        let io = |e| Error::Io(self.path.display().to_string(), e);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.tmp, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
        File::open(&self.tmp).and_then(|f| f.sync_all()).map_err(io)?;
        std::fs::rename(&self.tmp, &self.path).map_err(io)?;
        if let Some(dir) = self.path.parent() {
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }

    /// Removes what a failed write left.
    pub fn abandon(&self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Opens `path` for results streamed over a session (`.output FILE`): the same rules, and
/// the file created new — an existing one only replaced with `force` — so nothing is
/// written through a link put there afterwards.
pub fn stream(ws: &Workspace, path: &Path, force: bool) -> Result<(PathBuf, File), Error> {
    let t = target(ws, path, force)?;
    if force {
        match std::fs::remove_file(&t.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::Io(t.path.display().to_string(), e));
            }
            _ => {}
        }
    }
    let file =
        crate::workspace::fsutil::create_private(&t.path).map_err(|e| Error::Io(path.display().to_string(), e))?;
    Ok((t.path, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_inside_the_workspace_nor_over_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        let inside = ws.root().join("catalog.json");
        assert!(matches!(target(&ws, &inside, true), Err(Error::Forbidden(_))));
        assert!(target(&ws, &ws.root().join("tables/orders/x.parquet"), true).is_err());
        let out = dir.path().join("out.csv");
        let t = target(&ws, &out, false).unwrap();
        std::io::Write::write_all(&mut t.create().unwrap(), b"a\n").unwrap();
        t.finish().unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"a\n");
        assert!(target(&ws, &out, false).unwrap_err().to_string().contains("--force"));
        assert!(target(&ws, &out, true).is_ok());
        #[cfg(unix)]
        {
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(ws.root().join("users.json"), &link).unwrap();
            assert!(matches!(target(&ws, &link, true), Err(Error::Forbidden(_))));
            let dir_link = dir.path().join("wsdir");
            std::os::unix::fs::symlink(ws.root(), &dir_link).unwrap();
            assert!(matches!(target(&ws, &dir_link.join("x.csv"), true), Err(Error::Forbidden(_))));
        }
    }
}
