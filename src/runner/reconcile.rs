//! `recon reconcile` and `.reconcile`: a run (made by the application layer,
//! `app::runs`) with a progress bar, and the summary a person reads after one.

use super::{Runner, cancellable};
use crate::cli::ReconcileArgs;
use recon::app::RunScope;
use recon::error::Error;
use recon::progress::Progress;

pub use recon::app::RUN_VIEWS;

impl Runner {
    /// `recon reconcile` / `.reconcile`: a run of the period the arguments name, with a
    /// progress bar on a terminal, then its summary.
    pub fn reconcile(&mut self, args: &ReconcileArgs) -> Result<(), Error> {
        let span = match args.period.as_deref() {
            Some([name]) => Some(recon::period::parse(None, name)),
            Some([grain, name]) => Some(grain.parse().and_then(|g| recon::period::parse(Some(g), name))),
            _ => None,
        }
        .transpose()
        .map_err(Error::Usage)?;
        let scope = RunScope { span, from: args.from, to: args.to };
        let app = self.app();
        let progress = Progress::steps(!args.no_progress, RUN_VIEWS.len() as u64, "reconciling");
        let mut views = 0;
        let run = app.reconcile(&mut self.session, scope, |view| {
            if views > 0 {
                progress.inc();
            }
            views += 1;
            progress.message(view);
        });
        let id = cancellable(&self.runtime, self.timeout, self.interactive, run);
        progress.finish();
        self.print_run_summary(id??)
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
        println!("Imports read: {}", recon::records::id_ranges(&run.imports));
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
