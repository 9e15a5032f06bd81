//! The warehouse side of the orders: who ships each order, when, with which courier and
//! tracking number, what comes back as returns (退货退款), and the state kept for the
//! shipment, return, courier bill and inventory files (logistics_files.rs, inventory.rs).
//!
//! Everything here draws from a seed tree of its own, so the orders, settlements and bank
//! statements stay byte for byte what they were before the warehouse existed: the order
//! exports only gain their SKU and quantity, and show the warehouse's courier and tracking
//! number. The courier still drawn in the main stream for those columns is drawn and
//! dropped, so that every later draw stays where it was.
//!
//! Per order the state is one small [`Ship`]; returns are few and kept as [`Ret`]s.

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;

use super::book::{Fate, OrderRec};
use super::book::{OrderRow, State};
use super::catalogue::{CATALOGUE, MAX_QTY, unit_grams};
use super::clock::{Clock, DAY, HOUR, MINUTE, push_num};
use super::draw::{GenRng, SeedTree, chance, scramble, weighted};
use super::model::World;
use super::money::Cents;
use super::platform::Platform;

/// Salt of the warehouse's own seed tree (any fixed value other than the plants' one).
const SEED_SALT: u64 = 0x7761_7265_686f_7573;

/// The two warehouses; the first ships most orders.
pub const WAREHOUSES: [&str; 2] = ["杭州仓", "嘉兴仓"];

/// The couriers: name (as in `settings::DEFAULT_COURIER_RATES`), bill file slug, tracking
/// number prefix and the digits that follow it. Every prefix is distinct, so a tracking
/// number names its courier.
pub const COURIERS: [(&str, &str, &str, usize); 7] = [
    ("中通快递", "zto", "78", 13),
    ("圆通速递", "yto", "YT", 13),
    ("韵达快递", "yunda", "43", 11),
    ("申通快递", "sto", "77", 13),
    ("极兔速递", "jt", "JT", 13),
    ("顺丰速运", "sf", "SF", 13),
    ("京东物流", "jd", "JDVA", 11),
];

/// Which courier ships an order of a platform (weights in [`COURIERS`] order): JD orders
/// mostly with JD's own logistics, the others mostly with the cheap network couriers.
const SEND_CONSUMER: [u32; 7] = [30, 25, 18, 12, 10, 5, 0];
const SEND_JD: [u32; 7] = [5, 0, 0, 0, 0, 10, 85];
const SEND_B2B: [u32; 7] = [25, 20, 0, 0, 0, 30, 25];
/// Which courier a buyer sends a return with.
const RETURN_CONSUMER: [u32; 7] = [25, 20, 15, 10, 15, 15, 0];
const RETURN_JD: [u32; 7] = [15, 0, 0, 0, 0, 15, 70];

/// Share (per 10 000) of delivered orders whose buyer asks for a return and withdraws it
/// (退款关闭): a row in the after-sale export, no parcel.
const CLOSED_PER_10K: u32 = 60;
/// Share (per 10 000) of delivered orders whose buyer asks for a return that is still
/// under way at the export (no refund yet); only the last weeks' orders can have one.
const LATE_PER_10K: u32 = 800;

/// A courier's contracted rate, in cents.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    pub first_kg: Cents,
    pub extra_kg: Cents,
}

/// The contracted rates of [`COURIERS`], from the reconciliation's defaults.
pub fn rates() -> [Rate; 7] {
    let cents = |s: &str| -> Cents {
        let (y, c) = s.split_once('.').unwrap_or((s, "0"));
        let c = format!("{c:0<2}");
        y.parse::<Cents>().expect("rate in yuan") * 100 + c[..2].parse::<Cents>().expect("rate cents")
    };
    COURIERS.map(|(name, ..)| {
        let (_, first, extra) = recon::settings::DEFAULT_COURIER_RATES
            .iter()
            .find(|r| r.0 == name)
            .unwrap_or_else(|| panic!("no default rate for {name}"));
        Rate { first_kg: cents(first), extra_kg: cents(extra) }
    })
}

/// The billed weight in tenths of a kilogram: the parcel's weight (in 10 g) rounded up to
/// 0.1 kg, and never under 1.0 kg.
pub fn billed_tenths(weight_10g: u32) -> u32 {
    weight_10g.div_ceil(10).max(10)
}

