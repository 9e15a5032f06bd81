//! Planted problems of the warehouse side (`--plant logistics` and its thirteen kinds):
//! two instances of each, on different orders, and one `truth/planted.csv` row apiece.
//!
//! Three kinds change an order's own export and are decided while the orders are made
//! (an order paid long ago and never shipped, a shipment after the settlement, a
//! shipment without tracking number); the others change the warehouse's files only and
//! are decided once the returns are known. Every choice comes from the plants' seed tree,
//! and every kind is chosen whichever kinds were asked for (only the ones asked for are
//! applied), so asking for one more kind moves none of the others. An order or return
//! used by one plant is left alone by every other, so that each problem comes alone.

use std::collections::BTreeSet;

use rand::Rng;

use super::book::{OrderRec, order_number};
use super::book::{OrderRow, push_order_id};
use super::catalogue::{CATALOGUE, sku};
use super::clock::{Clock, DAY, HOUR};
use super::draw::{GenRng, weighted};
use super::logistics::{
    COURIERS, Logistics, RetState, Ship, WAREHOUSES, billed_tenths, contract_fee, flag, push_after_sale_id,
    push_tracking,
};
use super::logistics::{FakeParcel, FakeShip, ShipmentPlant, WriteAction};
use super::model::World;
use super::money::cents_str;
use super::plant_kind::Plant;
use super::platform::Platform;

/// Instances of each kind.
const EACH: usize = 2;

/// Where the warehouse plants go, and their truth rows.
pub struct LogiPlan {
    wants: BTreeSet<Plant>,
    rng: GenRng,
    /// Per order-time kind, the order index from which each instance takes the first
    /// order that fits, and how many are taken.
    starts: [[u32; EACH]; 3],
    taken: [usize; 3],
    /// Truth rows, by kind in the order of [`Plant::LOGISTICS`].
    pub rows: Vec<(Plant, [String; 6])>,
}

const ORDER_TIME: [Plant; 3] = [Plant::PaidNotShipped, Plant::SettledBeforeShipment, Plant::LogisticsMissing];

fn month(clock: &Clock, t: i64) -> String {
    let mut s = String::with_capacity(10);
    clock.push_date(&mut s, t.div_euclid(DAY));
    s.truncate(7);
    s
}

fn order_id(clock: &Clock, world: &World, rec: &OrderRec) -> String {
    let mut s = String::with_capacity(24);
    push_order_id(&mut s, clock, world.shops[rec.shop as usize].platform, rec);
    s
}

impl LogiPlan {
    /// `None` unless a warehouse kind is asked for.
    pub fn new(wants: &[Plant], rng: GenRng) -> Option<LogiPlan> {
        let wants: BTreeSet<Plant> = wants.iter().copied().filter(|p| Plant::LOGISTICS.contains(p)).collect();
        (!wants.is_empty()).then(|| LogiPlan {
            wants,
            rng,
            starts: [[u32::MAX; EACH]; 3],
            taken: [0; 3],
            rows: Vec::new(),
        })
    }

    fn wants(&self, p: Plant) -> bool {
        self.wants.contains(&p)
    }

    fn row(&mut self, p: Plant, platform: &str, shop: &str, reference: &str, month: String, detail: String) {
        if self.wants(p) {
            self.rows.push((p, [p.kind().into(), platform.into(), shop.into(), reference.into(), month, detail]));
        }
    }

    /// Where the order-time kinds start looking, knowing how many orders each day gets.
    /// An order paid and never shipped must be more than a week old at the export, and
    /// still unsettled then: it comes from the period's last weeks.
    pub fn pick_starts(&mut self, per_day: &[u64]) {
        let n: u64 = per_day.iter().sum();
        let days = per_day.len() as i64;
        let first_of_day = |d: i64| -> u32 { per_day[..d.clamp(0, days) as usize].iter().sum::<u64>() as u32 };
        let d = days - self.rng.random_range(18..=22);
        self.starts[0] = [first_of_day(d), first_of_day(d + 3)];
        for k in 1..3 {
            let mut s = [0u32; EACH];
            for x in &mut s {
                *x = self.rng.random_range(n / 10..=n * 6 / 10) as u32;
            }
            s.sort_unstable();
            self.starts[k] = s;
        }
    }

