//! A query result as an Excel workbook a finance department can use as is: a title row
//! with the report's name, parameters, time and user; a bold, frozen header with an
//! autofilter; money as numbers in `#,##0.00`, times as dates; columns as wide as their
//! text (a Chinese character counts twice); a totals row. Written row by row in
//! rust_xlsxwriter's constant-memory mode, so a large export stays small in memory.

use std::path::Path;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::Decimal128Type;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::table::{self, Kind, decimal_text, header};
use super::{Meta, Sheet};

/// Writes one worksheet per sheet to `path` (the temp file of an
/// [`crate::outfile::Target`], which moves it into place); returns the rows written.
pub fn write(path: &Path, meta: &Meta, sheets: &[Sheet]) -> Result<u64, String> {
    let mut wb = Workbook::new();
    let mut rows = 0;
    let mut names: Vec<String> = Vec::new();
    for sheet in sheets {
        let name = unique(sheet_name(&sheet.title), &names);
        let ws = wb.add_worksheet_with_constant_memory().map_err(|e| e.to_string())?;
        ws.set_name(&name).map_err(|e| e.to_string())?;
        rows += write_sheet(ws, &name, meta, sheet).map_err(|e| e.to_string())?;
        names.push(name);
    }
    let title = sheets.first().map_or("", |s| s.title.as_str());
    let props = rust_xlsxwriter::DocProperties::new().set_title(title).set_author(&meta.user);
    wb.set_properties(&props);
    wb.save(path).map_err(|e| e.to_string())?;
    Ok(rows)
}

fn write_sheet(ws: &mut Worksheet, name: &str, meta: &Meta, sheet: &Sheet) -> Result<u64, XlsxError> {
    let schema = &sheet.schema;
    let cols = schema.fields().len().max(1) as u16;
    let title = Format::new().set_bold().set_font_size(14);
    ws.write_string_with_format(0, 0, &sheet.title, &title)?;
    ws.write_string(1, 0, sheet.about(meta))?;

    let header_row = 3;
    let bold = Format::new().set_bold().set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let kinds: Vec<Kind> = schema.fields().iter().map(|f| Kind::of(f.data_type())).collect();
    let headers: Vec<String> = schema.fields().iter().map(|f| header(f.name(), meta.english)).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for (c, h) in headers.iter().enumerate() {
        let fmt = if kinds[c].right_aligned() { bold.clone().set_align(FormatAlign::Right) } else { bold.clone() };
        ws.write_string_with_format(header_row, c as u16, h, &fmt)?;
    }
    ws.set_freeze_panes(header_row + 1, 0)?;
    // A summary's chart data sits beside the table, written with its rows (constant-memory
    // mode writes each row once, in order).
    let chart_data = table::chart(schema, &sheet.batches, meta.english).filter(|_| sheet.adds_up);
    let beside = cols + 1;
    if let Some(data) = &chart_data {
        ws.write_string_with_format(header_row, beside, &data.label_header, &bold)?;
        for (s, (name, _)) in data.series.iter().enumerate() {
            ws.write_string_with_format(
                header_row,
                beside + 1 + s as u16,
                name,
                &bold.clone().set_align(FormatAlign::Right),
            )?;
        }
    }

    let money = Format::new().set_num_format("#,##0.00");
    let percent = Format::new().set_num_format("0.00%");
    let flag = Format::new().set_background_color(rust_xlsxwriter::Color::RGB(0xFFDCD6)).set_bold();
    let mut chart_widths: Vec<usize> = chart_data.as_ref().map_or(Vec::new(), |d| {
        std::iter::once(d.label_header.width()).chain(d.series.iter().map(|(n, _)| n.width())).collect()
    });
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let month = Format::new().set_num_format("yyyy-mm");
    let dates_only = table::date_only_columns(&kinds, &sheet.batches);
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut totals = table::Totals::new(&names);
    let mut row = header_row + 1;
    let options = FormatOptions::default();
    for batch in &sheet.batches {
        let columns: Vec<&ArrayRef> = batch.columns().iter().collect();
        let formatters: Vec<ArrayFormatter> = columns
            .iter()
            .map(|a| ArrayFormatter::try_new(a.as_ref(), &options))
            .collect::<Result<_, _>>()
            .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
        for i in 0..batch.num_rows() {
            let at = (row - header_row - 1) as usize;
            let group = totals.group(batch, i);
            if let Some(data) = chart_data.as_ref().filter(|d| at < d.labels.len()) {
                ws.write_string(row, beside, &data.labels[at])?;
                chart_widths[0] = chart_widths[0].max(data.labels[at].width());
                for (s, (_, values)) in data.series.iter().enumerate() {
                    let text = decimal_text(values[at], 2);
                    chart_widths[s + 1] = chart_widths[s + 1].max(text.width() + 3);
                    ws.write_number_with_format(
                        row,
                        beside + 1 + s as u16,
                        text.parse::<f64>().unwrap_or_default(),
                        &money,
                    )?;
                }
            }
            for (c, a) in columns.iter().enumerate() {
                if a.is_null(i) {
                    continue;
                }
                let text = formatters[c].value(i).to_string();
                if kinds[c] != Kind::Time {
                    widths[c] = widths[c].max(text.width());
                }
                let col = c as u16;
                match kinds[c] {
                    Kind::Decimal(scale) => {
                        let v = a.as_primitive::<Decimal128Type>().value(i);
                        totals.add(group, c, v);
                        // The nearest double to the exact decimal: what Excel holds.
                        let n: f64 = text.parse().unwrap_or(v as f64 / 10f64.powi(scale as i32));
                        if scale == 2 {
                            ws.write_number_with_format(row, col, n, &money)?;
                        } else {
                            ws.write_number(row, col, n)?;
                        }
                    }
                    Kind::Integer => {
                        let v: i128 = text.parse().unwrap_or_default();
                        totals.add(group, c, v);
                        ws.write_number(row, col, v as f64)?;
                    }
                    Kind::Number => {
                        let v = text.parse().unwrap_or(f64::NAN);
                        if table::is_rate(schema.field(c).name()) {
                            ws.write_number_with_format(row, col, v, &percent)?;
                        } else {
                            ws.write_number(row, col, v)?;
                        }
                    }
                    Kind::Time => match excel_time(a, i) {
                        Some(t) => {
                            let (fmt, width) = match () {
                                _ if dates_only[c] && schema.field(c).name() == "month" => (&month, 7),
                                _ if dates_only[c] => (&day, 10),
                                _ => (&date, 16),
                            };
                            ws.write_datetime_with_format(row, col, &t, fmt)?;
                            widths[c] = widths[c].max(width);
                        }
                        None => {
                            ws.write_string(row, col, &text)?;
                        }
                    },
                    Kind::Bool => {
                        let v = a.as_boolean().value(i);
                        if v && table::is_flag(schema.field(c).name()) {
                            ws.write_boolean_with_format(row, col, v, &flag)?;
                        } else {
                            ws.write_boolean(row, col, v)?;
                        }
                    }
                    Kind::Text => {
                        ws.write_string(row, col, &text)?;
                    }
                }
            }
            row += 1;
        }
    }
    let rows = u64::from(row - header_row - 1);
    if rows > 0 {
        ws.autofilter(header_row, 0, row - 1, cols - 1)?;
    }
    let total_fmt = money.clone().set_bold().set_border_top(rust_xlsxwriter::FormatBorder::Thin);
    // One totals row per currency: money of different currencies is never added.
    for (label, sums) in totals.rows().into_iter().filter(|_| sheet.adds_up) {
        ws.write_string_with_format(row, 0, &label, &Format::new().set_bold())?;
        widths[0] = widths[0].max(label.width());
        for (c, f) in schema.fields().iter().enumerate() {
            match kinds[c] {
                Kind::Decimal(scale) if table::totalled(c, f.name(), kinds[c]) => {
                    let text = decimal_text(sums[c], scale);
                    widths[c] = widths[c].max(text.width());
                    ws.write_number_with_format(row, c as u16, text.parse::<f64>().unwrap_or_default(), &total_fmt)?;
                }
                Kind::Integer if table::totalled(c, f.name(), kinds[c]) => {
                    ws.write_number_with_format(row, c as u16, sums[c] as f64, &Format::new().set_bold())?;
                }
                _ => {}
            }
        }
        row += 1;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
    }
    for (k, w) in chart_widths.iter().enumerate() {
        ws.set_column_width(beside + k as u16, (*w as f64 + 2.0).min(40.0))?;
    }
    if let Some(data) = &chart_data {
        let chart = chart(&sheet.title, name, data, header_row, beside);
        let below = header_row + data.labels.len() as u32 + 2;
        ws.insert_chart(below, beside, &chart)?;
    }
    Ok(rows)
}

