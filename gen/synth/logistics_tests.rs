//! End-to-end checks of the warehouse's files, read back as an importer would: shipments
//! agree with the orders and come before the settlement, every parcel is billed at the
//! contracted fee, returns agree with the refunds, the stock book adds up; on clean data
//! none of the planted problems is there, and each one planted is there exactly where
//! truth/planted.csv says, alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{NaiveDateTime, TimeDelta};

use super::logistics::COURIERS;
use super::test_read::{cents, clean, opts, run, s, summary, table, wallet_lines};
use super::tests::check_all;
use super::{GenOptions, Noise, Plant};

fn at(v: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S").unwrap_or_else(|e| panic!("{v:?}: {e}"))
}

/// A platform order as its export says.
struct Order {
    status: String,
    ordered: NaiveDateTime,
    /// Payment time; B2B orders (no payment column) their order time.
    paid: Option<NaiveDateTime>,
    ship: String,
    tracking: String,
    courier: String,
    sku: String,
    qty: i64,
    b2b: bool,
}

/// (platform code, order id): files name the platform in their own words.
type Key = (String, String);

/// The platform a 平台 cell names: the platform's name or a channel it settles.
fn code(word: &str) -> String {
    match word {
        "天猫" | "淘宝" => "tmall",
        "京东" | "京东商城" => "jd",
        "抖音" | "抖店" | "抖音小店" => "douyin",
        "拼多多" => "pdd",
        "微信小程序" | "小程序商城" | "视频号小店" => "wechat",
        "线下" | "B2B" | "企业客户" | "对公" | "经销商" => "b2b",
        other => panic!("unknown platform word {other}"),
    }
    .to_string()
}

