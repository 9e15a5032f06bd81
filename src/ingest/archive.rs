//! A zip of exports (not a workbook, which is a zip too): its files taken out one by
//! one, flat, for the user to pick from. Names are the last part of each member's path
//! (never a path of the archive's choosing), GBK names from Chinese Windows decoded,
//! and the whole kept under a size limit so a zip bomb stops with an error.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What one archive member became.
pub struct Member {
    /// The member's own name.
    pub name: String,
    pub path: PathBuf,
}

/// True when `path` is a zip archive of files rather than a workbook.
pub fn is_archive(path: &Path) -> bool {
    let Ok(file) = File::open(path) else { return false };
    match zip::ZipArchive::new(file) {
        Ok(zip) => zip.index_for_name("[Content_Types].xml").is_none(),
        Err(_) => false,
    }
}

/// Takes every file out of the archive at `path` into `into` (which must exist),
/// stopping once more than `limit` bytes came out.
pub fn extract(path: &Path, into: &Path, limit: u64) -> Result<Vec<Member>, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{}: not a readable zip: {e}", path.display()))?;
    let mut out: Vec<Member> = Vec::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| format!("{}: member {i}: {e}", path.display()))?;
        if entry.is_dir() {
            continue;
        }
        let raw = entry.name_raw().to_vec();
        let full = match std::str::from_utf8(&raw) {
            Ok(n) => n.to_string(),
            Err(_) => encoding_rs::GB18030.decode(&raw).0.into_owned(),
        };
        if full.starts_with("__MACOSX") {
            continue;
        }
        let name = safe_name(full.rsplit(['/', '\\']).next().unwrap_or(""));
        if name.is_empty() {
            continue;
        }
        // Two members of the same name in different folders stay apart.
        let stored =
            if out.iter().any(|m| m.name == name) { format!("{}-{name}", out.len() + 1) } else { name.clone() };
        let target = into.join(&stored);
        let mut dest = File::create(&target).map_err(|e| format!("{}: {e}", target.display()))?;
        let room = limit.saturating_sub(total) + 1;
        let copied = std::io::copy(&mut (&mut entry).take(room), &mut dest)
            .map_err(|e| format!("{}: member {full}: {e}", path.display()))?;
        total += copied;
        if total > limit {
            return Err(format!(
                "{}: the files inside come to more than {} MB; unzip it and import the files one by one",
                path.display(),
                limit >> 20
            ));
        }
        out.push(Member { name: stored, path: target });
    }
    Ok(out)
}

/// A file name as a user gave it, made safe to create in a folder of ours: no folder
/// parts, no control characters, not `.` or `..`.
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." { String::new() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_an_archive_stay_in_the_folder() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("a\\b\\..\\c.csv"), "c.csv");
        assert_eq!(safe_name(".."), "");
        assert_eq!(safe_name("订单\u{0}.csv"), "订单.csv");
    }

    #[test]
    fn an_archive_is_taken_out_flat_and_a_bomb_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("exports.zip");
        let mut w = zip::ZipWriter::new(File::create(&zip_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("../escape/orders.csv", opts).unwrap();
        std::io::Write::write_all(&mut w, b"order id,amount\n1,2.00\n").unwrap();
        w.start_file("b/orders.csv", opts).unwrap();
        std::io::Write::write_all(&mut w, &vec![b'x'; 4096]).unwrap();
        w.finish().unwrap();
        assert!(is_archive(&zip_path));
        let out_dir = dir.path().join("out");
        std::fs::create_dir(&out_dir).unwrap();
        let members = extract(&zip_path, &out_dir, 1 << 20).unwrap();
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["orders.csv", "2-orders.csv"]);
        assert!(members.iter().all(|m| m.path.parent() == Some(out_dir.as_path())));
        let again = dir.path().join("again");
        std::fs::create_dir(&again).unwrap();
        let err = extract(&zip_path, &again, 1000).err().unwrap();
        assert!(err.contains("more than"), "{err}");
    }
}
