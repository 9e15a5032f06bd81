//! Reconciliation runs: the matching views materialised as a numbered run under
//! `runs/NNNNNN/` (Parquet, committed like an import, so a run is whole or absent), and
//! the summary a person reads after one. Earlier runs stay queryable as `run_<view>`.

use std::collections::BTreeMap;
use std::path::Path;

use futures::StreamExt;

use super::Runner;
use crate::cli::ReconcileArgs;
use crate::error::Error;
use crate::ingest::sink::ParquetSink;
use crate::progress::Progress;
use crate::workspace::{Run, fsutil};

/// The views a run keeps, each with the time that places its rows in a period.
pub const RUN_VIEWS: [(&str, Option<&str>); 8] = [
    ("order_settlement", Some("order_time")),
    ("receivables", Some("order_time")),
    ("bank_matches", Some("txn_time")),
    ("unmatched_payouts", Some("payout_time")),
    ("unmatched_bank", Some("txn_time")),
    ("match_candidates", Some("txn_time")),
    ("unknown_order_lines", Some("txn_time")),
    ("manual_orphans", None),
];

impl Runner {
    /// Runs matching over everything imported and keeps the rows of the period asked
    /// for (all when none): a payout at the end of the period still finds the credit
    /// that arrives after it.
    pub fn reconcile(&mut self, args: &ReconcileArgs) -> Result<(), Error> {
        crate::auth::allow(&self.user, crate::auth::guard::Action::Reconcile)?;
        let span = match args.period.as_deref() {
            Some([name]) => Some(crate::period::parse(None, name)),
            Some([grain, name]) => Some(grain.parse().and_then(|g| crate::period::parse(Some(g), name))),
            _ => None,
        }
        .transpose()
        .map_err(Error::Usage)?;
        let (from, to) = match &span {
            Some(s) => (Some(s.from), Some(s.last_day())),
            None => (args.from, args.to),
        };
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(Error::Usage(format!("--from {from} is after --to {to}")));
        }
        // The data is read under the writer lock, so the run holds exactly the imports
        // committed before it, and says which.
        let mut tx = self.ws.begin()?;
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        let seen: Vec<u64> = tx.catalog.imports.iter().filter(|r| r.is_live()).map(|r| r.id).collect();
        let asked = crate::period::Span {
            label: String::new(),
            from: from.unwrap_or(chrono::NaiveDate::MIN),
            until: to.and_then(|t| t.succ_opt()).unwrap_or(chrono::NaiveDate::MAX),
        };
        // A run for a named span inside a closed period would pose as its figures; a run
        // of everything is only the current state, and the period keeps its own run.
        let explicit = from.is_some() || to.is_some();
        if let Some(closed) = crate::app::closed(&tx.catalog).find(|p| explicit && p.overlaps(&asked)) {
            return Err(Error::Usage(format!(
                "{} is closed: its figures are kept as they were; `recon reopen {} --reason …` (admin) first",
                closed.label, closed.label
            )));
        }
        let id = tx.catalog.runs.iter().map(|r| r.id).max().unwrap_or(0) + 1;
        let dir = format!("runs/{id:06}");
        fsutil::create_private_dir(&self.ws.path("runs"))
            .and_then(|_| fsutil::create_private_dir(&self.ws.path(&dir)))
            .map_err(|e| Error::Io(self.ws.path(&dir).display().to_string(), e))?;
        let progress = Progress::steps(!args.no_progress, RUN_VIEWS.len() as u64, "reconciling");
        let mut kept = BTreeMap::new();
        for (view, time) in RUN_VIEWS {
            progress.message(view);
            let mut conditions = Vec::new();
            if let (Some(col), Some(from)) = (time, from) {
                conditions.push(format!("{col} >= TIMESTAMP '{from} 00:00:00'"));
            }
            if let (Some(col), Some(to)) = (time, to) {
                conditions.push(format!("{col} < TIMESTAMP '{to} 00:00:00' + INTERVAL '1 day'"));
            }
            let filter =
                if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
            let sql = format!("SELECT CAST({id} AS BIGINT) AS run_id, * FROM {view}{filter}");
            let tmp = tx.temp_path(&format!("run-{view}.parquet"));
            let rows = match self.write_query(&sql, &tmp) {
                Ok(rows) => rows,
                Err(e) => {
                    progress.finish();
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e);
                }
            };
            tx.stage(tmp, format!("{dir}/{view}.parquet"));
            kept.insert(view.to_string(), rows);
            progress.inc();
        }
        progress.finish();
        let settings = crate::settings::Settings::load(&self.ws).map_err(Error::Usage)?;
        let as_of = crate::asof::current(self.session.ctx.state().config_options()).map_err(Error::Usage)?;
        tx.catalog.runs.push(Run {
            params: std::iter::once(format!("as_of={as_of}"))
                .chain(settings.rows().into_iter().map(|(k, v)| format!("{k}={v}")))
                .collect(),
            id,
            time: crate::clock::now().to_rfc3339(),
            user: self.user.name.clone(),
            from: from.map(|d| d.to_string()),
            to: to.map(|d| d.to_string()),
            dir,
            views: kept,
            period: span.as_ref().map(|s| s.label.clone()),
            imports: seen,
        });
        let period = match &span {
            Some(s) => format!("period {}", s.label),
            None => format!(
                "from {} to {}",
                from.map_or("-".into(), |d| d.to_string()),
                to.map_or("-".into(), |d| d.to_string())
            ),
        };
        tx.audit(&self.user.name, "run", &format!("run {id} as of {as_of}, {period}"));
        tx.commit()?;
        drop(tx);
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        self.print_run_summary(id)
    }

    /// Runs a query into a Parquet file; the number of rows written.
    pub(super) fn write_query(&self, sql: &str, path: &Path) -> Result<u64, Error> {
        let ctx = self.session.ctx.clone();
        let sql = sql.to_string();
        let path = path.to_path_buf();
        let role = self.user.role;
        self.block_on_cancellable(async move {
            let df = crate::session::planned(&ctx, role, &sql).await?;
            let schema = df.schema().inner().clone();
            let mut sink = ParquetSink::create(&path, schema).map_err(|e| Error::Io(path.display().to_string(), e))?;
            let mut stream = df.execute_stream().await?;
            let mut rows = 0u64;
            while let Some(batch) = stream.next().await {
                let batch = batch?;
                rows += batch.num_rows() as u64;
                sink.write(batch).map_err(Error::Other)?;
            }
            sink.finish().map_err(Error::Other)?;
            Ok::<u64, Error>(rows)
        })?
    }

    /// What a run found: matches by rule, what is left open on each side, what waits
    /// for a person, and the orders by status.
    pub fn print_run_summary(&mut self, id: u64) -> Result<(), Error> {
        let catalog = self.ws.catalog()?;
        let run =
            catalog.runs.iter().find(|r| r.id == id).ok_or_else(|| Error::Usage(format!("there is no run {id}")))?;
        let period = match (&run.from, &run.to) {
            (None, None) => "everything imported".to_string(),
            (from, to) => {
                format!("{} to {}", from.as_deref().unwrap_or("the start"), to.as_deref().unwrap_or("the end"))
            }
        };
        println!("Run {id} by {} at {}: {period}", run.user, run.time.get(..19).unwrap_or(&run.time).replace('T', " "));
        println!("Imports read: {}", crate::records::id_ranges(&run.imports));
        if !run.params.is_empty() {
            // The matching knobs; the receivables ones are in `runs.params`.
            let shown: Vec<&str> = run
                .params
                .iter()
                .map(String::as_str)
                .filter(|p| !p.contains("cycle_days.") && !p.starts_with("aging_bucket."))
                .collect();
            println!("Settings: {}", shown.join(", "));
        }
        println!("\nMatched (bank_matches):");
        self.print_sql(&format!(
            "WITH lines AS (
                SELECT rule, line_id, max(bank_amount) AS amount, count(*) AS items
                FROM run_bank_matches WHERE run_id = {id} GROUP BY rule, line_id
            )
            SELECT rule, sum(items) AS matched, count(*) AS bank_lines, sum(amount) AS amount FROM lines GROUP BY rule
            UNION ALL
            SELECT 'total', sum(items), count(*), sum(amount) FROM lines
            ORDER BY CASE WHEN rule = 'total' THEN 1 ELSE 0 END, matched DESC"
        ))?;
        println!("\nOpen:");
        self.print_sql(&format!(
            "SELECT view, what, count, amount FROM (
                SELECT 1 AS k, 'unmatched_payouts' AS view, 'payouts no bank credit was found for' AS what,
                    count(*) AS count, sum(amount) AS amount
                FROM run_unmatched_payouts WHERE run_id = {id}
                UNION ALL
                SELECT 2, 'unmatched_bank', 'money in the bank nothing explains', count(*), sum(amount)
                FROM run_unmatched_bank WHERE run_id = {id}
                UNION ALL
                SELECT 3, 'match_candidates', 'payouts and orders a person must choose for',
                    count(DISTINCT coalesce(payout_id, order_id)), CAST(NULL AS DECIMAL(18, 2))
                FROM run_match_candidates WHERE run_id = {id}
                UNION ALL
                SELECT 4, 'unknown_order_lines', 'settlement lines of orders not imported', count(*), sum(amount)
                FROM run_unknown_order_lines WHERE run_id = {id}
                UNION ALL
                SELECT 5, 'manual_orphans', 'decisions naming rows no longer imported', count(DISTINCT action_id),
                    CAST(NULL AS DECIMAL(18, 2))
                FROM run_manual_orphans WHERE run_id = {id}
            ) ORDER BY k"
        ))?;
        println!("\nOrders (order_settlement):");
        self.print_sql(&format!(
            "SELECT status, count(*) AS orders, sum(expected) AS expected, sum(settled) AS settled
            FROM run_order_settlement WHERE run_id = {id}
            GROUP BY status
            ORDER BY CASE status WHEN 'settled' THEN 0 WHEN 'partial' THEN 1 WHEN 'unsettled' THEN 2
                WHEN 'refunded' THEN 3 ELSE 4 END"
        ))?;
        println!(
            "\nKept as run {id}: query run_bank_matches, run_order_settlement … WHERE run_id = {id}; the live views show the current state."
        );
        Ok(())
    }
}