/// The contracted fee of a parcel: the first kilogram, and each further kilogram begun.
pub fn contract_fee(rate: Rate, tenths: u32) -> Cents {
    rate.first_kg + Cents::from(tenths.saturating_sub(10).div_ceil(10)) * rate.extra_kg
}

/// A tracking number: the courier's prefix and a scrambled sequence number, so numbers
/// are unique per courier (the sequence never repeats) and look random.
pub fn push_tracking(out: &mut String, courier: u8, seq: u32) {
    let (_, _, prefix, digits) = COURIERS[courier as usize];
    out.push_str(prefix);
    let modulus = 10u64.pow(digits as u32);
    let salt = 1_000_003 * (u64::from(courier) + 7);
    push_num(out, scramble(u64::from(seq) + salt, modulus), digits);
}

/// The platform's after-sale id (售后单号) of an order, from its per-platform sequence;
/// Douyin's is the 售后编号 its wallet prints on the order's refund lines.
pub fn push_after_sale_id(out: &mut String, p: Platform, seq: u32) {
    let seq = u64::from(seq);
    match p {
        Platform::Douyin => {
            out.push('7');
            push_num(out, 100_000_000_000_000_000 + scramble(seq + 33_333_333_333, 1_000_000_000_000_000), 18);
        }
        Platform::Tmall => {
            push_num(out, 2_000_000_000_000_000_000 + scramble(seq + 55_555_555, 1_000_000_000_000_000), 19)
        }
        Platform::Jd => push_num(out, 1_000_000_000 + scramble(seq + 4_444, 1_000_000_000), 10),
        _ => push_num(out, 900_000_000_000_000 + scramble(seq + 666_666, 100_000_000_000_000), 15),
    }
}

pub mod flag {
    /// Shipped before the export.
    pub const SHIPPED: u8 = 1;
    /// Shipped, but the warehouse recorded no tracking number (and no bill line is kept).
    pub const NO_TRACKING: u8 = 2;
    /// Refunded, returned or planted: left alone by the plants that pick orders later.
    pub const BUSY: u8 = 4;
}

/// What the warehouse did with one order. `t` is seconds from the period start.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ship {
    pub t: u32,
    /// The courier's sequence number behind the tracking number.
    pub seq: u32,
    /// The parcel's weight in 10 g (the order's quantity of its product, packed).
    pub weight: u16,
    pub qty: u8,
    pub courier: u8,
    pub wh: u8,
    /// 偏远附加费 in yuan, 0 for most parcels.
    pub surcharge: u8,
    pub flags: u8,
}

impl Ship {
    pub fn shipped(&self) -> bool {
        self.flags & flag::SHIPPED != 0
    }

    /// Shipped with a tracking number, hence on a courier bill.
    pub fn billed(&self) -> bool {
        self.flags & (flag::SHIPPED | flag::NO_TRACKING) == flag::SHIPPED
    }

    pub fn busy(&self) -> bool {
        self.flags & flag::BUSY != 0
    }
}

/// Where an after-sale stands at the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetState {
    /// The warehouse received the parcel and the refund was paid.
    Refunded,
    /// Received, refund not yet paid.
    Received,
    /// The parcel is on its way back.
    InTransit,
    /// Agreed, the buyer has not sent anything yet.
    Waiting,
    /// Withdrawn: no parcel.
    Closed,
}

impl RetState {
    pub fn word(self) -> &'static str {
        match self {
            RetState::Refunded => "退款成功",
            RetState::Received => "已签收",
            RetState::InTransit => "买家已退货",
            RetState::Waiting => "待买家退货",
            RetState::Closed => "退款关闭",
        }
    }
}

/// One return of goods (a row of the after-sale export).
#[derive(Clone, Copy, Debug)]
pub struct Ret {
    pub order: u32,
    pub state: RetState,
    pub apply: i64,
    /// When the courier picked the parcel up: the return has a tracking number.
    pub pickup: Option<i64>,
    /// When the warehouse signed for it (its 退货入库).
    pub received: Option<i64>,
    pub courier: u8,
    pub seq: u32,
    /// The refund: as paid (退款成功) or as asked for.
    pub amount: Cents,
}

/// A return of goods decided with the order: when its refund is (or would be) paid and
/// what was asked for.
#[derive(Clone, Copy, Debug)]
struct Intent {
    order: u32,
    refund_t: i64,
    amount: Cents,
}

