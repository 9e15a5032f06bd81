//! The catalog: the one file that says what the workspace holds. It lists every import
//! (the import log) and the data file each import added. Replacing it atomically is the
//! commit point of every write, so a reader that reads it sees a consistent state, and a
//! data file that it does not list is an unfinished write, ignored and later removed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::schema::Kind;

pub const CATALOG_FILE: &str = "catalog.json";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Catalog {
    pub format_version: u32,
    /// Bumped on every commit, so a long-lived session can tell it is stale.
    pub generation: u64,
    pub next_import_id: u64,
    pub imports: Vec<ImportRecord>,
    /// Analysts' working tables, made with `CREATE TABLE … AS SELECT`.
    #[serde(default)]
    pub tables: Vec<UserTable>,
    /// Manual decisions: matches, broken matches, write-offs.
    #[serde(default)]
    pub actions: Vec<ManualAction>,
    /// Reconciliation runs kept in the workspace.
    #[serde(default)]
    pub runs: Vec<Run>,
    /// Periods closed (and reopened), in the order it happened.
    #[serde(default)]
    pub periods: Vec<Period>,
    /// Every change of an anomaly's state, oldest first.
    #[serde(default)]
    pub anomaly_log: Vec<AnomalyChange>,
    /// The audit lines of the change this catalog commits, written with it: appended to
    /// the audit log right after the commit, or by the next process if this one died
    /// in between (`audit::flush`), so a change never lands without its audit line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit: Vec<AuditEvent>,
}

/// One audit line a commit carries.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditEvent {
    pub time: String,
    pub user: String,
    pub event: String,
    pub detail: String,
}

/// A closed period: the run that holds its figures, and the imports it saw.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Period {
    /// `2026-10`, `2026-W43` or `2026-10-07`.
    pub period: String,
    /// First day, and the day after the last (`YYYY-MM-DD`).
    pub from: String,
    pub until: String,
    pub run_id: u64,
    /// The last import the closed figures include: a later one dated inside is news.
    pub last_import: u64,
    pub closed_at: String,
    pub closed_by: String,
    #[serde(default)]
    pub reopened_at: Option<String>,
    #[serde(default)]
    pub reopened_by: Option<String>,
    #[serde(default)]
    pub reopen_reason: Option<String>,
}

/// One change of an anomaly: its state, who it is with, and why.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnomalyChange {
    pub seq: u64,
    pub key: String,
    /// open, in_progress, resolved or ignored.
    pub state: String,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub note: String,
    pub user: String,
    pub time: String,
}

/// A person's decision, which wins over every automatic pass.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManualAction {
    pub id: u64,
    /// `match`, `unmatch` or `writeoff`.
    pub action: String,
    /// Payout ids (`payouts.payout_id`).
    #[serde(default)]
    pub payouts: Vec<String>,
    /// Order ids (`orders.order_id`).
    #[serde(default)]
    pub orders: Vec<String>,
    /// Bank lines (`bank_txns.line_id`).
    #[serde(default)]
    pub bank_lines: Vec<String>,
    /// The amount written off, as a decimal string.
    #[serde(default)]
    pub amount: Option<String>,
    pub reason: String,
    pub user: String,
    pub time: String,
    /// Set when a later decision withdrew this one.
    #[serde(default)]
    pub revoked: Option<Undone>,
}

/// A reconciliation run: its results are kept under `runs/NNNNNN/`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Run {
    pub id: u64,
    pub time: String,
    pub user: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Relative to the workspace root.
    pub dir: String,
    /// View name → rows kept.
    pub views: std::collections::BTreeMap<String, u64>,
    /// The matching settings the run used, `name=value`.
    #[serde(default)]
    pub params: Vec<String>,
    /// The named period it was run for (`--period`), if any.
    #[serde(default)]
    pub period: Option<String>,
    /// The imports it read: exactly those committed when it took the writer lock.
    #[serde(default)]
    pub imports: Vec<u64>,
}