    fn pending(&self, k: usize, idx: u32) -> bool {
        self.taken[k] < EACH && idx >= self.starts[k][self.taken[k]]
    }

    /// The plants on the warehouse's files, once every shipment and return is known.
    pub fn after_returns(&mut self, lg: &mut Logistics, world: &World, clock: &Clock, orders: &[OrderRec]) {
        let end = clock.end();
        let tracking = |courier: u8, seq: u32| {
            let mut s = String::with_capacity(18);
            push_tracking(&mut s, courier, seq);
            s
        };
        let after_sale = |o: u32| {
            let rec = &orders[o as usize];
            let mut s = String::with_capacity(20);
            push_after_sale_id(&mut s, world.shops[rec.shop as usize].platform, rec.seq);
            s
        };
        let place = |o: u32| {
            let shop = &world.shops[orders[o as usize].shop as usize];
            (shop.platform.code(), shop.name)
        };

        // Returns whose parcel the courier carried but did not bill.
        let picks =
            self.pick_rets(lg, |r| r.pickup.is_some() && matches!(r.state, RetState::Refunded | RetState::Received));
        for i in picks {
            let r = lg.rets[i];
            let (code, name) = place(r.order);
            let (courier, t) = (COURIERS[r.courier as usize].0, r.pickup.unwrap_or_default());
            let detail = format!(
                "{} return {} picked up {}, no 退件 line",
                courier,
                tracking(r.courier, r.seq),
                clock.datetime(t)
            );
            self.row(Plant::ReturnNotCarried, code, name, &after_sale(r.order), month(clock, t), detail);
            if self.wants(Plant::ReturnNotCarried) {
                lg.tweaks.uncarried.insert(i);
            }
        }

        // 退件 lines of parcels that are no return.
        for _ in 0..EACH {
            let courier = weighted(&mut self.rng, &[25, 20, 15, 10, 15, 15, 0]) as u8;
            let seq = lg.next_seq(courier);
            let t = self.rng.random_range((end / 10).max(0)..(end - DAY).max(1));
            let product = self.rng.random_range(0..CATALOGUE.len()) as u8;
            let weight = Logistics::parcel_weight(&mut self.rng, product, 1);
            let no = tracking(courier, seq);
            let detail = format!("{} 退件 line {} of no return", COURIERS[courier as usize].0, clock.datetime(t));
            self.row(Plant::ReturnNotInReturns, "", "", &no, month(clock, t), detail);
            if self.wants(Plant::ReturnNotInReturns) {
                lg.tweaks.fake_returns.push(FakeParcel { courier, seq, t, weight });
            }
        }

        // Withdrawn returns whose parcel was carried back all the same.
        let picks = self.pick_rets(lg, |r| r.state == RetState::Closed && r.apply < end - 3 * DAY);
        for i in picks {
            let r = lg.rets[i];
            let p = world.shops[orders[r.order as usize].shop as usize].platform;
            let table: &[u32] =
                if p == Platform::Jd { &[15, 0, 0, 0, 0, 15, 70] } else { &[25, 20, 15, 10, 15, 15, 0] };
            let courier = weighted(&mut self.rng, table) as u8;
            let seq = lg.next_seq(courier);
            let pickup = r.apply + self.rng.random_range(2 * HOUR..2 * DAY);
            let (code, name) = place(r.order);
            let detail = format!(
                "{} with 退件 line {} ({}) picked up {}",
                r.state.word(),
                tracking(courier, seq),
                COURIERS[courier as usize].0,
                clock.datetime(pickup)
            );
            self.row(Plant::ReturnState, code, name, &after_sale(r.order), month(clock, pickup), detail);
            if self.wants(Plant::ReturnState) {
                let r = &mut lg.rets[i];
                r.courier = courier;
                r.seq = seq;
                r.pickup = Some(pickup);
            }
        }

        // Returns booked into stock with another quantity.
        let picks = self.pick_rets(lg, |r| r.received.is_some());
        for i in picks {
            let r = lg.rets[i];
            let qty = lg.ships[r.order as usize].qty;
            let booked = self.other_qty(qty);
            let (code, name) = place(r.order);
            let t = r.received.unwrap_or_default();
            let detail = format!("退货数量 {qty}, 退货入库 {booked} on {}", clock.datetime(t));
            self.row(Plant::ReturnQuantity, code, name, &after_sale(r.order), month(clock, t), detail);
            if self.wants(Plant::ReturnQuantity) {
                lg.tweaks.in_qty.insert(i, booked);
            }
        }

        // Bill lines above the contract.
        for o in self.pick_ships(lg, |s| s.billed()) {
            let s = lg.ships[o as usize];
            let extra = self.rng.random_range(300..=2_000);
            let fee = contract_fee(lg.rates[s.courier as usize], billed_tenths(u32::from(s.weight)));
            let (code, name) = place(o);
            let detail = format!(
                "{} 运费 {} billed, {} by contract ({} kg)",
                COURIERS[s.courier as usize].0,
                cents_str(fee + extra),
                cents_str(fee),
                cents_str(i64::from(billed_tenths(u32::from(s.weight))) * 10)
            );
            self.row(
                Plant::CourierOvercharge,
                code,
                name,
                &tracking(s.courier, s.seq),
                month(clock, i64::from(s.t)),
                detail,
            );
            if self.wants(Plant::CourierOvercharge) {
                lg.tweaks.overcharge.insert(o, extra);
            }
        }

        // Shipments billed twice.
        for o in self.pick_ships(lg, |s| s.billed()) {
            let s = lg.ships[o as usize];
            let (code, name) = place(o);
            let detail =
                format!("{} 寄件 {} billed twice", COURIERS[s.courier as usize].0, clock.datetime(i64::from(s.t)));
            self.row(
                Plant::CourierTwice,
                code,
                name,
                &tracking(s.courier, s.seq),
                month(clock, i64::from(s.t)),
                detail,
            );
            if self.wants(Plant::CourierTwice) {
                lg.tweaks.twice.insert(o);
            }
        }

        // Shipments of orders no export has: ids of the platform's form, from sequence
        // numbers past the last order's.
        let consumer: Vec<usize> =
            (0..world.shops.len()).filter(|&i| world.shops[i].platform != Platform::B2b).collect();
        let mut last_seq = [0u32; super::platform::PLATFORMS];
        for o in orders {
            let p = world.shops[o.shop as usize].platform as usize;
            last_seq[p] = last_seq[p].max(o.seq + 1);
        }
        for k in 0..EACH {
            let Some(&shop) = consumer.get(self.rng.random_range(0..consumer.len().max(1))) else { break };
            let p = world.shops[shop].platform;
            let seq = last_seq[p as usize] + 1_000 + k as u32;
            let t = self.rng.random_range((end / 10).max(0)..(end - DAY).max(1));
            let num = order_number(p, seq, &mut self.rng);
            let fake = OrderRec { shop: shop as u8, seq, num, day: (t / DAY) as u16, ..EMPTY };
            let id = order_id(clock, world, &fake);
            let product = self.rng.random_range(0..CATALOGUE.len()) as u8;
            let table: &[u32] = if p == Platform::Jd { &[5, 0, 0, 0, 0, 10, 85] } else { &[30, 25, 18, 12, 10, 5, 0] };
            let courier = weighted(&mut self.rng, table) as u8;
            let ship = Ship {
                t: t.max(0) as u32,
                seq: lg.next_seq(courier),
                weight: Logistics::parcel_weight(&mut self.rng, product, 1),
                qty: 1,
                courier,
                wh: self.rng.random_range(0..2),
                surcharge: 0,
                flags: flag::SHIPPED,
            };
            let detail = format!(
                "{} {} shipped {} ({}), no such order",
                COURIERS[courier as usize].0,
                tracking(courier, ship.seq),
                clock.datetime(t),
                sku(product)
            );
            self.row(Plant::ShippedNotOrdered, p.code(), world.shops[shop].name, &id, month(clock, t), detail);
            if self.wants(Plant::ShippedNotOrdered) {
                lg.tweaks.fake_ships.push(FakeShip { shop: shop as u8, order_id: id, product, ship });
            }
        }

        // Shipments of another quantity than ordered.
        for o in self.pick_ships(lg, |s| s.billed()) {
            let s = lg.ships[o as usize];
            let shipped = self.other_qty(s.qty);
            let weight = Logistics::parcel_weight(&mut self.rng, orders[o as usize].product, shipped);
            let (code, name) = place(o);
            let detail = format!("ordered {}, shipped {shipped} on {}", s.qty, clock.datetime(i64::from(s.t)));
            let id = order_id(clock, world, &orders[o as usize]);
            self.row(Plant::ShippedQuantity, code, name, &id, month(clock, i64::from(s.t)), detail);
            if self.wants(Plant::ShippedQuantity) {
                lg.tweaks.ship_qty.insert(o, (shipped, weight));
            }
        }

        // Shipments booked out of stock with another quantity.
        for o in self.pick_ships(lg, |s| s.shipped()) {
            let s = lg.ships[o as usize];
            let booked = self.other_qty(s.qty);
            let (code, name) = place(o);
            let detail = format!("shipped {}, 销售出库 {booked} on {}", s.qty, clock.datetime(i64::from(s.t)));
            let id = order_id(clock, world, &orders[o as usize]);
            self.row(Plant::InventoryOut, code, name, &id, month(clock, i64::from(s.t)), detail);
            if self.wants(Plant::InventoryOut) {
                lg.tweaks.out_qty.insert(o, booked);
            }
        }

        // Stock counts that are off: two (product, warehouse, month end) of the period.
        let ends: Vec<i64> = (0..i64::from(clock.days)).filter(|&d| clock.day_of_month(d + 1) == 1).collect();
        let mut chosen: Vec<(u8, i64)> = Vec::new();
        let slots = CATALOGUE.len() * WAREHOUSES.len();
        for _ in 0..EACH {
            if ends.is_empty() || chosen.len() >= slots * ends.len() {
                break;
            }
            let (key, day) = loop {
                let key = self.rng.random_range(0..slots) as u8;
                let day = ends[self.rng.random_range(0..ends.len())];
                if !chosen.contains(&(key, day)) {
                    break (key, day);
                }
            };
            chosen.push((key, day));
            let diff = self.rng.random_range(1..=5) * if self.rng.random_bool(0.5) { 1 } else { -1 };
            let mut date = String::new();
            clock.push_date(&mut date, day);
            let detail = format!("{} {date}", WAREHOUSES[key as usize % 2]);
            self.row(Plant::StockCount, "", "", sku(key / 2), month(clock, day * DAY), detail);
            if self.wants(Plant::StockCount) {
                lg.tweaks.counts.push((key, day, diff));
            }
        }
    }