/// What became of an order after its payment, as orders.rs decided it.
#[derive(Clone, Copy, Debug, Default)]
pub struct After {
    /// When its sale line reaches the wallet, if it does in the period.
    pub settle_t: Option<i64>,
    /// A refund line (part or whole) was booked for it.
    pub refunded: bool,
    /// A return of goods: when the refund is (or would be) paid, and what was asked for.
    pub ret: Option<(i64, Cents)>,
}

/// The warehouse's records, built order by order and finished after the wallets.
pub struct Logistics {
    order_rng: GenRng,
    ret_rng: GenRng,
    pub rates: [Rate; 7],
    next_seq: [u32; 7],
    /// Indexed like `Book::orders`.
    pub ships: Vec<Ship>,
    intents: Vec<Intent>,
    /// Sorted by order, then time of application.
    pub rets: Vec<Ret>,
    /// What the plants changed (all empty without `--plant`).
    pub tweaks: Tweaks,
}

impl Logistics {
    pub fn new(seed: u64, orders: u64) -> Self {
        let mut seeds = SeedTree::new(seed ^ SEED_SALT);
        Logistics {
            order_rng: seeds.child(),
            ret_rng: seeds.child(),
            rates: rates(),
            next_seq: [0; 7],
            ships: Vec::with_capacity(orders as usize),
            intents: Vec::new(),
            rets: Vec::new(),
            tweaks: Tweaks::default(),
        }
    }

    /// A fresh sequence number of a courier (shipments, returns and planted parcels share
    /// them, so no tracking number is used twice).
    pub fn next_seq(&mut self, courier: u8) -> u32 {
        let s = self.next_seq[courier as usize];
        self.next_seq[courier as usize] += 1;
        s
    }

    /// Product and quantity of a B2B order (its amount is the contract's, not the
    /// catalogue's): one of the dearer products, usually one unit.
    pub fn b2b_item(&mut self) -> (u8, u8) {
        let rng = &mut self.order_rng;
        let product = rng.random_range(CATALOGUE.len() / 2..CATALOGUE.len()) as u8;
        (product, b2b_qty(rng))
    }

    /// A parcel of `qty` units of `product`, in 10 g: the units and their carton.
    pub fn parcel_weight(rng: &mut GenRng, product: u8, qty: u8) -> u16 {
        let grams = unit_grams(product) * u32::from(qty) + rng.random_range(50..=250);
        grams.div_ceil(10) as u16
    }

    /// Decides the order's shipment once orders.rs has decided the order, and fills the
    /// row's courier and tracking columns. `row.ship_t` is the time orders.rs gave (none
    /// for an order not shipped by the export); a plant may move or remove it.
    #[allow(clippy::too_many_arguments)]
    pub fn order(
        &mut self,
        world: &World,
        clock: &Clock,
        plant: Option<&mut dyn ShipmentPlant>,
        idx: u32,
        rec: &OrderRec,
        row: &mut OrderRow,
        after: &After,
    ) {
        let p = world.shops[rec.shop as usize].platform;
        row.draw_courier = row.ship_t.is_some();
        row.courier = "";
        row.tracking.clear();
        let mut ship = Ship { qty: row.qty, ..Ship::default() };
        // B2B goods leave on the order (orders.rs decides when, as its terms run from it).
        let Some(mut ship_t) = row.ship_t else {
            self.ships.push(ship);
            return;
        };
        let rng = &mut self.order_rng;
        let table = match p {
            Platform::Jd => &SEND_JD,
            Platform::B2b => &SEND_B2B,
            _ => &SEND_CONSUMER,
        };
        ship.courier = weighted(rng, table) as u8;
        ship.wh = if chance(rng, 7_000) { 0 } else { 1 };
        ship.weight = Self::parcel_weight(rng, rec.product, ship.qty);
        ship.surcharge = if chance(rng, 300) { [2, 3, 5, 8][rng.random_range(0..4)] } else { 0 };
        ship.seq = self.next_seq(ship.courier);
        ship.flags = flag::SHIPPED;
        if after.refunded || after.ret.is_some() {
            ship.flags |= flag::BUSY;
        }
        if let Some((refund_t, amount)) = after.ret {
            self.intents.push(Intent { order: idx, refund_t, amount });
        }

        let fate_normal = rec.fate == Fate::Normal && p != Platform::B2b;
        let courier = COURIERS[ship.courier as usize].0;
        let action = plant.and_then(|l| l.at_order(idx, fate_normal, rec, row, after, ship_t, clock, world, courier));
        // Kept from the other plants whether or not its own kind was asked for.
        if action.is_some() {
            ship.flags |= flag::BUSY;
        }
        match action.filter(|a| a.1).map(|a| a.0) {
            Some(WriteAction::NotShipped) => {
                // Paid long ago and never shipped: the export says so.
                ship.flags &= !flag::SHIPPED;
                row.ship_t = None;
                row.state = State::Paid;
                self.ships.push(ship);
                return;
            }
            Some(WriteAction::ShipAt(t)) => {
                ship_t = t;
                row.ship_t = Some(t);
            }
            Some(WriteAction::NoTracking) => ship.flags |= flag::NO_TRACKING,
            None => {}
        }
        ship.t = ship_t as u32;
        row.courier = COURIERS[ship.courier as usize].0;
        if ship.flags & flag::NO_TRACKING == 0 {
            push_tracking(&mut row.tracking, ship.courier, ship.seq);
        }
        self.ships.push(ship);
    }

