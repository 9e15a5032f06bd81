//! The audit log: who did what, one JSON line per event (logins and failed logins,
//! imports and undos, runs, manual decisions, exports, user and role changes), appended
//! only. Each line carries the hash of the line before it and its own, and the newest
//! line's number and hash are kept apart in `audit.head`, so `recon audit verify` finds a
//! line edited, removed, reordered, or cut off the end, and says which.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::WorkspaceError as Error;
use crate::workspace::catalog::AuditEvent;
use crate::workspace::{Workspace, fsutil};

const LOG: &str = "audit.log";
const HEAD: &str = "audit.head";
/// The `prev` of the first line.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    pub seq: u64,
    pub time: String,
    pub user: String,
    pub event: String,
    pub detail: String,
    /// The catalog generation whose commit this line records (a change to the data);
    /// none for logins, exports and the like.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<u64>,
    /// The users file's generation whose change this line records (a user added, a
    /// role changed …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<u64>,
    pub prev: String,
    pub hash: String,
}

#[derive(Serialize, Deserialize)]
struct Head {
    seq: u64,
    hash: String,
    /// The newest commit generation the log holds the lines of.
    #[serde(default)]
    commit: u64,
    /// The newest users-file generation it holds the lines of.
    #[serde(default)]
    users: u64,
}

impl Entry {
    fn digest(&self) -> String {
        // Everything but the hash itself, in a fixed order (lines older than the commit
        // field hash as they always did).
        let mut body = serde_json::json!([self.seq, self.time, self.user, self.event, self.detail, self.prev]);
        let items = body.as_array_mut().expect("an array");
        if let Some(g) = self.commit {
            items.push(g.into());
        }
        if let Some(u) = self.users {
            items.push(serde_json::json!(["users", u]));
        }
        hex::encode(Sha256::digest(format!("{}{body}", self.prev).as_bytes()))
    }
}

fn paths(ws: &Workspace) -> (PathBuf, PathBuf) {
    (ws.path(LOG), ws.path(HEAD))
}

fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io(path.display().to_string(), e)
}

/// Appends one event that changes no data (a login, an export). Any audit lines of a
/// commit whose process died before writing them go first.
pub fn record(ws: &Workspace, user: &str, event: &str, detail: &str) -> Result<(), Error> {
    let event = AuditEvent {
        time: crate::clock::now().to_rfc3339(),
        user: user.to_string(),
        event: event.to_string(),
        detail: detail.to_string(),
    };
    append(ws, Some(event))
}

/// Writes the audit lines the committed catalog carries, unless the log has them
/// already: right after a commit, and before anything else by the next process to
/// write (a crash between the commit and its lines loses neither).
pub fn flush(ws: &Workspace) -> Result<(), Error> {
    append(ws, None)
}

/// The log's end, as the log itself says: the last whole line (a line torn by a crash
/// or a full disk is cut off: it was never acknowledged) and the newest commit it
/// records. The head file may lag one line behind (a crash between the two writes).
struct End {
    seq: u64,
    hash: String,
    commit: u64,
    users: u64,
}

fn read_end(file: &mut File, head: Option<Head>) -> std::io::Result<End> {
    let len = file.metadata()?.len();
    let from = len.saturating_sub(1 << 16);
    file.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)?;
    // Cut a torn last line.
    let whole = tail.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if whole < tail.len() && !(whole == 0 && from > 0) {
        file.set_len(from + whole as u64)?;
        file.sync_all()?;
        tail.truncate(whole);
    }
    let last = tail[..whole.saturating_sub(1)]
        .rsplit(|&b| b == b'\n')
        .next()
        .and_then(|l| serde_json::from_slice::<Entry>(l).ok());
    let (head_commit, head_users) = head.as_ref().map_or((0, 0), |h| (h.commit, h.users));
    Ok(match (last, head) {
        // The head is ahead of the log (lines cut off its end) or names another last
        // line: chain on from the head, so `verify` still sees the gap, never healed.
        (Some(e), Some(h)) if h.seq >= e.seq => End { seq: h.seq, hash: h.hash, commit: h.commit, users: h.users },
        (Some(e), _) => End {
            seq: e.seq,
            hash: e.hash.clone(),
            commit: head_commit.max(e.commit.unwrap_or(0)),
            users: head_users.max(e.users.unwrap_or(0)),
        },
        // The last line is damaged: chain on from the head; `verify` will say so.
        (None, Some(h)) => End { seq: h.seq, hash: h.hash, commit: h.commit, users: h.users },
        (None, None) => End { seq: 0, hash: GENESIS.to_string(), commit: 0, users: 0 },
    })
}

/// The change the users file last saved, with its audit lines (`auth::Users`): the
/// file is replaced whole with them, so a change never lands without its lines.
#[derive(Default, Deserialize)]
struct UserChange {
    #[serde(default)]
    generation: u64,
    #[serde(default)]
    audit: Vec<AuditEvent>,
}

