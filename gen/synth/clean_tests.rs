//! Checks of the clean data set (`--noise none`): the whole truth holds, and none of the
//! problems the other levels put in on purpose is there (lost, batched or fee-deducted
//! payouts, faulty or unpaid orders, strangers' credits, stray whitespace), while
//! `--plant` still plants on top of it.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::model::shops;

use super::platform::Platform;
use super::test_read::{opts, run, summary, table};
use super::tests::check_all;
use super::{GenOptions, Noise, Plant, generate};

/// A truth or statement time as a date.
fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").unwrap()
}

#[test]
fn clean_set_holds_its_truth_and_has_no_planted_faults() {
    let o = opts(3_000, 3, Noise::None);
    let d = run("clean", &o);
    check_all(&d.0, &o);
    let sum = summary(&d.0);
    let t = &sum["truth"];
    assert_eq!(t["payouts_never_arrived"], 0, "{t}");
    assert_eq!(t["n_to_1_credits"], 0, "{t}");
    assert_eq!(t["fee_deducted_credits"], 0, "{t}");
    assert!(t["payouts_in_transit"].as_u64().unwrap() <= 4, "only the last days' payouts are on their way: {t}");
    // No discrepancy; and nothing part-paid (a partial refund of a settled order leaves it
    // settled, and a B2B customer whose balance would come after the export pays in full).
    let statuses: Vec<&String> = t["order_status"].as_object().unwrap().keys().collect();
    assert_eq!(statuses, ["refunded", "settled", "unsettled"], "no discrepancy, nothing part-paid");
    for acct in sum["bank"].as_array().unwrap() {
        assert!(acct["by_kind"].get("unknown").is_none(), "no stranger's credit: {acct}");
    }

    // B2B: an order whose 30-day terms ended in the period is paid in full, and every
    // transfer arrives within the terms. Ids carry the order date: B2B20260314 0001.
    let end = date(&sum["period_to"].as_str().unwrap()[..10]);
    let bank_day: BTreeMap<String, NaiveDate> = table(&d.0, "truth/bank.csv", "bank_account")
        .iter()
        .map(|r| (r["bank_txn_id"].clone(), date(&r["txn_time"])))
        .collect();
    let mut paid: BTreeMap<String, i64> = BTreeMap::new();
    for p in table(&d.0, "truth/b2b_payments.csv", "order_id") {
        let ordered = NaiveDate::parse_from_str(&p["order_id"][3..11], "%Y%m%d").unwrap();
        let days = (bank_day[&p["bank_txn_id"]] - ordered).num_days();
        assert!((0..30).contains(&days), "{p:?} paid {days} days after the order");
        *paid.entry(p["order_id"].clone()).or_default() += 1;
    }
    let b2b: Vec<_> =
        table(&d.0, "truth/orders.csv", "platform").into_iter().filter(|r| r["platform"] == "b2b").collect();
    assert!(!b2b.is_empty());
    for r in &b2b {
        let ordered = NaiveDate::parse_from_str(&r["order_id"][3..11], "%Y%m%d").unwrap();
        if (end - ordered).num_days() >= 30 {
            assert_eq!(r["status"], "settled", "{r:?}");
            assert!(paid.contains_key(&r["order_id"]), "{r:?}");
        }
    }

    // No stray whitespace or text amounts. Two layouts put a tab there on purpose: the
    // CMB statement before every value, Alipay after its ids.
    let files: [(&str, &str, &[&str]); 9] = [
        ("orders/tmall_orders.csv", "平台", &[]),
        ("orders/jd_orders.xlsx", "平台", &[]),
        ("orders/douyin_orders.csv", "平台", &[]),
        ("orders/pdd_orders.csv", "平台", &[]),
        ("orders/b2b_orders.csv", "平台", &["订单金额"]),
        ("settlements/jd_official_wallet.xlsx", "账户流水号", &[]),
        ("settlements/douyin_flagship.csv", "动账时间", &[]),
        ("bank/icbc_basic_account.xlsx", "交易时间", &["借方发生额", "贷方发生额"]),
        ("bank/cmb_general_account.csv", "交易日期", &["收入", "支出"]),
    ];
    for (file, first, amounts) in files {
        for row in table(&d.0, file, first) {
            for (col, cell) in &row {
                let cell = if file.starts_with("bank/cmb") { cell.strip_prefix('\t').unwrap_or(cell) } else { cell };
                assert_eq!(cell, cell.trim(), "{file} {col}: stray whitespace in {cell:?}");
                if amounts.contains(&col.as_str()) {
                    assert!(!cell.contains(','), "{file} {col}: amount as text {cell:?}");
                }
            }
        }
    }
    let pdd = table(&d.0, "settlements/pdd_youxuan.csv", "商户订单号");
    assert!(pdd.iter().all(|r| r.values().all(|c| c == c.trim())), "pdd statement: stray whitespace");
}

#[test]
fn plants_go_on_top_of_clean_data() {
    let o = GenOptions { plant: Plant::MONEY.to_vec(), ..opts(3_000, 3, Noise::None) };
    let d = run("clean-planted", &o);
    check_all(&d.0, &o);
    let kinds: Vec<String> = table(&d.0, "truth/planted.csv", "kind").into_iter().map(|r| r["kind"].clone()).collect();
    assert_eq!(kinds, ["fee_change", "duplicate_payment", "slow_platform", "refund_spike"]);
    // The slow platform's late payouts still arrive; nothing else goes missing.
    assert_eq!(summary(&d.0)["truth"]["payouts_never_arrived"], 0);
}

#[test]
fn clean_set_is_the_same_bytes_every_time() {
    let o = GenOptions { plant: vec![Plant::FeeChange], ..opts(1_500, 9, Noise::None) };
    let (a, b) = (run("clean-det-a", &o), run("clean-det-b", &o));
    for f in generate(&o, &a.0).unwrap().files {
        let (x, y) = (std::fs::read(a.0.join(&f.path)).unwrap(), std::fs::read(b.0.join(&f.path)).unwrap());
        assert!(x == y, "{} differs between runs", f.path);
    }
}

#[test]
fn shop_cycles_are_the_reconciliations_defaults() {
    let rows = recon::settings::Settings::default().rows();
    for shop in shops() {
        let name = format!("default_cycle_days.{}", shop.platform.code());
        let (_, days) = rows.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(days, &shop.cycle_days.to_string(), "{name}");
    }
    assert!(shops().iter().any(|s| s.platform == Platform::B2b));
}