    /// The after-sale rows, once the wallets have said which refunds were paid
    /// (`orders[i].refunded` is 0 for a refund the wallet could not cover by the export).
    pub fn build_returns(&mut self, world: &World, clock: &Clock, orders: &[OrderRec]) {
        let end = clock.end();
        let intents = std::mem::take(&mut self.intents);
        let mut rets = Vec::with_capacity(intents.len() * 3 / 2);
        for it in &intents {
            let rng = &mut self.ret_rng;
            let rec = &orders[it.order as usize];
            let p = world.shops[rec.shop as usize].platform;
            // Backwards from the refund: the warehouse checks the parcel, which travelled
            // for days, which the buyer sent some hours or days after applying; all of it
            // after the goods arrived (a day after shipping), squeezed to fit if need be.
            let mut steps = [
                rng.random_range(10 * MINUTE..2 * DAY),
                rng.random_range(DAY..3 * DAY),
                rng.random_range(HOUR..3 * DAY),
            ];
            let room = it.refund_t - i64::from(self.ships[it.order as usize].t) - DAY - HOUR;
            let total: i64 = steps.iter().sum();
            if total > room {
                for x in &mut steps {
                    *x = (*x * room / total).max(1);
                }
            }
            let received = it.refund_t - steps[0];
            let pickup = received - steps[1];
            let apply = pickup - steps[2];
            let courier = weighted(rng, if p == Platform::Jd { &RETURN_JD } else { &RETURN_CONSUMER }) as u8;
            let (state, amount) = if it.refund_t < end {
                if rec.refunded > 0 { (RetState::Refunded, rec.refunded) } else { (RetState::Received, it.amount) }
            } else if apply >= end {
                continue;
            } else if pickup >= end {
                (RetState::Waiting, it.amount)
            } else if received >= end {
                (RetState::InTransit, it.amount)
            } else {
                (RetState::Received, it.amount)
            };
            let carried = state != RetState::Waiting;
            let seq = if carried { self.next_seq(courier) } else { 0 };
            rets.push(Ret {
                order: it.order,
                state,
                apply,
                pickup: carried.then_some(pickup),
                received: matches!(state, RetState::Refunded | RetState::Received).then_some(received),
                courier,
                seq,
                amount,
            });
        }
        // Returns asked for and withdrawn, and returns still under way at the export: the
        // same draws for every order, whatever became of it, so that the plants (which
        // take orders out, or unship them) move nothing else.
        for (o, (s, rec)) in self.ships.iter().zip(orders).enumerate() {
            let rng = &mut self.ret_rng;
            let roll = rng.random_range(0..10_000);
            if roll >= CLOSED_PER_10K + LATE_PER_10K {
                continue;
            }
            let apply = i64::from(s.t) + rng.random_range(2 * DAY..8 * DAY);
            let p = world.shops[rec.shop as usize].platform;
            let usable = s.shipped() && apply < end && p != Platform::B2b && !s.busy();
            if roll < CLOSED_PER_10K {
                if usable {
                    rets.push(Ret {
                        order: o as u32,
                        state: RetState::Closed,
                        apply,
                        pickup: None,
                        received: None,
                        courier: 0,
                        seq: 0,
                        amount: rec.paid,
                    });
                }
                continue;
            }
            let pickup = apply + rng.random_range(2 * HOUR..3 * DAY);
            let received = pickup + rng.random_range(DAY..3 * DAY);
            let courier = weighted(rng, if p == Platform::Jd { &RETURN_JD } else { &RETURN_CONSUMER }) as u8;
            // A parcel signed for more than two days before the export would have been
            // refunded by then: such a return is not one under way.
            if !usable || received < end - 2 * DAY {
                continue;
            }
            let state = if pickup >= end {
                RetState::Waiting
            } else if received >= end {
                RetState::InTransit
            } else {
                RetState::Received
            };
            let carried = state != RetState::Waiting;
            let seq = if carried {
                self.next_seq[courier as usize] += 1;
                self.next_seq[courier as usize] - 1
            } else {
                0
            };
            rets.push(Ret {
                order: o as u32,
                state,
                apply,
                pickup: carried.then_some(pickup),
                received: (state == RetState::Received).then_some(received),
                courier,
                seq,
                amount: rec.paid,
            });
        }
        rets.sort_by_key(|r| (r.order, r.apply));
        for r in &rets {
            self.ships[r.order as usize].flags |= flag::BUSY;
        }
        self.rets = rets;
    }
}

