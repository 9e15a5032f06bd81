//! What the Excel and PDF exports share about a result: how each column is written (text,
//! count, money, time), its header in Chinese or as named, which columns get a total,
//! each cell as text, and which columns a summary's chart shows.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, SchemaRef, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

/// Chinese headers for the columns reports use; others keep their SQL name.
const HEADERS: [(&str, &str); 98] = [
    ("platform", "平台"),
    ("currency", "币种"),
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
    ("account", "账户"),
    ("side", "方向"),
    ("line", "序号"),
    ("item", "项目"),
    ("items", "笔数"),
    ("txn_time", "交易时间"),
    ("counterparty_name", "对方户名"),
    ("memo", "摘要"),
    ("overdue", "逾期未回款"),
    ("refund_rate", "退款率"),
    ("high_risks", "高风险项"),
    ("severity", "严重程度"),
    ("explanation", "说明"),
    ("score", "评分"),
    ("day", "日期"),
    ("expected_amount", "预计到账"),
    ("from_open_orders", "在途订单"),
    ("from_new_sales", "新增销售"),
    ("from_b2b_invoices", "未收B2B货款"),
    ("from_new_b2b", "新增B2B订单"),
    ("net", "净额"),
    ("net_margin", "净利率"),
    ("settle_days", "结算天数"),
    ("open_orders", "在途订单数"),
    ("age_days", "账龄天数"),
    ("age_bucket", "账龄段"),
    ("state", "处理状态"),
    ("assignee", "负责人"),
    ("anomaly_key", "异常编号"),
    ("note", "备注"),
    ("updated_by", "更新人"),
    ("updated_at", "更新时间"),
    ("happened_at", "发生时间"),
    ("seq", "序号"),
    ("paid_amount", "实付金额"),
    ("pay_time", "付款时间"),
    ("ship_time", "发货时间"),
    ("source_file", "来源文件"),
    ("source_line", "来源行号"),
    ("channel", "渠道"),
    ("settle_days_median", "结算天数中位数"),
    ("settle_days_p90", "结算天数P90"),
    ("margin_rank", "利润排名"),
    ("speed_rank", "回款速度排名"),
    ("bank_amount", "银行金额"),
    ("rule", "匹配规则"),
    ("match_group", "匹配组"),
    ("manual", "人工"),
    ("payout_time", "提现时间"),
    ("trade_id", "交易号"),
    ("net_expected", "应结净额"),
    ("paid", "实付"),
    ("status_reason", "状态说明"),
    ("user", "用户"),
    ("reason", "原因"),
    ("source", "来源"),
    ("p10", "低（P10）"),
    ("p90", "高（P90）"),
    ("expected_to_date", "预计累计到账"),
    ("p10_to_date", "累计低（P10）"),
    ("p90_to_date", "累计高（P90）"),
];

pub fn header(name: &str, english: bool) -> String {
    if english {
        return name.to_string();
    }
    HEADERS.iter().find(|(k, _)| *k == name).map_or(name.to_string(), |(_, v)| v.to_string())
}

/// How a column is written.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    Text,
    Integer,
    Number,
    /// A decimal with this many places; money when 2.
    Decimal(i8),
    Time,
    Bool,
}

impl Kind {
    pub fn of(t: &DataType) -> Kind {
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

    /// Numbers sit at the right of their column.
    pub fn right_aligned(self) -> bool {
        !matches!(self, Kind::Text | Kind::Bool)
    }
}

/// Whether column `c` gets a total: money and other decimals, and integers whose name says
/// they count (a column of ids or years would add up to nonsense). Never the first column,
/// which holds the word "Total".
pub fn totalled(c: usize, name: &str, kind: Kind) -> bool {
    // A running total (`…_to_date`) already adds up: its sum means nothing.
    c > 0
        && !name.ends_with("_to_date")
        && (matches!(kind, Kind::Decimal(_)) || (kind == Kind::Integer && is_count(name)))
}

/// The totals rows of a result: one per currency where a `currency` column holds more
/// than one, since money of different currencies is never added; else one. The sums are
/// exact: decimals as their unscaled integers, counts as counts.
pub struct Totals {
    currency: Option<usize>,
    width: usize,
    groups: Vec<(String, Vec<i128>)>,
}

impl Totals {
    pub fn new(names: &[String]) -> Totals {
        Totals { currency: names.iter().position(|n| n == "currency"), width: names.len(), groups: Vec::new() }
    }