/// A native column chart of the chart data written beside the table.
fn chart(title: &str, sheet: &str, data: &table::Chart, header_row: u32, beside: u16) -> rust_xlsxwriter::Chart {
    let (first, last) = (header_row + 1, header_row + data.labels.len() as u32);
    let mut chart = rust_xlsxwriter::Chart::new_column();
    chart.title().set_name(title);
    for (s, (name, _)) in data.series.iter().enumerate() {
        let col = beside + 1 + s as u16;
        chart
            .add_series()
            .set_name(name.as_str())
            .set_categories((sheet, first, beside, last, beside))
            .set_values((sheet, first, col, last, col));
    }
    chart
}

fn excel_time(a: &ArrayRef, i: usize) -> Option<ExcelDateTime> {
    let micros = table::micros(a, i)?;
    ExcelDateTime::from_timestamp(micros.div_euclid(1_000_000)).ok()
}

/// Excel's sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let clean: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    if clean.trim().is_empty() { "Report".into() } else { clean }
}

/// Sheet names are unique in a workbook: a second "Report" becomes "Report (2)".
fn unique(name: String, taken: &[String]) -> String {
    let mut n = 1;
    let mut candidate = name.clone();
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        n += 1;
        let suffix = format!(" ({n})");
        let keep: String = name.chars().take(31 - suffix.len()).collect();
        candidate = format!("{keep}{suffix}");
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names() {
        assert_eq!(sheet_name("回款汇总 Collection summary: 2026/10"), "回款汇总 Collection summary 202610");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(unique("Report".into(), &["report".into()]), "Report (2)");
        assert_eq!("回款汇总".width(), 8);
    }
}
