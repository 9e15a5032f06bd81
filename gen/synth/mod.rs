//! Synthetic data of one merchant selling on several platforms, with ground truth.
//!
//! `generate` writes platform order exports, wallet statements, two bank statements, the
//! warehouse's shipments, returns, courier bills and stock book, and a `truth/` folder that
//! says how everything really links up, so matching can be scored.
//! Everything is a pure function of [`GenOptions`]: one seeded ChaCha stream, no wall
//! clock, no hash-map iteration, hence byte-identical output for the same options.
//!
//! Pipeline: orders (streamed to the order files, wallet events kept compactly) → one
//! wallet per shop (settlement statement streamed, withdrawals collected; WeChat's trade
//! bill once its refunds are known) → bank (payout credits, B2B payments, unrelated
//! lines) → the warehouse (shipments decided with each order, from a seed tree of its
//! own; returns once the wallets have said which refunds were paid) → truth files, the
//! generator's own and, in `truth/score/`, the validation sets' format (score.rs).
//! Problems asked for with `--plant` are decided up front ([`plant::Plan`]) and put in by
//! each stage as it goes, from a random stream of their own.
//!
//! How varied the spelling is and how many traps there are is `--noise`'s
//! ([`model::NoiseProfile`]); how this merchant's exports spell things is drawn once per
//! data set ([`model::Style`]): channel words, id forms, optional columns.

mod b2b_pay;
mod bank;
mod bank_files;
mod bank_unrelated;
mod book;
mod catalogue;
mod clock;
mod draw;
mod even;
mod inventory;
mod ledger;
mod ledger_rows;
mod logistics;
mod logistics_files;
mod logistics_plant;
mod model;
mod money;
mod names;
mod order_files;
mod orders;
mod parties;
mod plant;
mod plant_kind;
mod planted;
mod platform;
mod score;
mod truth;
mod wallet;
mod wechat;
mod write;

#[cfg(test)]
mod clean_tests;
#[cfg(test)]
mod logistics_tests;
#[cfg(test)]
mod plant_tests;
#[cfg(test)]
mod test_read;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

pub use plant_kind::Plant;

/// What to generate. `Default` gives the documented period 2026-01-01 .. 2026-10-31.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    pub orders: u64,
    pub seed: u64,
    pub noise: Noise,
    pub start: NaiveDate,
    /// Length of the period in days; the data is "exported" on `start + days`.
    pub days: u32,
    /// Problems to plant; order and repeats do not matter. Empty: none, and no
    /// `truth/planted.csv`.
    pub plant: Vec<Plant>,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            orders: 10_000,
            seed: 1,
            noise: Noise::Low,
            start: NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid constant date"),
            days: 304,
            plant: Vec::new(),
        }
    }
}

impl GenOptions {
    /// The kinds asked for, each once, in a fixed order.
    pub fn plants(&self) -> Vec<Plant> {
        let mut v = self.plant.clone();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// How dirty the data is: `Low` has every kind of trap but rarely, `High` has many,
/// `None` has none: a clean set on which an analysis should find nothing serious (model.rs
/// `NoiseProfile::for_level` says what it leaves out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noise {
    None,
    Low,
    High,
}

impl Noise {
    pub fn as_str(self) -> &'static str {
        match self {
            Noise::None => "none",
            Noise::Low => "low",
            Noise::High => "high",
        }
    }
}

impl fmt::Display for Noise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value given for `--noise` was not `none`, `low` or `high`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown noise level {0:?}: expected \"none\", \"low\" or \"high\"")]
pub struct ParseNoiseError(pub String);

impl FromStr for Noise {
    type Err = ParseNoiseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(Noise::None),
            "low" => Ok(Noise::Low),
            "high" => Ok(Noise::High),
            _ => Err(ParseNoiseError(s.to_string())),
        }
    }
}

