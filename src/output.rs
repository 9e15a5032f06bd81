//! Query results written as a table, CSV, JSON, JSON lines, Markdown or `line` records
//! into any `impl Write`, so the shell, batch runs and tests share one path. Times read
//! as `2026-10-01 12:00:00`; money keeps its two decimals; numbers align right; a
//! Chinese character takes two columns; wide tables shrink to the screen.

use std::fmt::Write as _;
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

/// A result as text cells: what every format prints. The text of every cell is kept in
/// one string (a String per cell made a million-row CSV spend a third of its time in the
/// allocator).
pub struct Cells {
    names: Vec<String>,
    numeric: Vec<bool>,
    text: String,
    /// Row after row, each cell's place in `text`; None for NULL.
    spans: Vec<Option<(usize, usize)>>,
    /// Rows kept.
    kept: usize,
    /// Rows in the whole result, shown or not.
    total: usize,
}

impl Cells {
    pub fn new(schema: &SchemaRef) -> Cells {
        Cells {
            names: schema.fields().iter().map(|f| f.name().clone()).collect(),
            numeric: schema.fields().iter().map(|f| f.data_type().is_numeric()).collect(),
            text: String::new(),
            spans: Vec::new(),
            kept: 0,
            total: 0,
        }
    }

    /// Adds a batch, keeping at most `keep` rows in all; the rest are only counted.
    pub fn add(&mut self, batch: &RecordBatch, keep: Option<usize>) -> io::Result<()> {
        self.total += batch.num_rows();
        let room = keep.map_or(usize::MAX, |k| k.saturating_sub(self.kept));
        if room == 0 {
            return Ok(());
        }
        let fmts = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &FORMAT))
            .collect::<Result<Vec<_>, _>>()
            .map_err(io::Error::other)?;
        let times: Vec<Option<(&[i64], i64)>> = batch.columns().iter().map(|c| plain_time(c.as_ref())).collect();
        for i in 0..batch.num_rows().min(room) {
            for ((c, f), t) in batch.columns().iter().zip(&fmts).zip(&times) {
                if c.is_null(i) {
                    self.spans.push(None);
                    continue;
                }
                let start = self.text.len();
                if !t.is_some_and(|(v, per_second)| time_text(&mut self.text, v[i], per_second)) {
                    write!(self.text, "{}", f.value(i)).map_err(io::Error::other)?;
                }
                self.spans.push(Some((start, self.text.len())));
            }
            self.kept += 1;
        }
        Ok(())
    }

    /// The rows kept, each its cells' places.
    fn rows(&self) -> impl Iterator<Item = &[Option<(usize, usize)>]> {
        self.spans.chunks(self.names.len().max(1)).take(self.kept)
    }

    /// A cell's text; None for NULL.
    fn text(&self, span: &Option<(usize, usize)>) -> Option<&str> {
        span.map(|(a, b)| &self.text[a..b])
    }

    pub fn total(&self) -> usize {
        self.total
    }
}

/// A time without a zone as its raw values and how many make a second: written by
/// `time_text`, since arrow's formatter has chrono parse the `%Y-%m-%d %H:%M:%S` pattern
/// again for every value (a fifth of the time of a million-row CSV).
fn plain_time(c: &dyn Array) -> Option<(&[i64], i64)> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::{
        DataType, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    match c.data_type() {
        DataType::Timestamp(TimeUnit::Second, None) => Some((c.as_primitive::<TimestampSecondType>().values(), 1)),
        DataType::Timestamp(TimeUnit::Millisecond, None) => {
            Some((c.as_primitive::<TimestampMillisecondType>().values(), 1_000))
        }
        DataType::Timestamp(TimeUnit::Microsecond, None) => {
            Some((c.as_primitive::<TimestampMicrosecondType>().values(), 1_000_000))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, None) => {
            Some((c.as_primitive::<TimestampNanosecondType>().values(), 1_000_000_000))
        }
        _ => None,
    }
}

