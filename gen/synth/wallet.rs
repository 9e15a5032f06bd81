//! One platform wallet per shop: settlement lines in time order, the shop's withdrawal
//! habit, and the running balance, which never goes below zero.
//!
//! A withdrawal may take only what the wallet will not need later: the events are known in
//! advance, so the lowest future running sum tells how much must stay behind for refunds
//! still to come. A refund the wallet cannot cover yet waits for the next income.

use std::collections::VecDeque;
use std::path::Path;

use rand::Rng;

use super::book::DouyinFees;
use super::book::Line;
use super::book::{Book, Ev, EvKind, NO_ORDER, OrderRec, WxTrade};
use super::clock::{Clock, DAY, HOUR, MINUTE};
use super::draw::{GenRng, SeedTree, chance, one};
use super::ledger::Ledger;
use super::model::{Habit, NoiseProfile, Style, World};
use super::money::{Cents, YUAN, rate};
use super::platform::Platform;
use super::{GenError, GeneratedFile};

#[derive(Clone, Debug)]
pub struct Payout {
    pub shop: usize,
    pub t: i64,
    pub amount: Cents,
    /// The withdrawal line's id in the statement (empty for Pinduoduo, which has none).
    pub txn_id: String,
    /// The reference a bank memo may quote (the same id, Pinduoduo's or Douyin's 提现单号,
    /// WeChat's 微信支付业务单号).
    pub reference: String,
}

#[derive(Clone, Debug, Default)]
pub struct ShopWallet {
    pub file: String,
    pub lines: u64,
    pub income: Cents,
    pub expense: Cents,
    pub final_balance: Cents,
    pub withdrawals: u64,
    pub withdrawn: Cents,
    pub sales: Cents,
    pub fees: Cents,
    pub refunds: Cents,
    pub ad_spend: Cents,
    /// Deductions no column of a settlement row explains (Douyin).
    pub adjustments: Cents,
    /// Refunds that could not be covered before the export and were left out.
    pub dropped_refunds: u64,
    /// Records as recon stores them (a row with fee columns makes several).
    pub records: u64,
}

pub struct Wallets {
    pub payouts: Vec<Payout>,
    /// Indexed like `World::shops`; the B2B channel has an empty default.
    pub shops: Vec<ShopWallet>,
    pub files: Vec<GeneratedFile>,
}

pub fn run_wallets(
    world: &World,
    clock: &Clock,
    noise: &NoiseProfile,
    book: &mut Book,
    seeds: &mut SeedTree,
    out: &Path,
) -> Result<Wallets, GenError> {
    let mut w =
        Wallets { payouts: Vec::new(), shops: vec![ShopWallet::default(); world.shops.len()], files: Vec::new() };
    for (i, shop) in world.shops.iter().enumerate() {
        let mut rng = seeds.child();
        if shop.platform == Platform::B2b {
            continue;
        }
        let mut events = std::mem::take(&mut book.events[i]);
        if shop.platform == Platform::Tmall {
            add_ad_spend(clock, &mut events, &mut rng);
        }
        events.sort_by_key(|e| e.t);
        let (events, dropped) = make_coverable(events, &mut book.orders);
        let schedule = schedule(shop.habit, clock, &mut rng);
        let columns = (shop.platform == Platform::Douyin && noise.douyin_columns).then_some(&world.style);
        let mut ledger = Ledger::create(out, shop, i, clock, noise.dirty_per_10k, columns, &world.style)?;
        let sw = &mut w.shops[i];
        sw.dropped_refunds = dropped;
        let mut one = OneWallet {
            clock,
            noise,
            style: &world.style,
            habit: shop.habit,
            platform: shop.platform,
            columns: columns.is_some(),
            orders: &book.orders,
            shop: i,
            trades: &mut book.wx_trades,
        };
        one.run(&mut rng, &events, &schedule, &mut ledger, sw, &mut w.payouts)?;
        sw.income = ledger.income;
        sw.expense = ledger.expense;
        sw.lines = ledger.income_n + ledger.expense_n;
        sw.records = ledger.records;
        let files = ledger.finish(clock)?;
        sw.file = files.first().map(|f| f.path.clone()).unwrap_or_default();
        w.files.extend(files);
    }
    let mut trades = std::mem::take(&mut book.wx_trades);
    if let Some(f) = super::wechat::write_trade_bill(world, clock, book, &mut trades, out)? {
        w.files.push(f);
    }
    Ok(w)
}

