//! Planted problems (`--plant`): known anomalies put into otherwise ordinary data so that
//! an analysis (the `risks` view) can be tested for finding them, and `truth/planted.csv`,
//! which says where each one is.
//!
//! Every choice a plant makes comes from a seed tree of its own, never from the main
//! streams: a data set without plants stays byte-identical to one made before plants
//! existed, and asking for one more plant does not move the others. The stages only ask
//! this module "does this order / payout / credit get planted?"; the truth files then
//! describe the changed data as they describe any other.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::seq::index::sample;

use super::bank::{BankKind, BankLine, Banks};
use super::clock::{Clock, DAY, HOUR};
use super::draw::{GenRng, SeedTree};
use super::logistics_plant::LogiPlan;
use super::model::{Platform, World};
use super::money::cents_str;
use super::orders::Book;
use super::truth::{account_no, status};
use super::wallet::Wallets;
use super::write::{CsvOut, Enc, Row};
use super::{GenError, GenOptions, GeneratedFile};

pub const PLANTED_FILE: &str = "truth/planted.csv";
pub const PLANTED_HEADER: &[&str] = &["kind", "platform", "shop", "reference", "month", "detail"];

/// Fee lines of the planted platform-month are this many times the usual amount.
const FEE_FACTOR: i64 = 3;
/// Days the slow platform's payouts of the planted month arrive later than usual.
const SLOW_DAYS: i64 = 20;
/// Share of the spike shop-month's orders picked to end fully refunded.
const SPIKE_PER_10K: usize = 4_000;

/// Salt of the plants' own seed tree: any fixed value other than 0 would do.
const SEED_SALT: u64 = 0x706c_616e_7465_6421;

/// One kind of planted problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Plant {
    /// One platform's fee lines tripled in one month.
    FeeChange,
    /// One B2B customer payment booked twice by the bank.
    DuplicatePayment,
    /// One platform's payouts of one month reaching the bank weeks late.
    SlowPlatform,
    /// Four in ten orders of one shop-month refunded in full.
    RefundSpike,
    // The warehouse's (logistics_plant.rs): two instances each.
    /// A received return with a tracking number and no 退件 bill line.
    ReturnNotCarried,
    /// A 退件 bill line of a parcel that is no return.
    ReturnNotInReturns,
    /// A withdrawn return (退款关闭) whose parcel was billed as carried back.
    ReturnState,
    /// A return booked into stock with another quantity than returned.
    ReturnQuantity,
    /// A courier bill line above the contracted fee.
    CourierOvercharge,
    /// A shipment billed twice.
    CourierTwice,
    /// A shipment of an order no export has.
    ShippedNotOrdered,
    /// An order paid more than a week before the export and never shipped.
    PaidNotShipped,
    /// A shipment of another quantity than ordered.
    ShippedQuantity,
    /// A shipment after the order's sale was settled.
    SettledBeforeShipment,
    /// A shipment without tracking number.
    LogisticsMissing,
    /// A shipment booked out of stock with another quantity than shipped.
    InventoryOut,
    /// A month-end stock count that differs from the stock book.
    StockCount,
}

impl Plant {
    /// The money side's kinds, as they were before the warehouse had any.
    pub const MONEY: [Plant; 4] = [Plant::FeeChange, Plant::DuplicatePayment, Plant::SlowPlatform, Plant::RefundSpike];

    /// The warehouse's kinds: what `--plant logistics` asks for.
    pub const LOGISTICS: [Plant; 13] = [
        Plant::ReturnNotCarried,
        Plant::ReturnNotInReturns,
        Plant::ReturnState,
        Plant::ReturnQuantity,
        Plant::CourierOvercharge,
        Plant::CourierTwice,
        Plant::ShippedNotOrdered,
        Plant::PaidNotShipped,
        Plant::ShippedQuantity,
        Plant::SettledBeforeShipment,
        Plant::LogisticsMissing,
        Plant::InventoryOut,
        Plant::StockCount,
    ];

