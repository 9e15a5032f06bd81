//! Orders: when they arrive, what they cost, and what happens to each one afterwards.
//!
//! Each order is decided in one go (payment, shipping, confirmation, settlement, refunds)
//! and streamed to its platform's export. What the wallet will see is kept as compact
//! events per shop, and the order's own numbers are kept for the truth file.

use rand::Rng;
use rand::seq::SliceRandom;

use super::b2b_pay;
use super::book::{B2bPlan, Book, Ev, EvKind, Fate, OrderRec, WECHAT_STYLE, WxTrade, flag, order_number};
use super::book::{OrderRow, State};
use super::catalogue::{basket, discount};
use super::clock::{Clock, DAY, HOUR, MINUTE};
use super::draw::{GenRng, SeedTree, apportion, chance, pick, weighted};
use super::even::Evener;
use super::logistics::{After, Logistics, ShipmentPlant};
use super::model::{FeeKind, NoiseProfile, Shop, World};
use super::money::{Cents, YUAN, rate};
use super::order_files::OrderFiles;
use super::plant::{Plan, RefundSpike};
use super::platform::{PLATFORMS, Platform};
use super::{GenError, GenOptions};

const HOUR_WEIGHTS: [u32; 24] = [3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 8, 9, 10, 9, 8, 8, 8, 9, 10, 12, 14, 15, 13, 7];

/// Relative order volume of a day: weekends, growth, 38, Spring Festival, 618, 11.11 presale.
fn day_weight(clock: &Clock, day: i64, rng: &mut GenRng) -> u64 {
    let (m, d) = (clock.month_of(day), clock.day_of_month(day));
    let mut w: u64 = 100 + 2 * u64::from(m);
    if !clock.is_weekday(day) {
        w = w * 110 / 100;
    }
    w = match (m, d) {
        (3, 8) => w * 2,
        (2, 10..=22) => w * 45 / 100,
        (6, 18) => w * 4,
        (6, 1..=17) => w * 150 / 100,
        (10, 20..=31) => w * 140 / 100,
        _ => w,
    };
    w * rng.random_range(85..=115)
}

struct ShopCounter {
    seq: [u32; PLATFORMS],
}

#[allow(clippy::too_many_arguments)]
pub fn generate_orders(
    opts: &GenOptions,
    world: &World,
    clock: &Clock,
    noise: &NoiseProfile,
    seeds: &mut SeedTree,
    plan: &mut Plan,
    lg: &mut Logistics,
    out: &std::path::Path,
) -> Result<Book, GenError> {
    let mut plan_rng = seeds.child();
    let mut rng = seeds.child();
    let n = opts.orders;

    // Exact shop counts; with a usable number of orders every shop gets at least two.
    let shares: Vec<u64> = world.shops.iter().map(|s| s.share_bp).collect();
    let mut per_shop = apportion(n, &shares);
    if n >= 50 {
        for i in 0..per_shop.len() {
            while per_shop[i] < 2 {
                per_shop[i] += 1;
                per_shop[0] -= 1;
            }
        }
    }
    let mut shop_of: Vec<u8> = Vec::with_capacity(n as usize);
    for (i, &c) in per_shop.iter().enumerate() {
        shop_of.extend(std::iter::repeat_n(i as u8, c as usize));
    }
    shop_of.shuffle(&mut plan_rng);

    let weights: Vec<u64> = (0..i64::from(opts.days)).map(|d| day_weight(clock, d, &mut plan_rng)).collect();
    let per_day = apportion(n, &weights);
    if let Some(spike) = &mut plan.spike {
        spike.pick(&shop_of, &per_day);
    }
    if let Some(l) = &mut plan.logistics {
        l.pick_starts(&per_day);
    }

    let mut files = OrderFiles::create(out, clock, world)?;
    let mut book = Book {
        orders: Vec::with_capacity(n as usize),
        events: vec![Vec::new(); world.shops.len()],
        b2b: Vec::new(),
        wx_trades: Vec::new(),
        ship_t: Vec::with_capacity(n as usize),
        files: Vec::new(),
    };
    let mut counter = ShopCounter { seq: [0; PLATFORMS] };
    let mut even = noise.even_months.then(Evener::default);
    let mut times: Vec<i64> = Vec::new();
    let mut row = OrderRow::default();
    let mut next = 0usize;
    for (day, &k) in per_day.iter().enumerate() {
        let day = day as i64;
        times.clear();
        for _ in 0..k {
            let h = weighted(&mut rng, &HOUR_WEIGHTS) as i64;
            times.push(day * DAY + h * HOUR + rng.random_range(0..HOUR));
        }
        times.sort_unstable();
        for &t in &times {
            let shop = shop_of[next];
            next += 1;
            if world.shops[shop as usize].platform == Platform::B2b {
                let t = day * DAY + rng.random_range(9 * HOUR..18 * HOUR);
                let mut o = Sinks { book: &mut book, files: &mut files, plan, lg };
                b2b_order(world, clock, noise, &mut rng, &mut counter, &mut o, &mut row, shop, t)?;
            } else {
                let mut o = Sinks { book: &mut book, files: &mut files, plan, lg };
                consumer_order(world, clock, noise, &mut rng, &mut counter, &mut o, &mut row, &mut even, shop, t)?;
            }
        }
    }
    if let Some(e) = even {
        e.finish(&mut book, &mut rng);
    }
    book.files = files.finish()?;
    Ok(book)
}

