//! What the server keeps between requests: the workspace, one SQL session per role
//! (the views are computed once per workspace change and role, then shared by every
//! user of that role), rate limits, staged uploads and running reconciliations.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::ServeOptions;
use crate::auth::Role;
use crate::error::Error;
use crate::ingest::report::ImportReport;
use crate::session::Session;
use crate::workspace::Workspace;

/// A role's SQL session: pages read it together; a refresh or a decision has it alone.
pub type Shared = Arc<tokio::sync::RwLock<Session>>;

/// Files uploaded by one user, waiting to be looked at and imported.
pub struct Upload {
    pub owner: String,
    /// Each file as the user named it, and where it is staged.
    pub files: Vec<(String, PathBuf)>,
    /// What importing made of them, once done.
    pub reports: Vec<FileReport>,
    pub warnings: Vec<String>,
}

/// How one file's import went, for the report page.
pub struct FileReport {
    pub name: String,
    pub import_id: Option<u64>,
    pub text: String,
    pub rejects: bool,
    pub failed: bool,
}

/// A reconciliation started from the page: how far it is.
#[derive(Clone, Default)]
pub struct Job {
    pub owner: String,
    pub views_done: usize,
    pub current: String,
    pub run: Option<u64>,
    pub error: Option<String>,
}

pub struct AppState {
    pub ws: Workspace,
    pub memory_limit: usize,
    pub secure: bool,
    pub max_upload: usize,
    pub templates: minijinja::Environment<'static>,
    /// Per role and as-of (empty: now), the SQL session pages read.
    sessions: Mutex<HashMap<(&'static str, String), Shared>>,
    /// Logins per client address, and uploads per user.
    pub login_limit: DefaultKeyedRateLimiter<String>,
    pub upload_limit: DefaultKeyedRateLimiter<String>,
    /// Uploaded files are staged here, outside the workspace, until imported.
    pub staging: tempfile::TempDir,
    pub uploads: Mutex<HashMap<String, Upload>>,
    pub jobs: Mutex<HashMap<String, Arc<Mutex<Job>>>>,
}

/// Logins a client address may try in a minute: an office behind one address logs in
/// together at nine; a password guesser is held by this and by the per-name lockout.
pub const LOGINS_PER_MINUTE: u32 = 60;

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl AppState {
    pub fn new(ws: Workspace, opts: &ServeOptions) -> Result<AppState, Error> {
        Ok(AppState {
            ws,
            memory_limit: opts.memory_limit,
            secure: opts.tls.is_some(),
            max_upload: opts.max_upload,
            templates: super::assets::templates(),
            sessions: Mutex::new(HashMap::new()),
            login_limit: RateLimiter::keyed(per_minute(LOGINS_PER_MINUTE)),
            upload_limit: RateLimiter::keyed(per_minute(30)),
            staging: tempfile::Builder::new()
                .prefix("recon-uploads-")
                .tempdir()
                .map_err(|e| Error::Io("a folder for uploads".into(), e))?,
            uploads: Mutex::new(HashMap::new()),
            jobs: Mutex::new(HashMap::new()),
        })
    }

    /// The shared SQL session of `role` computing as of `as_of` (empty: now), opened on
    /// first use. Each as-of computes its own figures, so only a few are kept: the
    /// oldest other one is let go when a new one would pass `AS_OF_KEPT`.
    async fn session(&self, role: Role, as_of: &str) -> Result<Shared, Error> {
        let key = (role.name(), as_of.to_string());
        if let Some(s) = self.sessions.lock().map_err(poisoned)?.get(&key) {
            return Ok(s.clone());
        }
        let opened = Session::open(&self.ws, self.memory_limit, role).await?;
        if !as_of.is_empty() {
            let set = format!("SET recon.as_of = {}", crate::app::literal(as_of));
            opened.ctx.sql(&set).await?.collect().await?;
        }
        let mut all = self.sessions.lock().map_err(poisoned)?;
        let others: Vec<_> = all.keys().filter(|(_, a)| !a.is_empty() && **a != *as_of).cloned().collect();
        if others.len() >= AS_OF_KEPT {
            all.remove(&others[0]);
        }
        Ok(all.entry(key).or_insert_with(|| Arc::new(tokio::sync::RwLock::new(opened))).clone())
    }

    /// `role`'s session up to date with the workspace, for reading: many pages read at
    /// once; only a workspace change makes one reader refresh it alone.
    pub async fn reading(&self, role: Role) -> Result<tokio::sync::OwnedRwLockReadGuard<Session>, Error> {
        self.reading_as_of(role, "").await
    }

    /// Like [`AppState::reading`], with time-dependent figures (receivables, overdue
    /// days) as of `as_of` — a date or time as `--as-of` takes it; empty is now.
    pub async fn reading_as_of(
        &self,
        role: Role,
        as_of: &str,
    ) -> Result<tokio::sync::OwnedRwLockReadGuard<Session>, Error> {
        let as_of = as_of.trim();
        if !as_of.is_empty() && crate::asof::parse(as_of).is_none() {
            return Err(Error::Usage(format!("as of {as_of:?}: give a date such as 2026-10-31")));
        }
        let shared = self.session(role, as_of).await?;
        let generation = self.ws.catalog()?.generation;
        let read = shared.clone().read_owned().await;
        if read.generation == generation {
            return Ok(read);
        }
        drop(read);
        let mut write = shared.write_owned().await;
        write.refresh(&self.ws).await?;
        Ok(write.downgrade())
    }

    /// `role`'s session (now) for a change that needs it alone (a decision).
    pub async fn writing(&self, role: Role) -> Result<tokio::sync::OwnedRwLockWriteGuard<Session>, Error> {
        Ok(self.session(role, "").await?.write_owned().await)
    }
}

/// Other as-of dates whose figures the server keeps computed at once.
const AS_OF_KEPT: usize = 3;

pub fn poisoned<T>(_: std::sync::PoisonError<T>) -> Error {
    Error::Other("the server's state was left broken by an earlier failure; restart recon serve".into())
}

impl FileReport {
    /// How `result` went for the file the user named `name`, staged at `staged`.
    pub fn of(name: &str, staged: &std::path::Path, result: &Result<ImportReport, Error>) -> FileReport {
        let mut report = FileReport::from_result(name, result);
        // The staging folder means nothing to the user: the file's own name instead.
        report.text = report.text.replace(&staged.display().to_string(), name);
        report
    }