fn orders(dir: &Path) -> BTreeMap<Key, Order> {
    // file and id; ordered, paid, shipped; tracking, courier; sku, quantity
    type Columns = ((&'static str, &'static str), [&'static str; 3], [&'static str; 2], [&'static str; 2]);
    let files: [Columns; 6] = [
        (
            ("orders/tmall_orders.csv", "订单编号"),
            ["下单时间", "付款时间", "发货时间"],
            ["物流单号", "快递公司"],
            ["商家编码", "宝贝总数量"],
        ),
        (
            ("orders/jd_orders.xlsx", "订单号"),
            ["下单时间", "支付时间", "出库时间"],
            ["运单号", "承运商"],
            ["商品编号", "订购数量"],
        ),
        (
            ("orders/douyin_orders.csv", "主订单编号"),
            ["订单提交时间", "支付完成时间", "发货时间"],
            ["快递单号", "快递公司"],
            ["商家编码", "商品数量"],
        ),
        // The platform's own export, or (with noise) the ERP's.
        if table(dir, "orders/pdd_orders.csv", "平台").first().is_some_and(|r| r.contains_key("线上订单号")) {
            (
                ("orders/pdd_orders.csv", "线上订单号"),
                ["下单时间", "付款时间", "发货时间"],
                ["物流单号", "快递公司"],
                ["商品编码", "数量"],
            )
        } else {
            (
                ("orders/pdd_orders.csv", "订单号"),
                ["成交时间", "支付时间", "发货时间"],
                ["快递单号", "快递公司"],
                ["商家编码-SKU维度", "商品数量(件)"],
            )
        },
        (
            ("orders/wechat_orders.csv", "订单号"),
            ["下单时间", "支付时间", "发货时间"],
            ["快递单号", "快递公司"],
            ["商品编码", "数量"],
        ),
        (("orders/b2b_orders.csv", "订单编号"), ["下单时间", "", ""], ["", ""], ["商品编码", "数量"]),
    ];
    let mut out = BTreeMap::new();
    for ((file, id), [ordered, paid, ship], [tracking, courier], [sku, qty]) in files {
        let first = if file.contains("wechat") { "订单号" } else { "平台" };
        for r in table(dir, file, first) {
            let get = |k: &str| if k.is_empty() { String::new() } else { clean(&r[k]) };
            let b2b = file.contains("b2b");
            let ordered = at(&get(ordered));
            let paid = if b2b { Some(ordered) } else { Some(get(paid)).filter(|p| !p.is_empty()).map(|p| at(&p)) };
            let o = Order {
                status: get("订单状态"),
                ordered,
                paid,
                ship: get(ship),
                tracking: get(tracking),
                courier: get(courier),
                sku: get(sku),
                qty: get(qty).parse().unwrap(),
                b2b,
            };
            assert!((1..=3).contains(&o.qty), "{file}: quantity {}", o.qty);
            assert!(out.insert((code(&get("平台")), get(id)), o).is_none(), "{file}: order {} twice", get(id));
        }
    }
    out
}

struct Shipment {
    key: Key,
    courier: String,
    tracking: String,
    t: NaiveDateTime,
    sku: String,
    qty: i64,
    weight: i64,
    wh: String,
}

fn shipments(dir: &Path) -> Vec<Shipment> {
    table(dir, "shipments/shipments.csv", "平台")
        .into_iter()
        .map(|r| {
            assert!(!r["店铺"].is_empty());
            assert!(!r["商品名称"].is_empty());
            Shipment {
                key: (code(&r["平台"]), r["订单编号"].clone()),
                courier: r["物流公司"].clone(),
                tracking: r["运单号"].clone(),
                t: at(&r["发货时间"]),
                sku: r["商品编码"].clone(),
                qty: r["数量"].parse().unwrap(),
                weight: cents(&r["重量(kg)"]),
                wh: r["发货仓库"].clone(),
            }
        })
        .collect()
}

struct Return {
    id: String,
    key: Key,
    courier: String,
    tracking: String,
    sku: String,
    qty: i64,
    state: String,
    amount: i64,
    apply: NaiveDateTime,
    signed: Option<NaiveDateTime>,
}

fn returns(dir: &Path) -> Vec<Return> {
    table(dir, "returns/returns.csv", "售后单号")
        .into_iter()
        .map(|r| Return {
            id: r["售后单号"].clone(),
            key: (code(&r["平台"]), r["订单编号"].clone()),
            courier: r["退货物流公司"].clone(),
            tracking: r["退货运单号"].clone(),
            sku: r["商品编码"].clone(),
            qty: r["退货数量"].parse().unwrap(),
            state: r["售后状态"].clone(),
            amount: cents(&r["退款金额"]),
            apply: at(&r["申请时间"]),
            signed: Some(&r["签收时间"]).filter(|s| !s.is_empty()).map(|s| at(s)),
        })
        .collect()
}

#[derive(Clone, PartialEq, Eq, Debug)]
struct Bill {
    courier: String,
    period: String,
    tracking: String,
    kind: String,
    t: NaiveDateTime,
    tenths: i64,
    fee: i64,
    extra: i64,
    total: i64,
}

fn bills(dir: &Path) -> Vec<Bill> {
    let mut v = Vec::new();
    for (name, slug, ..) in COURIERS {
        let text = std::fs::read_to_string(dir.join(format!("courier/{slug}_bill.csv"))).unwrap();
        assert!(text.starts_with("快递公司,账单周期,运单号,业务类型,寄件时间,计费重量(kg),运费,附加费,费用合计\n"));
        for r in table(dir, &format!("courier/{slug}_bill.csv"), "快递公司") {
            assert_eq!(r["快递公司"], name);
            let kg = cents(&r["计费重量(kg)"]);
            assert_eq!(kg % 10, 0, "billed weight in tenths of a kilogram: {r:?}");
            v.push(Bill {
                courier: r["快递公司"].clone(),
                period: r["账单周期"].clone(),
                tracking: r["运单号"].clone(),
                kind: r["业务类型"].clone(),
                t: at(&r["寄件时间"]),
                tenths: kg / 10,
                fee: cents(&r["运费"]),
                extra: cents(&r["附加费"]),
                total: cents(&r["费用合计"]),
            });
        }
    }
    v
}

struct Move {
    sku: String,
    wh: String,
    t: NaiveDateTime,
    kind: String,
    qty: i64,
    reference: String,
    level: i64,
}

fn stock(dir: &Path) -> Vec<Move> {
    table(dir, "inventory/inventory.csv", "商品编码")
        .into_iter()
        .map(|r| Move {
            sku: r["商品编码"].clone(),
            wh: r["仓库"].clone(),
            t: at(&r["业务时间"]),
            kind: r["业务类型"].clone(),
            qty: r["数量"].parse().unwrap(),
            reference: r["关联单号"].clone(),
            level: r["结存数量"].parse().unwrap(),
        })
        .collect()
}

/// The contracted fee, from the reconciliation's default rates.
fn contract(courier: &str, tenths: i64) -> i64 {
    let (_, first, extra) =
        recon::settings::DEFAULT_COURIER_RATES.iter().find(|r| r.0 == courier).unwrap_or_else(|| panic!("{courier}"));
    cents(first) + (tenths.max(10) - 10 + 9) / 10 * cents(extra)
}

/// Everything read back, with the settlement side per order.
struct Data {
    end: NaiveDateTime,
    orders: BTreeMap<Key, Order>,
    ships: Vec<Shipment>,
    rets: Vec<Return>,
    bills: Vec<Bill>,
    stock: Vec<Move>,
    /// First sale line and refund total per order, from the wallets.
    first_sale: BTreeMap<Key, NaiveDateTime>,
    refunded: BTreeMap<Key, i64>,
}

fn read(dir: &Path) -> Data {
    let sum = summary(dir);
    let end = at(&s(&sum["period_to"])) + TimeDelta::seconds(1);
    let mut first_sale: BTreeMap<Key, NaiveDateTime> = BTreeMap::new();
    let mut refunded: BTreeMap<Key, i64> = BTreeMap::new();
    for shop in sum["shops"].as_array().unwrap() {
        let platform = s(&shop["platform"]);
        if platform == "b2b" {
            continue;
        }
        for l in wallet_lines(dir, &platform, &s(&shop["settlement_file"])) {
            let key = (platform.clone(), l.order.clone());
            match l.cat {
                "sale" => {
                    let t = at(&l.time);
                    let e = first_sale.entry(key).or_insert(t);
                    *e = (*e).min(t);
                }
                "refund" => *refunded.entry(key).or_default() -= l.amount,
                _ => {}
            }
        }
    }
    Data {
        end,
        orders: orders(dir),
        ships: shipments(dir),
        rets: returns(dir),
        bills: bills(dir),
        stock: stock(dir),
        first_sale,
        refunded,
    }
}

/// Order statuses that say the order was closed or refunded before it shipped, and the
/// ones that say it is not paid; Tmall's 退款成功 is one only without a ship time.
const CLOSED: [&str; 3] = ["交易关闭", "已取消", "已关闭"];
const UNPAID: [&str; 4] = ["等待买家付款", "等待付款", "待支付", "待付款"];

/// What each planted kind's check finds, by kind: the references the analysis would
/// report. On clean data every set is empty.
fn detect(d: &Data) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut found: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut add = |k: &'static str, r: &str| {
        found.entry(k).or_default().insert(r.to_string());
    };
    let sends: BTreeSet<&str> = d.ships.iter().map(|s| s.tracking.as_str()).filter(|t| !t.is_empty()).collect();
    let ret_nos: BTreeSet<&str> = d.rets.iter().map(|r| r.tracking.as_str()).filter(|t| !t.is_empty()).collect();
    let backs: BTreeSet<&str> = d.bills.iter().filter(|b| b.kind == "退件").map(|b| b.tracking.as_str()).collect();
    let billed_couriers: BTreeSet<&str> = d.bills.iter().map(|b| b.courier.as_str()).collect();
    for r in &d.rets {
        let carried = backs.contains(r.tracking.as_str());
        if !r.tracking.is_empty()
            && ["退款成功", "已签收"].contains(&r.state.as_str())
            && billed_couriers.contains(r.courier.as_str())
            && !carried
        {
            add("return_not_carried", &r.id);
        }
        if ["退款关闭", "待买家退货"].contains(&r.state.as_str()) && !r.tracking.is_empty() && carried {
            add("return_state_differs", &r.id);
        }
    }
    for b in &d.bills {
        if b.kind == "退件" && !ret_nos.contains(b.tracking.as_str()) && !sends.contains(b.tracking.as_str()) {
            add("return_not_in_returns", &b.tracking);
        }
        if b.kind == "寄件" && !sends.contains(b.tracking.as_str()) {
            add("billed_not_shipped", &b.tracking);
        }
        if b.fee > contract(&b.courier, b.tenths) + 50 {
            add("courier_overcharge", &b.tracking);
        }
    }
    let mut lines: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for b in &d.bills {
        *lines.entry((b.tracking.as_str(), b.kind.as_str())).or_default() += 1;
    }
    for ((t, _), n) in lines {
        if n > 1 {
            add("courier_billed_twice", t);
        }
    }
    let sends_billed: BTreeSet<&str> =
        d.bills.iter().filter(|b| b.kind == "寄件").map(|b| b.tracking.as_str()).collect();
    let mut shipped: BTreeMap<&Key, &Shipment> = BTreeMap::new();
    for s in &d.ships {
        assert!(shipped.insert(&s.key, s).is_none(), "order {:?} shipped twice", s.key);
        match d.orders.get(&s.key) {
            None => add("shipped_not_ordered", &s.key.1),
            Some(o) if o.qty != s.qty => add("shipped_quantity_differs", &s.key.1),
            _ => {}
        }
        if d.first_sale.get(&s.key).is_some_and(|&t| s.t > t) {
            add("settled_before_shipment", &s.key.1);
        }
        if s.tracking.is_empty() {
            add("logistics_missing", &s.key.1);
        } else if !sends_billed.contains(s.tracking.as_str()) {
            add("shipped_not_billed", &s.key.1);
        }
    }
    for (key, o) in &d.orders {
        let closed = CLOSED.contains(&o.status.as_str()) || (o.status == "退款成功" && o.ship.is_empty());
        let old = o.paid.is_some_and(|p| d.end - p > TimeDelta::days(7));
        if !closed && old && !shipped.contains_key(key) {
            add("paid_not_shipped", &key.1);
        }
    }
    // The stock book: movements against what they stand for, counts against the running sum.
    let qty_of_return: BTreeMap<&str, i64> = d.rets.iter().map(|r| (r.id.as_str(), r.qty)).collect();
    let by_order: BTreeMap<&str, &Shipment> = d.ships.iter().map(|s| (s.key.1.as_str(), s)).collect();
    let mut level: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for m in &d.stock {
        let l = level.entry((m.sku.as_str(), m.wh.as_str())).or_default();
        match m.kind.as_str() {
            "盘点" if m.level != *l => add("stock_count_differs", &m.sku),
            "销售出库" if by_order.get(m.reference.as_str()).is_some_and(|s| s.qty != -m.qty) => {
                add("inventory_out_differs", &m.reference)
            }
            "退货入库" if qty_of_return.get(m.reference.as_str()).is_some_and(|&q| q != m.qty) => {
                let id = m.reference.clone();
                add("return_quantity_differs", &id)
            }
            _ => {}
        }
        *l += m.qty;
    }
    found
}

