//! Reading the workspace with SQL as the logged-in user: a session planned under the
//! user's role and masks, and a query's rows as text for operations that need a fact
//! from the views.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, SchemaRef};

use super::Service;
use crate::error::Error;
use crate::session::Session;

impl Service {
    /// A SQL session over the workspace as it is now, as this user may see it.
    pub async fn session(&self) -> Result<Session, Error> {
        Ok(Session::open(&self.ws, self.memory_limit, self.user.role).await?)
    }

    /// A query's whole result, planned as this user may (a viewer sees personal data
    /// masked; statements that would change anything are refused by the plan check).
    pub async fn query(&self, session: &mut Session, sql: &str) -> Result<(SchemaRef, Vec<RecordBatch>), Error> {
        session.refresh(&self.ws).await?;
        collect(session, sql).await
    }
}

/// A text as an SQL string literal: the value as data, never as SQL.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The rows of `sql`, planned as `session`'s user may.
pub async fn collect(session: &Session, sql: &str) -> Result<(SchemaRef, Vec<RecordBatch>), Error> {
    let df = crate::session::planned(session, sql).await?;
    let schema = df.schema().inner().clone();
    Ok((schema, df.collect().await?))
}

/// The rows of `sql`, planned as `session`'s user may, each cell as text (NULL empty).
pub async fn text_rows(session: &Session, sql: &str) -> Result<Vec<Vec<String>>, Error> {
    Ok(text_table(session, sql).await?.1)
}

/// Like [`text_rows`], with the result's column names.
pub async fn text_table(session: &Session, sql: &str) -> Result<(Vec<String>, Vec<Vec<String>>), Error> {
    let df = crate::session::planned(session, sql).await?;
    let names = df.schema().fields().iter().map(|f| f.name().clone()).collect();
    let batches = df.collect().await?;
    Ok((names, cells_as_text(&batches)?))
}

/// Each cell of `batches` as text (NULL empty), row by row.
pub fn cells_as_text(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, Error> {
    let mut rows = Vec::new();
    for b in batches {
        let cols: Vec<_> = b
            .columns()
            .iter()
            .map(|c| datafusion::arrow::compute::cast(c, &DataType::Utf8))
            .collect::<Result<_, _>>()
            .map_err(|e| Error::Other(e.to_string()))?;
        for i in 0..b.num_rows() {
            rows.push(
                cols.iter()
                    .map(|c| {
                        let c = c.as_string::<i32>();
                        if c.is_null(i) { String::new() } else { c.value(i).to_string() }
                    })
                    .collect(),
            );
        }
    }
    Ok(rows)
}