/// Writes `2026-10-01 12:00:00`, as FORMAT has it (the fraction of a second dropped);
/// false, writing nothing, for a year outside 0–9999, which the formatter writes its own way.
fn time_text(out: &mut String, value: i64, per_second: i64) -> bool {
    use chrono::{Datelike, Timelike};
    let Some(t) = chrono::DateTime::from_timestamp(value.div_euclid(per_second), 0).map(|t| t.naive_utc()) else {
        return false;
    };
    (0..=9999).contains(&t.year())
        && write!(
            out,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
        .is_ok()
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
            c.rows()
                .map(|r| c.text(&r[i]).unwrap_or("NULL").width().min(MAX_CELL_WIDTH))
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
    for r in c.rows() {
        write!(out, "|")?;
        for (i, v) in r.iter().enumerate() {
            write!(out, " ")?;
            pad(out, &cut(c.text(v).unwrap_or("NULL"), widths[i]), widths[i], c.numeric[i])?;
            write!(out, " |")?;
        }
        writeln!(out)?;
    }
    line(out)?;
    footer(out, c)
}

fn footer(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if c.kept < c.total {
        writeln!(out, "{} row{} ({} shown; .maxrows all shows every row)", c.total, plural(c.total), c.kept)
    } else {
        writeln!(out, "{} row{}", c.total, plural(c.total))
    }
}

fn line(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let name_width = c.names.iter().map(|n| n.width()).max().unwrap_or(0);
    for (n, r) in c.rows().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        for (i, v) in r.iter().enumerate() {
            pad(out, &c.names[i], name_width, true)?;
            writeln!(out, " = {}", c.text(v).unwrap_or("NULL"))?;
        }
    }
    if c.kept > 0 {
        writeln!(out)?;
    }
    footer(out, c)
}

fn csv_out(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    csv_header(out, c)?;
    csv_rows(out, c)
}

fn csv_header(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(c.names.iter().map(|n| defused(n).into_owned())).map_err(io::Error::other)?;
    w.flush()
}

