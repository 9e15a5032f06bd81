//! Time as whole seconds from the period start, with fast formatting.
//!
//! Millions of timestamps are written, so dates come from a precomputed day table
//! instead of chrono's formatter; chrono is used only to build the table. A bank's
//! working days are Monday to Friday, or, with [`Clock::with_holidays`], the published
//! Chinese calendar recon keeps (`recon::calendar`): no credit on 国庆 or 春节, and the
//! make-up working days (调休) worked.

use chrono::{Datelike, Days, NaiveDate, Weekday};

pub const DAY: i64 = 86_400;
pub const HOUR: i64 = 3_600;
pub const MINUTE: i64 = 60;

#[derive(Clone, Copy)]
struct DayInfo {
    year: u16,
    month: u8,
    day: u8,
    /// 0 = Monday .. 6 = Sunday.
    weekday: u8,
    /// A bank books money on this day.
    bank_day: bool,
}

pub struct Clock {
    pub start: NaiveDate,
    pub days: u32,
    table: Vec<DayInfo>,
}

/// Days past the period end that can still be formatted (bank arrivals, lags).
const SLACK_DAYS: u32 = 400;

impl Clock {
    pub fn new(start: NaiveDate, days: u32) -> Self {
        let table = (0..days + SLACK_DAYS)
            .map(|d| {
                let date = start + Days::new(u64::from(d));
                DayInfo {
                    year: date.year() as u16,
                    month: date.month() as u8,
                    day: date.day() as u8,
                    weekday: date.weekday().num_days_from_monday() as u8,
                    bank_day: date.weekday().num_days_from_monday() < 5,
                }
            })
            .collect();
        Clock { start, days, table }
    }

    /// The same clock with the banks' working days of the published calendar: public
    /// holidays off, make-up working days on.
    pub fn with_holidays(mut self) -> Self {
        let cal = recon::calendar::Calendar::new(true, &[], &[]).expect("the built-in calendar is valid");
        const DAY_MICROS: i64 = 86_400_000_000;
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid constant date");
        for (d, info) in self.table.iter_mut().enumerate() {
            let micros = (self.start + Days::new(d as u64) - epoch).num_days() * DAY_MICROS;
            info.bank_day = cal.next_working_day(micros) == micros;
        }
        self
    }

    /// First second after the period (the export day, 00:00:00).
    pub fn end(&self) -> i64 {
        i64::from(self.days) * DAY
    }

    fn info(&self, day: i64) -> DayInfo {
        let i = day.clamp(0, self.table.len() as i64 - 1) as usize;
        self.table[i]
    }

    pub fn date(&self, day: i64) -> NaiveDate {
        self.start + Days::new(day.max(0) as u64)
    }

    pub fn month_of(&self, day: i64) -> u32 {
        u32::from(self.info(day).month)
    }

    /// The calendar month of `day` as one number (year × 12 + month − 1), for keys.
    pub fn month_index(&self, day: i64) -> i64 {
        let i = self.info(day);
        i64::from(i.year) * 12 + i64::from(i.month) - 1
    }

    pub fn day_of_month(&self, day: i64) -> u32 {
        u32::from(self.info(day).day)
    }

    pub fn weekday(&self, day: i64) -> Weekday {
        match self.info(day).weekday {
            0 => Weekday::Mon,
            1 => Weekday::Tue,
            2 => Weekday::Wed,
            3 => Weekday::Thu,
            4 => Weekday::Fri,
            5 => Weekday::Sat,
            _ => Weekday::Sun,
        }
    }

    /// Monday to Friday (shoppers' weekdays, whatever the banks do).
    pub fn is_weekday(&self, day: i64) -> bool {
        self.info(day).weekday < 5
    }

    /// A day on which a bank books money.
    pub fn is_workday(&self, day: i64) -> bool {
        self.info(day).bank_day
    }

    /// `day` itself when it is a working day, else the next one.
    pub fn roll_to_workday(&self, mut day: i64) -> i64 {
        // Past the table every day looks like its last one: stop there.
        while !self.is_workday(day) && day < self.table.len() as i64 {
            day += 1;
        }
        day
    }

    /// The working day `n` working days after `day` (rolled first).
    pub fn add_workdays(&self, day: i64, n: u32) -> i64 {
        let mut d = self.roll_to_workday(day);
        for _ in 0..n {
            d = self.roll_to_workday(d + 1);
        }
        d
    }