/// Advertising top-ups on the first of each month: 1.5% of last month's sales, in hundreds.
fn add_ad_spend(clock: &Clock, events: &mut Vec<Ev>, rng: &mut GenRng) {
    let mut daily = vec![0 as Cents; clock.days as usize];
    for e in events.iter().filter(|e| e.kind == EvKind::Sale) {
        daily[(e.t / DAY) as usize] += e.amount;
    }
    let mut month_sales = 0;
    for (d, &s) in daily.iter().enumerate() {
        let d = d as i64;
        if d > 0 && clock.day_of_month(d) == 1 {
            let amount = rate(month_sales, 150) / (100 * YUAN) * (100 * YUAN);
            if amount > 0 {
                let t = d * DAY + rng.random_range(10 * HOUR..11 * HOUR);
                events.push(Ev::new(t, -amount, NO_ORDER, EvKind::AdSpend));
            }
            month_sales = 0;
        }
        month_sales += s;
    }
}

/// Moves refunds and top-ups the balance cannot cover to the next income that covers
/// them (after every line of that moment, so a settlement row keeps its fees beside it);
/// those still uncovered at the export are dropped, and their orders adjusted. A fee
/// given back with a refund goes with it.
fn make_coverable(events: Vec<Ev>, orders: &mut [OrderRec]) -> (Vec<Ev>, u64) {
    let mut out = Vec::with_capacity(events.len());
    let mut waiting: VecDeque<Ev> = VecDeque::new();
    let mut bal: Cents = 0;
    let n = events.len();
    for (i, ev) in events.iter().enumerate() {
        let deferrable = matches!(ev.kind, EvKind::Refund | EvKind::AdSpend | EvKind::FeeBack);
        if deferrable && (bal + ev.amount < 0 || !waiting.is_empty()) {
            waiting.push_back(*ev);
            continue;
        }
        bal += ev.amount;
        let t = ev.t;
        out.push(*ev);
        if i + 1 < n && events[i + 1].t == t {
            continue;
        }
        while let Some(front) = waiting.front() {
            if bal + front.amount < 0 {
                break;
            }
            let mut e = waiting.pop_front().expect("front exists");
            e.t = e.t.max(t);
            bal += e.amount;
            out.push(e);
        }
    }
    let mut dropped = 0;
    for e in waiting {
        match e.kind {
            EvKind::Refund => {
                orders[e.order as usize].refunded += e.amount;
                dropped += 1;
            }
            EvKind::FeeBack => orders[e.order as usize].fees += e.amount,
            _ => {}
        }
    }
    (out, dropped)
}

/// When the shop withdraws, by habit. Times are sorted.
fn schedule(habit: Habit, clock: &Clock, rng: &mut GenRng) -> Vec<i64> {
    let days = i64::from(clock.days);
    let mut v = Vec::new();
    match habit {
        Habit::DailyAuto => {
            for d in 1..days {
                v.push(d * DAY + rng.random_range(HOUR..3 * HOUR));
            }
        }
        Habit::Weekly => {
            for d in 0..days {
                if clock.weekday(d) == chrono::Weekday::Mon {
                    v.push(d * DAY + rng.random_range(9 * HOUR..11 * HOUR));
                }
            }
        }
        Habit::EveryFewDays => {
            let mut d = 2;
            while d < days {
                v.push(d * DAY + rng.random_range(8 * HOUR..20 * HOUR));
                d += rng.random_range(2..=3);
            }
        }
        Habit::Manual => {
            let mut d = rng.random_range(3..8);
            while d < days {
                v.push(d * DAY + rng.random_range(9 * HOUR..22 * HOUR));
                d += rng.random_range(3..=12);
            }
        }
    }
    v
}

/// How much to take out of `avail` (what may leave without starving later refunds).
fn withdraw_amount(habit: Habit, avail: Cents, noise: &NoiseProfile, rng: &mut GenRng) -> Cents {
    match habit {
        Habit::DailyAuto => avail.max(0),
        Habit::Weekly | Habit::EveryFewDays => {
            if avail >= YUAN {
                avail
            } else {
                0
            }
        }
        Habit::Manual => {
            if avail < 100 * YUAN {
                return 0;
            }
            if !chance(rng, noise.round_per_10k) {
                return avail;
            }
            // A round figure of the balance's own magnitude (10,000.00, 20,000.00 ...):
            // few and small multiples, so that equal amounts keep recurring.
            let mut step = 100 * YUAN;
            while step * 10 <= avail {
                step *= 10;
            }
            if step > 100 * YUAN && chance(rng, 3_000) {
                step /= 10;
            }
            let steps = one(rng, &[1, 1, 1, 2, 2, 3, 5]);
            steps.min(avail / step) * step
        }
    }
}

