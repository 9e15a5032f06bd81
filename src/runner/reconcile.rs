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
        for (title, sql) in recon::app::run_summary(id) {
            println!("\n{title}:");
            self.print_sql(&sql)?;
        }
        println!(
            "\nKept as run {id}: query run_bank_matches, run_order_settlement … WHERE run_id = {id}; the live views show the current state."
        );
        Ok(())
    }
}