/// One file written by [`generate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the output directory, with `/` separators.
    pub path: String,
    /// `orders`, `settlements`, `bank`, `shipments`, `returns`, `courier`, `inventory` or
    /// `truth`.
    pub kind: &'static str,
    /// Data rows, not counting title, preamble, header or footer lines.
    pub rows: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenSummary {
    pub files: Vec<GeneratedFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("invalid options: {0}")]
    Options(String),
    #[error("cannot create directory {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot write {file}: {source}")]
    Io { file: String, source: std::io::Error },
    #[error("cannot write {file}: {source}")]
    Csv { file: String, source: csv::Error },
    #[error("cannot write {file}: {source}")]
    Xlsx { file: String, source: rust_xlsxwriter::XlsxError },
    #[error("cannot write {file}: {source}")]
    Json { file: String, source: serde_json::Error },
    #[error("cannot write {file}: text not representable in {encoding}")]
    Unencodable { file: String, encoding: &'static str },
}

/// Generates the whole data set under `out` (created if missing; existing files with the
/// same names are overwritten, nothing else is touched).
pub fn generate(opts: &GenOptions, out: &Path) -> Result<GenSummary, GenError> {
    // Days are stored as u16 per order; a century is more than any test needs.
    if opts.days == 0 || opts.days > 36_500 {
        return Err(GenError::Options(format!("days must be between 1 and 36500, got {}", opts.days)));
    }
    // Orders are indexed by u32 in the wallet events.
    if opts.orders > u64::from(u32::MAX / 2) {
        return Err(GenError::Options(format!("orders must be at most {}, got {}", u32::MAX / 2, opts.orders)));
    }
    let years_ok =
        opts.start.checked_add_days(chrono::Days::new(u64::from(opts.days) + 400)).is_some_and(|d| d.year() <= 9999);
    if !years_ok {
        return Err(GenError::Options("period ends after year 9999".into()));
    }
    for dir in ["orders", "settlements", "bank"].into_iter().chain(logistics_files::DIRS).chain(["truth"]) {
        let path = out.join(dir);
        std::fs::create_dir_all(&path).map_err(|source| GenError::CreateDir { path, source })?;
    }

    let mut seeds = draw::SeedTree::new(opts.seed);
    let noise = model::NoiseProfile::for_level(opts.noise);
    let clock = clock::Clock::new(opts.start, opts.days);
    let clock = if noise.holidays { clock.with_holidays() } else { clock };
    let mut world = model::World::new(&mut seeds.child());
    world.style = model::Style::new(&noise, &world.shops, &mut seeds.child());
    let mut plan = plant::Plan::new(opts, &world, &clock);
    let mut lg = logistics::Logistics::new(opts.seed, opts.orders);

    let mut files = Vec::new();
    let mut book = orders::generate_orders(opts, &world, &clock, &noise, &mut seeds, &mut plan, &mut lg, out)?;
    files.append(&mut book.files);

    let mut wallets = wallet::run_wallets(&world, &clock, &noise, &mut book, &mut seeds, out)?;
    files.append(&mut wallets.files);

    let banks = bank::run_bank(&world, &clock, &noise, &book, &wallets, &mut seeds, &mut plan);
    // What a B2B customer's bank kept of a transfer is the order's fee.
    for l in banks.lines.iter().filter(|l| l.kind == book::BankKind::B2b && l.fee > 0) {
        for &(plan, _) in &l.b2b {
            let o = &mut book.orders[book.b2b[plan].order as usize];
            o.settled -= l.fee;
            o.fees += l.fee;
        }
    }
    files.append(&mut bank_files::write_bank_files(&clock, &banks, out)?);

    lg.build_returns(&world, &clock, &book.orders);
    if let Some(l) = plan.logistics.as_mut() {
        l.after_returns(&mut lg, &world, &clock, &book.orders);
    }
    files.append(&mut logistics_files::write_all(&world, &clock, &book, &mut lg, out)?);

    files.append(&mut truth::write_truth(opts, &world, &clock, &book, &wallets, &banks, &plan, &files, out)?);
    Ok(GenSummary { files })
}