fn pending_user_change(ws: &Workspace) -> UserChange {
    std::fs::read(ws.users_path()).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// Appends, under the log's lock: the committed catalog's lines if the log lacks them,
/// then `event`. The lines go in one write; a write that fails is cut back off, so the
/// log never holds a torn or repeated line.
fn append(ws: &Workspace, event: Option<AuditEvent>) -> Result<(), Error> {
    let (log, head_path) = paths(ws);
    let mut opts = OpenOptions::new();
    opts.create(true).read(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(&log).map_err(io(&log))?;
    file.lock().map_err(io(&log))?;
    let head: Option<Head> = std::fs::read(&head_path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let end = read_end(&mut file, head).map_err(io(&log))?;
    let catalog = ws.catalog()?;
    // (the event, the catalog generation it records, the users-file generation)
    let mut lines: Vec<(AuditEvent, Option<u64>, Option<u64>)> = Vec::new();
    if catalog.generation > end.commit {
        lines.extend(catalog.audit.iter().map(|e| (e.clone(), Some(catalog.generation), None)));
    }
    let users = pending_user_change(ws);
    if users.generation > end.users {
        lines.extend(users.audit.into_iter().map(|e| (e, None, Some(users.generation))));
    }
    lines.extend(event.map(|e| (e, None, None)));
    if lines.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev, mut commit, mut users_seen) = (end.seq, end.hash, end.commit, end.users);
    let mut text = String::new();
    for (e, generation, users_generation) in lines {
        seq += 1;
        let mut entry = Entry {
            seq,
            time: e.time,
            user: e.user,
            event: e.event,
            detail: e.detail,
            commit: generation,
            users: users_generation,
            prev,
            hash: String::new(),
        };
        entry.hash = entry.digest();
        text.push_str(&serde_json::to_string(&entry).expect("an entry serialises"));
        text.push('\n');
        commit = commit.max(generation.unwrap_or(0));
        users_seen = users_seen.max(users_generation.unwrap_or(0));
        prev = entry.hash;
    }
    let before = file.metadata().map_err(io(&log))?.len();
    if let Err(e) = file.write_all(text.as_bytes()).and_then(|_| file.sync_all()) {
        let _ = file.set_len(before);
        let _ = file.sync_all();
        return Err(io(&log)(e));
    }
    let head = serde_json::to_vec(&Head { seq, hash: prev, commit, users: users_seen }).expect("a head serialises");
    // The lines are in; a head that fails to follow is caught up by the next append.
    if let Err(e) = fsutil::write_atomic(&head_path, &head) {
        eprintln!("warning: {}: {e} (the next command brings it up to date)", head_path.display());
    }
    Ok(())
}

/// Every entry, in file order; a line that does not parse is an error naming it.
pub fn read(ws: &Workspace) -> Result<Vec<Entry>, Error> {
    let (log, _) = paths(ws);
    let text = match std::fs::read_to_string(&log) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Io(log.display().to_string(), e)),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| Error::AuditLog(format!("{}: line {} is not an audit entry: {e}", LOG, i + 1)))
        })
        .collect()
}

/// What `verify` found wrong, first problem first; empty when the log is intact.
pub fn verify(ws: &Workspace) -> Vec<String> {
    let (log, head_path) = paths(ws);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let mut problems = Vec::new();
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    let head = std::fs::read(&head_path).ok().and_then(|b| serde_json::from_slice::<Head>(&b).ok());
    // The hash of the entry the head names, when the log has it.
    let mut at_head = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let entry: Entry = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(_) => {
                problems.push(format!("line {n}: not an audit entry (edited or damaged)"));
                return problems;
            }
        };
        if entry.hash != entry.digest() {
            problems.push(format!("line {n} (entry {}): its content does not match its hash: edited", entry.seq));
            return problems;
        }
        if entry.seq != expected_seq || entry.prev != prev_hash {
            let what = if entry.seq > expected_seq {
                format!("entries {expected_seq}–{} are missing before it: removed", entry.seq - 1)
            } else {
                format!("expected entry {expected_seq}: out of order or repeated")
            };
            problems.push(format!("line {n} (entry {}): {what}", entry.seq));
            return problems;
        }
        if head.as_ref().is_some_and(|h| h.seq == entry.seq) {
            at_head = Some(entry.hash.clone());
        }
        prev_hash = entry.hash;
        expected_seq += 1;
    }
    let last = expected_seq - 1;
    match head {
        Some(head) if head.seq > last => problems.push(format!(
            "the log ends at entry {last} but entry {} was written: truncated (entries {}–{} are gone)",
            head.seq,
            last + 1,
            head.seq
        )),
        // The head lags when writing it failed after the lines went in (a crash, a full
        // disk): the lines after it chain on from the entry it names, which is enough.
        Some(head) if head.seq < last && at_head.as_deref() == Some(head.hash.as_str()) => {}
        Some(head) if head.seq != last || head.hash != prev_hash => {
            problems.push(format!("the log's last entry {last} is not the one recorded as the newest ({})", head.seq))
        }
        None if last > 0 => problems.push(format!("{HEAD} is missing: the log's end cannot be checked")),
        _ => {}
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_detects_each_kind_of_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        for i in 0..5 {
            record(&ws, "alice", "login", &format!("attempt {i}")).unwrap();
        }
        assert!(verify(&ws).is_empty(), "{:?}", verify(&ws));
        let log = ws.path(LOG);
        let original = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = original.lines().collect();

        std::fs::write(&log, original.replace("attempt 2", "attempt 9")).unwrap();
        assert!(verify(&ws)[0].starts_with("line 3 (entry 3): its content"), "{:?}", verify(&ws));

        let removed: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, l)| *l).collect();
        std::fs::write(&log, removed.join("\n") + "\n").unwrap();
        assert!(verify(&ws)[0].contains("line 2 (entry 3): entries 2–2 are missing"), "{:?}", verify(&ws));

        let swapped = [lines[0], lines[2], lines[1], lines[3], lines[4]];
        std::fs::write(&log, swapped.join("\n") + "\n").unwrap();
        assert!(verify(&ws)[0].starts_with("line 2 (entry 3)"), "{:?}", verify(&ws));

        std::fs::write(&log, lines[..3].join("\n") + "\n").unwrap();
        assert!(verify(&ws)[0].contains("truncated (entries 4–5 are gone)"), "{:?}", verify(&ws));

        std::fs::write(&log, &original).unwrap();
        assert!(verify(&ws).is_empty());
    }
}
