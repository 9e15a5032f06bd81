//! `recon audit [verify]`: the audit log, filtered, and the check of its hash chain.

use super::Context;
use crate::cli::{AuditAction, AuditArgs};
use recon::auth::guard::Action;
use recon::error::Error;

pub fn run(ctx: &Context, args: AuditArgs) -> Result<(), Error> {
    let (ws, me) = ctx.login()?;
    recon::auth::allow(&me, Action::ReadAudit)?;
    if let Some(AuditAction::Head) = args.action {
        let entries = recon::workspace::audit::read(&ws)?;
        match entries.last() {
            Some(e) => println!("audit head: entry {} at {}, hash {}", e.seq, e.time, e.hash),
            None => println!("audit head: the log is empty"),
        }
        return Ok(());
    }
    if let Some(AuditAction::Verify) = args.action {
        let problems = recon::workspace::audit::verify(&ws);
        let entries = recon::workspace::audit::read(&ws).map(|e| e.len()).unwrap_or(0);
        if problems.is_empty() {
            println!("audit log intact: {entries} entries, each chained to the one before");
            return Ok(());
        }
        for p in &problems {
            eprintln!("audit log: {p}");
        }
        return Err(Error::Other(format!("the audit log has been tampered with ({} problem found)", problems.len())));
    }
    let since = args.since.map(|d| d.to_string());
    let mut shown: Vec<recon::workspace::audit::Entry> = recon::workspace::audit::read(&ws)?
        .into_iter()
        .filter(|e| args.by.as_ref().is_none_or(|u| &e.user == u))
        .filter(|e| args.event.as_ref().is_none_or(|k| &e.event == k))
        .filter(|e| since.as_ref().is_none_or(|d| e.time.as_str() >= d.as_str()))
        .collect();
    if let Some(n) = args.last {
        shown = shown.split_off(shown.len().saturating_sub(n));
    }
    for e in &shown {
        println!(
            "{:>6}  {}  {:<12} {:<14} {}",
            e.seq,
            e.time.get(..19).unwrap_or(&e.time).replace('T', " "),
            e.user,
            e.event,
            e.detail
        );
    }
    Ok(())
}
