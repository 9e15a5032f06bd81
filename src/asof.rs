//! The instant time-dependent figures are computed as of: `--as-of` on any command,
//! `SET recon.as_of = '2026-10-31 23:59:59'` in the shell, now by default. SQL reads it
//! with `as_of()`, so month-end figures can be reproduced later. A session given none
//! pins one for itself (`Session::pin`): the first moment today its workspace state was
//! read, so the answers kept for that state serve every process of the day.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use datafusion::common::config::{ConfigExtension, ConfigOptions};
use datafusion::common::extensions_options;

extensions_options! {
    /// recon's own session settings: `SET recon.<name> = …`.
    pub struct ReconOptions {
        /// The instant time-dependent figures are computed as of; empty: now.
        pub as_of: String, default = String::new()
    }
}

impl ConfigExtension for ReconOptions {
    const PREFIX: &'static str = "recon";
}

static DEFAULT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The process's as-of (`--as-of`), which every session starts with.
pub fn set_default(as_of: &str) {
    let _ = DEFAULT.set(as_of.trim().to_string());
}

/// Options a new session starts with.
pub fn initial() -> ReconOptions {
    ReconOptions { as_of: DEFAULT.get().cloned().unwrap_or_default() }
}

/// `2026-10-31` (the end of that day), `2026-10-31 18:00[:00]`, or RFC 3339.
pub fn parse(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999)?));
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.naive_local())
}

/// The as-of instant a query runs with.
pub fn current(options: &ConfigOptions) -> Result<NaiveDateTime, String> {
    match options.extensions.get::<ReconOptions>().map(|o| o.as_of.trim()).filter(|s| !s.is_empty()) {
        None => Ok(crate::clock::now_naive()),
        Some(s) => parse(s).ok_or_else(|| {
            format!("recon.as_of '{s}' is not a time: give a date such as 2026-10-31 or 2026-10-31 23:59:59")
        }),
    }
}

/// What the computed views are cached under: the as-of setting as given.
pub fn key(options: &ConfigOptions) -> String {
    options.extensions.get::<ReconOptions>().map(|o| o.as_of.trim().to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_spellings() {
        assert_eq!(parse("2026-10-31").unwrap().to_string(), "2026-10-31 23:59:59.999999");
        assert_eq!(parse("2026-10-31 18:00").unwrap().to_string(), "2026-10-31 18:00:00");
        assert_eq!(parse("2026-10-31T08:00:00+08:00").unwrap().to_string(), "2026-10-31 08:00:00");
        assert!(parse("yesterday").is_none());
    }
}

/// The SQL name of the as-of function.
pub const FUNCTION: &str = "as_of";

/// `as_of()`: the instant the session computes as of, a timestamp.
#[derive(Debug, PartialEq, Eq, Hash)]
struct AsOfFn {
    signature: datafusion::logical_expr::Signature,
}

impl datafusion::logical_expr::ScalarUDFImpl for AsOfFn {
    fn name(&self) -> &str {
        FUNCTION
    }
    fn signature(&self) -> &datafusion::logical_expr::Signature {
        &self.signature
    }
    fn return_type(
        &self,
        _: &[datafusion::arrow::datatypes::DataType],
    ) -> datafusion::error::Result<datafusion::arrow::datatypes::DataType> {
        Ok(datafusion::arrow::datatypes::DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Microsecond, None))
    }
    fn invoke_with_args(
        &self,
        args: datafusion::logical_expr::ScalarFunctionArgs,
    ) -> datafusion::error::Result<datafusion::logical_expr::ColumnarValue> {
        let t = current(&args.config_options).map_err(datafusion::error::DataFusionError::Plan)?;
        Ok(datafusion::logical_expr::ColumnarValue::Scalar(datafusion::common::ScalarValue::TimestampMicrosecond(
            Some(t.and_utc().timestamp_micros()),
            None,
        )))
    }
    fn documentation(&self) -> Option<&datafusion::logical_expr::Documentation> {
        static DOC: std::sync::OnceLock<datafusion::logical_expr::Documentation> = std::sync::OnceLock::new();
        Some(DOC.get_or_init(|| {
            crate::udf::doc(
                "The instant figures are computed as of: `--as-of`, `SET recon.as_of = '2026-10-31'` (the end of that day), or now.",
                "as_of()",
                "SELECT order_id, due_date, as_of() - due_date AS late FROM receivables",
                &[],
            )
        }))
    }
}

pub fn udf() -> datafusion::logical_expr::ScalarUDF {
    datafusion::logical_expr::ScalarUDF::new_from_impl(AsOfFn {
        signature: datafusion::logical_expr::Signature::exact(vec![], datafusion::logical_expr::Volatility::Stable),
    })
}