/// Everything that holds on any data set, planted or not: `planted` are the references
/// of truth/planted.csv, by kind, where a check knows its exception.
fn check_consistency(d: &Data, planted: &BTreeMap<String, BTreeSet<String>>) {
    let is = |k: &str, r: &str| planted.get(k).is_some_and(|s| s.contains(r));
    let end = d.end;
    // Tracking numbers: unique over shipments and returns, of their courier's form.
    let mut seen = BTreeSet::new();
    let prefix: BTreeMap<&str, (&str, usize)> = COURIERS.iter().map(|c| (c.0, (c.2, c.2.len() + c.3))).collect();
    for (courier, no) in
        d.ships.iter().map(|s| (&s.courier, &s.tracking)).chain(d.rets.iter().map(|r| (&r.courier, &r.tracking)))
    {
        if no.is_empty() {
            continue;
        }
        assert!(seen.insert(no.clone()), "tracking number {no} used twice");
        let (p, len) = prefix[courier.as_str()];
        assert!(no.starts_with(p) && no.len() == len, "{courier} {no}");
    }

    // Shipments: the order's product and courier, after payment and within 72 hours.
    let mut shipped = BTreeMap::new();
    for s in &d.ships {
        shipped.insert(s.key.clone(), s);
        assert!(prefix.contains_key(s.courier.as_str()));
        assert!(["杭州仓", "嘉兴仓"].contains(&s.wh.as_str()));
        assert!(s.t < end);
        let Some(o) = d.orders.get(&s.key) else { continue };
        assert_eq!(o.sku, s.sku, "{:?}", s.key);
        assert!((20..=1_600).contains(&s.weight), "{:?} weighs {}", s.key, s.weight);
        if !o.b2b {
            assert_eq!(
                (&o.ship, &o.courier, &o.tracking),
                (&s.t.format("%Y-%m-%d %H:%M:%S").to_string(), &s.courier, &s.tracking)
            );
        }
        let paid = o.paid.unwrap_or_else(|| panic!("{:?} shipped unpaid", s.key));
        if !is("settled_before_shipment", &s.key.1) {
            assert!(s.t > paid && s.t - paid <= TimeDelta::hours(72), "{:?} paid {paid} shipped {}", s.key, s.t);
        }
        if o.status == "退款成功" && !o.b2b {
            assert!(d.rets.iter().any(|r| r.key == s.key), "{:?} refunded after shipping without a return", s.key);
        }
    }
    // Orders not shipped: unpaid, closed, the last three days' or planted.
    for (key, o) in &d.orders {
        if shipped.contains_key(key) {
            continue;
        }
        assert!(o.ship.is_empty() && o.tracking.is_empty() && o.courier.is_empty(), "{key:?}");
        let closed = CLOSED.contains(&o.status.as_str()) || o.status == "退款成功";
        let unpaid = UNPAID.contains(&o.status.as_str()) && o.paid.is_none();
        let recent = o.paid.is_some_and(|p| end - p <= TimeDelta::hours(72))
            || (o.b2b && end - o.ordered <= TimeDelta::hours(48));
        assert!(closed || unpaid || recent || is("paid_not_shipped", &key.1), "{key:?} {} not shipped", o.status);
        if closed {
            assert!(!d.first_sale.contains_key(key), "{key:?} closed but settled");
        }
    }

    // Bills: the contracted fee on the billed weight, 寄件 lines as shipped.
    let by_tracking: BTreeMap<&str, &Shipment> = d.ships.iter().map(|s| (s.tracking.as_str(), s)).collect();
    let rets_by_tracking: BTreeMap<&str, &Return> = d.rets.iter().map(|r| (r.tracking.as_str(), r)).collect();
    for b in &d.bills {
        assert_eq!(b.period, b.t.format("%Y-%m").to_string());
        assert!(b.t < end);
        assert_eq!(b.total, b.fee + b.extra, "{b:?}");
        assert!([0, 200, 300, 500, 800].contains(&b.extra), "{b:?}");
        assert!(b.tenths >= 10, "{b:?}");
        if !is("courier_overcharge", &b.tracking) {
            assert_eq!(b.fee, contract(&b.courier, b.tenths), "{b:?}");
        }
        if b.kind == "寄件" {
            let s = by_tracking[b.tracking.as_str()];
            assert_eq!((&s.courier, s.t), (&b.courier, b.t));
            assert_eq!(b.tenths, ((s.weight + 9) / 10).max(10), "{b:?} of {} kg", s.weight);
        } else {
            assert_eq!(b.kind, "退件");
            assert_eq!(b.extra, 0);
            if let Some(r) = rets_by_tracking.get(b.tracking.as_str()) {
                assert_eq!(r.courier, b.courier);
                assert!(b.t > r.apply && r.signed.is_none_or(|s| b.t < s), "{b:?}");
            }
        }
    }

    // Returns: of shipped orders, the whole quantity, after delivery; refunds as paid.
    let backs: BTreeSet<&str> = d.bills.iter().filter(|b| b.kind == "退件").map(|b| b.tracking.as_str()).collect();
    let mut ids = BTreeSet::new();
    for r in &d.rets {
        assert!(ids.insert(r.id.clone()), "after-sale id {} twice", r.id);
        let o = &d.orders[&r.key];
        let s = shipped.get(&r.key).unwrap_or_else(|| panic!("return {} of an order not shipped", r.id));
        assert_eq!((&r.sku, r.qty), (&o.sku, o.qty), "{}", r.id);
        assert!(r.apply > s.t + TimeDelta::days(1) && r.apply < end, "{}", r.id);
        let refunded = d.refunded.get(&r.key).copied().unwrap_or(0);
        match r.state.as_str() {
            "退款成功" => {
                assert_eq!(r.amount, refunded, "{}: the refund lines' total", r.id);
                assert!(r.signed.is_some_and(|t| t > r.apply && t < end), "{}", r.id);
            }
            "已签收" => assert!(r.signed.is_some() && refunded == 0, "{}", r.id),
            "买家已退货" => assert!(r.signed.is_none() && refunded == 0, "{}", r.id),
            "待买家退货" | "退款关闭" => {
                assert!(r.signed.is_none() && refunded == 0, "{}", r.id);
                assert!(r.tracking.is_empty() || is("return_state_differs", &r.id), "{}", r.id);
            }
            other => panic!("state {other}"),
        }
        assert!(r.amount > 0);
        assert_eq!(r.tracking.is_empty(), r.courier.is_empty(), "{}", r.id);
        if !r.tracking.is_empty() && !is("return_not_carried", &r.id) {
            assert!(backs.contains(r.tracking.as_str()), "{} not carried", r.id);
        }
    }
    // Every refund after shipping is a return or a refund of part of the amount.
    for (key, &amount) in &d.refunded {
        if amount > 0 && d.orders[key].status == "退款成功" && !d.orders[key].ship.is_empty() {
            assert!(d.rets.iter().any(|r| &r.key == key && r.state == "退款成功"), "{key:?}");
        }
    }

    // The stock book: in time order, never below zero, the running level after each row
    // (a planted count aside), every shipment and received return once.
    let mut level: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    let mut outs: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ins: BTreeMap<&str, usize> = BTreeMap::new();
    let mut last = d.stock.first().map(|m| m.t);
    let start = d.stock.first().map(|m| m.t).unwrap();
    for m in &d.stock {
        assert!(Some(m.t) >= last, "inventory not in time order at {}", m.t);
        last = Some(m.t);
        let l = level.entry((m.sku.as_str(), m.wh.as_str())).or_default();
        *l += m.qty;
        assert!(*l >= 0, "{} {} below zero at {}", m.sku, m.wh, m.t);
        match m.kind.as_str() {
            "期初" => assert!(m.t == start && m.reference.is_empty() && m.qty > 0),
            "采购入库" => assert!(m.qty > 0 && m.reference.starts_with("CG")),
            "销售出库" => {
                *outs.entry(m.reference.as_str()).or_default() += 1;
                assert!(m.qty < 0);
            }
            "退货入库" => {
                *ins.entry(m.reference.as_str()).or_default() += 1;
                assert!(m.qty > 0);
            }
            "盘点" => {
                assert_eq!(m.qty, 0);
                assert_eq!(m.t.format("%H:%M:%S").to_string(), "23:59:59");
                assert_eq!((m.t + TimeDelta::seconds(1)).format("%d").to_string(), "01", "a month end");
                if m.level != *l {
                    assert!(is("stock_count_differs", &m.sku) && (1..=5).contains(&(m.level - *l).abs()));
                }
                continue;
            }
            other => panic!("movement {other}"),
        }
        assert_eq!(m.level, *l, "{} {} at {}", m.sku, m.wh, m.t);
    }
    for s in &d.ships {
        assert_eq!(outs.get(s.key.1.as_str()), Some(&1), "销售出库 of {:?}", s.key);
        let m = d.stock.iter().filter(|m| m.kind == "销售出库" && m.reference == s.key.1);
        for m in m {
            assert_eq!((&m.sku, &m.wh, m.t), (&s.sku, &s.wh, s.t));
        }
    }
    for r in &d.rets {
        let want = usize::from(r.signed.is_some());
        assert_eq!(ins.get(r.id.as_str()).copied().unwrap_or(0), want, "退货入库 of {}", r.id);
    }
}

