//! `recon match|unmatch|writeoff|revoke` and their dot-commands: a decision as the command
//! line states it, kept by the application layer (`app::decisions`), and what it did,
//! printed.

use super::Runner;
use crate::cli::{DecisionArgs, WriteoffArgs};
use recon::app::{DecisionKind, DecisionRequest};
use recon::error::Error;

pub enum Decision {
    Match(DecisionArgs),
    Unmatch(DecisionArgs),
    Writeoff(WriteoffArgs),
}

fn request(items: DecisionArgs) -> DecisionRequest {
    DecisionRequest { payouts: items.payouts, orders: items.orders, bank: items.bank, reason: items.reason }
}

impl Runner {
    pub fn decide(&mut self, decision: Decision) -> Result<(), Error> {
        let (kind, req) = match decision {
            Decision::Match(items) => (DecisionKind::Match, request(items)),
            Decision::Unmatch(items) => (DecisionKind::Unmatch, request(items)),
            Decision::Writeoff(w) => (DecisionKind::Writeoff { amount: w.amount }, request(w.items)),
        };
        let app = self.app();
        let d = self.runtime.block_on(app.decide(&mut self.session, kind, req))?;
        let mut named: Vec<String> = d.payouts.iter().map(|p| format!("payout {p}")).collect();
        named.extend(d.orders.iter().map(|o| format!("order {o}")));
        let lines: Vec<String> = d.bank.iter().map(|b| format!("bank line {} ({})", b.txn_id, b.line_id)).collect();
        let id = d.id;
        match d.action {
            "match" => println!("decision {id}: matched {} with {}", named.join(", "), lines.join(", ")),
            "unmatch" => println!(
                "decision {id}: {} and {} will not be matched automatically again",
                named.join(", "),
                lines.join(", ")
            ),
            _ => {
                named.extend(lines);
                println!("decision {id}: wrote off {} on {}", d.amount.unwrap_or_default(), named.join(", "));
            }
        }
        for r in d.revoked {
            println!("decision {r} (a match by hand) is withdrawn");
        }
        println!("The live views show it now; `recon reconcile` keeps it in a run.");
        Ok(())
    }

    /// `recon revoke N` / `.revoke N`: decision N taken back (the web page's undo).
    pub fn revoke(&mut self, id: u64) -> Result<(), Error> {
        let app = self.app();
        let what = self.runtime.block_on(app.revoke_decision(&mut self.session, id))?;
        println!("decision {id} ({what}) taken back: matching decides again for what it named");
        Ok(())
    }

    /// A query's rows as text (the application layer's `text_rows`), within the
    /// statement time limit.
    pub(super) fn strings(&self, sql: &str) -> Result<Vec<Vec<String>>, Error> {
        self.block_on_cancellable(recon::app::text_rows(&self.session, sql))?
    }
}
