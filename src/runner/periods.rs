//! Closing and reopening periods in the shell and the CLI (the rules are the
//! application layer's, `app::periods`).

use super::Runner;
use recon::error::Error;

impl Runner {
    pub fn close_period(&mut self, name: &str) -> Result<(), Error> {
        let closed = self.app().close_period(name)?;
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        println!(
            "closed {}: run {1} holds its figures (run_receivables WHERE run_id = {1}, and the other run_ tables); \
             an import dated inside it from now on is flagged in anomalies",
            closed.label, closed.run_id
        );
        Ok(())
    }

    pub fn reopen_period(&mut self, name: &str, reason: &str) -> Result<(), Error> {
        let label = self.app().reopen_period(name, reason)?;
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        println!("reopened {label}: reconcile it again and close it when it is right");
        Ok(())
    }
}
