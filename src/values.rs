//! Cleaning and parsing of single cells as real exports write them: padding, trailing
//! tabs, leading backticks, `="…"` wrappers, `/` and `-` for nothing, full-width digits,
//! thousands separators, currency signs, dates in every usual spelling. Money becomes
//! integer cents (an exact decimal), never a float.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Trims a raw cell and returns None when it holds no value.
pub fn clean(raw: &str) -> Option<&str> {
    let mut s = raw.trim_matches(is_pad);
    // Exports prefix ids with a backtick or wrap them as ="…" so Excel keeps them text.
    while let Some(rest) = s.strip_prefix('`') {
        s = rest.trim_matches(is_pad);
    }
    if let Some(inner) = s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        s = inner.trim_matches(is_pad);
    }
    // BOC pads empty cells with dashes, and sometimes puts text after them.
    if s.starts_with("---") {
        s = s.trim_start_matches(['-', ' ']);
    }
    if s.is_empty() || is_null_marker(s) { None } else { Some(s) }
}

fn is_pad(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

fn is_null_marker(s: &str) -> bool {
    s == "/"
        || s.chars().all(|c| c == '-' || c == '—' || c == '－')
        || s.eq_ignore_ascii_case("null")
        || s.eq_ignore_ascii_case("n/a")
}

/// A count of pieces: `2`, `-1`, `+3`, `2.0` (a spreadsheet's number), `1,200`, `3件`.
pub fn parse_quantity(raw: &str) -> Result<i64, ValueError> {
    let bad = || ValueError::NotQuantity(raw.trim().to_string());
    let hw = halfwidth(raw);
    let s = hw.trim().trim_end_matches(['件', '个', '箱', '套']).trim().replace(',', "");
    let d: rust_decimal::Decimal = s.trim_start_matches('+').parse().map_err(|_| bad())?;
    if !d.fract().is_zero() {
        return Err(bad());
    }
    i64::try_from(d).map_err(|_| bad())
}

/// Kilograms, to ten grams (two decimals, rounded half away from zero): `1.25`,
/// `0.8kg`, `2公斤`.
pub fn parse_weight(raw: &str) -> Result<i128, ValueError> {
    let bad = || ValueError::NotWeight(raw.trim().to_string());
    let hw = halfwidth(raw);
    let lower = hw.trim().to_ascii_lowercase();
    let s = lower.trim_end_matches("kg").trim_end_matches(['千', '克', '公', '斤']).trim();
    let d: rust_decimal::Decimal = s.parse().map_err(|_| bad())?;
    if d.is_sign_negative() {
        return Err(bad());
    }
    let d = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    i128::try_from(d * rust_decimal::Decimal::ONE_HUNDRED).map_err(|_| bad())
}

/// Full-width ASCII (`１２３．４５`, `（`, `：`) to half-width; other text unchanged.
pub fn halfwidth(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(is_fullwidth) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                _ => c,
            })
            .collect(),
    )
}

fn is_fullwidth(c: char) -> bool {
    matches!(c, '\u{ff01}'..='\u{ff5e}' | '\u{3000}')
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("'{0}' is not an amount")]
    NotMoney(String),
    #[error("'{0}' has more than 2 decimal places")]
    TooPrecise(String),
    #[error("'{0}' is too large for an amount")]
    TooLarge(String),
    #[error("'{0}' is not a date or time")]
    NotTime(String),
    #[error("'{0}' is not a whole number of pieces")]
    NotQuantity(String),
    #[error("'{0}' is not a weight in kilograms")]
    NotWeight(String),
    #[error("'{0}' is ambiguous: day and month could be either way round; give date_format in a mapping file")]
    AmbiguousDate(String),
}

/// What an amount cell's annotation says of a refund the export netted into the row
/// itself (JD writes `392.98(已退款203.98)`, `44.28(已全额退款)`, with no refund row of
/// its own): the part of the amount that went back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NettedRefund {
    /// All of it went back: the row moved no money.
    Full,
    /// This many cents went back.
    Part(i128),
}

