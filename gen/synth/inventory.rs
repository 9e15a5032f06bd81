//! The warehouse's stock book (`inventory/inventory.csv`): per product and warehouse an
//! opening stock, weekly purchases, one 销售出库 per shipment, one 退货入库 per return
//! the warehouse signed for, and a stock count (盘点) at every month end, all in time
//! order with the running level (结存数量) after each row.
//!
//! Purchases are sized knowing what the coming week ships: every Monday-like replenishment
//! (every seventh day from the start) brings the level up to the week's outflow and a
//! margin, in cartons of ten, so the level never goes below zero.

use std::path::Path;

use super::book::Book;
use super::book::push_order_id;
use super::catalogue::{CATALOGUE, sku};
use super::clock::{Clock, DAY, HOUR};
use super::logistics::as_shipped;
use super::logistics::{Logistics, WAREHOUSES};
use super::model::World;
use super::write::{CsvOut, Enc, Row};
use super::{GenError, GeneratedFile};

pub const INVENTORY_FILE: &str = "inventory/inventory.csv";
pub const INVENTORY_HEADER: &[&str] = &["商品编码", "仓库", "业务时间", "业务类型", "数量", "关联单号", "结存数量"];

/// Kinds of movement, in the order rows of the same second are listed: a count comes
/// after everything booked at its second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Opening,
    Purchase,
    ReturnIn,
    SaleOut,
    Count,
}

/// One movement: `r` is the order (sale; past the orders: a planted shipment), the
/// return, or the week of a purchase.
#[derive(Clone, Copy, Debug)]
struct Mv {
    t: i64,
    kind: Kind,
    key: u8,
    qty: i32,
    r: u32,
}

const WEEK: i64 = 7 * DAY;

/// When product-warehouse `key` is replenished in week `k` (k ≥ 1): in the morning, a
/// few minutes apart per key.
fn replenish_at(key: u8, k: i64) -> i64 {
    k * WEEK + 8 * HOUR + i64::from(key) * 97
}

/// The replenishment week a movement at `t` falls in (0: before the first replenishment).
fn week_of(key: u8, t: i64) -> usize {
    (t - replenish_at(key, 0)).div_euclid(WEEK).max(0) as usize
}

/// What to keep on top of a week's outflow.
fn margin(outflow: i64) -> i64 {
    3 + outflow / 5
}

fn cartons(n: i64) -> i64 {
    (n.max(0) + 9) / 10 * 10
}