    /// The totals row row `i` of `batch` adds to.
    pub fn group(&mut self, batch: &RecordBatch, i: usize) -> usize {
        let key = self.currency.map(|c| text_at(batch.column(c), i)).unwrap_or_default();
        match self.groups.iter().position(|(k, _)| *k == key) {
            Some(g) => g,
            None => {
                self.groups.push((key, vec![0; self.width]));
                self.groups.len() - 1
            }
        }
    }

    pub fn add(&mut self, group: usize, column: usize, v: i128) {
        self.groups[group].1[column] += v;
    }

    /// Each totals row's label and sums, by currency; one row when the result holds one
    /// currency or none (and for no rows at all, zeros).
    pub fn rows(&self) -> Vec<(String, Vec<i128>)> {
        match self.groups.as_slice() {
            [] => vec![(TOTAL.to_string(), vec![0; self.width])],
            [(_, sums)] => vec![(TOTAL.to_string(), sums.clone())],
            many => {
                let mut out: Vec<(String, Vec<i128>)> =
                    many.iter().map(|(k, s)| (format!("{TOTAL} {k}").trim_end().to_string(), s.clone())).collect();
                out.sort();
                out
            }
        }
    }

    /// Whether the rows hold more than one currency (a chart would add them up).
    pub fn mixed(&self) -> bool {
        self.groups.len() > 1
    }
}

/// The label of a totals row.
pub const TOTAL: &str = "合计 Total";

/// A text cell's value ("" when null).
fn text_at(a: &ArrayRef, i: usize) -> String {
    if a.is_null(i) {
        return String::new();
    }
    match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().value(i).to_string(),
        DataType::LargeUtf8 => a.as_string::<i64>().value(i).to_string(),
        DataType::Utf8View => a.as_string_view().value(i).to_string(),
        _ => ArrayFormatter::try_new(a.as_ref(), &FormatOptions::default())
            .map(|f| f.value(i).to_string())
            .unwrap_or_default(),
    }
}

pub fn is_count(name: &str) -> bool {
    let n = name.to_lowercase();
    ["orders", "count", "lines", "items", "matched", "n"].iter().any(|w| n == *w || n.ends_with(&format!("_{w}")))
}

/// An exact decimal `v` with `scale` places, as text.
pub fn decimal_text(v: i128, scale: i8) -> String {
    if scale <= 0 {
        return v.to_string();
    }
    let p = 10i128.pow(scale as u32);
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:0width$}", v.abs() / p, v.abs() % p, width = scale as usize)
}

