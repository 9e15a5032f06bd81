//! Query results written as a table, CSV, JSON, JSON lines, Markdown or `line` records
//! into any `impl Write`, so the shell, batch runs and tests share one path. Times read
//! as `2026-10-01 12:00:00`; money keeps its two decimals; numbers align right; a
//! Chinese character takes two columns; wide tables shrink to the screen.

use std::io::{self, Write};

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How results are printed (`--format`, `.mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    #[value(alias = "box")]
    Table,
    Csv,
    Json,
    #[value(alias = "ndjson")]
    Jsonl,
    #[value(alias = "md")]
    Markdown,
    /// One `column = value` line per column, a blank line between rows.
    Line,
}

const FORMAT: FormatOptions<'static> = FormatOptions::new()
    .with_null("")
    .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S"))
    .with_datetime_format(Some("%Y-%m-%d %H:%M:%S"));

/// Longest cell shown in table mode before it is cut with `…`.
const MAX_CELL_WIDTH: usize = 48;
/// Narrowest a column is squeezed to when a table is wider than the screen.
const MIN_COLUMN_WIDTH: usize = 6;

/// How a result is printed.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub format: OutputFormat,
    /// Rows shown in table and line mode; the rest are counted.
    pub max_rows: Option<usize>,
    /// The screen's width, when printing to a terminal.
    pub width: Option<usize>,
}

impl Style {
    pub fn plain(format: OutputFormat) -> Style {
        Style { format, max_rows: None, width: None }
    }
}

/// A result as text cells: what every format prints.
pub struct Cells {
    names: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<Option<String>>>,
    /// Rows in the whole result, shown or not.
    total: usize,
}

impl Cells {
    pub fn new(schema: &SchemaRef) -> Cells {
        Cells {
            names: schema.fields().iter().map(|f| f.name().clone()).collect(),
            numeric: schema.fields().iter().map(|f| f.data_type().is_numeric()).collect(),
            rows: Vec::new(),
            total: 0,
        }
    }

    /// Adds a batch, keeping at most `keep` rows in all; the rest are only counted.
    pub fn add(&mut self, batch: &RecordBatch, keep: Option<usize>) -> io::Result<()> {
        self.total += batch.num_rows();
        let room = keep.map_or(usize::MAX, |k| k.saturating_sub(self.rows.len()));
        if room == 0 {
            return Ok(());
        }
        let fmts = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &FORMAT))
            .collect::<Result<Vec<_>, _>>()
            .map_err(io::Error::other)?;
        for i in 0..batch.num_rows().min(room) {
            self.rows.push(
                batch
                    .columns()
                    .iter()
                    .zip(&fmts)
                    .map(|(c, f)| if c.is_null(i) { None } else { Some(f.value(i).to_string()) })
                    .collect(),
            );
        }
        Ok(())
    }

    pub fn total(&self) -> usize {
        self.total
    }
}

/// Writes a whole result.
pub fn write(out: &mut dyn Write, style: Style, schema: &SchemaRef, batches: &[RecordBatch]) -> io::Result<()> {
    let keep = shown_rows(style);
    let mut cells = Cells::new(schema);
    for b in batches {
        cells.add(b, keep)?;
    }
    write_cells(out, style, &cells)
}

/// The rows a style keeps: a limit applies only where a person reads the result.
pub fn shown_rows(style: Style) -> Option<usize> {
    match style.format {
        OutputFormat::Table | OutputFormat::Line => style.max_rows,
        _ => None,
    }
}

pub fn write_cells(out: &mut dyn Write, style: Style, cells: &Cells) -> io::Result<()> {
    match style.format {
        OutputFormat::Table => table(out, cells, style.width),
        OutputFormat::Csv => csv_out(out, cells),
        OutputFormat::Json => json(out, cells, false),
        OutputFormat::Jsonl => json(out, cells, true),
        OutputFormat::Markdown => markdown(out, cells),
        OutputFormat::Line => line(out, cells),
    }
}

/// `s` cut to `max` display columns, with an ellipsis when it was longer.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut w = 0;
    let mut out = String::new();
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    out
}

fn pad(out: &mut dyn Write, s: &str, width: usize, right: bool) -> io::Result<()> {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right { write!(out, "{fill}{s}") } else { write!(out, "{s}{fill}") }
}

/// Column widths that fit `screen`: the widest columns give way first.
fn fit(mut widths: Vec<usize>, screen: Option<usize>) -> Vec<usize> {
    let Some(screen) = screen else { return widths };
    // Each column costs its width plus 3 for the border and padding, plus one.
    let total = |w: &[usize]| w.iter().map(|x| x + 3).sum::<usize>() + 1;
    while total(&widths) > screen {
        let (i, &widest) = widths.iter().enumerate().max_by_key(|(_, w)| **w).expect("a column");
        if widest <= MIN_COLUMN_WIDTH {
            break;
        }
        widths[i] = widest - 1;
    }
    widths
}

fn table(out: &mut dyn Write, c: &Cells, screen: Option<usize>) -> io::Result<()> {
    let natural: Vec<usize> = (0..c.names.len())
        .map(|i| {
            c.rows
                .iter()
                .map(|r| r[i].as_deref().unwrap_or("NULL").width().min(MAX_CELL_WIDTH))
                .chain([c.names[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = fit(natural, screen);
    let line = |out: &mut dyn Write| -> io::Result<()> {
        write!(out, "+")?;
        for w in &widths {
            write!(out, "{}+", "-".repeat(w + 2))?;
        }
        writeln!(out)
    };
    line(out)?;
    write!(out, "|")?;
    for (i, n) in c.names.iter().enumerate() {
        write!(out, " ")?;
        pad(out, &cut(n, widths[i]), widths[i], c.numeric[i])?;
        write!(out, " |")?;
    }
    writeln!(out)?;
    line(out)?;
    for r in &c.rows {
        write!(out, "|")?;
        for (i, v) in r.iter().enumerate() {
            write!(out, " ")?;
            pad(out, &cut(v.as_deref().unwrap_or("NULL"), widths[i]), widths[i], c.numeric[i])?;
            write!(out, " |")?;
        }
        writeln!(out)?;
    }
    line(out)?;
    footer(out, c)
}

fn footer(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if c.rows.len() < c.total {
        writeln!(out, "{} row{} ({} shown; .maxrows all shows every row)", c.total, plural(c.total), c.rows.len())
    } else {
        writeln!(out, "{} row{}", c.total, plural(c.total))
    }
}

fn line(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let name_width = c.names.iter().map(|n| n.width()).max().unwrap_or(0);
    for (n, r) in c.rows.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        for (i, v) in r.iter().enumerate() {
            pad(out, &c.names[i], name_width, true)?;
            writeln!(out, " = {}", v.as_deref().unwrap_or("NULL"))?;
        }
    }
    if !c.rows.is_empty() {
        writeln!(out)?;
    }
    footer(out, c)
}

fn csv_out(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(c.names.iter().map(|n| defused(n).into_owned())).map_err(io::Error::other)?;
    for r in &c.rows {
        for (v, numeric) in r.iter().zip(&c.numeric) {
            let cell = match v.as_deref() {
                Some(v) if !numeric => defused(v),
                Some(v) => std::borrow::Cow::Borrowed(v),
                None => std::borrow::Cow::Borrowed(""),
            };
            w.write_field(cell.as_bytes()).map_err(io::Error::other)?;
        }
        w.write_record(std::iter::empty::<&[u8]>()).map_err(io::Error::other)?;
    }
    w.flush()
}

/// A text cell as a spreadsheet may open it safely (OWASP CSV injection): one that a
/// spreadsheet would take for a formula — starting with `=`, `@`, a tab or a carriage
/// return, or `+`/`-` followed by something other than a plain number — gets a leading `'`.
pub fn defused(v: &str) -> std::borrow::Cow<'_, str> {
    let plain_number = |rest: &str| {
        let mut dot = false;
        !rest.is_empty()
            && rest.chars().all(|c| match c {
                '0'..='9' => true,
                '.' if !dot => {
                    dot = true;
                    true
                }
                _ => false,
            })
    };
    let risky = match v.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        // A sign alone (`-` for "none") is text to a spreadsheet too.
        Some('+' | '-') => v.len() > 1 && !plain_number(&v[1..]),
        _ => false,
    };
    if risky { std::borrow::Cow::Owned(format!("'{v}")) } else { std::borrow::Cow::Borrowed(v) }
}

