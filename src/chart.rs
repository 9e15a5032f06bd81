//! Charts in the terminal: `.chart` draws the last result as horizontal bars (one row per
//! category, eighth-of-a-cell precision) or as sparklines (a line per series, for trends
//! over months), with labels measured in display columns so Chinese text lines up.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use unicode_width::UnicodeWidthStr;

use crate::export::table::{Grid, Kind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Bar,
    Line,
}

/// What to draw: the style, the label column and the value columns (by name; None picks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub style: Style,
    pub label: Option<String>,
    pub values: Vec<String>,
}

impl Spec {
    /// `[bar|line] [LABEL [VALUE…]]`.
    pub fn parse(words: &[String]) -> Spec {
        let (style, rest) = match words.first().map(String::as_str) {
            Some("line") => (Style::Line, &words[1..]),
            Some("bar") => (Style::Bar, &words[1..]),
            _ => (Style::Bar, words),
        };
        Spec { style, label: rest.first().cloned(), values: rest.iter().skip(1).cloned().collect() }
    }
}

const MOST_ROWS: usize = 60;
const LABEL_WIDTH: usize = 24;
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The chart of a result, `width` columns wide.
pub fn render(schema: &SchemaRef, batches: &[RecordBatch], spec: &Spec, width: usize) -> Result<String, String> {
    let grid = Grid::new(schema, batches, true)?;
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let find = |n: &str| {
        names
            .iter()
            .position(|c| c.eq_ignore_ascii_case(n))
            .ok_or_else(|| format!("the result has no column {n}; it has {}", names.join(", ")))
    };
    let numeric = |k: Kind| matches!(k, Kind::Decimal(_) | Kind::Integer | Kind::Number);
    let label = match &spec.label {
        Some(n) => find(n)?,
        None => (0..names.len())
            .find(|&c| !numeric(grid.kinds[c]))
            .ok_or("the result has no text or time column to label the chart with")?,
    };
    let values: Vec<usize> = if spec.values.is_empty() {
        let money: Vec<usize> = (0..names.len()).filter(|&c| grid.kinds[c] == Kind::Decimal(2)).collect();
        let any: Vec<usize> = (0..names.len()).filter(|&c| c != label && numeric(grid.kinds[c])).collect();
        if money.is_empty() { any } else { money }.into_iter().take(3).collect()
    } else {
        spec.values.iter().map(|n| find(n)).collect::<Result<_, _>>()?
    };
    if values.is_empty() {
        return Err("the result has no numeric column to chart".into());
    }
    if let Some(&c) = values.iter().find(|&&c| !numeric(grid.kinds[c])) {
        return Err(format!("{} is not a number", names[c]));
    }
    if grid.rows.is_empty() {
        return Err("the result has no rows to chart".into());
    }
    let number = |s: &str| s.replace(',', "").trim_end_matches('%').parse::<f64>().unwrap_or(0.0);
    let series: Vec<(String, Vec<f64>, Vec<String>)> = values
        .iter()
        .map(|&c| {
            let nums = grid.rows.iter().map(|r| number(&r[c])).collect();
            let texts = grid.rows.iter().map(|r| r[c].clone()).collect();
            (names[c].clone(), nums, texts)
        })
        .collect();
    let labels: Vec<String> = grid.rows.iter().map(|r| r[label].clone()).collect();
    Ok(match spec.style {
        Style::Bar => bars(&labels, &series, width),
        Style::Line => sparklines(&labels, &series, width),
    })
}

fn bars(labels: &[String], series: &[(String, Vec<f64>, Vec<String>)], width: usize) -> String {
    let shown = labels.len().min(MOST_ROWS);
    let label_w = labels.iter().take(shown).map(|l| l.width()).max().unwrap_or(0).min(LABEL_WIDTH);
    let name_w = if series.len() > 1 { series.iter().map(|s| s.0.width()).max().unwrap_or(0) + 1 } else { 0 };
    let value_w = series.iter().flat_map(|s| s.2.iter().take(shown)).map(|t| t.width()).max().unwrap_or(0);
    let bar_w = width.saturating_sub(label_w + name_w + value_w + 4).max(10);
    let top = series.iter().flat_map(|s| s.1.iter().take(shown)).fold(0.0f64, |m, v| m.max(v.abs()));
    let mut out = String::new();
    if series.len() == 1 {
        out.push_str(&format!("{}\n", series[0].0));
    }
    for i in 0..shown {
        for (k, (name, nums, texts)) in series.iter().enumerate() {
            let left = if k == 0 { fit(&labels[i], label_w) } else { " ".repeat(label_w) };
            let tag = if name_w > 0 { pad(name, name_w) } else { String::new() };
            let bar = bar(nums[i], top, bar_w);
            out.push_str(&format!("{left}  {tag}{} {:>value_w$}\n", pad(&bar, bar_w), texts[i]));
        }
    }
    if labels.len() > shown {
        out.push_str(&format!("… {} more rows not drawn\n", labels.len() - shown));
    }
    out
}

/// A bar of `v` against the largest `top`, in eighths of a cell; negative bars are shaded.
fn bar(v: f64, top: f64, width: usize) -> String {
    if top <= 0.0 || v == 0.0 {
        return String::new();
    }
    let eighths = ((v.abs() / top) * (width * 8) as f64).round() as usize;
    if v < 0.0 {
        return "▒".repeat(eighths.div_ceil(8));
    }
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8]);
    }
    s
}

fn sparklines(labels: &[String], series: &[(String, Vec<f64>, Vec<String>)], width: usize) -> String {
    let name_w = series.iter().map(|s| s.0.width()).max().unwrap_or(0);
    let room = width.saturating_sub(name_w + 30).max(10);
    // One character per row; a long result is squeezed by averaging neighbours.
    let step = labels.len().div_ceil(room).max(1);
    let mut out = String::new();
    for (name, nums, texts) in series {
        let points: Vec<f64> = nums.chunks(step).map(|c| c.iter().sum::<f64>() / c.len() as f64).collect();
        let (lo, hi) = points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        let line: String = points
            .iter()
            .map(|v| {
                let at = if hi > lo { ((v - lo) / (hi - lo) * 7.0).round() as usize } else { 3 };
                SPARKS[at.min(7)]
            })
            .collect();
        let first = texts.first().map_or("", String::as_str);
        let last = texts.last().map_or("", String::as_str);
        out.push_str(&format!("{}  {line}  {first} → {last}\n", pad(name, name_w)));
    }
    let (first, last) = (labels.first().map_or("", String::as_str), labels.last().map_or("", String::as_str));
    out.push_str(&format!("{}  {first} … {last} ({} rows)\n", " ".repeat(name_w), labels.len()));
    out
}

/// `s` padded with spaces to `w` display columns.
fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(s.width())))
}

/// `s` in exactly `w` display columns: cut with an ellipsis, or padded.
fn fit(s: &str, w: usize) -> String {
    pad(&crate::output::cut(s, w), w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_labels() {
        assert_eq!(bar(50.0, 100.0, 10), "█████");
        assert_eq!(bar(51.0, 100.0, 10), "█████▏");
        assert_eq!(bar(-30.0, 100.0, 10), "▒▒▒");
        assert_eq!(fit("云帆天猫旗舰店", 8), "云帆天… ");
        assert_eq!(fit("云帆天猫旗舰店", 8).width(), 8);
        assert_eq!(pad("平台", 6), "平台  ");
        let spec = Spec::parse(&["line".into(), "month".into(), "sales".into()]);
        assert_eq!(spec, Spec { style: Style::Line, label: Some("month".into()), values: vec!["sales".into()] });
    }
}