    /// Every kind: the money side's, then the warehouse's.
    pub const ALL: [Plant; 17] = {
        let mut all = [Plant::FeeChange; 17];
        let mut i = 0;
        while i < all.len() {
            all[i] = if i < 4 { Self::MONEY[i] } else { Self::LOGISTICS[i - 4] };
            i += 1;
        }
        all
    };

    /// The name `--plant` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Plant::FeeChange => "fee-change",
            Plant::DuplicatePayment => "duplicate-payment",
            Plant::SlowPlatform => "slow-platform",
            Plant::RefundSpike => "refund-spike",
            Plant::ReturnNotCarried => "return-not-carried",
            Plant::ReturnNotInReturns => "return-not-in-returns",
            Plant::ReturnState => "return-state",
            Plant::ReturnQuantity => "return-quantity",
            Plant::CourierOvercharge => "courier-overcharge",
            Plant::CourierTwice => "courier-twice",
            Plant::ShippedNotOrdered => "shipped-not-ordered",
            Plant::PaidNotShipped => "paid-not-shipped",
            Plant::ShippedQuantity => "shipped-quantity",
            Plant::SettledBeforeShipment => "settled-before-shipment",
            Plant::LogisticsMissing => "logistics-missing",
            Plant::InventoryOut => "inventory-out",
            Plant::StockCount => "stock-count",
        }
    }

    /// The `kind` column of `truth/planted.csv`.
    pub fn kind(self) -> &'static str {
        match self {
            Plant::FeeChange => "fee_change",
            Plant::DuplicatePayment => "duplicate_payment",
            Plant::SlowPlatform => "slow_platform",
            Plant::RefundSpike => "refund_spike",
            Plant::ReturnNotCarried => "return_not_carried",
            Plant::ReturnNotInReturns => "return_not_in_returns",
            Plant::ReturnState => "return_state_differs",
            Plant::ReturnQuantity => "return_quantity_differs",
            Plant::CourierOvercharge => "courier_overcharge",
            Plant::CourierTwice => "courier_billed_twice",
            Plant::ShippedNotOrdered => "shipped_not_ordered",
            Plant::PaidNotShipped => "paid_not_shipped",
            Plant::ShippedQuantity => "shipped_quantity_differs",
            Plant::SettledBeforeShipment => "settled_before_shipment",
            Plant::LogisticsMissing => "logistics_missing",
            Plant::InventoryOut => "inventory_out_differs",
            Plant::StockCount => "stock_count_differs",
        }
    }

    /// Every value `--plant` takes: the money kinds, `logistics`, the warehouse's kinds.
    pub fn names() -> Vec<&'static str> {
        let money = Self::MONEY.iter().map(|p| p.as_str());
        let logistics = Self::LOGISTICS.iter().map(|p| p.as_str());
        money.chain(["logistics"]).chain(logistics).collect()
    }

    /// A `--plant` value: one kind, or `logistics` for all the warehouse's kinds.
    pub fn parse_list(s: &str) -> Result<Vec<Plant>, ParsePlantError> {
        if s.trim().eq_ignore_ascii_case("logistics") {
            return Ok(Plant::LOGISTICS.to_vec());
        }
        s.parse().map(|p| vec![p])
    }
}

impl fmt::Display for Plant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value given for `--plant` is not a known kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown plant {given:?}: expected one of {}", Plant::names().join(", "), given = .0)]
pub struct ParsePlantError(pub String);

impl FromStr for Plant {
    type Err = ParsePlantError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let want = s.trim().to_ascii_lowercase().replace('_', "-");
        Plant::ALL.into_iter().find(|p| p.as_str() == want).ok_or_else(|| ParsePlantError(s.to_string()))
    }
}

/// A calendar month as `(year, month)`.
type Month = (i32, u32);

const FEE_MONTH: Month = (2026, 8);
const SLOW_MONTH: Month = (2026, 7);
const SPIKE_MONTH: Month = (2026, 6);