fn json(out: &mut dyn Write, c: &Cells, lines: bool) -> io::Result<()> {
    if !lines {
        write!(out, "[")?;
    }
    let key = |n: &str| serde_json::to_string(n).map_err(io::Error::other);
    for (n, r) in c.rows.iter().enumerate() {
        let mut obj = String::from("{");
        for (i, v) in r.iter().enumerate() {
            if i > 0 {
                obj.push(',');
            }
            obj.push_str(&key(&c.names[i])?);
            obj.push(':');
            match v {
                None => obj.push_str("null"),
                // Decimals are written from their exact text, never through a float.
                Some(s) if c.numeric[i] && s.parse::<f64>().is_ok_and(f64::is_finite) => obj.push_str(s),
                Some(s) => obj.push_str(&key(s)?),
            }
        }
        obj.push('}');
        if lines {
            writeln!(out, "{obj}")?;
        } else {
            write!(out, "{}{obj}", if n == 0 { "" } else { ",\n" })?;
        }
    }
    if !lines {
        writeln!(out, "]")?;
    }
    Ok(())
}

fn markdown(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let esc = |s: &str| s.replace('|', "\\|");
    writeln!(out, "| {} |", c.names.iter().map(|n| esc(n)).collect::<Vec<_>>().join(" | "))?;
    writeln!(out, "|{}|", c.numeric.iter().map(|n| if *n { "---:" } else { "---" }).collect::<Vec<_>>().join("|"))?;
    for r in &c.rows {
        writeln!(out, "| {} |", r.iter().map(|v| esc(v.as_deref().unwrap_or(""))).collect::<Vec<_>>().join(" | "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Decimal128Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn sample() -> (SchemaRef, RecordBatch) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("对方户名", DataType::Utf8, true),
            Field::new("amount", DataType::Decimal128(18, 2), true),
        ]));
        let names = StringArray::from(vec![Some("支付宝（中国）网络技术有限公司"), Some("Acme"), None]);
        let amounts =
            Decimal128Array::from(vec![Some(123_450), Some(-5), Some(100)]).with_precision_and_scale(18, 2).unwrap();
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(names), Arc::new(amounts)]).unwrap();
        (schema, batch)
    }

    fn render(style: Style) -> String {
        let (schema, batch) = sample();
        let mut out = Vec::new();
        write(&mut out, style, &schema, &[batch]).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tables_align_cjk_and_numbers() {
        let t = render(Style::plain(OutputFormat::Table));
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[1], "| 对方户名                       |  amount |");
        assert_eq!(lines[3], "| 支付宝（中国）网络技术有限公司 | 1234.50 |");
        assert_eq!(lines[4], "| Acme                           |   -0.05 |");
        assert_eq!(lines[5], "| NULL                           |    1.00 |");
        assert!(lines[..lines.len() - 1].iter().all(|l| l.width() == lines[0].width()), "{t}");
        assert_eq!(lines.last(), Some(&"3 rows"));
    }

    #[test]
    fn wide_tables_fit_the_screen_and_long_results_are_cut() {
        let t = render(Style { format: OutputFormat::Table, max_rows: Some(2), width: Some(30) });
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].width() <= 30, "{t}");
        assert!(lines[3].contains('…'), "{t}");
        assert_eq!(lines.last(), Some(&"3 rows (2 shown; .maxrows all shows every row)"));
    }

    #[test]
    fn machine_formats_keep_every_row_and_exact_decimals() {
        assert_eq!(defused("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(defused("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(defused("@SUM(1)"), "'@SUM(1)");
        assert_eq!(defused("+1+1"), "'+1+1");
        assert_eq!(defused("-12.50"), "-12.50");
        assert_eq!(defused("-"), "-", "a dash for none");
        assert_eq!(defused("支付宝"), "支付宝");
        let csv = render(Style { format: OutputFormat::Csv, max_rows: Some(1), width: None });
        assert_eq!(csv, "对方户名,amount\n支付宝（中国）网络技术有限公司,1234.50\nAcme,-0.05\n,1.00\n");
        let json = render(Style::plain(OutputFormat::Jsonl));
        assert_eq!(json.lines().next(), Some("{\"对方户名\":\"支付宝（中国）网络技术有限公司\",\"amount\":1234.50}"));
        let line = render(Style::plain(OutputFormat::Line));
        assert!(line.starts_with("对方户名 = 支付宝（中国）网络技术有限公司\n  amount = 1234.50\n\n"), "{line}");
        let md = render(Style::plain(OutputFormat::Markdown));
        assert!(md.starts_with("| 对方户名 | amount |\n|---|---:|\n"), "{md}");
    }
}
