//! One platform wallet per shop: settlement lines in time order, the shop's withdrawal
//! habit, and the running balance, which never goes below zero.
//!
//! A withdrawal may take only what the wallet will not need later: the events are known in
//! advance, so the lowest future running sum tells how much must stay behind for refunds
//! still to come. A refund the wallet cannot cover yet waits for the next income.

use std::collections::VecDeque;
use std::path::Path;

use rand::Rng;

use super::clock::{Clock, DAY, HOUR};
use super::draw::{GenRng, SeedTree, chance, one};
use super::ledger::{Ledger, Line};
use super::model::{Habit, NoiseProfile, Platform, World};
use super::money::{Cents, YUAN, rate};
use super::orders::{Book, Ev, EvKind, NO_ORDER, OrderRec};
use super::{GenError, GeneratedFile};

#[derive(Clone, Debug)]
pub struct Payout {
    pub shop: usize,
    pub t: i64,
    pub amount: Cents,
    /// The withdrawal line's id in the statement (empty for Pinduoduo, which has none).
    pub txn_id: String,
    /// The reference a bank memo may quote (the same id, or Pinduoduo's 提现单号).
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
    /// Refunds that could not be covered before the export and were left out.
    pub dropped_refunds: u64,
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
        let mut ledger = Ledger::create(out, shop, i, clock, noise.dirty_per_10k)?;
        let sw = &mut w.shops[i];
        sw.dropped_refunds = dropped;
        run_one(
            clock,
            noise,
            &mut rng,
            &events,
            &schedule,
            shop.habit,
            &book.orders,
            &mut ledger,
            i,
            sw,
            &mut w.payouts,
        )?;
        sw.income = ledger.income;
        sw.expense = ledger.expense;
        sw.lines = ledger.income_n + ledger.expense_n;
        let file = ledger.finish(clock)?;
        sw.file = file.path.clone();
        w.files.push(file);
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
                events.push(Ev {
                    t: d * DAY + rng.random_range(10 * HOUR..11 * HOUR),
                    amount: -amount,
                    order: NO_ORDER,
                    kind: EvKind::AdSpend,
                });
            }
            month_sales = 0;
        }
        month_sales += s;
    }
}

/// Moves refunds and top-ups the balance cannot cover to the next income that covers
/// them; those still uncovered at the export are dropped, and their orders adjusted.
fn make_coverable(events: Vec<Ev>, orders: &mut [OrderRec]) -> (Vec<Ev>, u64) {
    let mut out = Vec::with_capacity(events.len());
    let mut waiting: VecDeque<Ev> = VecDeque::new();
    let mut bal: Cents = 0;
    for ev in events {
        let deferrable = matches!(ev.kind, EvKind::Refund | EvKind::AdSpend);
        if deferrable && (bal + ev.amount < 0 || !waiting.is_empty()) {
            waiting.push_back(ev);
            continue;
        }
        bal += ev.amount;
        let t = ev.t;
        out.push(ev);
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
        if e.kind == EvKind::Refund {
            orders[e.order as usize].refunded += e.amount;
            dropped += 1;
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

#[allow(clippy::too_many_arguments)]
fn run_one(
    clock: &Clock,
    noise: &NoiseProfile,
    rng: &mut GenRng,
    events: &[Ev],
    schedule: &[i64],
    habit: Habit,
    orders: &[OrderRec],
    ledger: &mut Ledger,
    shop: usize,
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
    let emit = |k: usize, withdrawn: Cents, ledger: &mut Ledger, rng: &mut GenRng, sw: &mut ShopWallet| {
        let e = &events[k];
        let balance = prefix[k + 1] - withdrawn;
        match e.kind {
            EvKind::Sale => sw.sales += e.amount,
            EvKind::Fee(_) => sw.fees -= e.amount,
            EvKind::Refund => sw.refunds -= e.amount,
            EvKind::AdSpend => sw.ad_spend -= e.amount,
        }
        let order = (e.order != NO_ORDER).then(|| &orders[e.order as usize]);
        ledger.write(clock, rng, e.t, e.amount, balance, Line::Event { kind: e.kind, order })
    };
    for &wt in schedule {
        while k < events.len() && events[k].t < wt {
            emit(k, withdrawn, ledger, rng, sw)?;
            k += 1;
        }
        let balance = prefix[k] - withdrawn;
        let reserve = (prefix[k] - floor[k]).max(0);
        let amount = withdraw_amount(habit, balance - reserve, noise, rng);
        if amount <= 0 {
            continue;
        }
        withdrawn += amount;
        let (txn_id, reference) = ledger.payout_ids(clock, wt);
        let flow = (!txn_id.is_empty()).then_some(txn_id.as_str());
        ledger.write(
            clock,
            rng,
            wt,
            -amount,
            balance - amount,
            Line::Withdrawal { reference: &reference, flow_id: flow },
        )?;
        sw.withdrawals += 1;
        sw.withdrawn += amount;
        payouts.push(Payout { shop, t: wt, amount, txn_id, reference });
    }
    while k < events.len() {
        emit(k, withdrawn, ledger, rng, sw)?;
        k += 1;
    }
    sw.final_balance = prefix[events.len()] - withdrawn;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::orders::Fate;
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
        }
    }

    #[test]
    fn uncoverable_refund_waits_then_drops() {
        let ev = |t, amount, kind| Ev { t, amount, order: 0, kind };
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
