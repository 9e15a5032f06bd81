//! A query result as an Excel workbook a finance department can use as is: a title row
//! with the report's name, parameters, time and user; a bold, frozen header with an
//! autofilter; money as numbers in `#,##0.00`, times as dates; columns as wide as their
//! text (a Chinese character counts twice); a totals row. Written row by row in
//! rust_xlsxwriter's constant-memory mode, so a large export stays small in memory.

use std::path::Path;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};
use unicode_width::UnicodeWidthStr;

/// What the title rows say.
pub struct Heading {
    pub title: String,
    /// `name=value`, or nothing.
    pub params: Vec<String>,
    pub user: String,
    pub time: String,
    /// Column headers in Chinese (the default) or as the columns are named.
    pub english: bool,
}

/// Chinese headers for the columns reports use; others keep their SQL name.
const HEADERS: [(&str, &str); 36] = [
    ("platform", "平台"),
    ("shop", "店铺"),
    ("month", "月份"),
    ("orders", "订单数"),
    ("order_id", "订单号"),
    ("order_time", "下单时间"),
    ("sold", "销售额"),
    ("sales", "销售额"),
    ("sales_change", "销售额环比变化"),
    ("collections", "回款额"),
    ("collections_change", "回款额环比变化"),
    ("refunds", "退款"),
    ("refunded", "退款"),
    ("fees", "费用"),
    ("fee_rate", "费率"),
    ("usual_rate", "常规费率"),
    ("departs", "偏离"),
    ("received", "已回款"),
    ("outstanding", "未回款"),
    ("expected", "应收"),
    ("collection_rate", "回款率"),
    ("settled", "已结算"),
    ("settled_via", "结算方式"),
    ("status", "状态"),
    ("due_date", "应回款日"),
    ("days_overdue", "逾期天数"),
    ("aging_bucket", "账龄"),
    ("as_of", "截至"),
    ("kind", "类型"),
    ("reference", "单号"),
    ("time", "时间"),
    ("booked", "入账金额"),
    ("difference", "差额"),
    ("amount", "金额"),
    ("txn_id", "流水号"),
    ("payout_id", "提现单号"),
];

fn header(name: &str, english: bool) -> String {
    if english {
        return name.to_string();
    }
    HEADERS.iter().find(|(k, _)| *k == name).map_or(name.to_string(), |(_, v)| v.to_string())
}

/// How a column is written.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Integer,
    Number,
    /// A decimal with this many places; money when 2.
    Decimal(i8),
    Time,
    Bool,
}

fn kind(t: &DataType) -> Kind {
    match t {
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => Kind::Integer,
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => Kind::Integer,
        DataType::Float32 | DataType::Float64 => Kind::Number,
        DataType::Decimal128(_, s) => Kind::Decimal(*s),
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 => Kind::Time,
        DataType::Boolean => Kind::Bool,
        _ => Kind::Text,
    }
}

