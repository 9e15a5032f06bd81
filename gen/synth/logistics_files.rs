//! The warehouse's exports: the shipments (发货单), the platforms' after-sale rows
//! (售后单), one monthly-bill file per courier, and (inventory.rs) the stock movements.
//! All UTF-8 CSV without BOM, times `YYYY-MM-DD HH:MM:SS`, money and kilograms with two
//! decimals. logistics.rs decides the rows; this file only spells them.

use std::path::Path;

use super::book::Book;
use super::book::push_order_id;
use super::catalogue::{product_name, sku};
use super::clock::Clock;
use super::logistics::as_shipped;
use super::logistics::{
    COURIERS, Logistics, WAREHOUSES, billed_tenths, contract_fee, push_after_sale_id, push_tracking,
};
use super::model::World;
use super::money::{Cents, push_cents};
use super::write::{CsvOut, Enc, Row};
use super::{GenError, GeneratedFile, inventory};

pub const SHIPMENTS_FILE: &str = "shipments/shipments.csv";
pub const RETURNS_FILE: &str = "returns/returns.csv";

pub const SHIPMENTS_HEADER: &[&str] = &[
    "平台",
    "店铺",
    "订单编号",
    "物流公司",
    "运单号",
    "发货时间",
    "商品编码",
    "商品名称",
    "数量",
    "重量(kg)",
    "发货仓库",
];
pub const RETURNS_HEADER: &[&str] = &[
    "售后单号",
    "订单编号",
    "平台",
    "店铺",
    "退货物流公司",
    "退货运单号",
    "商品编码",
    "商品名称",
    "退货数量",
    "售后状态",
    "退款金额",
    "申请时间",
    "签收时间",
];
pub const BILL_HEADER: &[&str] =
    &["快递公司", "账单周期", "运单号", "业务类型", "寄件时间", "计费重量(kg)", "运费", "附加费", "费用合计"];

/// The bill file of courier `c`.
pub fn bill_path(c: usize) -> String {
    format!("courier/{}_bill.csv", COURIERS[c].1)
}

/// Folders the warehouse's files go to.
pub const DIRS: [&str; 4] = ["shipments", "returns", "courier", "inventory"];

/// Writes every warehouse file.
pub fn write_all(
    world: &World,
    clock: &Clock,
    book: &Book,
    lg: &mut Logistics,
    out: &Path,
) -> Result<Vec<GeneratedFile>, GenError> {
    let mut files = vec![write_shipments(world, clock, book, lg, out)?, write_returns(world, clock, book, lg, out)?];
    files.extend(write_bills(clock, lg, out)?);
    files.push(inventory::write_inventory(world, clock, book, lg, out)?);
    Ok(files)
}

fn write_shipments(
    world: &World,
    clock: &Clock,
    book: &Book,
    lg: &Logistics,
    out: &Path,
) -> Result<GeneratedFile, GenError> {
    let n = lg.ships.len();
    let mut order: Vec<(u32, u32)> =
        (0..n).filter(|&o| lg.ships[o].shipped()).map(|o| (lg.ships[o].t, o as u32)).collect();
    order.extend(lg.tweaks.fake_ships.iter().enumerate().map(|(k, f)| (f.ship.t, (n + k) as u32)));
    order.sort_unstable();
    let mut w = CsvOut::create(out, SHIPMENTS_FILE, Enc::Utf8, false)?;
    w.header(SHIPMENTS_HEADER)?;
    let mut r = Row::default();
    for &(_, o) in &order {
        let fake = (o as usize).checked_sub(n).map(|k| &lg.tweaks.fake_ships[k]);
        let (shop, product, s) = match fake {
            Some(f) => (f.shop, f.product, f.ship),
            None => {
                let rec = &book.orders[o as usize];
                (rec.shop, rec.product, as_shipped(lg, o))
            }
        };
        let shop = &world.shops[shop as usize];
        r.clear();
        r.push(shop.platform.label());
        r.push(shop.name);
        match fake {
            Some(f) => r.push(&f.order_id),
            None => push_order_id(r.cell(), clock, shop.platform, &book.orders[o as usize]),
        }
        r.push(COURIERS[s.courier as usize].0);
        let no = r.cell();
        if s.billed() {
            push_tracking(no, s.courier, s.seq);
        }
        clock.push_datetime(r.cell(), i64::from(s.t));
        r.push(sku(product));
        r.push(product_name(product));
        r.push(&s.qty.to_string());
        push_cents(r.cell(), Cents::from(s.weight));
        r.push(WAREHOUSES[s.wh as usize]);
        w.row(&r)?;
    }
    w.finish("shipments")
}