/// Where a finished order goes: the book, its export, the plants and the warehouse.
struct Sinks<'a> {
    book: &'a mut Book,
    files: &'a mut OrderFiles,
    plan: &'a mut Plan,
    lg: &'a mut Logistics,
}

impl Sinks<'_> {
    /// Books the order, lets the warehouse ship it, and writes its export row.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &mut self,
        world: &World,
        clock: &Clock,
        noise: &NoiseProfile,
        rng: &mut GenRng,
        rec: OrderRec,
        row: &mut OrderRow,
        after: &After,
    ) -> Result<(), GenError> {
        let idx = self.book.orders.len() as u32;
        self.book.orders.push(rec);
        let plant = self.plan.logistics.as_mut().map(|l| l as &mut dyn ShipmentPlant);
        self.lg.order(world, clock, plant, idx, &rec, row, after);
        self.book.ship_t.push(row.ship_t.unwrap_or(-1));
        self.files.write(world, clock, noise, rng, &rec, row)
    }
}

#[allow(clippy::too_many_arguments)]
fn consumer_order(
    world: &World,
    clock: &Clock,
    noise: &NoiseProfile,
    rng: &mut GenRng,
    counter: &mut ShopCounter,
    o: &mut Sinks<'_>,
    row: &mut OrderRow,
    even: &mut Option<Evener>,
    shop: u8,
    t: i64,
) -> Result<(), GenError> {
    let s = &world.shops[shop as usize];
    let p = s.platform;
    let end = clock.end();
    let seq = counter.seq[p as usize];
    counter.seq[p as usize] += 1;
    let mut num = order_number(p, seq, rng);
    if p == Platform::Wechat {
        num += u64::from(world.style.wechat_id) * WECHAT_STYLE;
    }
    let (product, amount, qty) = basket(rng);
    let paid = amount - discount(rng, amount);
    let idx = o.book.orders.len() as u32;
    let mut rec = OrderRec {
        shop,
        fate: Fate::Normal,
        product,
        day: (t / DAY) as u16,
        pay_day: 0,
        seq,
        num,
        paid,
        settled: 0,
        refunded: 0,
        fees: 0,
        units: 1,
        units_settled: 0,
        listed: paid,
        flags: 0,
    };
    let mut after = After::default();
    let pay_t = t + rng.random_range(5..30 * MINUTE);
    let unpaid = pay_t >= end || (t >= end - DAY && chance(rng, 800));
    row.reset(shop, t, amount, paid);
    row.qty = qty;
    if unpaid {
        rec.fate = Fate::Unpaid;
        rec.paid = 0;
        row.state = State::Unpaid;
        return o.finish(world, clock, noise, rng, rec, row, &after);
    }
    rec.pay_day = (pay_t / DAY) as u16;
    row.pay_t = Some(pay_t);
    row.state = State::Paid;
    let wechat = p == Platform::Wechat;
    let wx_fee = if wechat { rate(paid, 60) } else { 0 };
    if wechat {
        o.book.wx_trades.push(WxTrade { t: pay_t, order: idx, refund: 0, fee: wx_fee });
    }

    let roll = rng.random_range(0..10_000);
    let ship_delay =
        if p == Platform::Jd { rng.random_range(HOUR..30 * HOUR) } else { rng.random_range(2 * HOUR..72 * HOUR) };
    if roll < 350 {
        let refund_t = pay_t + rng.random_range(10 * MINUTE..ship_delay);
        if refund_t < end {
            rec.fate = Fate::Cancelled;
            row.state = State::Closed;
            if wechat {
                // Refunded in full before the trade settled, the fee with it.
                o.book.wx_trades.push(WxTrade { t: refund_t, order: idx, refund: paid, fee: -wx_fee });
            }
            return o.finish(world, clock, noise, rng, rec, row, &after);
        }
    }
    let ship_t = pay_t + ship_delay;
    if ship_t >= end {
        return o.finish(world, clock, noise, rng, rec, row, &after);
    }
    row.ship_t = Some(ship_t);
    row.state = State::Shipped;
    // Delivered, confirmed by the buyer (or by the platform for them) and settled: most
    // orders within the shop's cycle from shipment, a few late.
    let settle_t = ship_t + settle_delay(s, noise, rng);
    if settle_t > ship_t + s.cycle_days * DAY {
        rec.flags |= flag::LATE;
    }
    let lag = rng.random_range(s.settle_lag.0..=s.settle_lag.1);
    let confirm_t = (settle_t - lag).max(ship_t + DAY);
    if confirm_t >= end {
        return o.finish(world, clock, noise, rng, rec, row, &after);
    }
    row.state = State::Done;
    // Douyin settles each sub-order on a line of its own, its fees as columns of it;
    // sub-orders may settle days apart.
    let columns = p == Platform::Douyin && noise.douyin_columns;
    let units = if columns { [1u8, 2, 3][weighted(rng, &[75, 18, 7])] } else { 1 };
    rec.units = units;
    let mut unit_t = [settle_t; 3];
    for t in unit_t.iter_mut().take(usize::from(units)).skip(1) {
        *t = if chance(rng, noise.sub_apart_per_10k) {
            rec.flags |= flag::SUB_APART;
            settle_t + rng.random_range(DAY..12 * DAY)
        } else {
            settle_t + rng.random_range(1..3 * MINUTE)
        };
    }
    if settle_t >= end {
        return o.finish(world, clock, noise, rng, rec, row, &after);
    }
    // Rolls 600..650 are the faults; in the clean set those orders settle normally.
    if noise.order_faults && (600..630).contains(&roll) {
        rec.fate = Fate::Lost;
        return o.finish(world, clock, noise, rng, rec, row, &after);
    }
    let mut sale = paid;
    let mut adjust = 0;
    if noise.order_faults && (630..650).contains(&roll) {
        rec.fate = Fate::Discrepancy;
        let wrong = match rng.random_range(0..10) {
            0..7 => paid - rate(paid, rng.random_range(500..4_000)),
            7..9 => paid + rng.random_range(1..500),
            _ => paid - rng.random_range(1..100).min(paid / 2),
        };
        let wrong = if wrong == paid || wrong <= 0 { paid + 1 } else { wrong };
        if columns {
            // The row's columns say what was paid; its net is short by what they do not
            // explain.
            adjust = wrong - paid;
        } else {
            sale = wrong;
        }
    }
    // What each unit settles: the paid amount split over the sub-orders.
    let parts = split(rng, sale, units);
    let events = &mut o.book.events[shop as usize];
    let month = clock.month_index(t / DAY);
    let fee_factor = o.plan.fee_factor(p, t / DAY);
    // Which fee rules apply to the order, and at which rate (drawn once per order).
    let mut rules: [Option<(FeeKind, u32)>; 4] = [None; 4];
    for (k, rule) in s.fees.iter().enumerate() {
        if let Some(e) = even.as_mut().filter(|_| rule.applies_per_10k < 10_000) {
            // Charged or not once the month is complete, to come to its usual share.
            e.offer_fee(shop, month, k, rule, idx, settle_t, rate(paid, *pick(rng, rule.bp)), fee_factor);
            continue;
        }
        if chance(rng, rule.applies_per_10k) {
            rules[k] = Some((rule.kind, *pick(rng, rule.bp)));
        }
    }
    // Douyin orders sold through a 团长's activity pay its 招商服务费 too, where the bill
    // has the column for it.
    if columns && world.style.douyin_activity && chance(rng, 1_500) {
        rules[3] = Some((FeeKind::Activity, *pick(rng, &[100, 200, 300])));
    }
    for u in 0..usize::from(units) {
        let ut = unit_t[u];
        if ut >= end {
            continue;
        }
        let sub = u as u8;
        events.push(Ev { t: ut, amount: parts[u], order: idx, kind: EvKind::Sale, sub });
        rec.settled += parts[u];
        rec.units_settled += 1;
        if u == 0 {
            after.settle_t = Some(ut);
            if let Some(e) = even.as_mut() {
                e.sale(shop, month, sale);
            }
        }
        for (kind, bp) in rules.iter().flatten() {
            let fee = rate(parts[u], *bp) * fee_factor;
            if fee > 0 {
                events.push(Ev { t: ut, amount: -fee, order: idx, kind: EvKind::Fee(*kind), sub });
                rec.fees += fee;
            }
        }
        if u == 0 && adjust != 0 {
            events.push(Ev { t: ut, amount: adjust, order: idx, kind: EvKind::Adjust, sub });
            rec.settled += adjust;
        }
    }
    let last_t = unit_t[..usize::from(units)].iter().copied().max().unwrap_or(settle_t);
    if (350..600).contains(&roll) {
        let refund_t = last_t + rng.random_range(DAY..20 * DAY);
        if refund_t < end {
            let returned = roll >= 500;
            let amount = if returned {
                paid
            } else if chance(rng, 5_000) && paid > 60 * YUAN {
                rng.random_range(5 * YUAN..=30 * YUAN)
            } else {
                rate(paid, rng.random_range(1_000..5_000)).max(1)
            };
            // In the clean set a refund that would crowd the month is not asked for.
            if even.as_mut().is_none_or(|e| e.refund(shop, month, amount)) {
                if returned {
                    row.state = State::Returned;
                    after.ret = Some((refund_t, amount));
                }
                events.push(Ev::new(refund_t, -amount, idx, EvKind::Refund));
                rec.refunded = amount;
                after.refunded = true;
                if wechat {
                    // WeChat gives back the fee on the part refunded.
                    let back = rate(amount, 60) * fee_factor;
                    if back > 0 {
                        events.push(Ev::new(refund_t + 1, back, idx, EvKind::FeeBack));
                        rec.fees -= back;
                    }
                }
            }
        } else if roll >= 500 {
            // A return still under way at the export: asked for, not yet refunded.
            after.ret = Some((refund_t, paid));
        }
    }
    if let Some(spike) = o.plan.spike.as_mut().filter(|sp| rec.fate == Fate::Normal && sp.refunds(idx)) {
        plant_full_refund(spike, events, &mut rec, row, idx, last_t, end);
        if row.state == State::Returned
            && let Some(e) = events.iter().rev().find(|e| e.order == idx && e.kind == EvKind::Refund)
        {
            after.ret = Some((e.t, -e.amount));
            after.refunded = true;
        }
    }
    o.finish(world, clock, noise, rng, rec, row, &after)
}

