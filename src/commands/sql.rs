//! `recon sql -c SQL` / `-f FILE`: run statements in order, print each result, stop at
//! the first error.

use std::io::Write;

use datafusion::sql::parser::DFParser;

use super::Context;
use crate::cli::{OutputFormat, SqlArgs};
use crate::error::Error;
use crate::session;
use crate::workspace::Workspace;

pub fn run(ctx: &Context, args: SqlArgs) -> Result<(), Error> {
    let text = match (&args.command, &args.file) {
        (Some(c), _) => c.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).map_err(|e| Error::Io(f.display().to_string(), e))?,
        (None, None) => {
            return Err(Error::Usage("give the SQL with -c \"SQL\" or -f FILE".into()));
        }
    };
    let (ws, _) = ctx.login()?;
    print_query(&ws, &text, args.format)
}

/// Runs every statement of `sql` and prints each result to stdout.
pub fn print_query(ws: &Workspace, sql: &str, format: OutputFormat) -> Result<(), Error> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Error::Io("tokio".into(), e))?;
    runtime.block_on(async {
        let ctx = session::open(ws)?;
        let statements = DFParser::parse_sql(sql).map_err(|e| Error::Sql(e.to_string()))?;
        let stdout = std::io::stdout();
        for (n, statement) in statements.into_iter().enumerate() {
            let plan = ctx
                .state()
                .statement_to_plan(statement)
                .await
                .map_err(|e| Error::Sql(format!("statement {}: {e}", n + 1)))?;
            let df = ctx.execute_logical_plan(plan).await?;
            let schema = df.schema().inner().clone();
            let batches = df.collect().await?;
            let mut out = stdout.lock();
            crate::output::write(&mut out, format, &schema, &batches).map_err(|e| Error::Io("stdout".into(), e))?;
            out.flush().map_err(|e| Error::Io("stdout".into(), e))?;
        }
        Ok(())
    })
}