pub fn netted_refund(raw: &str) -> Option<NettedRefund> {
    let hw = halfwidth(raw);
    let s = hw.trim();
    let open = s.find('(')?;
    let note = s[open + 1..].strip_suffix(')')?;
    if open == 0 {
        return None;
    }
    if note.contains("全额退款") {
        return Some(NettedRefund::Full);
    }
    let back = note.strip_prefix("已退款").or_else(|| note.strip_prefix("退款"))?;
    parse_money(back).ok().map(|c| NettedRefund::Part(c.abs()))
}

/// Largest value Decimal128(18, 2) holds, in cents.
const MAX_CENTS: i128 = 999_999_999_999_999_999;

/// Parses an amount into cents: `1,234.50`, `¥12.00`, `-3.2`, `+10000.00`, `(12.00)`,
/// `12.00元`, `131.77(已退款89.84)`, `１２．５０`, `1.2E+3`.
pub fn parse_money(raw: &str) -> Result<i128, ValueError> {
    if let Some(cents) = plain_money(raw.as_bytes()) {
        return Ok(cents);
    }
    let hw = halfwidth(raw);
    let mut s: &str = hw.trim();
    let mut negative = false;
    // Accounting negatives: (12.00)
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    } else if let Some(i) = s.find('(')
        && i > 0
        && s.ends_with(')')
    {
        // An annotation after the number, as JD writes refunds: 131.77(已退款89.84)
        s = s[..i].trim();
    }
    s = strip_currency(s);
    if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
        negative = !negative;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    } else if let Some(rest) = s.strip_suffix('-') {
        negative = !negative;
        s = rest;
    }
    s = strip_currency(s.trim());
    let int_end = s.find('.').unwrap_or(s.len());
    if s[..int_end].contains(',') && !groups_by_three(&s[..int_end]) {
        // 12,30 is a decimal comma or a typo, never twelve hundred and thirty.
        return Err(ValueError::NotMoney(raw.trim().to_string()));
    }
    let mut digits = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ',' | '_' | ' ' | '\'' => {}
            _ => digits.push(c),
        }
    }
    let cents = if digits.contains(['e', 'E']) {
        parse_scientific(&digits).ok_or_else(|| ValueError::NotMoney(raw.trim().to_string()))?
    } else {
        parse_plain(&digits, raw)?
    };
    Ok(if negative { -cents } else { cents })
}

/// The common case without allocating: `-1,234.5`, `+10000.00`, `12`.
fn plain_money(b: &[u8]) -> Option<i128> {
    let (negative, b) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (mut cents, mut int_digits, mut frac_digits, mut dot) = (0i128, 0u32, 0u32, false);
    // Digits since the last thousands separator, which must group by three.
    let (mut group, mut grouped) = (0u32, false);
    for &c in b {
        match c {
            b'0'..=b'9' if dot => {
                if frac_digits == 2 {
                    return None;
                }
                frac_digits += 1;
                cents = cents * 10 + i128::from(c - b'0');
            }
            b'0'..=b'9' => {
                int_digits += 1;
                group += 1;
                cents = cents * 10 + i128::from(c - b'0');
            }
            b'.' if !dot => {
                if grouped && group != 3 {
                    return None;
                }
                dot = true;
            }
            b',' if !dot && group > 0 && group <= 3 && (!grouped || group == 3) => {
                grouped = true;
                group = 0;
            }
            _ => return None,
        }
    }
    if int_digits + frac_digits == 0 || int_digits > 16 || (grouped && !dot && group != 3) {
        return None;
    }
    for _ in frac_digits..2 {
        cents *= 10;
    }
    Some(if negative { -cents } else { cents })
}

fn groups_by_three(int_part: &str) -> bool {
    let mut groups = int_part.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.trim().len()) && groups.all(|g| g.len() == 3)
}

fn strip_currency(s: &str) -> &str {
    let mut s = s;
    for sym in ["¥", "￥", "$", "€", "£", "CNY", "RMB", "USD", "HKD", "EUR"] {
        if let Some(rest) = s.strip_prefix(sym) {
            s = rest.trim_start();
        }
        if let Some(rest) = s.strip_suffix(sym) {
            s = rest.trim_end();
        }
    }
    s.strip_suffix('元').unwrap_or(s).trim()
}