pub struct FeeChange {
    pub platform: Platform,
    month: Month,
    days: Range<i64>,
}

pub struct SlowPlatform {
    pub platform: Platform,
    month: Month,
    days: Range<i64>,
}

pub struct RefundSpike {
    pub shop: usize,
    month: Month,
    days: Range<i64>,
    /// Order indices (as in `Book::orders`) picked to be refunded in full, sorted.
    picked: Vec<u32>,
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

fn month_str((y, m): Month) -> String {
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

/// `truth/planted.csv`: one row per problem actually planted.
pub fn write_planted(
    plan: &Plan,
    world: &World,
    clock: &Clock,
    book: &Book,
    wallets: &Wallets,
    banks: &Banks,
    out: &Path,
) -> Result<GeneratedFile, GenError> {
    let mut w = CsvOut::create(out, PLANTED_FILE, Enc::Utf8, false)?;
    w.header(PLANTED_HEADER)?;
    let mut r = Row::default();
    let mut row = |w: &mut CsvOut, cells: [&str; 6]| {
        r.clear();
        for c in cells {
            r.push(c);
        }
        w.row(&r)
    };
    if let Some(f) = &plan.fee {
        // Orders whose fee lines reached the wallet tripled.
        let n = book
            .orders
            .iter()
            .filter(|o| {
                world.shops[o.shop as usize].platform == f.platform && f.days.contains(&i64::from(o.day)) && o.fees > 0
            })
            .count();
        if n > 0 {
            let month = month_str(f.month);
            let detail = format!("commission x{FEE_FACTOR} (every fee line of {n} orders)");
            row(&mut w, [Plant::FeeChange.kind(), f.platform.code(), "", &month, &month, &detail])?;
        }
    }
    if let Some((orig, copy)) = banks.duplicate {
        let (a, b) = (&banks.lines[orig], &banks.lines[copy]);
        let d = clock.date(a.t / DAY);
        let reference = format!("{} / {}", a.txn_id, b.txn_id);
        let detail = format!("amount {} from {}", cents_str(a.amount), a.counterparty.trim());
        let month = month_str((d.year(), d.month()));
        row(&mut w, [Plant::DuplicatePayment.kind(), "", account_no(a.account), &reference, &month, &detail])?;
    }
    if let Some(s) = &plan.slow {
        let late = (0..wallets.payouts.len())
            .filter(|&i| {
                let p = &wallets.payouts[i];
                world.shops[p.shop].platform == s.platform
                    && s.days.contains(&(p.t / DAY))
                    && banks.payout_line[i].is_some()
            })
            .count();
        if late > 0 {
            let code = s.platform.code();
            let detail = format!("payouts {SLOW_DAYS} days late ({late} payouts)");
            row(&mut w, [Plant::SlowPlatform.kind(), code, "", code, &month_str(s.month), &detail])?;
        }
    }
    if let Some(sp) = &plan.spike {
        let shop = &world.shops[sp.shop];
        let month: Vec<_> = book
            .orders
            .iter()
            .filter(|o| usize::from(o.shop) == sp.shop && sp.days.contains(&i64::from(o.day)))
            .collect();
        let refunded = month.iter().filter(|o| status(o) == "refunded").count();
        if !sp.picked.is_empty() {
            let detail = format!("{refunded} of {} orders refunded", month.len());
            let kind = Plant::RefundSpike.kind();
            row(&mut w, [kind, shop.platform.code(), shop.name, shop.name, &month_str(sp.month), &detail])?;
        }
    }
    if let Some(l) = &plan.logistics {
        let mut rows: Vec<&(Plant, [String; 6])> = l.rows.iter().collect();
        rows.sort_by_key(|r| r.0);
        for (_, cells) in rows {
            row(&mut w, cells.each_ref().map(String::as_str))?;
        }
    }
    w.finish("truth")
}
