//! Working days as Chinese banks keep them: Monday to Friday, less the public holidays,
//! plus the make-up working days (调休上班) that move a weekend into the week. A
//! withdrawal sent before 国庆 or 春节 arrives after the holiday, so a matching window
//! counted in plain weekdays would expire over it.
//!
//! The calendars the State Council published (国务院办公厅关于部分节假日安排的通知) are
//! built in for the years below; for a later year, or a merchant whose bank keeps other
//! days, settings.toml adds its own:
//!
//! ```toml
//! [calendar]
//! holidays = ["2027-01-01"]     # days off, beyond the built-in calendar
//! workdays = ["2027-02-20"]     # weekend days that are working days
//! builtin = false               # leave out the built-in calendar (default true)
//! ```
//!
//! The days in force are the `calendar_days` table in SQL.

use chrono::{Datelike, NaiveDate};

/// (first day, last day) of each official holiday, and the make-up working days, per
/// published year.
struct Year {
    off: &'static [(&'static str, &'static str, &'static str)],
    on: &'static [&'static str],
}

/// 国办发明电〔2022〕16号, 〔2023〕7号, 〔2024〕12号 and the notice of 2025-11-04.
const PUBLISHED: &[Year] = &[
    // 2023
    Year {
        off: &[
            ("2022-12-31", "2023-01-02", "元旦"),
            ("2023-01-21", "2023-01-27", "春节"),
            ("2023-04-05", "2023-04-05", "清明节"),
            ("2023-04-29", "2023-05-03", "劳动节"),
            ("2023-06-22", "2023-06-24", "端午节"),
            ("2023-09-29", "2023-10-06", "中秋节、国庆节"),
        ],
        on: &["2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08"],
    },
    // 2024
    Year {
        off: &[
            ("2024-01-01", "2024-01-01", "元旦"),
            ("2024-02-10", "2024-02-17", "春节"),
            ("2024-04-04", "2024-04-06", "清明节"),
            ("2024-05-01", "2024-05-05", "劳动节"),
            ("2024-06-10", "2024-06-10", "端午节"),
            ("2024-09-15", "2024-09-17", "中秋节"),
            ("2024-10-01", "2024-10-07", "国庆节"),
        ],
        on: &[
            "2024-02-04",
            "2024-02-18",
            "2024-04-07",
            "2024-04-28",
            "2024-05-11",
            "2024-09-14",
            "2024-09-29",
            "2024-10-12",
        ],
    },
    // 2025
    Year {
        off: &[
            ("2025-01-01", "2025-01-01", "元旦"),
            ("2025-01-28", "2025-02-04", "春节"),
            ("2025-04-04", "2025-04-06", "清明节"),
            ("2025-05-01", "2025-05-05", "劳动节"),
            ("2025-05-31", "2025-06-02", "端午节"),
            ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
        ],
        on: &["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    },
    // 2026
    Year {
        off: &[
            ("2026-01-01", "2026-01-03", "元旦"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-04-04", "2026-04-06", "清明节"),
            ("2026-05-01", "2026-05-05", "劳动节"),
            ("2026-06-19", "2026-06-21", "端午节"),
            ("2026-09-25", "2026-09-27", "中秋节"),
            ("2026-10-01", "2026-10-07", "国庆节"),
        ],
        on: &["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    },
];

const DAY_MICROS: i64 = 86_400_000_000;

/// Days since 1970-01-01.
fn epoch_day(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")).num_days()
}

fn parse(day: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| format!("'{day}' is not a date like 2027-01-01"))
}

/// Monday = 0 … Sunday = 6; day 0 (1970-01-01) was a Thursday.
fn weekday(d: i64) -> i64 {
    (d + 3).rem_euclid(7)
}

/// Monday-to-Friday days in [0, d).
fn weekdays_before(d: i64) -> i64 {
    let (weeks, rest) = (d.div_euclid(7), d.rem_euclid(7));
    weeks * 5 + (0..rest).filter(|k| weekday(*k) < 5).count() as i64
}

/// One day of the calendar as `calendar_days` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day {
    pub day: NaiveDate,
    /// false: a holiday; true: a weekend day worked.
    pub working: bool,
    pub why: String,
}

/// The working-day calendar in force.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    /// Weekdays that are holidays, sorted, as epoch days.
    off: Vec<i64>,
    /// Weekend days that are working days, sorted.
    on: Vec<i64>,
    days: Vec<Day>,
}

impl Calendar {
    /// Plain Monday to Friday.
    pub fn weekdays() -> Calendar {
        Calendar::default()
    }

    /// The built-in calendar (when `builtin`), with the merchant's days added; a day
    /// given as both off and on is refused.
    pub fn new(builtin: bool, holidays: &[String], workdays: &[String]) -> Result<Calendar, String> {
        let mut days: Vec<Day> = Vec::new();
        if builtin {
            for y in PUBLISHED {
                for (first, last, name) in y.off {
                    let (mut d, last) = (parse(first)?, parse(last)?);
                    while d <= last {
                        days.push(Day { day: d, working: false, why: format!("{name} (published calendar)") });
                        d = d.succ_opt().expect("a later date");
                    }
                }
                for d in y.on {
                    days.push(Day { day: parse(d)?, working: true, why: "调休上班 (published calendar)".into() });
                }
            }
        }
        let holidays = holidays.iter().map(|d| parse(d)).collect::<Result<Vec<_>, _>>()?;
        let workdays = workdays.iter().map(|d| parse(d)).collect::<Result<Vec<_>, _>>()?;
        if let Some(d) = holidays.iter().find(|d| workdays.contains(d)) {
            return Err(format!("{d} is given both as a holiday and as a working day"));
        }
        // The merchant's days replace the built-in calendar's.
        for (list, working) in [(&holidays, false), (&workdays, true)] {
            for &day in list {
                days.retain(|x| x.day != day);
                days.push(Day { day, working, why: "settings.toml".into() });
            }
        }
        days.sort_by_key(|d| d.day);
        days.dedup_by_key(|d| d.day);
        let is_weekend = |d: &Day| d.day.weekday().num_days_from_monday() >= 5;
        let off = days.iter().filter(|d| !d.working && !is_weekend(d)).map(|d| epoch_day(d.day)).collect();
        let on = days.iter().filter(|d| d.working && is_weekend(d)).map(|d| epoch_day(d.day)).collect();
        Ok(Calendar { off, on, days })
    }

    pub fn days(&self) -> &[Day] {
        &self.days
    }

    fn is_working(&self, d: i64) -> bool {
        if weekday(d) < 5 { self.off.binary_search(&d).is_err() } else { self.on.binary_search(&d).is_ok() }
    }

    /// Working days in (a, b], for a ≤ b.
    fn count(&self, a: i64, b: i64) -> i64 {
        let between = |v: &[i64]| (v.partition_point(|x| *x <= b) - v.partition_point(|x| *x <= a)) as i64;
        weekdays_before(b + 1) - weekdays_before(a + 1) - between(&self.off) + between(&self.on)
    }

    /// Midnight of the first working day on or after the day of `t` (microseconds): when a
    /// bank would book money sent at `t`.
    pub fn next_working_day(&self, t_micros: i64) -> i64 {
        let mut d = t_micros.div_euclid(DAY_MICROS);
        // Holidays never run longer than a few weeks; the bound only guards bad settings.
        for _ in 0..366 {
            if self.is_working(d) {
                break;
            }
            d += 1;
        }
        d * DAY_MICROS
    }

    /// Working days from the day of `a` to the day of `b` (microseconds): Friday to
    /// Monday is 1, the same day 0, negative when `b` is earlier. A day off counts from
    /// the working day after it, as a bank does with a withdrawal made on Saturday or
    /// on the first of October: to that next working day is 0.
    pub fn working_days(&self, a_micros: i64, b_micros: i64) -> i64 {
        let (da, db) = (a_micros.div_euclid(DAY_MICROS), b_micros.div_euclid(DAY_MICROS));
        if db < da {
            return -self.count(db, da);
        }
        let steps = self.count(da, db);
        if !self.is_working(da) && steps > 0 { steps - 1 } else { steps }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(day: &str) -> i64 {
        epoch_day(parse(day).unwrap()) * DAY_MICROS + 10 * 3_600_000_000
    }

    #[test]
    fn plain_weeks() {
        let c = Calendar::weekdays();
        let wd = |a: &str, b: &str| c.working_days(micros(a), micros(b));
        assert_eq!(wd("2026-10-02", "2026-10-02"), 0);
        assert_eq!(wd("2026-10-02", "2026-10-03"), 0);
        assert_eq!(wd("2026-10-02", "2026-10-05"), 1);
        assert_eq!(wd("2026-10-02", "2026-10-09"), 5);
        assert_eq!(wd("2026-10-05", "2026-10-02"), -1);
        assert_eq!(wd("2026-10-03", "2026-10-05"), 0);
        assert_eq!(wd("2026-10-04", "2026-10-06"), 1);
        assert_eq!(wd("2026-10-05", "2026-10-03"), -1);
    }

    #[test]
    fn holidays_and_make_up_days() {
        let c = Calendar::new(true, &[], &[]).unwrap();
        let wd = |a: &str, b: &str| c.working_days(micros(a), micros(b));
        // Sent on the last working day before 国庆 2026, credited on the first after it.
        assert_eq!(wd("2026-09-30", "2026-10-08"), 1);
        // Sent during the holiday: the first working day after it is 0.
        assert_eq!(wd("2026-10-03", "2026-10-08"), 0);
        // Saturday 2026-10-10 is a make-up working day.
        assert_eq!(wd("2026-10-09", "2026-10-10"), 1);
        assert_eq!(wd("2026-10-09", "2026-10-12"), 2);
        // Sunday 2026-09-20 is worked; 中秋 (25–27) is not.
        assert_eq!(wd("2026-09-18", "2026-09-21"), 2);
        assert_eq!(wd("2026-09-24", "2026-09-28"), 1);
        // 春节 2025: Tuesday 01-28 to Tuesday 02-04; Saturday 02-08 worked.
        assert_eq!(wd("2025-01-27", "2025-02-05"), 1);
        assert_eq!(wd("2025-02-07", "2025-02-10"), 2);
        assert_eq!(wd("2026-10-08", "2026-09-30"), -1);
        let day = |d: &str| epoch_day(parse(d).unwrap()) * DAY_MICROS;
        assert_eq!(c.next_working_day(micros("2026-10-01")), day("2026-10-08"));
        assert_eq!(c.next_working_day(micros("2026-09-20")), day("2026-09-20"));
        assert_eq!(c.next_working_day(micros("2026-10-11")), day("2026-10-12"));
        assert_eq!(c.days().iter().filter(|d| d.day.year() == 2026 && !d.working).count(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
    }

    #[test]
    fn the_merchants_own_days() {
        let c = Calendar::new(true, &["2027-01-01".into()], &["2027-01-02".into()]).unwrap();
        assert_eq!(c.working_days(micros("2026-12-31"), micros("2027-01-04")), 2);
        let none = Calendar::new(false, &[], &[]).unwrap();
        assert_eq!(none.working_days(micros("2026-09-30"), micros("2026-10-08")), 6);
        let e = Calendar::new(false, &["2027-01-01".into()], &["2027-01-01".into()]).unwrap_err();
        assert!(e.contains("both"), "{e}");
        assert!(Calendar::new(false, &["1/1/2027".into()], &[]).unwrap_err().contains("not a date"));
    }
}
