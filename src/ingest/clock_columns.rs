//! A date and a time of day in two columns, whatever they are called (交易日 + 交易时间,
//! 发生日期 + 发生时间, 日期 + 时间, 交易日期 + 交易时刻, Date + Time): found by what the
//! columns hold, not by their names, and joined. A column of times of day is never taken
//! for the date, and a date column is never left at midnight when the time sits beside it.

use crate::ingest::fields::Field;
use crate::ingest::header::ColumnMap;
use crate::ingest::row::RawRow;
use crate::schema::Kind;
use crate::values;

/// Rows looked at to tell what a column holds.
const SAMPLE: usize = 50;

/// Completes the date or the time of day of a transaction from the column that holds the
/// other half, where the names left it out. Returns what was assumed, for the import
/// report and `--explain`.
pub fn join(map: &mut ColumnMap, headers: &[String], rows: &[RawRow], explicit: bool) -> Option<String> {
    if explicit || !matches!(map.kind, Kind::Bank | Kind::Settlements | Kind::Payments | Kind::Inventory) {
        return None;
    }
    let rows: Vec<&RawRow> = rows.iter().filter(|r| !r.is_blank()).take(SAMPLE).collect();
    let holds = |col: usize, what: fn(&str) -> bool| {
        let mut any = false;
        for r in &rows {
            let v = values::clean(r.get(col));
            match v {
                Some(v) if what(v) => any = true,
                Some(_) => return false,
                None => {}
            }
        }
        any
    };
    let free = |map: &ColumnMap, col: usize| map.fields.values().all(|cols| !cols.contains(&col));
    let name = |c: usize| headers.get(c).map_or("", |h| h.trim()).to_string();
    let time = map.columns(Field::TxnTime).first().copied();
    let date = map.columns(Field::TxnDate).first().copied();
    match (time, date) {
        // The "time" column holds only times of day: the date is another column.
        (Some(t), None) if holds(t, is_clock) => {
            let d = nearest(t, headers.len(), |c| free(map, c) && holds(c, is_date))?;
            map.fields.insert(Field::TxnDate, vec![d]);
            Some(format!("the date is {} and the time of day {}: joined", name(d), name(t)))
        }
        // A date column alone, and a column of times of day no name claimed.
        (None, Some(d)) if holds(d, is_date) => {
            let t = nearest(d, headers.len(), |c| free(map, c) && holds(c, is_clock))?;
            map.fields.insert(Field::TxnTime, vec![t]);
            Some(format!("the date is {} and the time of day {}: joined", name(d), name(t)))
        }
        _ => None,
    }
}

/// The column nearest to `from` (the next one first, then the one before …) that `fits`.
fn nearest(from: usize, width: usize, fits: impl Fn(usize) -> bool) -> Option<usize> {
    (1..width).flat_map(|k| [from.checked_add(k), from.checked_sub(k)]).flatten().find(|&c| c < width && fits(c))
}

/// A time of day and nothing else: `10:14:46`, `9:05`, `101446`.
fn is_clock(v: &str) -> bool {
    let hhmmss = v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit());
    (v.contains(':') || hhmmss) && values::parse_clock(v).is_some()
}

/// A date without a time of day: `2026-09-01`, `2026/9/1`, `20260901`, `2026年9月1日`.
fn is_date(v: &str) -> bool {
    // A year, a month and a day: three groups of digits (or eight digits in a row), so
    // an amount like 1200.00 is no date.
    let groups = v.split(|c: char| !c.is_ascii_digit()).filter(|g| !g.is_empty()).count();
    let dated =
        (groups == 3 && v.contains(['-', '/', '.', '年'])) || (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()));
    dated
        && !v.contains(':')
        && values::parse_clock(v).is_none()
        && values::parse_time(v).is_ok_and(|t| t.time() == chrono::NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_counts_as_a_date_or_a_time_of_day() {
        for v in ["10:14:46", "9:05", "101446", "23:59:59.123"] {
            assert!(is_clock(v) && !is_date(v), "{v}");
        }
        for v in ["2026-09-01", "2026/9/1", "20260901", "2026年9月1日"] {
            assert!(is_date(v) && !is_clock(v), "{v}");
        }
        for v in ["2026-09-01 10:14:46", "1200.00", "1014", "货款"] {
            assert!(!is_date(v) && !is_clock(v), "{v}");
        }
    }

    #[test]
    fn nearest_looks_right_then_left() {
        assert_eq!(nearest(3, 6, |c| c == 4 || c == 2), Some(4));
        assert_eq!(nearest(3, 6, |c| c == 2), Some(2));
        assert_eq!(nearest(0, 3, |_| false), None);
    }
}