/// 1 unit mostly, 2 sometimes, 3 rarely.
fn b2b_qty(rng: &mut GenRng) -> u8 {
    [1, 2, MAX_QTY][weighted(rng, &[70, 20, 10])]
}

/// A shipment as shipped: the order's, or what a plant changed (quantity and weight).
pub fn as_shipped(lg: &Logistics, order: u32) -> Ship {
    let mut s = lg.ships[order as usize];
    if let Some(&(qty, weight)) = lg.tweaks.ship_qty.get(&order) {
        s.qty = qty;
        s.weight = weight;
    }
    s
}

/// What may change an order's shipment as the order is made: the warehouse plants
/// (logistics_plant.rs), which sit above the warehouse and are asked here.
pub trait ShipmentPlant {
    /// The change for order `idx` shipping at `ship_t` with `courier`, if any, and
    /// whether it is written (else only kept from the other plants).
    #[allow(clippy::too_many_arguments)]
    fn at_order(
        &mut self,
        idx: u32,
        normal: bool,
        rec: &OrderRec,
        row: &OrderRow,
        after: &After,
        ship_t: i64,
        clock: &Clock,
        world: &World,
        courier: &str,
    ) -> Option<(WriteAction, bool)>;
}

/// A change to an order's shipment decided as the order is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteAction {
    /// Paid, not shipped: no shipment, the export shows the order waiting to ship.
    NotShipped,
    /// Shipped at this time (after the sale's settlement line).
    ShipAt(i64),
    /// Shipped without a tracking number in the warehouse's record.
    NoTracking,
}

/// A 退件 line of a parcel that is no return of ours.
#[derive(Clone, Copy, Debug)]
pub struct FakeParcel {
    pub courier: u8,
    pub seq: u32,
    pub t: i64,
    pub weight: u16,
}

/// A shipment of an order that no order export has.
#[derive(Clone, Debug)]
pub struct FakeShip {
    pub shop: u8,
    pub order_id: String,
    pub product: u8,
    pub ship: Ship,
}

/// What the plants changed in the warehouse's files; empty without them.
#[derive(Default)]
pub struct Tweaks {
    /// Order → (quantity shipped, parcel weight in 10 g) instead of the order's.
    pub ship_qty: BTreeMap<u32, (u8, u16)>,
    /// Order → quantity booked out of stock (销售出库) instead of the quantity shipped.
    pub out_qty: BTreeMap<u32, u8>,
    /// Return (index in `Logistics::rets`) → quantity booked into stock instead of 退货数量.
    pub in_qty: BTreeMap<usize, u8>,
    /// Order → amount its 寄件 line's 运费 is above the contract.
    pub overcharge: BTreeMap<u32, Cents>,
    /// Orders whose 寄件 line is billed twice.
    pub twice: BTreeSet<u32>,
    /// Returns whose 退件 line is missing from the bills.
    pub uncarried: BTreeSet<usize>,
    pub fake_returns: Vec<FakeParcel>,
    pub fake_ships: Vec<FakeShip>,
    /// (product × 2 + warehouse, day of the count, difference) of stock counts that are off.
    pub counts: Vec<(u8, i64, i64)>,
}