/// One shop's wallet as it runs: what the lines are written with.
struct OneWallet<'a> {
    clock: &'a Clock,
    noise: &'a NoiseProfile,
    style: &'a Style,
    habit: Habit,
    platform: Platform,
    /// Douyin's settlement rows carry their fees as columns.
    columns: bool,
    orders: &'a [OrderRec],
    shop: usize,
    /// WeChat's trade bill: refunds are added as the wallet pays them.
    trades: &'a mut Vec<WxTrade>,
}

/// Who asks WeChat for a withdrawal (资金变更提交申请人).
const WX_OPERATORS: [&str; 3] = ["管理员", "财务-陈会计", "1612345678@1612345678"];

impl OneWallet<'_> {
    /// Writes the line of event `k` (with the fee columns of its settlement row, which
    /// use up the events `row` lists) at the balance after it.
    fn emit(
        &mut self,
        events: &[Ev],
        k: usize,
        balance: Cents,
        ledger: &mut Ledger,
        rng: &mut GenRng,
        sw: &mut ShopWallet,
    ) -> Result<(), GenError> {
        let e = &events[k];
        match e.kind {
            EvKind::Sale => sw.sales += e.amount,
            EvKind::Fee(_) | EvKind::FeeBack => sw.fees -= e.amount,
            EvKind::Refund => sw.refunds -= e.amount,
            EvKind::AdSpend => sw.ad_spend -= e.amount,
            EvKind::Adjust => sw.adjustments -= e.amount,
        }
        let order = (e.order != NO_ORDER).then(|| &self.orders[e.order as usize]);
        if self.platform == Platform::Wechat {
            match e.kind {
                EvKind::Refund => self.trades.push(WxTrade { t: e.t, order: e.order, refund: -e.amount, fee: 0 }),
                EvKind::FeeBack => {
                    if let Some(last) = self.trades.last_mut().filter(|x| x.order == e.order && x.refund > 0) {
                        last.fee = -e.amount;
                    }
                }
                _ => {}
            }
        }
        ledger.write(self.clock, rng, e.t, e.amount, balance, Line::Event { kind: e.kind, order })
    }

    /// The events at `k..` of the same moment, order and sub-order as the sale at `k`
    /// that its row's columns carry (fees, an unexplained deduction).
    fn row_of(events: &[Ev], k: usize, used: &mut Vec<usize>) {
        used.clear();
        let e = &events[k];
        let mut j = k + 1;
        while j < events.len() && events[j].t == e.t {
            let x = &events[j];
            if x.order == e.order && x.sub == e.sub && matches!(x.kind, EvKind::Fee(_) | EvKind::Adjust) {
                used.push(j);
            }
            j += 1;
        }
    }

    fn run(
        &mut self,
        rng: &mut GenRng,
        events: &[Ev],
        schedule: &[i64],
        ledger: &mut Ledger,
        sw: &mut ShopWallet,
        payouts: &mut Vec<Payout>,
    ) -> Result<(), GenError> {
        // prefix[k]: sum of the first k events; floor[k]: the lowest prefix from k on.
        let mut prefix = Vec::with_capacity(events.len() + 1);
        prefix.push(0 as Cents);
        for e in events {
            prefix.push(prefix[prefix.len() - 1] + e.amount);
        }
        let mut floor = prefix.clone();
        for k in (0..floor.len().saturating_sub(1)).rev() {
            floor[k] = floor[k].min(floor[k + 1]);
        }
        let mut k = 0;
        let mut withdrawn: Cents = 0;
        // Events a settlement row's columns already carried.
        let mut done = vec![false; if self.columns { events.len() } else { 0 }];
        let mut used = Vec::new();
        let mut flush_until = |this: &mut Self,
                               until: i64,
                               k: &mut usize,
                               withdrawn: Cents,
                               ledger: &mut Ledger,
                               rng: &mut GenRng,
                               sw: &mut ShopWallet|
         -> Result<(), GenError> {
            while *k < events.len() && events[*k].t < until {
                let i = *k;
                *k += 1;
                if this.columns && done[i] {
                    continue;
                }
                let e = &events[i];
                if this.columns && e.kind == EvKind::Sale {
                    Self::row_of(events, i, &mut used);
                    let mut fees = DouyinFees::default();
                    let mut net = e.amount;
                    let mut last = i;
                    for &j in &used {
                        done[j] = true;
                        last = last.max(j);
                        net += events[j].amount;
                        match events[j].kind {
                            EvKind::Fee(kind) => {
                                fees.add(kind, -events[j].amount, this.style);
                                sw.fees -= events[j].amount;
                            }
                            _ => sw.adjustments -= events[j].amount,
                        }
                    }
                    sw.sales += e.amount;
                    // The balance after the whole row: every event up to its last part,
                    // less what other events in between did (none has a balance column).
                    let balance = prefix[last + 1] - withdrawn;
                    let rec = &this.orders[e.order as usize];
                    let line = Line::Settlement { order: rec, sub: e.sub, gross: e.amount, fees };
                    ledger.write(this.clock, rng, e.t, net, balance, line)?;
                    continue;
                }
                this.emit(events, i, prefix[i + 1] - withdrawn, ledger, rng, sw)?;
            }
            Ok(())
        };
        for &wt in schedule {
            flush_until(self, wt, &mut k, withdrawn, ledger, rng, sw)?;
            let balance = prefix[k] - withdrawn;
            let reserve = (prefix[k] - floor[k]).max(0);
            let amount = withdraw_amount(self.habit, balance - reserve, self.noise, rng);
            if amount <= 0 {
                continue;
            }
            // A WeChat day's withdrawal may be made as several equal round ones, minutes
            // apart, by different people.
            let pieces = if self.platform == Platform::Wechat && chance(rng, self.noise.split_withdrawal_per_10k) {
                split_round(amount)
            } else {
                1
            };
            let piece = amount / pieces;
            let mut t = wt;
            for p in 0..pieces {
                if p > 0 {
                    t += rng.random_range(MINUTE..40 * MINUTE);
                    flush_until(self, t, &mut k, withdrawn, ledger, rng, sw)?;
                }
                let balance = prefix[k] - withdrawn;
                withdrawn += piece;
                let (txn_id, reference) = ledger.payout_ids(self.clock, t);
                let flow = (!txn_id.is_empty()).then_some(txn_id.as_str());
                let by = WX_OPERATORS[(p as usize + rng.random_range(0..3)) % 3];
                let line = Line::Withdrawal { reference: &reference, flow_id: flow, by };
                ledger.write(self.clock, rng, t, -piece, balance - piece, line)?;
                sw.withdrawals += 1;
                sw.withdrawn += piece;
                payouts.push(Payout { shop: self.shop, t, amount: piece, txn_id, reference });
            }
        }
        flush_until(self, i64::MAX, &mut k, withdrawn, ledger, rng, sw)?;
        sw.final_balance = prefix[events.len()] - withdrawn;
        Ok(())
    }
}

