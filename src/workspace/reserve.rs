//! Room kept for a full disk. A workspace holds a reserve file (`.reserve`) it gives
//! back when a commit or its audit line finds the disk full, so the change that frees
//! space — `recon imports undo` — can still be committed, and the log stays whole.
//! The reserve is written again once there is room (at the next transaction).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::fsutil;

const FILE: &str = ".reserve";
/// The least room kept: a catalog of some thousand imports, its temp copy, the head.
const MIN_BYTES: u64 = 256 * 1024;

fn path(root: &Path) -> PathBuf {
    root.join(FILE)
}

/// Whether `e` says the disk (or the user's quota) is full.
pub fn is_full(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded)
}

/// Makes sure the reserve holds room for a catalog of `catalog_bytes` twice over; best
/// effort: on a full disk it is left as it is (or absent) until there is room.
pub fn keep(root: &Path, catalog_bytes: u64) {
    let want = MIN_BYTES.max(2 * catalog_bytes + 64 * 1024);
    let target = path(root);
    if fs::metadata(&target).is_ok_and(|m| m.len() >= want) {
        return;
    }
    let tmp = root.join(format!("{FILE}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut f = fsutil::create_private(&tmp)?;
        // Not zeros: a file system that compresses would keep no room for those.
        let mut block = vec![0u8; 64 * 1024];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for b in block.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *b = state as u8;
        }
        let mut left = want;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            f.write_all(&block[..n])?;
            left -= n as u64;
        }
        f.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
}

/// Runs `write`; when it finds the disk full and there is a reserve, gives the reserve
/// back and runs it once more.
pub fn with_room<T, E>(
    root: &Path,
    full: impl Fn(&E) -> bool,
    mut write: impl FnMut() -> Result<T, E>,
) -> Result<T, E> {
    match write() {
        Err(e) if full(&e) && fs::remove_file(path(root)).is_ok() => {
            eprintln!(
                "warning: the disk is full; recon used the room it keeps for this, and keeps it again when there is space"
            );
            write()
        }
        other => other,
    }
}
