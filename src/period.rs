//! Reconciliation periods by name: a day (`2026-10-07`), an ISO week (`2026-W41`) or a
//! month (`2026-10`), each a span of whole days, so a run, a close and a late import can
//! say which period they touch.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grain {
    Day,
    Week,
    Month,
}

impl std::str::FromStr for Grain {
    type Err = String;
    fn from_str(s: &str) -> Result<Grain, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" => Ok(Grain::Day),
            "week" | "weekly" => Ok(Grain::Week),
            "month" | "monthly" => Ok(Grain::Month),
            other => Err(format!("'{other}' is not a period: day, week or month")),
        }
    }
}

/// A named period: its first day and the day after its last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub label: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl Span {
    pub fn last_day(&self) -> NaiveDate {
        self.until.pred_opt().unwrap_or(self.until)
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.from < other.until && other.from < self.until
    }
}

/// The period `text` names, at `grain` when given (a date in a week or month stands for
/// it), else at the grain its form shows.
pub fn parse(grain: Option<Grain>, text: &str) -> Result<Span, String> {
    let text = text.trim();
    let bad =
        || format!("'{text}' is not a period: give a month (2026-10), an ISO week (2026-W41) or a day (2026-10-07)");
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let month = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok();
    let week = text
        .split_once(['W', 'w'])
        .and_then(|(y, w)| Some((y.trim_end_matches('-').parse::<i32>().ok()?, w.parse::<u32>().ok()?)))
        .and_then(|(y, w)| NaiveDate::from_isoywd_opt(y, w, Weekday::Mon));
    let grain = grain.unwrap_or(if day.is_some() {
        Grain::Day
    } else if week.is_some() {
        Grain::Week
    } else {
        Grain::Month
    });
    match grain {
        Grain::Day => {
            let d = day.ok_or_else(bad)?;
            Ok(Span { label: d.to_string(), from: d, until: d + Days::new(1) })
        }
        Grain::Week => {
            let monday = match (week, day) {
                (Some(m), _) => m,
                (None, Some(d)) => d - Days::new(u64::from(d.weekday().num_days_from_monday())),
                (None, None) => return Err(bad()),
            };
            let iso = monday.iso_week();
            Ok(Span { label: format!("{}-W{:02}", iso.year(), iso.week()), from: monday, until: monday + Days::new(7) })
        }
        Grain::Month => {
            let first = match (month, day) {
                (Some(m), _) => m,
                (None, Some(d)) => d.with_day(1).expect("day 1 exists"),
                (None, None) => return Err(bad()),
            };
            Ok(Span { label: first.format("%Y-%m").to_string(), from: first, until: first + Months::new(1) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(g: Option<Grain>, t: &str) -> (String, String, String) {
        let s = parse(g, t).unwrap();
        (s.label, s.from.to_string(), s.until.to_string())
    }

    #[test]
    fn periods_by_their_names() {
        assert_eq!(span(None, "2026-10"), ("2026-10".into(), "2026-10-01".into(), "2026-11-01".into()));
        assert_eq!(span(None, "2026-12"), ("2026-12".into(), "2026-12-01".into(), "2027-01-01".into()));
        assert_eq!(span(None, "2026-W41"), ("2026-W41".into(), "2026-10-05".into(), "2026-10-12".into()));
        assert_eq!(span(None, "2026-10-07"), ("2026-10-07".into(), "2026-10-07".into(), "2026-10-08".into()));
        assert_eq!(
            span(Some(Grain::Week), "2026-10-07"),
            ("2026-W41".into(), "2026-10-05".into(), "2026-10-12".into())
        );
        assert_eq!(
            span(Some(Grain::Month), "2026-10-07"),
            ("2026-10".into(), "2026-10-01".into(), "2026-11-01".into())
        );
        assert!(parse(None, "October").unwrap_err().contains("not a period"));
        assert!(parse(Some(Grain::Day), "2026-10").is_err());
        assert!("fortnight".parse::<Grain>().is_err());
        let oct = parse(None, "2026-10").unwrap();
        assert!(oct.overlaps(&parse(None, "2026-10-31").unwrap()));
        assert!(!oct.overlaps(&parse(None, "2026-11-01").unwrap()));
    }
}
