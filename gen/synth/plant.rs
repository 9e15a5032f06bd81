//! Planted problems (`--plant`): known anomalies put into otherwise ordinary data so that
//! an analysis (the `risks` view) can be tested for finding them, and `truth/planted.csv`,
//! which says where each one is.
//!
//! Every choice a plant makes comes from a seed tree of its own, never from the main
//! streams: a data set without plants stays byte-identical to one made before plants
//! existed, and asking for one more plant does not move the others. The stages only ask
//! this module "does this order / payout / credit get planted?"; the truth files then
//! describe the changed data as they describe any other.

use std::ops::Range;

use chrono::NaiveDate;
use rand::Rng;
use rand::seq::index::sample;

use super::plant_kind::Plant;

use super::GenOptions;
use super::book::{BankKind, BankLine};
use super::clock::{Clock, DAY, HOUR};
use super::draw::{GenRng, SeedTree};
use super::logistics_plant::LogiPlan;
use super::model::World;
use super::platform::Platform;

/// Fee lines of the planted platform-month are this many times the usual amount.
pub(super) const FEE_FACTOR: i64 = 3;
/// Days the slow platform's payouts of the planted month arrive later than usual.
pub(super) const SLOW_DAYS: i64 = 20;
/// Share of the spike shop-month's orders picked to end fully refunded.
const SPIKE_PER_10K: usize = 4_000;

/// Salt of the plants' own seed tree: any fixed value other than 0 would do.
const SEED_SALT: u64 = 0x706c_616e_7465_6421;

/// A calendar month as `(year, month)`.
type Month = (i32, u32);

const FEE_MONTH: Month = (2026, 8);
const SLOW_MONTH: Month = (2026, 7);
const SPIKE_MONTH: Month = (2026, 6);

pub struct FeeChange {
    pub platform: Platform,
    pub(super) month: Month,
    pub(super) days: Range<i64>,
}

pub struct SlowPlatform {
    pub platform: Platform,
    pub(super) month: Month,
    pub(super) days: Range<i64>,
}

pub struct RefundSpike {
    pub shop: usize,
    pub(super) month: Month,
    pub(super) days: Range<i64>,
    /// Order indices (as in `Book::orders`) picked to be refunded in full, sorted.
    pub(super) picked: Vec<u32>,
    rng: GenRng,
}

pub struct DuplicatePayment {
    rng: GenRng,
}

/// Where each requested plant goes. A plant whose month lies outside the period, or
/// whose platform has no shop, is left out and plants nothing.
#[derive(Default)]
pub struct Plan {
    pub fee: Option<FeeChange>,
    pub slow: Option<SlowPlatform>,
    pub spike: Option<RefundSpike>,
    pub duplicate: Option<DuplicatePayment>,
    /// The warehouse's kinds (logistics_plant.rs), if any is asked for.
    pub logistics: Option<LogiPlan>,
    /// Whether `--plant` was given at all (then `truth/planted.csv` is written).
    pub any: bool,
}

/// Days of `month` inside the period, as day numbers from the start; `None` if none are.
fn month_days(clock: &Clock, (y, m): Month) -> Option<Range<i64>> {
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(y, m + 1, 1)? };
    let from = (first - clock.start).num_days().max(0);
    let to = (next - clock.start).num_days().min(i64::from(clock.days));
    (from < to).then_some(from..to)
}

pub(super) fn month_str((y, m): Month) -> String {
    format!("{y:04}-{m:02}")
}

/// The preferred platform if one of the shops sells on it, else the first wallet platform.
fn platform_or_first(world: &World, preferred: Platform) -> Option<Platform> {
    let platforms = || world.shops.iter().map(|s| s.platform).filter(|&p| p != Platform::B2b);
    platforms().find(|&p| p == preferred).or_else(|| platforms().next())
}