    /// 1 → 2; more → one more or one less.
    fn other_qty(&mut self, qty: u8) -> u8 {
        if qty > 1 && self.rng.random_bool(0.5) { qty - 1 } else { qty + 1 }
    }

    /// Two returns that fit, on orders no plant has used; their orders are then used.
    fn pick_rets(&mut self, lg: &mut Logistics, fits: impl Fn(&super::logistics::Ret) -> bool) -> Vec<usize> {
        let mut cands: Vec<usize> = (0..lg.rets.len())
            .filter(|&i| fits(&lg.rets[i]) && lg.ships[lg.rets[i].order as usize].flags & PLANTED == 0)
            .collect();
        let mut out = Vec::new();
        while out.len() < EACH && !cands.is_empty() {
            let i = cands.swap_remove(self.rng.random_range(0..cands.len()));
            let o = lg.rets[i].order as usize;
            if lg.ships[o].flags & PLANTED != 0 {
                continue;
            }
            lg.ships[o].flags |= PLANTED;
            out.push(i);
        }
        out.sort_unstable();
        out
    }

    /// Two shipped orders that fit and that nothing else happened to (no refund, no
    /// return, no other plant); they are then used.
    fn pick_ships(&mut self, lg: &mut Logistics, fits: impl Fn(&Ship) -> bool) -> Vec<u32> {
        let n = lg.ships.len();
        let mut out = Vec::new();
        let ok = |s: &Ship| fits(s) && !s.busy() && s.flags & PLANTED == 0;
        // Random tries first (cheap on big sets), then a scan from a random point.
        for _ in 0..4_000 {
            if out.len() == EACH || n == 0 {
                break;
            }
            let o = self.rng.random_range(0..n);
            if ok(&lg.ships[o]) {
                lg.ships[o].flags |= PLANTED;
                out.push(o as u32);
            }
        }
        if out.len() < EACH && n > 0 {
            let from = self.rng.random_range(0..n);
            for o in (from..n).chain(0..from) {
                if out.len() == EACH {
                    break;
                }
                if ok(&lg.ships[o]) {
                    lg.ships[o].flags |= PLANTED;
                    out.push(o as u32);
                }
            }
        }
        out.sort_unstable();
        out
    }
}