/// Into how many equal round pieces a round withdrawal splits (1: it does not).
fn split_round(amount: Cents) -> i64 {
    for pieces in [3, 2] {
        let piece = amount / pieces;
        if amount % pieces == 0 && piece >= 1_000 * YUAN && piece % (1_000 * YUAN) == 0 {
            return pieces;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::super::book::Fate;
    use super::*;

    fn rec() -> OrderRec {
        OrderRec {
            shop: 0,
            fate: Fate::Normal,
            product: 0,
            day: 0,
            pay_day: 0,
            seq: 0,
            num: 1,
            paid: 1000,
            settled: 1000,
            refunded: 1000,
            fees: 0,
            units: 1,
            units_settled: 1,
            listed: 1000,
            flags: 0,
        }
    }

    #[test]
    fn uncoverable_refund_waits_then_drops() {
        let ev = |t, amount, kind| Ev::new(t, amount, 0, kind);
        let mut orders = vec![rec()];
        let events = vec![ev(10, 500, EvKind::Sale), ev(20, -1000, EvKind::Refund), ev(30, 600, EvKind::Sale)];
        let (out, dropped) = make_coverable(events, &mut orders);
        assert_eq!(dropped, 0);
        assert_eq!(out.iter().map(|e| e.t).collect::<Vec<_>>(), vec![10, 30, 30]);
        let (out, dropped) = make_coverable(vec![ev(5, -1000, EvKind::Refund)], &mut orders);
        assert!(out.is_empty());
        assert_eq!(dropped, 1);
        assert_eq!(orders[0].refunded, 0);
    }
}