impl Plan {
    pub fn new(opts: &GenOptions, world: &World, clock: &Clock) -> Plan {
        // Children are taken in a fixed order whatever is asked for, so each plant's
        // choices depend on the seed only.
        let mut seeds = SeedTree::new(opts.seed ^ SEED_SALT);
        let spike_rng = seeds.child();
        let dup_rng = seeds.child();
        let logistics_rng = seeds.child();
        let wants = |p: Plant| opts.plant.contains(&p);
        let mut plan = Plan {
            any: !opts.plant.is_empty(),
            logistics: LogiPlan::new(&opts.plant, logistics_rng),
            ..Plan::default()
        };
        if wants(Plant::FeeChange) {
            plan.fee = platform_or_first(world, Platform::Tmall)
                .zip(month_days(clock, FEE_MONTH))
                .map(|(platform, days)| FeeChange { platform, month: FEE_MONTH, days });
        }
        if wants(Plant::SlowPlatform) {
            plan.slow = platform_or_first(world, Platform::Pdd)
                .zip(month_days(clock, SLOW_MONTH))
                .map(|(platform, days)| SlowPlatform { platform, month: SLOW_MONTH, days });
        }
        if wants(Plant::RefundSpike) {
            let shop = platform_or_first(world, Platform::Douyin)
                .and_then(|p| world.shops.iter().position(|s| s.platform == p));
            plan.spike = shop.zip(month_days(clock, SPIKE_MONTH)).map(|(shop, days)| RefundSpike {
                shop,
                month: SPIKE_MONTH,
                days,
                picked: Vec::new(),
                rng: spike_rng,
            });
        }
        if wants(Plant::DuplicatePayment) {
            plan.duplicate = Some(DuplicatePayment { rng: dup_rng });
        }
        plan
    }

    /// What a fee line of an order placed on `day` on `platform` is multiplied by.
    pub fn fee_factor(&self, platform: Platform, day: i64) -> i64 {
        match &self.fee {
            Some(f) if f.platform == platform && f.days.contains(&day) => FEE_FACTOR,
            _ => 1,
        }
    }

    /// Days added to the bank arrival of a payout made on `day` on `platform`.
    pub fn payout_delay(&self, platform: Platform, day: i64) -> i64 {
        match &self.slow {
            Some(s) if s.platform == platform && s.days.contains(&day) => SLOW_DAYS,
            _ => 0,
        }
    }
}

impl RefundSpike {
    /// Picks the orders to refund, knowing before any order is made which shop and day
    /// each order index gets: a fixed share of the shop-month's orders, so "about 40%"
    /// does not hang on luck in a small set.
    pub fn pick(&mut self, shop_of: &[u8], per_day: &[u64]) {
        let mut idx = 0usize;
        let mut candidates = Vec::new();
        for (day, &k) in per_day.iter().enumerate() {
            for _ in 0..k {
                if self.days.contains(&(day as i64)) && usize::from(shop_of[idx]) == self.shop {
                    candidates.push(idx as u32);
                }
                idx += 1;
            }
        }
        let want = (candidates.len() * SPIKE_PER_10K).div_ceil(10_000);
        let mut picked: Vec<u32> =
            sample(&mut self.rng, candidates.len(), want).iter().map(|i| candidates[i]).collect();
        picked.sort_unstable();
        self.picked = picked;
    }

    pub fn refunds(&self, order: u32) -> bool {
        self.picked.binary_search(&order).is_ok()
    }

    /// When a planted refund follows the settlement: like a return, one to twenty days.
    pub fn refund_delay(&mut self) -> i64 {
        self.rng.random_range(DAY..20 * DAY)
    }
}

impl DuplicatePayment {
    /// Books one B2B customer credit twice: the copy has the same account, day, amount,
    /// payer and memo, comes a few hours later and pays no order. Its id and balance are
    /// given by `bank::finalize` like any line's. Nothing happens without a B2B credit.
    pub fn plant(&mut self, lines: &mut Vec<BankLine>) {
        let b2b: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].kind == BankKind::B2b).collect();
        if b2b.is_empty() {
            return;
        }
        let orig = b2b[self.rng.random_range(0..b2b.len())];
        let mut copy = lines[orig].clone();
        let day_end = (copy.t / DAY + 1) * DAY - 1;
        copy.t = (copy.t + self.rng.random_range(2 * HOUR..5 * HOUR)).min(day_end);
        copy.kind = BankKind::Duplicate;
        copy.b2b = Vec::new();
        lines[orig].copied = true;
        lines.push(copy);
    }

    /// The stream `bank::finalize` draws the copy's id digits from, so the main stream
    /// draws for the same lines as without the plant.
    pub fn rng(&mut self) -> &mut GenRng {
        &mut self.rng
    }
}