fn planted(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if dir.join("truth/planted.csv").exists() {
        for r in table(dir, "truth/planted.csv", "kind") {
            m.entry(r["kind"].clone()).or_default().insert(r["reference"].clone());
        }
    }
    m
}

#[test]
fn clean_logistics_agree_with_orders_settlements_and_themselves() {
    for (tag, noise) in [("logi-none", Noise::None), ("logi-high", Noise::High), ("logi-low", Noise::Low)] {
        let o = opts(3_000, 3, noise);
        let dir = run(tag, &o);
        let d = read(&dir.0);
        check_consistency(&d, &BTreeMap::new());
        let found = detect(&d);
        assert!(found.is_empty(), "{noise}: {found:?}");
        // Enough of everything for the analysis to be tried on.
        assert!(d.ships.len() > 2_500, "{}", d.ships.len());
        let states: BTreeSet<&str> = d.rets.iter().map(|r| r.state.as_str()).collect();
        assert_eq!(states.len(), 5, "every after-sale state: {states:?}");
        assert!(d.bills.iter().any(|b| b.kind == "退件"));
        assert!(d.bills.iter().any(|b| b.tenths > 10) && d.bills.iter().any(|b| b.extra > 0));
        assert!(d.stock.iter().any(|m| m.kind == "采购入库") && d.stock.iter().any(|m| m.kind == "盘点"));
        let couriers: BTreeSet<&str> = d.ships.iter().map(|s| s.courier.as_str()).collect();
        assert_eq!(couriers.len(), 7, "{couriers:?}");
        assert!(d.ships.iter().any(|s| s.qty > 1));
        assert!(d.ships.iter().any(|s| s.key.0 == "b2b"), "B2B orders ship too");
        // The settlement side is what it was: the truth still holds.
        check_all(&dir.0, &o);
    }
}