    /// [`Clock::push_datetime`], or nothing for a time that has not come (not yet paid,
    /// not yet shipped): the cell stays blank.
    pub fn push_datetime_or_blank(&self, out: &mut String, t: Option<i64>) {
        if let Some(t) = t {
            self.push_datetime(out, t);
        }
    }

    /// `2026-03-01 12:34:56`
    pub fn push_datetime(&self, out: &mut String, t: i64) {
        self.push_date(out, t.div_euclid(DAY));
        out.push(' ');
        push_hms(out, t.rem_euclid(DAY));
    }

    /// `2026-03-01`
    pub fn push_date(&self, out: &mut String, day: i64) {
        let d = self.info(day);
        push_num(out, u64::from(d.year), 4);
        out.push('-');
        push_num(out, u64::from(d.month), 2);
        out.push('-');
        push_num(out, u64::from(d.day), 2);
    }

    /// `20260301`
    pub fn push_compact_date(&self, out: &mut String, day: i64) {
        let d = self.info(day);
        push_num(out, u64::from(d.year), 4);
        push_num(out, u64::from(d.month), 2);
        push_num(out, u64::from(d.day), 2);
    }

    /// `260301`, as in Pinduoduo order ids.
    pub fn push_yymmdd(&self, out: &mut String, day: i64) {
        let d = self.info(day);
        push_num(out, u64::from(d.year % 100), 2);
        push_num(out, u64::from(d.month), 2);
        push_num(out, u64::from(d.day), 2);
    }

    pub fn datetime(&self, t: i64) -> String {
        let mut s = String::with_capacity(19);
        self.push_datetime(&mut s, t);
        s
    }

    pub fn compact_date(&self, day: i64) -> String {
        let mut s = String::with_capacity(8);
        self.push_compact_date(&mut s, day);
        s
    }

    /// `2026年01月01日`
    pub fn cn_date(&self, day: i64) -> String {
        let d = self.info(day);
        format!("{:04}年{:02}月{:02}日", d.year, d.month, d.day)
    }
}

/// `14:02:11` for a second of the day.
pub fn push_hms(out: &mut String, secs: i64) {
    let s = secs.rem_euclid(DAY) as u64;
    push_num(out, s / 3600, 2);
    out.push(':');
    push_num(out, s / 60 % 60, 2);
    out.push(':');
    push_num(out, s % 60, 2);
}

/// Decimal digits of `v`, zero-padded to at least `width`.
pub fn push_num(out: &mut String, v: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in (buf.len() - i)..width {
        out.push('0');
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_workdays() {
        let c = Clock::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 304);
        assert_eq!(c.datetime(0), "2026-01-01 00:00:00");
        assert_eq!(c.datetime(59 * DAY + 12 * HOUR + 34 * MINUTE + 56), "2026-03-01 12:34:56");
        assert_eq!(c.datetime(c.end() - 1), "2026-10-31 23:59:59");
        assert_eq!(c.compact_date(275), "20261003");
        let mut s = String::new();
        c.push_yymmdd(&mut s, 275);
        assert_eq!(s, "261003");
        // 2026-01-03 is a Saturday, so it rolls to Monday the 5th.
        assert!(!c.is_workday(2));
        assert_eq!(c.roll_to_workday(2), 4);
        assert_eq!(c.add_workdays(1, 1), 4);
        // 2026-11-01, the export day, is a Sunday.
        assert_eq!(c.weekday(304), Weekday::Sun);

        // With the published calendar: 国庆 2026 (10-01 to 10-07) is off, Saturday
        // 10-10 is worked; a withdrawal of 09-30 is credited on 10-08 at the earliest.
        let h = Clock::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 304).with_holidays();
        let day = |m: u32, d: u32| (NaiveDate::from_ymd_opt(2026, m, d).unwrap() - h.start).num_days();
        assert!(h.is_weekday(day(10, 1)) && !h.is_workday(day(10, 1)));
        assert!(!h.is_weekday(day(10, 10)) && h.is_workday(day(10, 10)));
        assert_eq!(h.add_workdays(day(9, 30), 1), day(10, 8));
        assert_eq!(h.roll_to_workday(day(2, 15)), day(2, 24));
        assert!(c.is_workday(day(10, 1)), "plain weekdays without the calendar");
    }
}
