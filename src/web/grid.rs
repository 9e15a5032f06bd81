//! A query's result as a page shows it: the cells written as the Excel and PDF exports
//! write them (`export::table`: Chinese headings, money with separators, totals per
//! currency on the exact decimals), the summary's chart from the same figures, a page of
//! rows at a time for a long result, and links from each row to what is behind it.

use datafusion::arrow::datatypes::SchemaRef;
use minijinja::{Value, context};

use super::i18n::Lang;
use crate::error::Error;
use crate::export::table;
use crate::session::Session;

/// Rows a page shows of a long result; a result up to `WHOLE` rows is shown whole,
/// with its totals and chart.
pub const PAGE: usize = 100;
pub const WHOLE: usize = 200;

/// Where a row leads: given the column names and a row's cells (as text), the address
/// of what is behind it, if anything.
pub type Drill<'a> = &'a (dyn Fn(&[String], &[String]) -> Option<String> + Sync);

/// Columns whose value is an order, a payout or a bank line `recon explain` knows.
const EXPLAINED: [&str; 6] = ["order_id", "payout_id", "reference", "txn_id", "matched_to", "line_id"];

/// A shown result.
pub struct Shown {
    pub value: Value,
    /// The raw rows of the page (text of each cell, unformatted), for pages that need them.
    pub raw: Vec<Vec<String>>,
    pub names: Vec<String>,
}

/// `sql`'s result for `page` (0-based) as `session`'s user may see it. `base` is the
/// page's address without `page=`, for the pager's links.
pub async fn show(
    session: &Session,
    sql: &str,
    lang: Lang,
    page: usize,
    base: &str,
    drill: Option<Drill<'_>>,
) -> Result<Shown, Error> {
    show_paged(session, sql, lang, (page, "page"), base, drill).await
}

/// Like [`show`], for a page with several long results: each pages by its own `key`.
pub async fn show_paged(
    session: &Session,
    sql: &str,
    lang: Lang,
    (page, key): (usize, &str),
    base: &str,
    drill: Option<Drill<'_>>,
) -> Result<Shown, Error> {
    let df = crate::session::planned(session, sql).await?;
    let total = df.clone().count().await?;
    let whole = total <= WHOLE;
    let pages = total.div_ceil(PAGE).max(1);
    let page = if whole { 0 } else { page.min(pages - 1) };
    let df = if whole { df } else { df.limit(page * PAGE, Some(PAGE))? };
    let schema: SchemaRef = df.schema().inner().clone();
    let batches = df.collect().await?;
    let english = lang == Lang::En;
    // A trail opened from a page computed as of a day is computed as of that day too.
    let as_of = base
        .split(['?', '&'])
        .find(|kv| kv.starts_with("as_of=") && kv.len() > 6)
        .map(|kv| format!("&{kv}"))
        .unwrap_or_default();
    let grid = table::Grid::new(&schema, &batches, english).map_err(Error::Other)?;
    let chart = if whole { table::chart(&schema, &batches, english) } else { None };
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let raw = crate::app::cells_as_text(&batches)?;
    let rows: Vec<Value> = grid
        .rows
        .into_iter()
        .zip(&raw)
        .zip(grid.flagged)
        .map(|((cells, raw), flagged)| {
            let cells: Vec<Value> = cells
                .into_iter()
                .enumerate()
                .map(|(c, text)| {
                    let link = (EXPLAINED.contains(&names[c].as_str()) && !raw[c].is_empty())
                        .then(|| format!("/explain?id={}{as_of}", urlencoded(&raw[c])));
                    context! { text, link }
                })
                .collect();
            let row_link = drill.and_then(|d| d(&names, raw));
            context! { cells, flagged, link => row_link }
        })
        .collect();
    let right: Vec<bool> = grid.kinds.iter().map(|k| k.right_aligned()).collect();
    let sep = if base.contains('?') && !base.ends_with(['?', '&']) {
        "&"
    } else if base.contains('?') {
        ""
    } else {
        "?"
    };
    let at = |p: usize| format!("{base}{sep}{key}={}", p + 1);
    let value = context! {
        headers => grid.headers,
        right,
        rows,
        // A totals row with nothing in it (a table of counts of ids) is left out.
        totals => if grid.totals.iter().any(|(_, cells)| cells.iter().skip(1).any(Option::is_some)) { grid.totals } else { Vec::new() },
        total,
        page => page + 1,
        pages,
        prev => (page > 0).then(|| at(page - 1)),
        next => (page + 1 < pages).then(|| at(page + 1)),
        chart => chart.map(|c| chart_value(&c, currency_of(&names, &raw))),
    };
    Ok(Shown { value, raw, names })
}

/// A chart for the page's script: categories, series in yuan (from cents, exact to the
/// fen as text), and the currency for the axis and the hover values.
fn chart_value(c: &table::Chart, currency: Option<String>) -> Value {
    let series: Vec<Value> = c
        .series
        .iter()
        .map(|(name, cents)| {
            let values: Vec<String> = cents.iter().map(|v| table::decimal_text(*v, 2)).collect();
            context! { name => name.clone(), values }
        })
        .collect();
    context! { axis => c.label_header.clone(), labels => c.labels.clone(), series, currency }
}

/// The one currency of a result's rows (a chart is only drawn for one).
fn currency_of(names: &[String], raw: &[Vec<String>]) -> Option<String> {
    let c = names.iter().position(|n| n == "currency")?;
    raw.iter().map(|r| r[c].clone()).find(|v| !v.is_empty())
}

/// A value for a link's query string.
pub fn urlencoded(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