fn write_returns(
    world: &World,
    clock: &Clock,
    book: &Book,
    lg: &Logistics,
    out: &Path,
) -> Result<GeneratedFile, GenError> {
    let mut order: Vec<(i64, usize)> = lg.rets.iter().enumerate().map(|(i, r)| (r.apply, i)).collect();
    order.sort_unstable();
    let mut w = CsvOut::create(out, RETURNS_FILE, Enc::Utf8, false)?;
    w.header(RETURNS_HEADER)?;
    let mut r = Row::default();
    for &(_, i) in &order {
        let ret = &lg.rets[i];
        let rec = &book.orders[ret.order as usize];
        let shop = &world.shops[rec.shop as usize];
        r.clear();
        push_after_sale_id(r.cell(), shop.platform, rec.seq);
        push_order_id(r.cell(), clock, shop.platform, rec);
        r.push(shop.platform.label());
        r.push(shop.name);
        if ret.pickup.is_some() {
            r.push(COURIERS[ret.courier as usize].0);
            push_tracking(r.cell(), ret.courier, ret.seq);
        } else {
            r.cell();
            r.cell();
        }
        r.push(sku(rec.product));
        r.push(product_name(rec.product));
        r.push(&lg.ships[ret.order as usize].qty.to_string());
        r.push(ret.state.word());
        push_cents(r.cell(), ret.amount);
        clock.push_datetime(r.cell(), ret.apply);
        let signed = r.cell();
        if let Some(t) = ret.received {
            clock.push_datetime(signed, t);
        }
        w.row(&r)?;
    }
    w.finish("returns")
}

/// What a bill line is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Billed {
    /// The shipment of an order (index).
    Send(u32),
    /// A return's parcel (index in `rets`).
    Back(u32),
    /// A planted shipment of no order.
    FakeSend(u32),
    /// A planted 退件 of no return.
    FakeBack(u32),
}

fn write_bills(clock: &Clock, lg: &Logistics, out: &Path) -> Result<Vec<GeneratedFile>, GenError> {
    let end = clock.end();
    let mut lines: Vec<(u8, i64, Billed)> = Vec::with_capacity(lg.ships.len() + lg.rets.len());
    for (o, s) in lg.ships.iter().enumerate() {
        if s.billed() {
            lines.push((s.courier, i64::from(s.t), Billed::Send(o as u32)));
        }
    }
    for (i, r) in lg.rets.iter().enumerate() {
        if let Some(t) = r.pickup.filter(|&t| t < end && !lg.tweaks.uncarried.contains(&i)) {
            lines.push((r.courier, t, Billed::Back(i as u32)));
        }
    }
    for (k, f) in lg.tweaks.fake_ships.iter().enumerate() {
        lines.push((f.ship.courier, i64::from(f.ship.t), Billed::FakeSend(k as u32)));
    }
    for (k, f) in lg.tweaks.fake_returns.iter().enumerate() {
        lines.push((f.courier, f.t, Billed::FakeBack(k as u32)));
    }
    lines.sort_unstable();
    let mut files = Vec::new();
    let mut r = Row::default();
    let mut next = 0;
    for (c, &(name, ..)) in COURIERS.iter().enumerate() {
        let mut w = CsvOut::create(out, &bill_path(c), Enc::Utf8, false)?;
        w.header(BILL_HEADER)?;
        let rate = lg.rates[c];
        while next < lines.len() && usize::from(lines[next].0) == c {
            let (_, t, what) = lines[next];
            next += 1;
            // (sequence, weight in 10 g, surcharge, overcharge, times billed, send?)
            let (seq, weight, surcharge, over, times, send) = match what {
                Billed::Send(o) => {
                    let s = as_shipped(lg, o);
                    let over = lg.tweaks.overcharge.get(&o).copied().unwrap_or(0);
                    let times = if lg.tweaks.twice.contains(&o) { 2 } else { 1 };
                    (s.seq, s.weight, s.surcharge, over, times, true)
                }
                Billed::Back(i) => {
                    let ret = &lg.rets[i as usize];
                    (ret.seq, lg.ships[ret.order as usize].weight, 0, 0, 1, false)
                }
                Billed::FakeSend(k) => {
                    let s = lg.tweaks.fake_ships[k as usize].ship;
                    (s.seq, s.weight, s.surcharge, 0, 1, true)
                }
                Billed::FakeBack(k) => {
                    let f = lg.tweaks.fake_returns[k as usize];
                    (f.seq, f.weight, 0, 0, 1, false)
                }
            };
            let tenths = billed_tenths(u32::from(weight));
            let fee = contract_fee(rate, tenths) + over;
            let surcharge = Cents::from(surcharge) * 100;
            r.clear();
            r.push(name);
            let period = r.cell();
            clock.push_date(period, t.div_euclid(super::clock::DAY));
            period.truncate(7);
            push_tracking(r.cell(), c as u8, seq);
            r.push(if send { "寄件" } else { "退件" });
            clock.push_datetime(r.cell(), t);
            push_cents(r.cell(), Cents::from(tenths) * 10);
            push_cents(r.cell(), fee);
            push_cents(r.cell(), surcharge);
            push_cents(r.cell(), fee + surcharge);
            for _ in 0..times {
                w.row(&r)?;
            }
        }
        files.push(w.finish("courier")?);
    }
    Ok(files)
}
