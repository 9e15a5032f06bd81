//! Query results written as a table, CSV, JSON, JSON lines or Markdown into any
//! `impl Write`, so the shell, batch runs and tests share one path. Times read as
//! `2026-10-01 12:00:00`; money keeps its two decimals; numbers align right; a
//! Chinese character takes two columns.

use std::io::{self, Write};

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::UnicodeWidthStr;

use crate::cli::OutputFormat;

const FORMAT: FormatOptions<'static> = FormatOptions::new()
    .with_null("")
    .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S"))
    .with_datetime_format(Some("%Y-%m-%d %H:%M:%S"));

/// Longest cell shown in table mode before it is cut with `…`.
const MAX_CELL_WIDTH: usize = 48;

struct Cells {
    names: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<Option<String>>>,
}

fn collect(schema: &SchemaRef, batches: &[RecordBatch]) -> io::Result<Cells> {
    let names = schema.fields().iter().map(|f| f.name().clone()).collect();
    let numeric = schema.fields().iter().map(|f| is_numeric(f.data_type())).collect();
    let mut rows = Vec::new();
    for batch in batches {
        let fmts = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &FORMAT))
            .collect::<Result<Vec<_>, _>>()
            .map_err(io::Error::other)?;
        for i in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .zip(&fmts)
                    .map(|(c, f)| if c.is_null(i) { None } else { Some(f.value(i).to_string()) })
                    .collect(),
            );
        }
    }
    Ok(Cells { names, numeric, rows })
}

fn is_numeric(dt: &DataType) -> bool {
    dt.is_numeric()
}

pub fn write(out: &mut dyn Write, format: OutputFormat, schema: &SchemaRef, batches: &[RecordBatch]) -> io::Result<()> {
    let cells = collect(schema, batches)?;
    match format {
        OutputFormat::Table => table(out, &cells),
        OutputFormat::Csv => csv_out(out, &cells),
        OutputFormat::Json => json(out, &cells, false),
        OutputFormat::Jsonl => json(out, &cells, true),
        OutputFormat::Markdown => markdown(out, &cells),
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut w = 0;
    let mut out = String::new();
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
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

fn table(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let shown: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| r.iter().map(|v| cut(v.as_deref().unwrap_or("NULL"), MAX_CELL_WIDTH)).collect())
        .collect();
    let widths: Vec<usize> = (0..c.names.len())
        .map(|i| shown.iter().map(|r| r[i].width()).chain([c.names[i].width()]).max().unwrap_or(0))
        .collect();
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
        pad(out, n, widths[i], false)?;
        write!(out, " |")?;
    }
    writeln!(out)?;
    line(out)?;
    for r in &shown {
        write!(out, "|")?;
        for (i, v) in r.iter().enumerate() {
            write!(out, " ")?;
            pad(out, v, widths[i], c.numeric[i])?;
            write!(out, " |")?;
        }
        writeln!(out)?;
    }
    line(out)?;
    writeln!(out, "{} row{}", c.rows.len(), if c.rows.len() == 1 { "" } else { "s" })
}

fn csv_out(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&c.names).map_err(io::Error::other)?;
    for r in &c.rows {
        w.write_record(r.iter().map(|v| v.as_deref().unwrap_or(""))).map_err(io::Error::other)?;
    }
    w.flush()
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
