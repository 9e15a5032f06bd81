//! `recon gen` data imports whole and agrees with the generator's ground truth: every
//! order, settlement line, withdrawal and bank line is there with the right amount and
//! sign. Re-importing adds nothing; the committed sample data is what `gen` makes.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{Ws, data_files, generate_into, recon_gen, text, truth};

#[test]
fn generated_data_imports_and_matches_its_ground_truth() {
    let ws = Ws::new();
    let (out, report) = generate_into(&ws, 3000, 11, "high");
    assert!(!report.contains("rejected:"), "no row of generated data is rejected:\n{report}");
    assert_eq!(ws.value("SELECT sum(rows_rejected) FROM imports"), "0");

    // Orders: all of them, per platform.
    let orders = truth(&out, "orders.csv");
    assert_eq!(ws.value("SELECT count(*) FROM orders"), orders.len().to_string());
    let mut per_platform: BTreeMap<String, usize> = BTreeMap::new();
    for o in &orders {
        *per_platform.entry(o["platform"].clone()).or_default() += 1;
    }
    for (platform, n) in &per_platform {
        assert_eq!(
            ws.value(&format!("SELECT count(*) FROM orders WHERE platform = '{platform}'")),
            n.to_string(),
            "{platform}"
        );
    }

    // Every withdrawal is a settlement line of kind withdrawal, signed out of the wallet,
    // known by its line's own id (Pinduoduo's line has none: its 提现单号), and carrying
    // the reference a bank memo quotes (the same id, or WeChat's business id, Douyin's
    // 提现单号 in the memo).
    let payouts = truth(&out, "payouts.csv");
    let stored: BTreeMap<String, (String, String, String)> = ws
        .rows(
            "SELECT payout_ref, CAST(amount AS VARCHAR), platform, coalesce(trade_id, '') || ' ' || coalesce(memo, '') \
             FROM settlements WHERE kind = 'withdrawal'",
        )
        .into_iter()
        .map(|r| (r[0].clone(), (r[1].clone(), r[2].clone(), r[3].clone())))
        .collect();
    assert_eq!(stored.len(), payouts.len(), "withdrawals");
    for p in &payouts {
        let id = if p["payout_txn_id"].is_empty() { &p["payout_ref"] } else { &p["payout_txn_id"] };
        let (amount, platform, said) = stored.get(id).unwrap_or_else(|| panic!("payout {id} missing"));
        assert_eq!(amount, &format!("-{}", p["amount"]), "payout {id}");
        assert_eq!(platform, &p["platform"]);
        assert!(id == &p["payout_ref"] || said.contains(&p["payout_ref"]), "payout {id} names {}", p["payout_ref"]);
    }

    // Every bank line, to the cent, with its sign and time.
    let bank = truth(&out, "bank.csv");
    let lines: BTreeMap<(String, String), (String, String)> = ws
        .rows("SELECT account, txn_id, CAST(amount AS VARCHAR), to_char(txn_time, '%Y-%m-%d %H:%M:%S') FROM bank_txns")
        .into_iter()
        .map(|r| ((r[0].clone(), r[1].clone()), (r[2].clone(), r[3].clone())))
        .collect();
    assert_eq!(lines.len(), bank.len());
    for b in &bank {
        let got = lines
            .get(&(b["bank_account"].clone(), b["bank_txn_id"].clone()))
            .unwrap_or_else(|| panic!("bank line {b:?} missing"));
        assert_eq!(got.0, b["amount"], "{b:?}");
        assert_eq!(got.1, b["txn_time"], "{b:?}");
    }

    // Signs and kinds are right when every wallet's lines add up, kind by kind, to what
    // the generator booked, and to the wallet's own closing balance where it has one.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("truth/summary.json")).unwrap()).unwrap();
    for shop in summary["shops"].as_array().unwrap().iter().filter(|s| s["settlement_lines"].as_u64() > Some(0)) {
        let name = shop["shop"].as_str().unwrap();
        // WeChat's fund bill does not name the shop.
        let platform = shop["platform"].as_str().unwrap();
        let got = ws.rows(&format!(
            "SELECT CAST(sum(amount) AS VARCHAR),
                    CAST(sum(CASE WHEN kind = 'sale' THEN amount ELSE 0 END) AS VARCHAR),
                    CAST(-sum(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS VARCHAR),
                    CAST(-sum(CASE WHEN kind = 'withdrawal' THEN amount ELSE 0 END) AS VARCHAR),
                    CAST(-sum(CASE WHEN kind IN ('commission', 'fee', 'shipping', 'promotion', 'other') THEN amount ELSE 0 END) AS VARCHAR),
                    coalesce(CAST(last_value(balance ORDER BY txn_time, source_line) AS VARCHAR), ''),
                    count(*)
             FROM settlements WHERE shop = '{name}' OR (shop IS NULL AND platform = '{platform}')"
        ))[0]
            .clone();
        let money = |k: &str| shop[k].as_str().unwrap().to_string();
        let fees_and_ads = {
            let cents = |k: &str| -> i64 { money(k).replace('.', "").parse().unwrap() };
            let c = cents("fees_total") + cents("ad_spend_total");
            format!("{}.{:02}", c / 100, c % 100)
        };
        assert_eq!(got[0], money("final_balance"), "{name}: lines add up to the closing balance");
        assert_eq!(got[1], money("sales_total"), "{name}: sales");
        assert_eq!(got[2], money("refunds_total"), "{name}: refunds");
        assert_eq!(got[3], money("withdrawals_total"), "{name}: withdrawals");
        assert_eq!(got[4], fees_and_ads, "{name}: fees and advertising");
        if !got[5].is_empty() {
            assert_eq!(got[5], got[0], "{name}: the running balance column agrees");
        }
        // A row with fee columns is stored as its sale line and a line per deduction.
        assert_eq!(got[6], shop["settlement_records"].to_string(), "{name}: lines");
    }

    // The same files again: nothing new, every row reported as a duplicate.
    let before = ws.value("SELECT count(*) FROM settlements");
    let files = data_files(&out);
    let mut args = vec!["import", "--no-progress"];
    args.extend(files.iter().map(String::as_str));
    let again = ws.ok(&args);
    assert_eq!(ws.value("SELECT count(*) FROM settlements"), before);
    assert!(again.contains("nothing stored"), "{again}");
    let imports = files.len() + 1;
    assert!(!again.contains(&format!("import {imports}:")), "a re-import records no new import: {again}");
}

#[test]
fn the_committed_sample_data_is_what_gen_makes() {
    let dir = tempfile::tempdir().unwrap();
    let g = recon_gen()
        .args(["--orders", "400", "--seed", "2026", "--noise", "high", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", text(&g.stderr));
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let mut files = Vec::new();
    let mut folders: Vec<std::path::PathBuf> =
        ["orders", "settlements", "bank", "shipments", "returns", "courier", "inventory", "truth"]
            .iter()
            .map(|f| dir.path().join(f))
            .collect();
    // truth/score/ is a folder of its own.
    while let Some(folder) = folders.pop() {
        for e in std::fs::read_dir(folder).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { folders.push(p) } else { files.push(p) }
        }
    }
    for p in files {
        let rel = p.strip_prefix(dir.path()).unwrap();
        let committed =
            std::fs::read(sample.join(rel)).unwrap_or_else(|_| panic!("{} is not committed", rel.display()));
        assert!(std::fs::read(&p).unwrap() == committed, "sample-data/{} differs from what gen makes", rel.display());
    }
}