/// Writes `batches` to `path` (through a temp file, so a failed export leaves nothing).
pub fn write(path: &Path, heading: &Heading, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<u64, String> {
    let tmp = path.with_extension("xlsx.partial");
    let result = build(heading, schema, batches).and_then(|(mut wb, rows)| {
        wb.save(&tmp)?;
        Ok(rows)
    });
    match result {
        Ok(rows) => {
            std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(rows)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(format!("{}: {e}", path.display()))
        }
    }
}

fn build(heading: &Heading, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<(Workbook, u64), XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(sheet_name(&heading.title))?;
    let cols = schema.fields().len().max(1) as u16;
    let title = Format::new().set_bold().set_font_size(14);
    ws.write_string_with_format(0, 0, &heading.title, &title)?;
    let mut about = format!("生成 Generated {} by {}", heading.time, heading.user);
    if !heading.params.is_empty() {
        about = format!("参数 Parameters: {}    {about}", heading.params.join(", "));
    }
    ws.write_string(1, 0, &about)?;

    let header_row = 3;
    let bold = Format::new().set_bold().set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let kinds: Vec<Kind> = schema.fields().iter().map(|f| kind(f.data_type())).collect();
    let headers: Vec<String> = schema.fields().iter().map(|f| header(f.name(), heading.english)).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for (c, h) in headers.iter().enumerate() {
        let fmt = if matches!(kinds[c], Kind::Text | Kind::Bool) {
            bold.clone()
        } else {
            bold.clone().set_align(FormatAlign::Right)
        };
        ws.write_string_with_format(header_row, c as u16, h, &fmt)?;
    }
    ws.set_freeze_panes(header_row + 1, 0)?;

    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let mut totals: Vec<Option<i128>> =
        kinds.iter().map(|k| matches!(k, Kind::Decimal(_) | Kind::Integer).then_some(0)).collect();
    let mut row = header_row + 1;
    let options = FormatOptions::default();
    for batch in batches {
        let columns: Vec<&ArrayRef> = batch.columns().iter().collect();
        let formatters: Vec<ArrayFormatter> = columns
            .iter()
            .map(|a| ArrayFormatter::try_new(a.as_ref(), &options))
            .collect::<Result<_, _>>()
            .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
        for i in 0..batch.num_rows() {
            for (c, a) in columns.iter().enumerate() {
                if a.is_null(i) {
                    continue;
                }
                let text = formatters[c].value(i).to_string();
                widths[c] = widths[c].max(text.width());
                let col = c as u16;
                match kinds[c] {
                    Kind::Decimal(scale) => {
                        let v = a.as_primitive::<datafusion::arrow::datatypes::Decimal128Type>().value(i);
                        if let Some(t) = totals[c].as_mut() {
                            *t += v;
                        }
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
                        if let Some(t) = totals[c].as_mut() {
                            *t += v;
                        }
                        ws.write_number(row, col, v as f64)?;
                    }
                    Kind::Number => {
                        ws.write_number(row, col, text.parse().unwrap_or(f64::NAN))?;
                    }
                    Kind::Time => match excel_time(a, i) {
                        Some(t) => {
                            ws.write_datetime_with_format(row, col, &t, &date)?;
                            widths[c] = widths[c].max(19);
                        }
                        None => {
                            ws.write_string(row, col, &text)?;
                        }
                    },
                    Kind::Bool => {
                        ws.write_boolean(row, col, a.as_boolean().value(i))?;
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
    // Totals of money and counts; a column of ids or years would add up to nonsense,
    // so only decimals, and integers whose name says they count.
    let total_fmt = money.clone().set_bold().set_border_top(rust_xlsxwriter::FormatBorder::Thin);
    ws.write_string_with_format(row, 0, "合计 Total", &Format::new().set_bold())?;
    for (c, f) in schema.fields().iter().enumerate() {
        let counts = matches!(kinds[c], Kind::Integer) && is_count(f.name());
        match (totals[c], kinds[c]) {
            (Some(t), Kind::Decimal(scale)) if c > 0 => {
                let text = decimal_text(t, scale);
                widths[c] = widths[c].max(text.width());
                ws.write_number_with_format(row, c as u16, text.parse::<f64>().unwrap_or_default(), &total_fmt)?;
            }
            (Some(t), Kind::Integer) if c > 0 && counts => {
                ws.write_number_with_format(row, c as u16, t as f64, &Format::new().set_bold())?;
            }
            _ => {}
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
    }
    if let Some(chart) = chart(heading, &sheet_name(&heading.title), schema, &kinds, &headers, header_row, rows) {
        ws.insert_chart(header_row, cols + 1, &chart)?;
    }
    set_properties(&mut wb, heading)?;
    Ok((wb, rows))
}

/// A summary (a few dozen rows with money in them) gets a native column chart of its
/// main amounts beside the table.
fn chart(
    heading: &Heading,
    sheet: &str,
    schema: &SchemaRef,
    kinds: &[Kind],
    headers: &[String],
    header_row: u32,
    rows: u64,
) -> Option<rust_xlsxwriter::Chart> {
    if rows == 0 || rows > 60 {
        return None;
    }
    let category = kinds.iter().position(|k| matches!(k, Kind::Text | Kind::Time))?;
    let money: Vec<usize> = (0..kinds.len()).filter(|&c| kinds[c] == Kind::Decimal(2)).collect();
    let preferred = ["sales", "sold", "collections", "received", "outstanding"];
    let mut picked: Vec<usize> =
        money.iter().copied().filter(|&c| preferred.contains(&schema.field(c).name().as_str())).collect();
    if picked.is_empty() {
        picked = money;
    }
    picked.truncate(3);
    if picked.is_empty() {
        return None;
    }
    let (first, last) = (header_row + 1, header_row + rows as u32);
    let mut chart = rust_xlsxwriter::Chart::new_column();
    chart.title().set_name(&heading.title);
    for c in picked {
        chart
            .add_series()
            .set_name(headers[c].as_str())
            .set_categories((sheet, first, category as u16, last, category as u16))
            .set_values((sheet, first, c as u16, last, c as u16));
    }
    Some(chart)
}

fn set_properties(wb: &mut Workbook, heading: &Heading) -> Result<(), XlsxError> {
    let props = rust_xlsxwriter::DocProperties::new().set_title(&heading.title).set_author(&heading.user);
    wb.set_properties(&props);
    Ok(())
}

fn is_count(name: &str) -> bool {
    let n = name.to_lowercase();
    ["orders", "count", "lines", "items", "matched", "n"].iter().any(|w| n == *w || n.ends_with(&format!("_{w}")))
}

fn decimal_text(v: i128, scale: i8) -> String {
    if scale <= 0 {
        return v.to_string();
    }
    let p = 10i128.pow(scale as u32);
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:0width$}", v.abs() / p, v.abs() % p, width = scale as usize)
}

fn excel_time(a: &ArrayRef, i: usize) -> Option<ExcelDateTime> {
    let micros = match a.data_type() {
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            a.as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>().value(i)
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            a.as_primitive::<datafusion::arrow::datatypes::TimestampMillisecondType>().value(i) * 1000
        }
        DataType::Timestamp(TimeUnit::Second, _) => {
            a.as_primitive::<datafusion::arrow::datatypes::TimestampSecondType>().value(i) * 1_000_000
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            a.as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>().value(i) / 1000
        }
        DataType::Date32 => {
            i64::from(a.as_primitive::<datafusion::arrow::datatypes::Date32Type>().value(i)) * 86_400_000_000
        }
        _ => return None,
    };
    ExcelDateTime::from_timestamp(micros.div_euclid(1_000_000)).ok()
}

/// Excel's sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let clean: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    if clean.trim().is_empty() { "Report".into() } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_names() {
        assert_eq!(decimal_text(-12345, 2), "-123.45");
        assert_eq!(decimal_text(5, 2), "0.05");
        assert_eq!(sheet_name("回款汇总 Collection summary: 2026/10"), "回款汇总 Collection summary 202610");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert!(is_count("orders") && is_count("bank_lines") && !is_count("order_id"));
        assert_eq!("回款汇总".width(), 8);
    }
}