/// Seconds from shipment to the sale line: delivery and the buyer's confirmation (or the
/// platform's automatic one) and the platform's lag. Most orders settle at least
/// `settle_min` and less than a day short of the cycle after shipment, about a tenth on
/// the cycle's last day (so that the cycle is where a 95th percentile of the delays
/// lands, as recon learns it), and with noise a few after the cycle.
fn settle_delay(s: &Shop, noise: &NoiseProfile, rng: &mut GenRng) -> i64 {
    let cycle = s.cycle_days * DAY;
    let roll = rng.random_range(0..10_000);
    if roll < noise.late_per_10k {
        cycle + rng.random_range(HOUR..25 * DAY)
    } else if roll < noise.late_per_10k + 1_100 {
        rng.random_range(cycle - DAY..cycle - 10 * MINUTE)
    } else {
        rng.random_range(s.settle_min..cycle - DAY)
    }
}

/// `total` split over `units` sub-orders, each at least a yuan when there is room.
fn split(rng: &mut GenRng, total: Cents, units: u8) -> [Cents; 3] {
    let mut parts = [0; 3];
    let n = usize::from(units.clamp(1, 3));
    if n == 1 || total < YUAN * n as Cents {
        parts[0] = total;
        return parts;
    }
    let mut left = total;
    for (u, part) in parts.iter_mut().enumerate().take(n) {
        let rest = (n - u - 1) as Cents;
        *part = if rest == 0 { left } else { rng.random_range(YUAN..=left - rest * YUAN) / YUAN * YUAN };
        left -= *part;
    }
    parts
}

