//! The workspace's settings (`settings.toml`): the knobs of matching and receivables, with defaults
//! that suit Chinese platforms and banks. Views read them from the `recon_settings`
//! table, so changing a setting changes every view.
//!
//! ```toml
//! [matching]
//! window_days = 5          # working days a payout may take to reach the bank
//! fee_tolerance = "5.00"   # the largest bank fee deducted from a payout on its way
//! transfer_fee_tolerance = "2.00"   # the largest fee a customer's bank takes from a transfer
//! ref_min_length = 6       # the fewest characters of a cut serial that still name a payout or order
//! b2b_window_days = 60     # days after an order in which a business customer pays
//! name_threshold = 0.85    # party_similarity of two normalised names that counts as the same party
//! candidate_limit = 256    # the most credits an order (orders a credit) is paired with by name alone
//!
//! [receivables]
//! cycle_days = { tmall = 15, jd = 15 }   # days from shipment to settlement (else learned from the data)
//! aging_buckets = [30, 60, 90]           # days overdue: 0-30, 31-60, 61-90, 90+
//!
//! [platforms]
//! aliases = { "有赞商城" = "youzan" }    # a channel's name → the platform that settles it
//!
//! [calendar]
//! holidays = ["2027-01-01"]              # days off beyond the published calendar (built in)
//! workdays = ["2027-02-20"]              # weekend days worked (调休上班)
//!
//! [limits]
//! statement_timeout = 600                # seconds a statement may run (0: none); --timeout overrides
//! max_text_length = 1000000              # the longest text repeat, lpad, rpad may build
//!
//! [couriers]
//! tolerance = "0.50"                     # a courier's fee this much above the contract is an overcharge
//! rates = { "中通快递" = { first_kg = "5.00", extra_kg = "2.00" } }   # contracted rates, per courier
//! ```

use serde::Deserialize;

use crate::workspace::Workspace;

pub const FILE: &str = crate::workspace::SETTINGS_FILE;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub matching: Matching,
    #[serde(default)]
    pub receivables: Receivables,
    #[serde(default)]
    pub couriers: Couriers,
    #[serde(default)]
    pub platforms: Platforms,
    #[serde(default)]
    pub calendar: CalendarSettings,
    #[serde(default)]
    pub limits: Limits,
}

/// What one statement may use: time, and text a function may build (a `repeat` of a
/// billion characters is memory no pool accounts for).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Seconds a statement may run (0: no limit); `--timeout` overrides it.
    pub statement_timeout: u64,
    /// The longest text (characters) or list `repeat`, `lpad`, `rpad`, `array_repeat` may build.
    pub max_text_length: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { statement_timeout: 600, max_text_length: 1_000_000 }
    }
}

/// The merchant's working-day calendar (crate::calendar): days added to, or instead of,
/// the published Chinese calendar.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarSettings {
    pub builtin: bool,
    pub holidays: Vec<String>,
    pub workdays: Vec<String>,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        CalendarSettings { builtin: true, holidays: Vec::new(), workdays: Vec::new() }
    }
}

/// The merchant's own names for channels (crate::platforms).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Platforms {
    /// Channel name → platform, beside and before the built-in ones.
    pub aliases: std::collections::BTreeMap<String, String>,
}

/// What the merchant agreed with each courier: a price for the first kilogram and one for
/// every further kilogram begun, of the billed weight.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CourierRate {
    pub first_kg: String,
    pub extra_kg: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Couriers {
    /// How far above the contracted fee a bill may be before it is an overcharge.
    pub tolerance: String,
    /// The ones given replace the defaults for their courier.
    pub rates: std::collections::BTreeMap<String, CourierRate>,
}

impl Default for Couriers {
    fn default() -> Self {
        Couriers { tolerance: "0.50".into(), rates: std::collections::BTreeMap::new() }
    }
}