/// Every kind twice, where truth/planted.csv says, and nothing else wrong.
#[test]
fn logistics_plants_are_where_the_truth_says_and_alone() {
    for (tag, noise) in [("logi-plant-none", Noise::None), ("logi-plant-high", Noise::High)] {
        let o = GenOptions { plant: Plant::LOGISTICS.to_vec(), ..opts(3_000, 3, noise) };
        let dir = run(tag, &o);
        check_all(&dir.0, &o);
        let d = read(&dir.0);
        let truth = planted(&dir.0);
        let rows = table(&dir.0, "truth/planted.csv", "kind");
        let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str()).collect();
        let want: Vec<&str> = Plant::LOGISTICS.iter().flat_map(|p| [p.kind(), p.kind()]).collect();
        assert_eq!(kinds, want);
        check_consistency(&d, &truth);
        let found = detect(&d);
        for p in Plant::LOGISTICS {
            let got = found.get(p.kind()).cloned().unwrap_or_default();
            assert_eq!(got.len(), 2, "{noise} {}: {got:?}", p.kind());
            assert_eq!(got, truth[p.kind()], "{noise} {}", p.kind());
        }
        let extra: Vec<_> = found.keys().filter(|k| !truth.contains_key(**k)).collect();
        assert!(extra.is_empty(), "{noise}: problems nobody planted: {extra:?} {found:?}");

        // The size of each problem.
        for b in d.bills.iter().filter(|b| truth["courier_overcharge"].contains(&b.tracking)) {
            let over = b.fee - contract(&b.courier, b.tenths);
            assert!((300..=2_000).contains(&over), "{b:?} over by {over}");
            assert_eq!(d.bills.iter().filter(|x| x.tracking == b.tracking).count(), 1);
        }
        for t in &truth["courier_billed_twice"] {
            let lines: Vec<&Bill> = d.bills.iter().filter(|b| &b.tracking == t).collect();
            assert_eq!(lines.len(), 2);
            assert_eq!(lines[0], lines[1]);
            assert_eq!(lines[0].kind, "寄件");
        }
        for r in rows.iter().filter(|r| r["kind"] == "stock_count_differs") {
            let (wh, day) = r["detail"].split_once(' ').unwrap();
            let mut level = 0;
            let mut hit = false;
            for m in d.stock.iter().filter(|m| m.sku == r["reference"] && m.wh == wh) {
                if m.kind == "盘点" && m.t.format("%Y-%m-%d").to_string() == day {
                    assert!((1..=5).contains(&(m.level - level).abs()));
                    hit = true;
                }
                level += m.qty;
            }
            assert!(hit, "{r:?}");
        }
        for id in &truth["paid_not_shipped"] {
            let (_, o) = d.orders.iter().find(|(k, _)| &k.1 == id).unwrap();
            assert!(!d.first_sale.keys().any(|k| &k.1 == id), "{id} is settled");
            assert!(d.end - o.paid.unwrap() > TimeDelta::days(7));
        }
        for id in &truth["settled_before_shipment"] {
            let s = d.ships.iter().find(|s| &s.key.1 == id).unwrap();
            assert!(s.t > d.first_sale[&s.key]);
        }
    }
}