fn csv_rows(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for r in c.rows() {
        for (v, numeric) in r.iter().zip(&c.numeric) {
            let cell = match c.text(v) {
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
    json_rows(out, c, lines, 0)?;
    if !lines {
        writeln!(out, "]")?;
    }
    Ok(())
}

/// The rows as JSON objects; `before` rows were written already (a JSON array separates
/// each from the one before it).
fn json_rows(out: &mut dyn Write, c: &Cells, lines: bool, before: usize) -> io::Result<()> {
    let key = |n: &str| serde_json::to_string(n).map_err(io::Error::other);
    for (n, r) in c.rows().enumerate() {
        let mut obj = String::from("{");
        for (i, v) in r.iter().enumerate() {
            if i > 0 {
                obj.push(',');
            }
            obj.push_str(&key(&c.names[i])?);
            obj.push(':');
            match c.text(v) {
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
            write!(out, "{}{obj}", if before + n == 0 { "" } else { ",\n" })?;
        }
    }
    Ok(())
}

fn markdown(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    markdown_header(out, c)?;
    markdown_rows(out, c)
}

fn markdown_header(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let esc = |s: &str| s.replace('|', "\\|");
    writeln!(out, "| {} |", c.names.iter().map(|n| esc(n)).collect::<Vec<_>>().join(" | "))?;
    writeln!(out, "|{}|", c.numeric.iter().map(|n| if *n { "---:" } else { "---" }).collect::<Vec<_>>().join("|"))
}

fn markdown_rows(out: &mut dyn Write, c: &Cells) -> io::Result<()> {
    let esc = |s: &str| s.replace('|', "\\|");
    for r in c.rows() {
        writeln!(out, "| {} |", r.iter().map(|v| esc(c.text(v).unwrap_or(""))).collect::<Vec<_>>().join(" | "))?;
    }
    Ok(())
}

/// A result written batch by batch as it arrives, in the formats that need no column
/// widths (CSV, JSON, JSON lines, Markdown): a million-row export then holds one batch
/// of text, not the whole result, and writing overlaps reading.
pub struct Stream {
    encoder: Encoder,
    /// Rows written so far.
    written: usize,
}

/// Encodes one batch of a [`Stream`] (see [`Stream::encoder`]).
#[derive(Clone, Debug)]
pub struct Encoder {
    format: OutputFormat,
    schema: SchemaRef,
}

impl Encoder {
    /// The batch's rows as the stream writes them, `before` rows having gone before it
    /// (JSON puts a comma between rows).
    pub fn encode(&self, batch: &RecordBatch, before: usize) -> io::Result<Vec<u8>> {
        let mut cells = Cells::new(&self.schema);
        cells.add(batch, None)?;
        let mut out = Vec::new();
        match self.format {
            OutputFormat::Csv => csv_rows(&mut out, &cells)?,
            OutputFormat::Json => json_rows(&mut out, &cells, false, before)?,
            OutputFormat::Jsonl => json_rows(&mut out, &cells, true, before)?,
            OutputFormat::Markdown => markdown_rows(&mut out, &cells)?,
            OutputFormat::Table | OutputFormat::Line => unreachable!("Stream::new refuses these"),
        }
        Ok(out)
    }
}

impl Stream {
    /// None for the formats that see every row before they print one (table, line).
    pub fn new(schema: &SchemaRef, format: OutputFormat) -> Option<Stream> {
        match format {
            OutputFormat::Table | OutputFormat::Line => None,
            _ => Some(Stream { encoder: Encoder { format, schema: schema.clone() }, written: 0 }),
        }
    }

    /// The opening (a header, an array's bracket): before the first batch.
    pub fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match self.encoder.format {
            OutputFormat::Csv => csv_header(out, &Cells::new(&self.encoder.schema)),
            OutputFormat::Json => write!(out, "["),
            OutputFormat::Markdown => markdown_header(out, &Cells::new(&self.encoder.schema)),
            _ => Ok(()),
        }
    }

    pub fn batch(&mut self, out: &mut dyn Write, batch: &RecordBatch) -> io::Result<()> {
        out.write_all(&self.encoder.encode(batch, self.written)?)?;
        self.written += batch.num_rows();
        Ok(())
    }

    /// What writes this stream's batches as bytes, on any thread: a caller may encode
    /// the next batches while it writes one, as long as it writes them in order.
    pub fn encoder(&self) -> Encoder {
        self.encoder.clone()
    }

    pub fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.encoder.format == OutputFormat::Json {
            writeln!(out, "]")?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Decimal128Array, StringArray};
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
    fn times_read_as_the_formatter_writes_them() {
        use datafusion::arrow::array::{TimestampMicrosecondArray, TimestampNanosecondArray, TimestampSecondArray};
        // Before 1970 with a fraction (floor, not truncation), the epoch, today, year 9999.
        let micros = vec![-1_500_000, -86_400_000_001, 0, 1_790_000_000_123_456, 253_402_300_799_999_999];
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(TimestampMicrosecondArray::from(micros.clone())),
            // Nanoseconds reach only 2262.
            Arc::new(TimestampNanosecondArray::from(micros[..4].iter().map(|m| m * 1000).collect::<Vec<_>>())),
            Arc::new(TimestampSecondArray::from(micros.iter().map(|m| m.div_euclid(1_000_000)).collect::<Vec<_>>())),
        ];
        for a in &arrays {
            let (values, per_second) = plain_time(a.as_ref()).expect("a time without a zone");
            let f = ArrayFormatter::try_new(a.as_ref(), &FORMAT).unwrap();
            for (i, v) in values.iter().enumerate() {
                let mut text = String::new();
                assert!(time_text(&mut text, *v, per_second), "{v}");
                assert_eq!(text, f.value(i).to_string(), "{v}");
            }
        }
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

    #[test]
    fn streamed_formats_write_what_a_whole_result_writes() {
        let (schema, batch) = sample();
        // The result in three batches (one of them empty), as a query's stream brings it.
        let parts = [batch.slice(0, 2), batch.slice(2, 0), batch.slice(2, 1)];
        for format in [OutputFormat::Csv, OutputFormat::Json, OutputFormat::Jsonl, OutputFormat::Markdown] {
            let mut whole = Vec::new();
            write(&mut whole, Style::plain(format), &schema, std::slice::from_ref(&batch)).unwrap();
            let mut streamed = Vec::new();
            let mut s = Stream::new(&schema, format).expect("a format that streams");
            s.begin(&mut streamed).unwrap();
            for p in &parts {
                s.batch(&mut streamed, p).unwrap();
            }
            s.end(&mut streamed).unwrap();
            assert_eq!(String::from_utf8(streamed).unwrap(), String::from_utf8(whole.clone()).unwrap(), "{format:?}");
            // Encoded apart (as the shell does on other threads), then written in order.
            let mut encoded = Vec::new();
            let mut s = Stream::new(&schema, format).unwrap();
            s.begin(&mut encoded).unwrap();
            let encoder = s.encoder();
            let chunks: Vec<Vec<u8>> = std::thread::scope(|scope| {
                let mut before = 0;
                let handles: Vec<_> = parts
                    .iter()
                    .map(|p| {
                        let (encoder, at) = (&encoder, before);
                        before += p.num_rows();
                        scope.spawn(move || encoder.encode(p, at).unwrap())
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            encoded.extend(chunks.concat());
            s.end(&mut encoded).unwrap();
            assert_eq!(String::from_utf8(encoded).unwrap(), String::from_utf8(whole).unwrap(), "{format:?}");
        }
        // An empty result still says what its columns were.
        let mut empty = Vec::new();
        let mut s = Stream::new(&schema, OutputFormat::Json).unwrap();
        s.begin(&mut empty).unwrap();
        s.end(&mut empty).unwrap();
        assert_eq!(String::from_utf8(empty).unwrap(), "[]\n");
        assert!(Stream::new(&schema, OutputFormat::Table).is_none(), "a table needs every row for its widths");
    }
}