/// A refund-spike order is returned and refunded in full: a partial refund it already
/// has grows to the whole amount, otherwise a refund line follows the settlement.
fn plant_full_refund(
    spike: &mut RefundSpike,
    events: &mut Vec<Ev>,
    rec: &mut OrderRec,
    row: &mut OrderRow,
    idx: u32,
    settle_t: i64,
    end: i64,
) {
    if rec.refunded == rec.settled {
        return;
    }
    match events.last_mut() {
        Some(e) if e.order == idx && e.kind == EvKind::Refund => e.amount = -rec.settled,
        _ => {
            let refund_t = settle_t + spike.refund_delay();
            if refund_t >= end {
                return;
            }
            events.push(Ev::new(refund_t, -rec.settled, idx, EvKind::Refund));
        }
    }
    rec.refunded = rec.settled;
    row.state = State::Returned;
}

#[allow(clippy::too_many_arguments)]
fn b2b_order(
    world: &World,
    clock: &Clock,
    noise: &NoiseProfile,
    rng: &mut GenRng,
    counter: &mut ShopCounter,
    o: &mut Sinks<'_>,
    row: &mut OrderRow,
    shop: u8,
    t: i64,
) -> Result<(), GenError> {
    let seq = counter.seq[Platform::B2b as usize];
    counter.seq[Platform::B2b as usize] += 1;
    let bucket = weighted(rng, &[35, 35, 20, 10]);
    let (lo, hi) = [(5_000, 10_000), (10_000, 30_000), (30_000, 80_000), (80_000, 200_000)][bucket];
    let amount: Cents = rng.random_range(lo * YUAN..=hi * YUAN);
    let amount = if chance(rng, 5_000) { amount / 100 * 100 } else { amount };
    // The first customer is the big regular one.
    let customer = if chance(rng, 3_000) { 0 } else { rng.random_range(0..world.customers.len()) };
    let end = clock.end();
    // Goods leave on the order (terms are paid later), within two days.
    let ship_t = t + rng.random_range(2 * HOUR..48 * HOUR);
    let terms = world.shops[shop as usize].cycle_days;
    let mut payments = b2b_pay::transfers(clock, noise.b2b_on_time, terms, t, ship_t, amount, rng);
    // In the clean set nothing is left part-paid at the export: a customer whose balance
    // would come after it pays in full with the deposit.
    if noise.b2b_on_time && payments.len() > 1 && payments[1].0 >= end {
        payments.truncate(1);
        payments[0].1 = amount;
    }
    payments.retain(|&(pt, _)| pt < end);
    let received: Cents = payments.iter().map(|p| p.1).sum();
    let idx = o.book.orders.len() as u32;
    let (product, qty) = o.lg.b2b_item();
    let rec = OrderRec {
        shop,
        fate: Fate::B2b,
        product,
        day: (t / DAY) as u16,
        pay_day: 0,
        seq,
        num: u64::from(world.style.b2b_id) << 32 | u64::from(seq),
        paid: amount,
        settled: received,
        refunded: 0,
        fees: 0,
        units: 1,
        units_settled: u8::from(received > 0),
        listed: amount,
        flags: 0,
    };
    row.reset(shop, t, amount, amount);
    row.qty = qty;
    row.customer = customer;
    row.ship_t = (ship_t < end).then_some(ship_t);
    row.state = if received == 0 {
        State::Unpaid
    } else if received < amount {
        State::Paid
    } else {
        State::Done
    };
    o.book.b2b.push(B2bPlan { order: idx, customer, amount, payments });
    o.finish(world, clock, noise, rng, rec, row, &After::default())
}