/// A kind asked for alone is planted where it goes among all of them, and nothing else
/// moves: without it, the warehouse's files are those of the clean set.
#[test]
fn logistics_plants_do_not_move_each_other_or_the_rest() {
    let base = opts(1_500, 5, Noise::Low);
    let all = run("logi-iso-all", &GenOptions { plant: Plant::LOGISTICS.to_vec(), ..base.clone() });
    let one =
        run("logi-iso-one", &GenOptions { plant: vec![Plant::CourierOvercharge, Plant::FeeChange], ..base.clone() });
    let none = run("logi-iso-none", &base);
    let rows = |dir: &Path, kind: &str| -> Vec<BTreeMap<String, String>> {
        table(dir, "truth/planted.csv", "kind").into_iter().filter(|r| r["kind"] == kind).collect()
    };
    assert_eq!(rows(&one.0, "courier_overcharge"), rows(&all.0, "courier_overcharge"));
    assert_eq!(rows(&one.0, "courier_overcharge").len(), 2);
    for p in Plant::LOGISTICS {
        let alone = run(&format!("logi-iso-{p}"), &GenOptions { plant: vec![p], ..base.clone() });
        assert_eq!(rows(&alone.0, p.kind()), rows(&all.0, p.kind()), "{p}");
        assert_eq!(table(&alone.0, "truth/planted.csv", "kind").len(), 2, "{p}");
    }
    // Only the two overcharged lines differ from the clean set.
    for (c, ..) in COURIERS.iter().enumerate() {
        let f = format!("courier/{}_bill.csv", COURIERS[c].1);
        let a = std::fs::read_to_string(none.0.join(&f)).unwrap();
        let b = std::fs::read_to_string(one.0.join(&f)).unwrap();
        let differ = a.lines().zip(b.lines()).filter(|(x, y)| x != y).count();
        assert_eq!(a.lines().count(), b.lines().count());
        assert!(differ <= 2, "{f}: {differ} lines differ");
    }
    for f in
        ["shipments/shipments.csv", "returns/returns.csv", "inventory/inventory.csv", "settlements/pdd_youxuan.csv"]
    {
        assert!(std::fs::read(none.0.join(f)).unwrap() == std::fs::read(one.0.join(f)).unwrap(), "{f}");
    }
}