fn parse_plain(s: &str, raw: &str) -> Result<i128, ValueError> {
    let not_money = || ValueError::NotMoney(raw.trim().to_string());
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(not_money());
    }
    let frac = frac_part.trim_end_matches('0');
    if frac.len() > 2 {
        return Err(ValueError::TooPrecise(raw.trim().to_string()));
    }
    let int_digits = int_part.trim_start_matches('0');
    if int_digits.len() > 16 {
        return Err(ValueError::TooLarge(raw.trim().to_string()));
    }
    let mut cents: i128 = 0;
    for b in int_digits.bytes() {
        cents = cents * 10 + i128::from(b - b'0');
    }
    let mut frac_cents = 0i128;
    for (i, b) in frac.bytes().enumerate() {
        frac_cents += i128::from(b - b'0') * if i == 0 { 10 } else { 1 };
    }
    cents = cents * 100 + frac_cents;
    if cents > MAX_CENTS {
        return Err(ValueError::TooLarge(raw.trim().to_string()));
    }
    Ok(cents)
}

fn parse_scientific(s: &str) -> Option<i128> {
    let d = rust_decimal::Decimal::from_scientific(s).ok()?;
    let d = d.normalize();
    if d.scale() > 2 {
        return None;
    }
    let mut m = d.mantissa();
    for _ in d.scale()..2 {
        m = m.checked_mul(10)?;
    }
    (m.abs() <= MAX_CENTS).then_some(m)
}

/// Formats cents as a plain decimal string: `-1234.50`.
pub fn format_cents(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A date and time in any usual spelling: `2026-10-01 12:00:00`, `2026/10/1 9:05`,
/// `20261001`, `20261001120000`, `2026年10月01日 12:00`, `2026-10-01T12:00:00+08:00`,
/// `2026.10.01`. A bare date means midnight. The offset, if any, is dropped: finance
/// reads the wall-clock time the export shows.
pub fn parse_time(raw: &str) -> Result<NaiveDateTime, ValueError> {
    parse_time_zoned(raw).map(|(t, _)| t)
}

/// [`parse_time`], and whether the text carried a UTC offset other than local time's
/// (`2026-03-01T02:00:00Z`, `… -05:00`): such a time is converted to local time, the
/// one every other time in the workspace is in, and the import says so.
pub fn parse_time_zoned(raw: &str) -> Result<(NaiveDateTime, bool), ValueError> {
    let (t, offset) = parse_time_with_offset(raw)?;
    let Some(offset) = offset else { return Ok((t, false)) };
    let utc = t - chrono::Duration::seconds(i64::from(offset));
    let local = chrono::TimeZone::from_utc_datetime(&chrono::Local, &utc).naive_local();
    Ok((local, local != t))
}

fn parse_time_with_offset(raw: &str) -> Result<(NaiveDateTime, Option<i32>), ValueError> {
    let bad = || ValueError::NotTime(raw.trim().to_string());
    let hw = halfwidth(raw);
    let s = hw.trim();
    if let Some(t) = fast_iso(s) {
        return Ok((t, None));
    }
    let normalised: String;
    let mut s = s;
    if s.contains(['年', '月', '日', '时', '分', '秒']) {
        normalised = s.replace(['年', '月'], "-").replace('日', " ").replace(['时', '分'], ":").replace('秒', "");
        s = normalised.trim();
    }
    let (s, offset) = strip_zone(s);
    let (date_part, time_part) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    if time_part.is_empty() && date_part.len() >= 12 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        // 20261001120000 or 202610011200
        let date = parse_date(&date_part[..8]).map_err(|_| bad())?;
        let time = parse_clock(&date_part[8..]).ok_or_else(bad)?;
        return Ok((date.and_time(time), offset));
    }
    let date = parse_date(date_part).map_err(|e| match e {
        ValueError::AmbiguousDate(_) => ValueError::AmbiguousDate(raw.trim().to_string()),
        _ => bad(),
    })?;
    let time = if time_part.is_empty() { NaiveTime::MIN } else { parse_clock(time_part).ok_or_else(bad)? };
    // A date alone has no time of day to shift.
    Ok((date.and_time(time), offset.filter(|_| !time_part.is_empty())))
}

