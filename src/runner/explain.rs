//! `recon explain ID` and `.explain ID`: prints the trail the application layer finds
//! for an order, payout or bank line (`recon::app::explain`), which the web pages show
//! too. Only the presenting is here: headings and sentences as text, each SQL step as a
//! table in the session's output mode.

use super::Runner;
use recon::app::Step;
use recon::error::Error;

impl Runner {
    pub fn explain(&mut self, id: &str) -> Result<(), Error> {
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        // Within the statement time limit, and Ctrl-C stops it, as every query here.
        let trails = self.block_on_cancellable(recon::app::explain(&self.session, id))??;
        for (n, (_, steps)) in trails.iter().enumerate() {
            if n > 0 {
                self.write_text("\n")?;
            }
            for step in steps {
                match step {
                    Step::Heading(h) => self.write_text(&format!("{h}\n"))?,
                    Step::Rows { title: None, sql } => self.print_sql(sql)?,
                    Step::Rows { title: Some(title), sql } => {
                        self.write_text(&format!("\n{title}\n"))?;
                        self.print_sql(sql)?;
                    }
                    Step::Text(text) => self.write_text(&format!("\n{text}\n"))?,
                }
            }
        }
        Ok(())
    }
}
