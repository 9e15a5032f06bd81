//! The bundled sample data set (`sample-data/`, made by `recon-gen`), compiled into the
//! binary so `recon demo` works from anywhere.

use std::path::{Path, PathBuf};

use include_dir::{Dir, DirEntry, include_dir};

static SAMPLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/sample-data");

/// The folders `recon demo` imports, in order: orders before the money that pays them.
pub const IMPORT_FOLDERS: [&str; 7] = ["orders", "settlements", "bank", "shipments", "returns", "courier", "inventory"];

/// Writes the sample data under `dir` and returns the data files to import, in order.
pub fn extract(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    write_dir(&SAMPLE, dir)?;
    let mut files = Vec::new();
    for folder in IMPORT_FOLDERS {
        if let Some(d) = SAMPLE.get_dir(folder) {
            let mut names: Vec<PathBuf> = d.files().map(|f| dir.join(f.path())).collect();
            names.sort();
            files.extend(names);
        }
    }
    Ok(files)
}

fn write_dir(d: &Dir<'_>, root: &Path) -> std::io::Result<()> {
    for entry in d.entries() {
        match entry {
            DirEntry::Dir(sub) => {
                std::fs::create_dir_all(root.join(sub.path()))?;
                write_dir(sub, root)?;
            }
            DirEntry::File(f) => std::fs::write(root.join(f.path()), f.contents())?,
        }
    }
    Ok(())
}