fn fast_iso(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 19
        || !matches!(b[4], b'-' | b'/')
        || b[7] != b[4]
        || !matches!(b[10], b' ' | b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let date = NaiveDate::from_ymd_opt(n(0..4)? as i32, n(5..7)?, n(8..10)?)?;
    let time = NaiveTime::from_hms_opt(n(11..13)?, n(14..16)?, n(17..19)?)?;
    plausible_year(date.and_time(time))
}

fn plausible_year(t: NaiveDateTime) -> Option<NaiveDateTime> {
    use chrono::Datelike;
    (1970..=2199).contains(&t.year()).then_some(t)
}

/// The text without its time zone, and the zone's offset from UTC in seconds where it
/// states one. CST in a Chinese export is China Standard Time: local, no offset given.
fn strip_zone(s: &str) -> (&str, Option<i32>) {
    let mut s = s.trim();
    let mut offset = None;
    for (suffix, off) in [(" CST", None), (" UTC", Some(0)), (" GMT", Some(0)), ("Z", Some(0))] {
        if let Some(r) = s.strip_suffix(suffix) {
            s = r.trim_end();
            offset = off;
        }
    }
    // +08:00 / -0500 right after the seconds
    if let Some(i) = s.rfind(['+', '-'])
        && i >= 17
        && s[..i].contains(':')
        && s[i + 1..].bytes().all(|b| b.is_ascii_digit() || b == b':')
    {
        let digits: String = s[i + 1..].chars().filter(char::is_ascii_digit).collect();
        let (h, m) = match digits.len() {
            2 => (digits.parse::<i32>().ok(), Some(0)),
            4 => (digits[..2].parse::<i32>().ok(), digits[2..].parse::<i32>().ok()),
            _ => (None, None),
        };
        if let (Some(h), Some(m)) = (h, m) {
            let sign = if s.as_bytes()[i] == b'-' { -1 } else { 1 };
            offset = Some(sign * (h * 3600 + m * 60));
        }
        s = s[..i].trim_end();
    }
    (s, offset)
}

/// A calendar date: `2026-10-01`, `2026/10/1`, `20261001`, `2026.10.01`, `01/10/2026`
/// (only when the day is above 12, so the order is certain).
pub fn parse_date(raw: &str) -> Result<NaiveDate, ValueError> {
    let bad = || ValueError::NotTime(raw.trim().to_string());
    let s = raw.trim().trim_end_matches(['-', ' ']);
    let date = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = s[..4].parse().map_err(|_| bad())?;
        NaiveDate::from_ymd_opt(y, s[4..6].parse().map_err(|_| bad())?, s[6..8].parse().map_err(|_| bad())?)
    } else {
        let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
        if parts.len() != 3
            || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let nums: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
        if parts[0].len() == 4 {
            NaiveDate::from_ymd_opt(nums[0] as i32, nums[1], nums[2])
        } else if parts[2].len() == 4 {
            match (nums[0] > 12, nums[1] > 12) {
                (true, false) => NaiveDate::from_ymd_opt(nums[2] as i32, nums[1], nums[0]),
                (false, true) => NaiveDate::from_ymd_opt(nums[2] as i32, nums[0], nums[1]),
                _ if nums[0] == nums[1] => NaiveDate::from_ymd_opt(nums[2] as i32, nums[0], nums[1]),
                _ => return Err(ValueError::AmbiguousDate(raw.trim().to_string())),
            }
        } else {
            None
        }
    };
    date.and_then(|d| plausible_year(d.and_time(NaiveTime::MIN)).map(|t| t.date())).ok_or_else(bad)
}