/// A table a user made from a query, stored as one Parquet file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserTable {
    pub name: String,
    /// Relative to the workspace root.
    pub file: String,
    pub rows: u64,
    pub created: String,
    pub user: String,
    /// Made from customers' personal data (under whatever column names): not shown to viewers.
    #[serde(default)]
    pub personal: bool,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            format_version: FORMAT_VERSION,
            generation: 0,
            next_import_id: 1,
            imports: Vec::new(),
            tables: Vec::new(),
            actions: Vec::new(),
            runs: Vec::new(),
            periods: Vec::new(),
            anomaly_log: Vec::new(),
            audit: Vec::new(),
        }
    }
}

/// One line of the import log.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImportRecord {
    pub id: u64,
    /// Local time, `2026-11-01T10:00:00+08:00`.
    pub time: String,
    pub user: String,
    pub source_file: String,
    pub sha256: String,
    pub format: String,
    pub kind: String,
    pub rows_stored: u64,
    pub duplicates_skipped: u64,
    pub rows_rejected: u64,
    /// Valid rows that moved no money (closed or failed transactions).
    pub rows_ignored: u64,
    /// Preamble, blank, comment and totals lines around the table.
    pub lines_skipped: u64,
    /// Earlier imports this one found its duplicates in, and how many: undoing one of
    /// them takes those rows away from this import too.
    #[serde(default)]
    pub duplicates_of: std::collections::BTreeMap<u64, u64>,
    /// Relative to the workspace root.
    pub data_file: Option<String>,
    pub rejects_file: Option<String>,
    #[serde(default)]
    pub undone: Option<Undone>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Undone {
    pub time: String,
    pub user: String,
}

impl ImportRecord {
    pub fn kind(&self) -> Option<Kind> {
        self.kind.parse().ok()
    }

    pub fn is_live(&self) -> bool {
        self.undone.is_none()
    }
}

impl Catalog {
    pub fn load(root: &Path) -> Result<Catalog, CatalogError> {
        let path = root.join(CATALOG_FILE);
        let bytes = std::fs::read(&path).map_err(|e| CatalogError::Read(path.display().to_string(), e))?;
        let cat: Catalog =
            serde_json::from_slice(&bytes).map_err(|e| CatalogError::Corrupt(path.display().to_string(), e))?;
        if cat.format_version > FORMAT_VERSION {
            return Err(CatalogError::TooNew(cat.format_version));
        }
        Ok(cat)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("catalog serialises");
        v.push(b'\n');
        v
    }

    /// Data files of the live imports of one kind, relative to the workspace root.
    pub fn data_files(&self, kind: Kind) -> impl Iterator<Item = &str> {
        self.imports
            .iter()
            .filter(move |r| r.is_live() && r.kind() == Some(kind))
            .filter_map(|r| r.data_file.as_deref())
    }

    /// Every file the catalog refers to: anything else under the data folders is debris.
    pub fn referenced_files(&self) -> Vec<String> {
        let imports = self
            .imports
            .iter()
            .filter(|r| r.is_live())
            .flat_map(|r| [r.data_file.clone(), r.rejects_file.clone()])
            .flatten();
        let tables = self.tables.iter().map(|t| t.file.clone());
        let runs = self.runs.iter().flat_map(|r| r.views.keys().map(move |v| format!("{}/{v}.parquet", r.dir)));
        imports.chain(tables).chain(runs).collect()
    }

    pub fn table(&self, name: &str) -> Option<&UserTable> {
        self.tables.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    pub fn import(&self, id: u64) -> Option<&ImportRecord> {
        self.imports.iter().find(|r| r.id == id)
    }

    /// The live import that already holds a file with this content, if any.
    pub fn import_with_sha(&self, sha256: &str) -> Option<&ImportRecord> {
        self.imports.iter().find(|r| r.is_live() && r.sha256 == sha256 && r.rows_stored > 0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the workspace catalog {0}: {1}")]
    Read(String, #[source] std::io::Error),
    #[error("the workspace catalog {0} is damaged: {1}")]
    Corrupt(String, #[source] serde_json::Error),
    #[error("this workspace was written by a newer recon (catalog format {0}); upgrade recon")]
    TooNew(u32),
}
