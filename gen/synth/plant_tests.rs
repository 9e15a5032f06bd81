//! End-to-end checks of `--plant`: each planted problem is found in the data files
//! where truth/planted.csv says, the rest of the truth still holds, and nothing is
//! planted (or listed) unless asked for.

use std::collections::BTreeMap;
use std::path::Path;

use super::test_read::{cents, clean, opts, run, s, summary, table, wallet_lines};
use super::tests::check_all;
use super::{GenOptions, Noise, Plant, generate};

/// A bank statement line read back from either bank file, in file order.
struct BankRow {
    account: &'static str,
    id: String,
    time: chrono::NaiveDateTime,
    amount: i64,
    counterparty: String,
    memo: String,
}

fn bank_rows(dir: &Path) -> Vec<BankRow> {
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    let signed = |inc: String, exp: String| if inc.is_empty() { -cents(&exp) } else { cents(&inc) };
    let mut v: Vec<BankRow> = table(dir, "bank/icbc_basic_account.xlsx", "交易时间")
        .into_iter()
        .map(|r| BankRow {
            account: "icbc",
            id: clean(&r["交易流水号"]),
            time: at(&r["交易时间"]),
            amount: signed(clean(&r["贷方发生额"]), clean(&r["借方发生额"])),
            counterparty: r["对方户名"].clone(),
            memo: format!("{}|{}", r["摘要"], r["用途"]),
        })
        .collect();
    v.extend(table(dir, "bank/cmb_general_account.csv", "交易日期").into_iter().map(|r| {
        let date = chrono::NaiveDate::parse_from_str(&clean(&r["交易日期"]), "%Y%m%d").unwrap();
        BankRow {
            account: "cmb",
            id: clean(&r["流水号"]),
            time: date.and_time(chrono::NaiveTime::parse_from_str(&clean(&r["交易时间"]), "%H:%M:%S").unwrap()),
            amount: signed(clean(&r["收入"]), clean(&r["支出"])),
            counterparty: r["对方户名"].clone(),
            memo: r["交易备注"].clone(),
        }
    }));
    v
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    assert!(n > 0);
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// Orders of an export as id → (shop, yyyy-mm of the order, status).
fn order_months(dir: &Path, file: &str, id: &str, time: &str) -> BTreeMap<String, (String, String, String)> {
    table(dir, file, "平台")
        .into_iter()
        .map(|r| {
            let shop = r.get("店铺名称").or_else(|| r.get("店铺")).unwrap().clone();
            (clean(&r[id]), (shop, r[time][..7].to_string(), r["订单状态"].clone()))
        })
        .collect()
}

/// Every plant is in the data files where truth/planted.csv says, and the rest of the
/// truth still describes the data.
#[test]
fn planted_problems_are_where_the_truth_says() {
    let o = GenOptions { plant: Plant::MONEY.to_vec(), ..opts(3_000, 3, Noise::Low) };
    let d = run("planted", &o);
    check_all(&d.0, &o);
    let planted = table(&d.0, "truth/planted.csv", "kind");
    let kinds: Vec<&str> = planted.iter().map(|r| r["kind"].as_str()).collect();
    assert_eq!(kinds, ["fee_change", "duplicate_payment", "slow_platform", "refund_spike"]);
    let row = |k: &str| planted.iter().find(|r| r["kind"] == k).unwrap();
    let bank = bank_rows(&d.0);
    let bank_truth = table(&d.0, "truth/bank.csv", "bank_account");
    let truth_of = |id: &str| bank_truth.iter().find(|r| r["bank_txn_id"] == id).unwrap();

    // Duplicate payment: the same credit twice, hours apart on one day, with a new id.
    let dup = row("duplicate_payment");
    let (a, b) = dup["reference"].split_once(" / ").unwrap();
    let pos = |id: &str| bank.iter().position(|l| l.id == id).unwrap_or_else(|| panic!("{id} not in the bank files"));
    let (x, y) = (&bank[pos(a)], &bank[pos(b)]);
    assert!(pos(a) < pos(b), "original first");
    assert_eq!(x.account, y.account);
    assert!(x.amount > 0 && x.amount == y.amount);
    assert_eq!((&x.counterparty, &x.memo), (&y.counterparty, &y.memo));
    assert_eq!(x.time.date(), y.time.date());
    assert!(y.time - x.time >= chrono::TimeDelta::hours(2), "{} then {}", x.time, y.time);
    assert_eq!(dup["month"], x.time.format("%Y-%m").to_string());
    assert_eq!(truth_of(a)["kind"], "b2b");
    assert_eq!((truth_of(b)["kind"].as_str(), truth_of(b)["refs"].as_str()), ("duplicate", a));

    // Fee change: the platform-month's fee rate (fee lines over sale lines of the month's
    // orders) is about three times its usual month.
    let fee = row("fee_change");
    assert_eq!(fee["platform"], "tmall");
    let orders = order_months(&d.0, "orders/tmall_orders.csv", "订单编号", "下单时间");
    let mut by_month: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for file in ["settlements/tmall_flagship_alipay.csv", "settlements/tmall_home_alipay.csv"] {
        for l in wallet_lines(&d.0, "tmall", file).iter().filter(|l| !l.order.is_empty()) {
            let e = by_month.entry(orders[&l.order].1.clone()).or_default();
            match l.cat {
                "sale" => e.0 += l.amount,
                "fee" => e.1 -= l.amount,
                _ => {}
            }
        }
    }
    let rate = |(sales, fees): (i64, i64)| fees as f64 / sales as f64;
    let usual = median(by_month.iter().filter(|(m, _)| **m != fee["month"]).map(|(_, &v)| rate(v)).collect());
    let planted_rate = rate(by_month[&fee["month"]]);
    assert!(planted_rate >= 2.5 * usual, "fee rate {planted_rate} against the usual {usual}");

    // Refund spike: at least 30% of the shop-month's orders refunded in full in the
    // wallet, each written by the platform as a finished after-sale.
    let spike = row("refund_spike");
    assert_eq!(spike["platform"], "douyin");
    let orders = order_months(&d.0, "orders/douyin_orders.csv", "主订单编号", "订单提交时间");
    let month: BTreeMap<&String, &String> = orders
        .iter()
        .filter(|(_, (shop, m, _))| *shop == spike["shop"] && *m == spike["month"])
        .map(|(id, (_, _, status))| (id, status))
        .collect();
    let sum = summary(&d.0);
    let shop = sum["shops"].as_array().unwrap().iter().find(|s| s["shop"] == spike["shop"].as_str()).unwrap();
    let mut per_order: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for l in wallet_lines(&d.0, "douyin", &s(&shop["settlement_file"])) {
        let e = per_order.entry(l.order.clone()).or_default();
        match l.cat {
            // A row with fee columns sold its net and the fees.
            "sale" => e.0 += l.amount + l.fee_cols,
            "refund" => e.1 -= l.amount,
            _ => {}
        }
    }
    let full: Vec<_> = month.keys().filter(|id| per_order.get(**id).is_some_and(|&(s, r)| s > 0 && r == s)).collect();
    assert!(full.iter().all(|id| month[*id] == "售后完成"));
    let share = full.len() as f64 / month.len() as f64;
    assert!(share >= 0.3, "{} of {} orders refunded in full", full.len(), month.len());
    assert!(spike["detail"].ends_with(&format!(" of {} orders refunded", month.len())), "{}", spike["detail"]);

    // Slow platform: the month's payouts reach the bank weeks after they left the
    // wallet, while its other payouts take days.
    let slow = row("slow_platform");
    assert_eq!(slow["platform"], "pdd");
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    let (mut late, mut usual) = (Vec::new(), Vec::new());
    for p in table(&d.0, "truth/payouts.csv", "platform") {
        if p["platform"] != slow["platform"] || p["bank_txn_id"].is_empty() {
            continue;
        }
        let days = (bank[pos(&p["bank_txn_id"])].time - at(&p["payout_time"])).num_hours() as f64 / 24.0;
        if p["payout_time"].starts_with(&slow["month"]) { late.push(days) } else { usual.push(days) }
    }
    assert!(!late.is_empty());
    assert!(late.iter().all(|&d| d >= 15.0), "{late:?}");
    assert!(median(usual) <= 5.0);
}

#[test]
fn plants_are_deterministic_safe_on_tiny_sets_and_absent_unless_asked() {
    use Plant::*;
    let o =
        GenOptions { plant: vec![RefundSpike, FeeChange, SlowPlatform, DuplicatePayment], ..opts(600, 9, Noise::High) };
    let a = run("plant-a", &o);
    let b = run(
        "plant-b",
        &GenOptions { plant: vec![FeeChange, DuplicatePayment, FeeChange, SlowPlatform, RefundSpike], ..o.clone() },
    );
    for f in generate(&o, &a.0).unwrap().files {
        assert!(std::fs::read(a.0.join(&f.path)).unwrap() == std::fs::read(b.0.join(&f.path)).unwrap(), "{}", f.path);
    }
    check_all(&a.0, &o);
    for n in [0, 1, 7, 60] {
        let o = GenOptions { plant: Plant::MONEY.to_vec(), ..opts(n, 3, Noise::Low) };
        let d = run(&format!("plant-tiny-{n}"), &o);
        check_all(&d.0, &o);
        assert!(d.0.join("truth/planted.csv").exists());
    }
    let d = run("unplanted", &opts(300, 3, Noise::Low));
    assert!(!d.0.join("truth/planted.csv").exists());
    assert!(summary(&d.0)["options"].get("plant").is_none());
}

/// Plants in big sets meet the rare cases (dropped refunds, N:1 groups across the slow
/// month); run with `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn plants_keep_the_truth_on_a_large_set() {
    for (seed, noise) in [(31, Noise::Low), (32, Noise::High)] {
        let o = GenOptions { plant: Plant::MONEY.to_vec(), ..opts(100_000, seed, noise) };
        let d = run(&format!("plant-large-{seed}"), &o);
        check_all(&d.0, &o);
    }
}