/// An id Excel showed as a number in scientific notation (`1.23457E+17`): the digits
/// beyond the first few are gone, so it names no id for sure.
pub fn lost_digits(v: &str) -> bool {
    let Some((mantissa, exponent)) = v.split_once(['E', 'e']) else { return false };
    let Some(exponent) = exponent.strip_prefix('+') else { return false };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    !whole.is_empty()
        && whole.len() <= 2
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

/// A time of day: `12:00:00`, `9:05`, `120000`, `12:00:00.123`.
pub fn parse_clock(raw: &str) -> Option<NaiveTime> {
    let s = raw.trim();
    let s = s.split_once('.').map(|(a, _)| a).unwrap_or(s);
    if !s.contains(':') {
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return match s.len() {
            6 => NaiveTime::from_hms_opt(s[..2].parse().ok()?, s[2..4].parse().ok()?, s[4..].parse().ok()?),
            4 => NaiveTime::from_hms_opt(s[..2].parse().ok()?, s[2..].parse().ok()?, 0),
            _ => None,
        };
    }
    let mut it = s.split(':');
    let h = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let sec = match it.next() {
        Some(x) if !x.is_empty() => x.parse().ok()?,
        _ => 0,
    };
    if it.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(h, m, sec)
}

/// Parses with an explicit chrono format from a mapping file; a date-only format
/// means midnight.
pub fn parse_time_with(raw: &str, format: &str) -> Result<NaiveDateTime, ValueError> {
    let s = raw.trim();
    NaiveDateTime::parse_from_str(s, format)
        .or_else(|_| NaiveDate::parse_from_str(s, format).map(|d| d.and_time(NaiveTime::MIN)))
        .map_err(|_| ValueError::NotTime(s.to_string()))
}

pub fn to_micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wall-clock time as written (the conversion to local time depends on where
    /// the tests run; `offsets_are_read` covers the offset).
    fn t(s: &str) -> String {
        parse_time_with_offset(s)
            .map(|(t, _)| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn offsets_are_read() {
        let off = |s: &str| parse_time_with_offset(s).unwrap().1;
        assert_eq!(off("2026-10-01 12:00:00"), None);
        assert_eq!(off("2026-10-01T12:00:00.250Z"), Some(0));
        assert_eq!(off("2026-10-01T12:00:00+08:00"), Some(8 * 3600));
        assert_eq!(off("2024-12-28 13:27:56 +0800 CST"), Some(8 * 3600));
        assert_eq!(off("2026-10-01T07:30:00-05:00"), Some(-5 * 3600));
        assert_eq!(off("2026-10-01 CST"), None, "China Standard Time is local time");
        assert_eq!(off("2026-10-01Z"), None, "a date alone has no time of day to shift");
    }

    #[test]
    fn quantities_and_weights() {
        assert_eq!(parse_quantity("2"), Ok(2));
        assert_eq!(parse_quantity("-1"), Ok(-1));
        assert_eq!(parse_quantity("＋3"), Ok(3));
        assert_eq!(parse_quantity("2.0"), Ok(2));
        assert_eq!(parse_quantity("1,200"), Ok(1200));
        assert_eq!(parse_quantity("3件"), Ok(3));
        assert!(parse_quantity("1.5").is_err());
        assert!(parse_quantity("两件").is_err());
        assert_eq!(parse_weight("1.25"), Ok(125));
        assert_eq!(parse_weight("0.8kg"), Ok(80));
        assert_eq!(parse_weight("2公斤"), Ok(200));
        assert_eq!(parse_weight("1.235"), Ok(124));
        assert!(parse_weight("-1").is_err());
        assert!(parse_weight("heavy").is_err());
    }

    #[test]
    fn cleans_cells_like_exports_write_them() {
        assert_eq!(clean("  2023xx88\t"), Some("2023xx88"));
        assert_eq!(clean("`4200000069201710299246843141"), Some("4200000069201710299246843141"));
        assert_eq!(clean("=\"100000011234\""), Some("100000011234"));
        assert_eq!(clean("-------------------"), None);
        assert_eq!(clean("------------------- 包装袋款"), Some("包装袋款"));
        assert_eq!(clean(" / "), None);
        assert_eq!(clean("-"), None);
        assert_eq!(clean("\u{3000}"), None);
        assert_eq!(clean("-12.00"), Some("-12.00"));
    }

    #[test]
    fn money_is_exact_cents() {
        let m = |s: &str| parse_money(s).map(format_cents).unwrap_or_else(|e| e.to_string());
        assert_eq!(m("1,234.56"), "1234.56");
        assert_eq!(m("\"1,234.56          \t\"".trim_matches('"').trim()), "1234.56");
        assert_eq!(m("+10000.00"), "10000.00");
        assert_eq!(m("-12.3"), "-12.30");
        assert_eq!(m("¥28.16"), "28.16");
        assert_eq!(m("￥ 1,000"), "1000.00");
        assert_eq!(m("12.00元"), "12.00");
        assert_eq!(m("(45.10)"), "-45.10");
        assert_eq!(m("131.77(已退款89.84)"), "131.77");
        assert!(lost_digits("1.23457E+17") && lost_digits("4.01235E+15") && lost_digits("1E+11"));
        assert!(!lost_digits("2026E5") && !lost_digits("SO-1E+2") && !lost_digits("12345") && !lost_digits("E+17"));
        assert_eq!(netted_refund("131.77(已退款89.84)"), Some(NettedRefund::Part(8984)));
        assert_eq!(netted_refund("44.28(已全额退款)"), Some(NettedRefund::Full));
        assert_eq!(netted_refund("(12.00)"), None);
        assert_eq!(netted_refund("12.00"), None);
        assert_eq!(m("１２３．４５"), "123.45");
        assert_eq!(m("0.1"), "0.10");
        assert_eq!(m(".5"), "0.50");
        assert_eq!(m("12.3400"), "12.34");
        assert_eq!(m("1.2E+3"), "1200.00");
        assert_eq!(m("0.00"), "0.00");
        assert_eq!(m("12.345"), "'12.345' has more than 2 decimal places");
        assert_eq!(m("12.3x"), "'12.3x' is not an amount");
        assert_eq!(m("abc"), "'abc' is not an amount");
        assert_eq!(m("1.2.3"), "'1.2.3' is not an amount");
        assert_eq!(m("12,30"), "'12,30' is not an amount");
        assert_eq!(m("1,2345.00"), "'1,2345.00' is not an amount");
        assert_eq!(m("1,234,567.8"), "1234567.80");
        assert_eq!(m("-1,234"), "-1234.00");
        assert_eq!(m("¥1,234"), "1234.00");
        assert!(matches!(parse_money("99999999999999999999"), Err(ValueError::TooLarge(_))));
        // 0.1 + 0.2 is exactly 0.3 in cents, as finance expects.
        assert_eq!(parse_money("0.1").unwrap() + parse_money("0.2").unwrap(), parse_money("0.3").unwrap());
    }

    #[test]
    fn times_in_every_usual_spelling() {
        assert_eq!(t("2026-10-01 12:00:00"), "2026-10-01 12:00:00");
        assert_eq!(t("2026/10/1 9:05"), "2026-10-01 09:05:00");
        assert_eq!(t("2026/10/01"), "2026-10-01 00:00:00");
        assert_eq!(t("20261001"), "2026-10-01 00:00:00");
        assert_eq!(t("20261001120005"), "2026-10-01 12:00:05");
        assert_eq!(t("2026年10月01日 12:00:00"), "2026-10-01 12:00:00");
        assert_eq!(t("2026年10月1日"), "2026-10-01 00:00:00");
        assert_eq!(t("2026-10-01T12:00:00+08:00"), "2026-10-01 12:00:00");
        assert_eq!(t("2024-12-28 13:27:56 +0800 CST"), "2024-12-28 13:27:56");
        assert_eq!(t("2026-10-01T12:00:00.250Z"), "2026-10-01 12:00:00");
        assert_eq!(t("2026.10.01"), "2026-10-01 00:00:00");
        assert_eq!(t("25/10/2026"), "2026-10-25 00:00:00");
        assert_eq!(t("２０２６－１０－０１"), "2026-10-01 00:00:00");
        assert!(t("05/10/2026").contains("ambiguous"));
        assert_eq!(t("2026-02-30"), "'2026-02-30' is not a date or time");
        assert_eq!(t("yesterday"), "'yesterday' is not a date or time");
        assert_eq!(t("2026-10-01 25:00:00"), "'2026-10-01 25:00:00' is not a date or time");
    }

    #[test]
    fn clocks_and_explicit_formats() {
        assert_eq!(parse_clock("123456"), NaiveTime::from_hms_opt(12, 34, 56));
        assert_eq!(parse_clock("17:57:17"), NaiveTime::from_hms_opt(17, 57, 17));
        assert_eq!(parse_clock("x"), None);
        let d = parse_time_with("03.10.2026", "%d.%m.%Y").unwrap();
        assert_eq!(d.to_string(), "2026-10-03 00:00:00");
    }
}