impl ShipmentPlant for LogiPlan {
    /// Whether the order just made is one of the order-time plants: what changes, and
    /// whether that kind was asked for (if not, the order is only kept from the others).
    /// `normal`: an ordinary consumer order (no fault of the noise, not B2B); `ship_t`:
    /// when it ships.
    fn at_order(
        &mut self,
        idx: u32,
        normal: bool,
        rec: &OrderRec,
        row: &OrderRow,
        after: &super::logistics::After,
        ship_t: i64,
        clock: &Clock,
        world: &World,
        courier: &str,
    ) -> Option<(WriteAction, bool)> {
        if !normal || after.refunded || after.ret.is_some() {
            return None;
        }
        let end = clock.end();
        let shop = &world.shops[rec.shop as usize];
        let (code, name) = (shop.platform.code(), shop.name);
        let pay_t = row.pay_t?;
        let (action, plant) = if self.pending(0, idx) && after.settle_t.is_none() && pay_t <= end - 8 * DAY {
            self.taken[0] += 1;
            let detail = format!("paid {}, not shipped by the export", clock.datetime(pay_t));
            self.row(Plant::PaidNotShipped, code, name, &order_id(clock, world, rec), month(clock, pay_t), detail);
            (WriteAction::NotShipped, Plant::PaidNotShipped)
        } else if let Some(settle_t) = after.settle_t.filter(|&s| self.pending(1, idx) && s + 36 * HOUR < end) {
            self.taken[1] += 1;
            let t = settle_t + self.rng.random_range(HOUR..36 * HOUR);
            let detail = format!("shipped {} after its sale settled {}", clock.datetime(t), clock.datetime(settle_t));
            self.row(Plant::SettledBeforeShipment, code, name, &order_id(clock, world, rec), month(clock, t), detail);
            (WriteAction::ShipAt(t), Plant::SettledBeforeShipment)
        } else if self.pending(2, idx) {
            self.taken[2] += 1;
            let detail = format!("shipped {} by {courier} with no tracking number", clock.datetime(ship_t));
            self.row(Plant::LogisticsMissing, code, name, &order_id(clock, world, rec), month(clock, ship_t), detail);
            (WriteAction::NoTracking, Plant::LogisticsMissing)
        } else {
            return None;
        };
        debug_assert!(ORDER_TIME.contains(&plant));
        Some((action, self.wants(plant)))
    }
}

/// Marks an order a post-return plant has used (the busy flag is for the order's own
/// story: refunds, returns, the order-time plants).
const PLANTED: u8 = 0x80;

const EMPTY: OrderRec = OrderRec {
    shop: 0,
    fate: super::book::Fate::Normal,
    product: 0,
    day: 0,
    pay_day: 0,
    seq: 0,
    num: 0,
    paid: 0,
    settled: 0,
    refunded: 0,
    fees: 0,
    units: 1,
    units_settled: 0,
    listed: 0,
    flags: 0,
};
