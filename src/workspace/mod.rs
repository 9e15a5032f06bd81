//! A workspace on disk: where it is, how it is laid out, and the write transaction that
//! keeps it whole. Layout:
//!
//! ```text
//! recon.toml          marks the folder as a workspace
//! catalog.json        the import log and the list of live data files (the commit point)
//! users.json          users and their argon2id password hashes
//! tables/<table>/     Parquet files, one per import (tables/user/: CREATE TABLE … AS)
//! views/              the user's views, one `.sql` file each (the query alone)
//! reports/            saved reports, one `.sql` file each (a header and one query)
//! history/            the shell's history, one file per user
//! rejects/            the rows each import did not store, with file, line and reason
//! tmp/                files being written; emptied by the next writer
//! spill/              where queries larger than the memory limit spill
//! .lock               held by the one process allowed to write
//! .readers            held shared by every process that has it open (readers.rs)
//! ```

pub mod answers;
pub mod audit;
pub mod catalog;
pub mod fsutil;
mod readers;
pub mod reserve;
mod transaction;

use std::fs;
use std::path::{Path, PathBuf};

pub use catalog::{AnomalyChange, Catalog, CatalogError, ImportRecord, ManualAction, Period, Run, UserTable};
pub use transaction::Transaction;

use crate::schema::Kind;

pub const MARKER_FILE: &str = "recon.toml";
pub const DEFAULT_DIR: &str = "recon-data";
/// The workspace's settings, which `settings` reads and the kept answers depend on.
pub const SETTINGS_FILE: &str = "settings.toml";

#[derive(Clone, Debug)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// Makes a new, empty workspace. Fails if `root` already holds one.
    pub fn create(root: &Path) -> Result<Workspace, WorkspaceError> {
        if root.join(MARKER_FILE).exists() {
            return Err(WorkspaceError::Exists(root.display().to_string()));
        }
        if root.exists() && fs::read_dir(root).map(|mut d| d.next().is_some()).unwrap_or(false) {
            return Err(WorkspaceError::NotEmpty(root.display().to_string()));
        }
        let io = |e| WorkspaceError::Io(root.display().to_string(), e);
        fsutil::create_private_dir(root).map_err(io)?;
        let ws = Workspace { root: root.to_path_buf() };
        for kind in Kind::ALL {
            fsutil::create_private_dir(&ws.table_dir(kind)).map_err(io)?;
        }
        fsutil::create_private_dir(&ws.root.join("rejects")).map_err(io)?;
        fsutil::create_private_dir(&ws.tmp_dir()).map_err(io)?;
        fsutil::create_private(&ws.root.join(readers::FILE)).map_err(io)?;
        fsutil::write_atomic(&ws.root.join(catalog::CATALOG_FILE), &Catalog::default().to_bytes()).map_err(io)?;
        reserve::keep(&ws.root, 0);
        // The marker goes last: a half-created folder is not mistaken for a workspace.
        let marker = format!(
            "# recon workspace\nformat_version = {}\ncreated = \"{}\"\n",
            catalog::FORMAT_VERSION,
            crate::clock::now().to_rfc3339()
        );
        fsutil::write_atomic(&ws.root.join(MARKER_FILE), marker.as_bytes()).map_err(io)?;
        Ok(ws)
    }

    pub fn open(root: &Path) -> Result<Workspace, WorkspaceError> {
        if !root.join(MARKER_FILE).is_file() {
            return Err(WorkspaceError::Missing(root.display().to_string()));
        }
        readers::hold(root);
        Ok(Workspace { root: root.to_path_buf() })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn table_dir(&self, kind: Kind) -> PathBuf {
        self.root.join("tables").join(kind.table())
    }

    /// Where `CREATE TABLE … AS` keeps its Parquet files.
    pub fn user_tables_dir(&self) -> PathBuf {
        self.root.join("tables").join("user")
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub fn users_path(&self) -> PathBuf {
        self.root.join("users.json")
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The committed state. Readers take no lock: the catalog is replaced atomically.
    pub fn catalog(&self) -> Result<Catalog, WorkspaceError> {
        Ok(Catalog::load(&self.root)?)
    }

    /// Absolute paths of the live data files of one table.
    pub fn data_files(&self, catalog: &Catalog, kind: Kind) -> Vec<PathBuf> {
        catalog.data_files(kind).map(|f| self.root.join(f)).collect()
    }

    pub fn begin(&self) -> Result<Transaction, WorkspaceError> {
        Transaction::begin(self)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("no recon workspace at {0}: run `recon init` to create one, or pass --workspace DIR")]
    Missing(String),
    #[error("a recon workspace already exists at {0}")]
    Exists(String),
    #[error("{0} is not empty; choose a new folder for the workspace")]
    NotEmpty(String),
    #[error("workspace {0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("the audit log cannot be written, so no change may be made: {0}")]
    Audit(String),
    /// The audit log cannot be read as one.
    #[error("{0}")]
    AuditLog(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_then_open() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let ws = Workspace::create(&root).unwrap();
        assert!(ws.table_dir(Kind::Bank).is_dir());
        assert_eq!(ws.catalog().unwrap().next_import_id, 1);
        assert!(Workspace::open(&root).is_ok());
        assert!(matches!(Workspace::create(&root), Err(WorkspaceError::Exists(_))));
        let missing = Workspace::open(dir.path()).unwrap_err().to_string();
        assert!(missing.contains("recon init"), "{missing}");
    }
}
