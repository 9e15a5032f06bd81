//! The current time, which tests can fix with `RECON_NOW` so that output is repeatable.

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime};

/// Now, in the local time zone; `RECON_NOW=2026-11-01T10:00:00+08:00` fixes it.
pub fn now() -> DateTime<FixedOffset> {
    if let Ok(fixed) = std::env::var("RECON_NOW")
        && let Ok(t) = DateTime::parse_from_rfc3339(fixed.trim())
    {
        return t;
    }
    Local::now().fixed_offset()
}

/// Wall-clock time as finance users read it, without the offset.
pub fn now_naive() -> NaiveDateTime {
    now().naive_local()
}
