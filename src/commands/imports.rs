//! `recon imports` lists the import log and what each bank statement covers;
//! `recon imports undo ID` removes one import.

use super::Context;
use crate::cli::{ImportsAction, ImportsArgs, OutputFormat};
use recon::error::Error;

pub fn run(ctx: &Context, args: ImportsArgs) -> Result<(), Error> {
    match args.action {
        None => list(ctx),
        Some(ImportsAction::Undo { id }) => undo(ctx, id),
    }
}

fn list(ctx: &Context) -> Result<(), Error> {
    let (ws, user) = ctx.login()?;
    super::sql::print_query(
        &ws,
        &user,
        "SELECT id, time, \"user\", source_file, kind, format, rows_stored AS stored, duplicates_skipped AS duplicates, \
         rows_rejected AS rejected, rows_ignored AS ignored, CASE WHEN undone_at IS NULL THEN '' ELSE 'undone ' || CAST(undone_at AS VARCHAR) END AS undone \
         FROM imports ORDER BY id",
        OutputFormat::Table,
    )?;
    // Bank statements by account: what each import covers, and where the next one does
    // not follow on (days nobody covered, or a balance that does not carry over).
    println!("\nBank statements by account:");
    super::sql::print_query(
        &ws,
        &user,
        "SELECT account, import_id AS import, first_day, last_day, lines, opening_balance AS opening, \
         closing_balance AS closing, \
         CASE WHEN gap_days > 0 THEN 'GAP: ' || CAST(gap_days AS VARCHAR) || ' days no statement covers' \
              WHEN overlap_days > 0 THEN 'overlaps the one before by ' || CAST(overlap_days AS VARCHAR) || ' days' \
         END AS coverage, \
         CASE WHEN balance_gap = 0 THEN 'carries over' \
              WHEN balance_gap <> 0 THEN 'BALANCE GAP: ' || CAST(balance_gap AS VARCHAR) || ' missing' END AS balance \
         FROM statement_coverage ORDER BY account, first_day, import",
        OutputFormat::Table,
    )
}

fn undo(ctx: &Context, id: u64) -> Result<(), Error> {
    let undone = ctx.service()?.undo_import(id)?;
    let (rows, table, file) = (undone.rows, &undone.table, &undone.file);
    println!("undid import {id}: removed {rows} {table} rows that came from {file}");
    if !undone.shadowed.is_empty() {
        println!("  note: {}; import those files again to bring those rows back", undone.shadowed.join(", "));
    }
    Ok(())
}