#[test]
fn logistics_parse_and_tiny_sets() {
    assert_eq!(Plant::parse_list("logistics").unwrap(), Plant::LOGISTICS.to_vec());
    assert_eq!(Plant::parse_list("Courier_Twice").unwrap(), vec![Plant::CourierTwice]);
    assert!(Plant::parse_list("couriers").is_err());
    for p in Plant::ALL {
        assert_eq!(p.as_str().parse::<Plant>().unwrap(), p);
    }
    let names: BTreeSet<&str> = COURIERS.iter().map(|c| c.0).collect();
    let rates: BTreeSet<&str> = recon::settings::DEFAULT_COURIER_RATES.iter().map(|r| r.0).collect();
    assert_eq!(names, rates, "every courier has a contracted rate");
    for n in [0, 1, 7, 60] {
        let o = GenOptions { plant: Plant::ALL.to_vec(), ..opts(n, 3, Noise::High) };
        let dir = run(&format!("logi-tiny-{n}"), &o);
        let d = read(&dir.0);
        check_consistency(&d, &planted(&dir.0));
    }
}

/// Rare cases (returns under way at the export, refunds the wallet could not cover, big
/// stock books) show up in big sets; run with `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn logistics_hold_on_a_large_set() {
    for (seed, noise) in [(41, Noise::None), (42, Noise::High)] {
        let dir = run(&format!("logi-large-{seed}"), &opts(100_000, seed, noise));
        let d = read(&dir.0);
        check_consistency(&d, &BTreeMap::new());
        assert!(detect(&d).is_empty(), "{noise}: {:?}", detect(&d));
        let states: BTreeSet<&str> = d.rets.iter().map(|r| r.state.as_str()).collect();
        assert_eq!(states.len(), 5, "{states:?}");
        let o = GenOptions { plant: Plant::ALL.to_vec(), ..opts(100_000, seed, noise) };
        let dir = run(&format!("logi-large-plant-{seed}"), &o);
        let (d, truth) = (read(&dir.0), planted(&dir.0));
        check_consistency(&d, &truth);
        for (k, refs) in detect(&d) {
            assert_eq!(Some(&refs), truth.get(k), "{k}");
        }
    }
}