pub fn write_inventory(
    world: &World,
    clock: &Clock,
    book: &Book,
    lg: &Logistics,
    out: &Path,
) -> Result<GeneratedFile, GenError> {
    let keys = CATALOGUE.len() * WAREHOUSES.len();
    let key = |product: u8, wh: u8| product * WAREHOUSES.len() as u8 + wh;
    let n = lg.ships.len();
    let end = clock.end();
    let mut mv: Vec<Mv> = Vec::with_capacity(n + lg.rets.len() + keys * (clock.days as usize / 7 + 12));
    for (o, s) in lg.ships.iter().enumerate() {
        if !s.shipped() {
            continue;
        }
        let shipped = as_shipped(lg, o as u32);
        let qty = lg.tweaks.out_qty.get(&(o as u32)).copied().unwrap_or(shipped.qty);
        let k = key(book.orders[o].product, s.wh);
        mv.push(Mv { t: i64::from(s.t), kind: Kind::SaleOut, key: k, qty: -i32::from(qty), r: o as u32 });
    }
    for (i, f) in lg.tweaks.fake_ships.iter().enumerate() {
        let k = key(f.product, f.ship.wh);
        mv.push(Mv {
            t: i64::from(f.ship.t),
            kind: Kind::SaleOut,
            key: k,
            qty: -i32::from(f.ship.qty),
            r: (n + i) as u32,
        });
    }
    // Weekly outflow per key, for the purchases.
    let weeks = (end / WEEK + 2) as usize;
    let mut outflow = vec![vec![0i64; weeks]; keys];
    for m in &mv {
        outflow[m.key as usize][week_of(m.key, m.t).min(weeks - 1)] -= i64::from(m.qty);
    }
    for (i, r) in lg.rets.iter().enumerate() {
        if let Some(t) = r.received {
            let s = &lg.ships[r.order as usize];
            let qty = lg.tweaks.in_qty.get(&i).copied().unwrap_or(s.qty);
            let k = key(book.orders[r.order as usize].product, s.wh);
            mv.push(Mv { t, kind: Kind::ReturnIn, key: k, qty: i32::from(qty), r: i as u32 });
        }
    }
    for k in 0..keys as u8 {
        mv.push(Mv { t: 0, kind: Kind::Opening, key: k, qty: 0, r: 0 });
        for week in 1.. {
            let t = replenish_at(k, week);
            if t >= end {
                break;
            }
            mv.push(Mv { t, kind: Kind::Purchase, key: k, qty: 0, r: week as u32 });
        }
        for d in 0..i64::from(clock.days) {
            if clock.day_of_month(d + 1) == 1 {
                mv.push(Mv { t: d * DAY + DAY - 1, kind: Kind::Count, key: k, qty: 0, r: 0 });
            }
        }
    }
    mv.sort_unstable_by_key(|m| (m.t, m.kind, m.key, m.r));

    let mut w = CsvOut::create(out, INVENTORY_FILE, Enc::Utf8, false)?;
    w.header(INVENTORY_HEADER)?;
    let mut level = vec![0i64; keys];
    let mut r = Row::default();
    for m in &mv {
        let k = m.key as usize;
        let (product, wh) = (m.key / WAREHOUSES.len() as u8, m.key as usize % WAREHOUSES.len());
        let (word, qty, counted) = match m.kind {
            Kind::Opening => {
                let first = outflow[k][0];
                ("期初", cartons(first + margin(first)) + 10, None)
            }
            Kind::Purchase => {
                let week = outflow[k][(m.r as usize).min(weeks - 1)];
                let need = week + margin(week) - level[k];
                if need <= 0 {
                    continue;
                }
                ("采购入库", cartons(need), None)
            }
            Kind::ReturnIn => ("退货入库", i64::from(m.qty), None),
            Kind::SaleOut => ("销售出库", i64::from(m.qty), None),
            Kind::Count => {
                let diff = lg
                    .tweaks
                    .counts
                    .iter()
                    .find(|c| c.0 == m.key && c.1 == m.t.div_euclid(DAY))
                    .map_or(0, |c| if level[k] + c.2 < 0 { -c.2 } else { c.2 });
                ("盘点", 0, Some(level[k] + diff))
            }
        };
        level[k] += qty;
        debug_assert!(level[k] >= 0, "stock of {} below zero", sku(product));
        r.clear();
        r.push(sku(product));
        r.push(WAREHOUSES[wh]);
        clock.push_datetime(r.cell(), m.t);
        r.push(word);
        r.push(&qty.to_string());
        let reference = r.cell();
        match m.kind {
            Kind::Opening => {}
            Kind::Purchase => {
                reference.push_str("CG");
                clock.push_compact_date(reference, m.t.div_euclid(DAY));
                reference.push('-');
                super::clock::push_num(reference, u64::from(m.key), 2);
            }
            Kind::ReturnIn => {
                let rec = &book.orders[lg.rets[m.r as usize].order as usize];
                let p = world.shops[rec.shop as usize].platform;
                super::logistics::push_after_sale_id(reference, p, rec.seq);
            }
            Kind::SaleOut => match (m.r as usize).checked_sub(n) {
                Some(f) => reference.push_str(&lg.tweaks.fake_ships[f].order_id),
                None => {
                    let rec = &book.orders[m.r as usize];
                    push_order_id(reference, clock, world.shops[rec.shop as usize].platform, rec);
                }
            },
            Kind::Count => {
                reference.push_str("PD");
                clock.push_compact_date(reference, m.t.div_euclid(DAY));
                reference.push('-');
                super::clock::push_num(reference, wh as u64 + 1, 1);
            }
        }
        r.push(&counted.unwrap_or(level[k]).to_string());
        w.row(&r)?;
    }
    w.finish("inventory")
}