/// Contracted e-commerce rates typical of a merchant shipping a few thousand parcels a
/// month from Zhejiang: (courier, first kg, each further kg).
pub const DEFAULT_COURIER_RATES: [(&str, &str, &str); 7] = [
    ("中通快递", "4.50", "1.50"),
    ("圆通速递", "4.50", "1.50"),
    ("韵达快递", "4.30", "1.50"),
    ("申通快递", "4.20", "1.50"),
    ("极兔速递", "4.00", "1.40"),
    ("顺丰速运", "12.00", "5.00"),
    ("京东物流", "10.00", "4.00"),
];

impl Couriers {
    /// Every courier's contracted rate: the defaults, replaced by the ones configured.
    pub fn table(&self) -> Vec<(String, CourierRate)> {
        let mut all: std::collections::BTreeMap<String, CourierRate> = DEFAULT_COURIER_RATES
            .iter()
            .map(|(c, f, e)| (c.to_string(), CourierRate { first_kg: f.to_string(), extra_kg: e.to_string() }))
            .collect();
        all.extend(self.rates.iter().map(|(k, v)| (k.clone(), v.clone())));
        all.into_iter().collect()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Receivables {
    /// Days from shipment until the platform should have settled an order; the ones given
    /// win over what the data shows and the defaults.
    pub cycle_days: std::collections::BTreeMap<String, i64>,
    /// Upper ends of the aging buckets, in days overdue.
    pub aging_buckets: Vec<i64>,
}

impl Default for Receivables {
    fn default() -> Self {
        Receivables { cycle_days: std::collections::BTreeMap::new(), aging_buckets: vec![30, 60, 90] }
    }
}

/// How long each platform usually takes from shipment to settlement when the data does
/// not show it yet (receivable_terms learns it from 30 settled orders): confirmation of
/// receipt (auto-confirmed 10–15 days after shipment on Tmall/Taobao, Pinduoduo, Douyin)
/// plus the platform's settlement cycle; B2B customers on 30-day terms.
const DEFAULT_CYCLE_DAYS: [(&str, i64); 10] = [
    ("tmall", 15),
    ("alipay", 15),
    ("jd", 15),
    ("douyin", 15),
    ("pdd", 15),
    ("wechat", 10),
    ("amazon", 14),
    ("shopify", 5),
    ("b2b", 30),
    ("default", 15),
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Matching {
    pub window_days: i64,
    pub fee_tolerance: String,
    /// The largest fee a customer's bank takes from a transfer (the order's fee, not owed).
    pub transfer_fee_tolerance: String,
    pub b2b_window_days: i64,
    pub name_threshold: f64,
    /// The fewest characters of a cut serial in a memo that still name a payout or order.
    pub ref_min_length: i64,
    /// The most credits an order, or orders a credit, is paired with by name alone; past
    /// it, on both sides, only credits of the order's amount (whole or a deposit's tenths).
    pub candidate_limit: i64,
}

impl Default for Matching {
    fn default() -> Self {
        Matching {
            window_days: 5,
            fee_tolerance: "5.00".into(),
            transfer_fee_tolerance: "2.00".into(),
            b2b_window_days: 60,
            name_threshold: 0.85,
            ref_min_length: 6,
            candidate_limit: 256,
        }
    }
}

impl Settings {
    pub fn load(ws: &Workspace) -> Result<Settings, String> {
        let path = ws.root().join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Settings::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// The settings `text` holds, checked as every reader needs them (amounts that are
    /// amounts, a calendar that builds, rising aging buckets); errors start with `name`.
    pub fn parse(text: &str, name: &str) -> Result<Settings, String> {
        let s: Settings = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        for (courier, rate) in s.couriers.table() {
            for (field, v) in [("first_kg", &rate.first_kg), ("extra_kg", &rate.extra_kg)] {
                if crate::values::parse_money(v).is_err() {
                    return Err(format!("{name}: couriers.rates.{courier}.{field} = {v:?} is not an amount"));
                }
            }
        }
        if crate::values::parse_money(&s.couriers.tolerance).is_err() {
            return Err(format!("{name}: couriers.tolerance = {:?} is not an amount", s.couriers.tolerance));
        }
        if s.matching.candidate_limit < 0 {
            return Err(format!("{name}: matching.candidate_limit must be 0 or more"));
        }
        s.calendar().map_err(|e| format!("{name}: calendar: {e}"))?;
        let b = &s.receivables.aging_buckets;
        if b.is_empty() || b[0] < 1 || b.windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!("{name}: aging_buckets must be rising numbers of days, such as [30, 60, 90]"));
        }
        Ok(s)
    }

    /// The working-day calendar in force.
    pub fn calendar(&self) -> Result<crate::calendar::Calendar, String> {
        let c = &self.calendar;
        crate::calendar::Calendar::new(c.builtin, &c.holidays, &c.workdays)
    }

    /// The settings as (name, value) rows for the `recon_settings` table.
    /// Aging buckets must rise; checked here so every reader gets the same error.
    pub fn rows(&self) -> Vec<(String, String)> {
        let m = &self.matching;
        let mut rows = vec![
            ("window_days".into(), m.window_days.to_string()),
            ("fee_tolerance".into(), m.fee_tolerance.clone()),
            ("transfer_fee_tolerance".into(), m.transfer_fee_tolerance.clone()),
            ("ref_min_length".into(), m.ref_min_length.to_string()),
            ("b2b_window_days".into(), m.b2b_window_days.to_string()),
            ("name_threshold".into(), m.name_threshold.to_string()),
            ("candidate_limit".into(), m.candidate_limit.to_string()),
            ("courier_tolerance".into(), self.couriers.tolerance.clone()),
        ];
        // What the merchant fixed, apart from recon's defaults: the data overrules only
        // the defaults (receivable_terms).
        rows.extend(DEFAULT_CYCLE_DAYS.iter().map(|(k, v)| (format!("default_cycle_days.{k}"), v.to_string())));
        rows.extend(
            self.receivables
                .cycle_days
                .iter()
                .map(|(k, v)| (format!("cycle_days.{}", k.to_lowercase()), v.to_string())),
        );
        // Buckets as `lo-hi` (the last `lo+`), numbered in order.
        let mut lo = 0;
        let mut n = 0;
        for hi in &self.receivables.aging_buckets {
            n += 1;
            rows.push((format!("aging_bucket.{n}"), format!("{lo}-{hi}")));
            lo = hi + 1;
        }
        // The last is "more than the last end": 90+.
        rows.push((format!("aging_bucket.{}", n + 1), format!("{}+", lo - 1)));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        assert_eq!(Settings::load(&ws).unwrap().matching.window_days, 5);
        std::fs::write(ws.root().join(FILE), "[matching]\nwindow_days = 3\n").unwrap();
        let s = Settings::load(&ws).unwrap();
        assert_eq!((s.matching.window_days, s.matching.fee_tolerance.as_str()), (3, "5.00"));
        std::fs::write(ws.root().join(FILE), "[receivables]\ncycle_days = { tmall = 7 }\naging_buckets = [15, 45]\n")
            .unwrap();
        let rows = Settings::load(&ws).unwrap().rows();
        for want in [
            ("cycle_days.tmall", "7"),
            ("default_cycle_days.jd", "15"),
            ("aging_bucket.1", "0-15"),
            ("aging_bucket.3", "45+"),
        ] {
            assert!(rows.iter().any(|(k, v)| k == want.0 && v == want.1), "{want:?} in {rows:?}");
        }
        std::fs::write(ws.root().join(FILE), "[receivables]\naging_buckets = [60, 30]\n").unwrap();
        assert!(Settings::load(&ws).unwrap_err().contains("rising"));
        std::fs::write(ws.root().join(FILE), "[matching]\nwindow = 3\n").unwrap();
        assert!(Settings::load(&ws).unwrap_err().contains("unknown field"));
        std::fs::write(ws.root().join(FILE), "[matching]\ncandidate_limit = -1\n").unwrap();
        assert!(Settings::load(&ws).unwrap_err().contains("candidate_limit"));
    }
}
