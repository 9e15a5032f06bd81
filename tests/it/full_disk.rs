//! A real full disk: a small tmpfs mounted for the test (skipped, saying so, where the
//! test may not mount one). Imports fill it; one that does not fit leaves nothing
//! behind; with not a byte left, queries still answer, `imports undo` still lands and
//! frees the space, the audit log stays whole, and importing works again after.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Ws, bank_csv, text};

/// A tmpfs of `size` mounted over a temp folder, unmounted when dropped.
struct Mounted {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Mounted {
    fn new(size: &str) -> Option<Mounted> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(&path)
            .output()
            .is_ok_and(|o| o.status.success());
        if !mounted {
            eprintln!("skipped: this test needs to mount a small tmpfs (root in a container that allows it)");
            return None;
        }
        Some(Mounted { _dir: dir, path })
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Fills what is left of the file system holding `dir` with one file.
fn fill(dir: &Path) -> PathBuf {
    let filler = dir.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let block = vec![7u8; 4096];
    while f.write_all(&block).and_then(|_| f.flush()).is_ok() {}
    let _ = f.sync_all();
    filler
}

#[test]
fn a_full_disk_loses_nothing_and_undo_frees_it() {
    let Some(disk) = Mounted::new("2m") else { return };
    let ws = Ws::new_in(tempfile::tempdir_in(&disk.path).unwrap());
    // Bank files from outside the small disk, each 6,000 lines of its own.
    let files = tempfile::tempdir().unwrap();
    let mut landed = 0u32;
    let mut refused = None;
    for i in 0..12u32 {
        let f = files.path().join(format!("bank{i}.csv"));
        std::fs::write(&f, bank_csv(i * 6000..(i + 1) * 6000)).unwrap();
        let out = ws.run(&["import", "--no-progress", f.to_str().unwrap()]);
        if out.status.success() {
            landed += 1;
        } else {
            refused = Some(text(&out.stderr));
            break;
        }
    }
    let refused = refused.expect("the disk filled up");
    assert!(landed >= 1, "{refused}");
    assert!(refused.contains("the disk is full") && refused.contains("No space left on device"), "{refused}");
    assert!(refused.contains("recon imports undo"), "it says what to do: {refused}");
    // The import that did not fit left nothing behind.
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), (landed * 6000).to_string());
    assert!(std::fs::read_dir(ws.root.join("tmp")).map_or(true, |mut d| d.next().is_none()));

    // Not a byte left.
    let filler = fill(&disk.path);
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), (landed * 6000).to_string());
    let undo = ws.ok(&["imports", "undo", "1"]);
    assert!(undo.contains("undid import 1: removed 6000 bank rows"), "{undo}");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), ((landed - 1) * 6000).to_string());
    // The log is whole, even while the disk was full for its head.
    assert!(ws.ok(&["audit", "verify"]).contains("audit log intact"));

    // Space back: the next import lands, the log records everything in order.
    std::fs::remove_file(filler).unwrap();
    let again = files.path().join("bank0.csv");
    let out = ws.ok(&["import", "--no-progress", again.to_str().unwrap()]);
    assert!(out.contains("stored 6,000 rows"), "{out}");
    assert!(ws.ok(&["audit", "verify"]).contains("audit log intact"));
    let undos = ws.ok(&["audit", "--event", "undo"]);
    assert_eq!(undos.lines().count(), 1, "{undos}");
}