/// `-1234567.80` as `-1,234,567.80`.
pub fn grouped(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// A rate (a column named …rate) as a percentage; another float to four places at most.
pub fn is_rate(name: &str) -> bool {
    name.ends_with("rate") || name.ends_with("_pct")
}

fn number_text(name: &str, text: &str) -> String {
    let Ok(v) = text.parse::<f64>() else { return text.to_string() };
    if is_rate(name) {
        return format!("{:.2}%", v * 100.0);
    }
    let t = format!("{v:.4}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A time as a report prints it: a month column as `2026-10`, a date as `2026-10-31`,
/// otherwise to the minute.
fn time_text(name: &str, a: &ArrayRef, i: usize, date_only: bool) -> Option<String> {
    let t = chrono::DateTime::from_timestamp_micros(micros(a, i)?)?;
    Some(
        match () {
            _ if date_only && name == "month" => t.format("%Y-%m"),
            _ if date_only => t.format("%Y-%m-%d"),
            _ => t.format("%Y-%m-%d %H:%M"),
        }
        .to_string(),
    )
}

/// Microseconds since the epoch of a time cell, or None for other types.
pub fn micros(a: &ArrayRef, i: usize) -> Option<i64> {
    Some(match a.data_type() {
        DataType::Timestamp(TimeUnit::Microsecond, _) => a.as_primitive::<TimestampMicrosecondType>().value(i),
        DataType::Timestamp(TimeUnit::Millisecond, _) => a.as_primitive::<TimestampMillisecondType>().value(i) * 1000,
        DataType::Timestamp(TimeUnit::Second, _) => a.as_primitive::<TimestampSecondType>().value(i) * 1_000_000,
        DataType::Timestamp(TimeUnit::Nanosecond, _) => a.as_primitive::<TimestampNanosecondType>().value(i) / 1000,
        DataType::Date32 => i64::from(a.as_primitive::<Date32Type>().value(i)) * 86_400_000_000,
        _ => return None,
    })
}

/// A result as the text of its cells, the way a printed report shows them: money with
/// thousands separators and two places, times to the minute (dates alone when a column
/// holds only dates), totals computed on the exact decimals.
pub struct Grid {
    pub headers: Vec<String>,
    pub kinds: Vec<Kind>,
    pub rows: Vec<Vec<String>>,
    /// The totals rows (one per currency), each with its label; a cell is None where a
    /// column has no total.
    pub totals: Vec<(String, Vec<Option<String>>)>,
    /// Rows a flag column marks for attention (a fee rate that departs from the usual).
    pub flagged: Vec<bool>,
}

/// A true in a boolean column of this name marks its row for attention.
pub fn is_flag(name: &str) -> bool {
    ["departs", "flagged", "overdue", "anomaly"].contains(&name)
}

impl Grid {
    pub fn new(schema: &SchemaRef, batches: &[RecordBatch], english: bool) -> Result<Grid, String> {
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let kinds: Vec<Kind> = schema.fields().iter().map(|f| Kind::of(f.data_type())).collect();
        let headers = names.iter().map(|n| header(n, english)).collect();
        let rows_total: usize = batches.iter().map(|b| b.num_rows()).sum();
        let mut sums = Totals::new(&names);
        let mut rows: Vec<Vec<String>> = Vec::with_capacity(rows_total);
        let mut flagged: Vec<bool> = Vec::with_capacity(rows_total);
        let flags: Vec<usize> = (0..kinds.len()).filter(|&c| kinds[c] == Kind::Bool && is_flag(&names[c])).collect();
        let dates_only = date_only_columns(&kinds, batches);
        let options = FormatOptions::default();
        for batch in batches {
            let formatters: Vec<ArrayFormatter> = batch
                .columns()
                .iter()
                .map(|a| ArrayFormatter::try_new(a.as_ref(), &options))
                .collect::<Result<_, _>>()
                .map_err(|e| e.to_string())?;
            for i in 0..batch.num_rows() {
                let mut row = Vec::with_capacity(kinds.len());
                let group = sums.group(batch, i);
                for (c, a) in batch.columns().iter().enumerate() {
                    if a.is_null(i) {
                        row.push(String::new());
                        continue;
                    }
                    let text = match kinds[c] {
                        Kind::Decimal(scale) => {
                            let v = a.as_primitive::<Decimal128Type>().value(i);
                            sums.add(group, c, v);
                            grouped(&decimal_text(v, scale))
                        }
                        Kind::Integer => {
                            let t = formatters[c].value(i).to_string();
                            sums.add(group, c, t.parse::<i128>().unwrap_or_default());
                            t
                        }
                        Kind::Number => number_text(&names[c], &formatters[c].value(i).to_string()),
                        Kind::Time => time_text(&names[c], a, i, dates_only[c])
                            .unwrap_or_else(|| formatters[c].value(i).to_string()),
                        _ => formatters[c].value(i).to_string(),
                    };
                    row.push(text);
                }
                rows.push(row);
                flagged.push(flags.iter().any(|&c| {
                    let a = batch.column(c);
                    a.is_valid(i) && a.as_boolean().value(i)
                }));
            }
        }
        let totals = sums
            .rows()
            .into_iter()
            .map(|(label, sums)| {
                let cells = kinds
                    .iter()
                    .enumerate()
                    .map(|(c, k)| {
                        totalled(c, &names[c], *k).then(|| match k {
                            Kind::Decimal(scale) => grouped(&decimal_text(sums[c], *scale)),
                            _ => sums[c].to_string(),
                        })
                    })
                    .collect();
                (label, cells)
            })
            .collect();
        Ok(Grid { headers, kinds, rows, totals, flagged })
    }
}

/// A summary's chart: one label per category, and each series' name and values in cents.
#[derive(Debug)]
pub struct Chart {
    /// Header of the label column of the chart's data.
    pub label_header: String,
    pub labels: Vec<String>,
    pub series: Vec<(String, Vec<i128>)>,
}

/// Most bars a chart shows per series.
const MOST_CATEGORIES: usize = 31;
/// A result longer than this is a listing, not a summary: no chart.
const MOST_ROWS: usize = 200;

/// The chart of a summary (rows with money in them): bars of up to three money columns,
/// preferring sales and collections, one category per row labelled by its text columns;
/// when there are too many rows for that, the amounts summed by the first text column
/// (a collection summary by platform, shop and month is charted by platform).
pub fn chart(schema: &SchemaRef, batches: &[RecordBatch], english: bool) -> Option<Chart> {
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let kinds: Vec<Kind> = schema.fields().iter().map(|f| Kind::of(f.data_type())).collect();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    if rows == 0 || rows > MOST_ROWS {
        return None;
    }
    let columns = chart_columns(&names, &kinds)?;
    // Bars of different currencies side by side would read as comparable: no chart.
    let mut currencies = Totals::new(&names);
    for batch in batches {
        for i in 0..batch.num_rows() {
            currencies.group(batch, i);
        }
    }
    if currencies.mixed() {
        return None;
    }
    let per_row = rows <= MOST_CATEGORIES;
    let label_columns = if per_row { columns.labels.clone() } else { vec![columns.labels[0]] };
    let options = FormatOptions::default();
    let dates_only = date_only_columns(&kinds, batches);
    let mut labels: Vec<String> = Vec::new();
    let mut sums: Vec<Vec<i128>> = vec![Vec::new(); columns.values.len()];
    for batch in batches {
        let formatters: Vec<ArrayFormatter> = label_columns
            .iter()
            .map(|&c| ArrayFormatter::try_new(batch.column(c).as_ref(), &options))
            .collect::<Result<_, _>>()
            .ok()?;
        for i in 0..batch.num_rows() {
            let label = formatters
                .iter()
                .enumerate()
                .filter(|(k, _)| batch.column(label_columns[*k]).is_valid(i))
                .map(|(k, f)| {
                    let c = label_columns[k];
                    time_text(&names[c], batch.column(c), i, dates_only[c]).unwrap_or_else(|| f.value(i).to_string())
                })
                .collect::<Vec<_>>()
                .join(" ");
            let at = match labels.iter().position(|l| *l == label) {
                Some(at) if !per_row => at,
                _ => {
                    labels.push(label);
                    sums.iter_mut().for_each(|s| s.push(0));
                    labels.len() - 1
                }
            };
            for (s, &c) in columns.values.iter().enumerate() {
                let a = batch.column(c);
                if a.is_valid(i) {
                    sums[s][at] += a.as_primitive::<Decimal128Type>().value(i);
                }
            }
        }
    }
    if labels.len() > MOST_CATEGORIES {
        return None;
    }
    let label_header = label_columns.iter().map(|&c| header(&names[c], english)).collect::<Vec<_>>().join(" ");
    let series = columns.values.iter().map(|&c| header(&names[c], english)).zip(sums).collect();
    Some(Chart { label_header, labels, series })
}

/// Which columns a summary's chart uses: `labels` name the categories (the text and time
/// columns before the first money column), `values` are the bars.
struct ChartColumns {
    labels: Vec<usize>,
    values: Vec<usize>,
}

fn chart_columns(names: &[String], kinds: &[Kind]) -> Option<ChartColumns> {
    let money: Vec<usize> = (0..kinds.len()).filter(|&c| kinds[c] == Kind::Decimal(2)).collect();
    let first_money = *money.first()?;
    let labels: Vec<usize> =
        (0..first_money).filter(|&c| matches!(kinds[c], Kind::Text | Kind::Time)).take(3).collect();
    if labels.is_empty() {
        return None;
    }
    let preferred = ["sales", "sold", "collections", "received", "outstanding"];
    let mut values: Vec<usize> = money.iter().copied().filter(|&c| preferred.contains(&names[c].as_str())).collect();
    if values.is_empty() {
        values = money;
    }
    values.truncate(3);
    Some(ChartColumns { labels, values })
}

/// Time columns whose every value falls at midnight print as dates.
pub fn date_only_columns(kinds: &[Kind], batches: &[RecordBatch]) -> Vec<bool> {
    (0..kinds.len())
        .map(|c| {
            kinds[c] == Kind::Time
                && batches.iter().all(|b| {
                    let a = b.column(c);
                    (0..b.num_rows()).all(|i| a.is_null(i) || micros(a, i).is_some_and(|m| m % 86_400_000_000 == 0))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_printed() {
        assert_eq!(decimal_text(-12345, 2), "-123.45");
        assert_eq!(decimal_text(5, 2), "0.05");
        assert_eq!(grouped("-1234567.80"), "-1,234,567.80");
        assert_eq!(grouped("123.00"), "123.00");
        assert_eq!(grouped("1000"), "1,000");
        assert_eq!(grouped("n/a"), "n/a");
        assert_eq!(number_text("collection_rate", "0.9267"), "92.67%");
        assert_eq!(number_text("score", "0.91234"), "0.9123");
        assert_eq!(number_text("score", "1.0"), "1");
        assert!(is_count("orders") && is_count("bank_lines") && !is_count("order_id"));
        assert!(totalled(3, "outstanding", Kind::Decimal(2)) && !totalled(0, "amount", Kind::Decimal(2)));
        assert!(!totalled(2, "year", Kind::Integer));
        assert!(!totalled(1, "expected_to_date", Kind::Decimal(2)), "a running total already adds up");
    }
}