    fn from_result(name: &str, result: &Result<ImportReport, Error>) -> FileReport {
        match result {
            Ok(r) => FileReport {
                name: name.to_string(),
                import_id: r.committed.then_some(r.import_id),
                text: r.to_string(),
                rejects: r.rejects_file.is_some() && r.committed,
                failed: false,
            },
            Err(e) => FileReport {
                name: name.to_string(),
                import_id: None,
                text: e.to_string(),
                rejects: false,
                failed: true,
            },
        }
    }
}

impl AppState {
    /// The column names and rows of each of `sqls` as `app`'s user may see them (masked
    /// for a viewer), each cell as text, from the role's session brought up to date once.
    pub async fn tables(
        &self,
        app: &crate::app::Service,
        sqls: &[&str],
    ) -> Result<Vec<(Vec<String>, Vec<Vec<String>>)>, Error> {
        let session = self.reading(app.user().role).await?;
        let mut out = Vec::with_capacity(sqls.len());
        for sql in sqls {
            out.push(crate::app::text_table(&session, sql).await?);
        }
        Ok(out)
    }

    /// Like [`AppState::tables`], the rows only.
    pub async fn rows(&self, app: &crate::app::Service, sqls: &[&str]) -> Result<Vec<Vec<Vec<String>>>, Error> {
        Ok(self.tables(app, sqls).await?.into_iter().map(|(_, rows)| rows).collect())
    }
}
