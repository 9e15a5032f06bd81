//! Ground truth: how every order settled, which bank line each withdrawal and B2B payment
//! arrived in, what every bank line really is, a JSON summary with totals, and (with
//! `--plant`) where the planted problems are.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::bank::Banks;

use super::bank_files::{CMB_FILE, ICBC_FILE};
use super::book::Book;
use super::book::push_order_id;
use super::book::{Account, BankKind};
use super::book::{account_no, status};
use super::clock::Clock;
use super::model::{COMPANY, World};
use super::money::{Cents, cents_str};
use super::plant::Plan;
use super::planted::write_planted;
use super::platform::Platform;
use super::wallet::Wallets;
use super::write::{CsvOut, Enc, Row};
use super::{GenError, GenOptions, GeneratedFile};

pub const PAYOUTS_FILE: &str = "truth/payouts.csv";
pub const ORDERS_FILE: &str = "truth/orders.csv";
pub const B2B_FILE: &str = "truth/b2b_payments.csv";
pub const BANK_FILE: &str = "truth/bank.csv";
pub const SUMMARY_FILE: &str = "truth/summary.json";

pub const PAYOUTS_HEADER: &[&str] = &[
    "platform",
    "shop",
    "payout_txn_id",
    "payout_ref",
    "payout_time",
    "amount",
    "bank_account",
    "bank_txn_id",
    "match_group",
];
pub const ORDERS_HEADER: &[&str] =
    &["platform", "shop", "order_id", "status", "paid", "settled", "refunded", "fees", "net"];
pub const B2B_HEADER: &[&str] = &["order_id", "bank_account", "bank_txn_id", "amount"];
pub const BANK_HEADER: &[&str] =
    &["bank_account", "bank_txn_id", "txn_time", "amount", "kind", "match_group", "fee_deducted", "refs"];

#[allow(clippy::too_many_arguments)]
pub fn write_truth(
    opts: &GenOptions,
    world: &World,
    clock: &Clock,
    book: &Book,
    wallets: &Wallets,
    banks: &Banks,
    plan: &Plan,
    data_files: &[GeneratedFile],
    out: &Path,
) -> Result<Vec<GeneratedFile>, GenError> {
    let mut files = Vec::new();
    let mut r = Row::default();

    let mut w = CsvOut::create(out, PAYOUTS_FILE, Enc::Utf8, false)?;
    w.header(PAYOUTS_HEADER)?;
    for (i, p) in wallets.payouts.iter().enumerate() {
        let shop = &world.shops[p.shop];
        r.clear();
        r.push(shop.platform.code());
        r.push(shop.name);
        r.push(&p.txn_id);
        r.push(&p.reference);
        r.push(&clock.datetime(p.t));
        r.push(&cents_str(p.amount));
        match banks.payout_line[i].map(|l| &banks.lines[l]) {
            Some(l) => {
                r.push(account_no(l.account));
                r.push(&l.txn_id);
                r.push(&l.group);
            }
            None => {
                r.push("");
                r.push("");
                r.push("");
            }
        }
        w.row(&r)?;
    }
    files.push(w.finish("truth")?);

    let mut w = CsvOut::create(out, ORDERS_FILE, Enc::Utf8, false)?;
    w.header(ORDERS_HEADER)?;
    let mut status_counts: BTreeMap<(usize, &str), u64> = BTreeMap::new();
    for o in &book.orders {
        let shop = &world.shops[o.shop as usize];
        let st = status(o);
        *status_counts.entry((o.shop as usize, st)).or_default() += 1;
        r.clear();
        r.push(shop.platform.code());
        r.push(shop.name);
        push_order_id(r.cell(), clock, shop.platform, o);
        r.push(st);
        for v in [o.paid, o.settled, o.refunded, o.fees, o.settled - o.refunded - o.fees] {
            r.push(&cents_str(v));
        }
        w.row(&r)?;
    }
    files.push(w.finish("truth")?);

    let mut w = CsvOut::create(out, B2B_FILE, Enc::Utf8, false)?;
    w.header(B2B_HEADER)?;
    let mut b2b_lines = BTreeMap::new();
    for (i, l) in banks.lines.iter().enumerate() {
        if l.kind == BankKind::B2b {
            for &key in &l.b2b {
                b2b_lines.insert(key, i);
            }
        }
    }
    for (&(plan, k), &li) in &b2b_lines {
        let l = &banks.lines[li];
        r.clear();
        push_order_id(r.cell(), clock, Platform::B2b, &book.orders[book.b2b[plan].order as usize]);
        r.push(account_no(l.account));
        r.push(&l.txn_id);
        // A transfer paying several orders pays each its instalment.
        let amount = if l.b2b.len() == 1 { l.amount } else { book.b2b[plan].payments[k].1 };
        r.push(&cents_str(amount));
        w.row(&r)?;
    }
    files.push(w.finish("truth")?);

    let mut w = CsvOut::create(out, BANK_FILE, Enc::Utf8, false)?;
    w.header(BANK_HEADER)?;
    for l in &banks.lines {
        r.clear();
        r.push(account_no(l.account));
        r.push(&l.txn_id);
        r.push(&clock.datetime(l.t));
        r.push(&cents_str(l.amount));
        r.push(l.kind.code());
        r.push(&l.group);
        r.push(&cents_str(l.fee));
        let refs = r.cell();
        for (k, &p) in l.payouts.iter().enumerate() {
            if k > 0 {
                refs.push(';');
            }
            refs.push_str(&wallets.payouts[p].reference);
        }
        if l.kind == BankKind::B2b {
            for (k, &(plan, _)) in l.b2b.iter().enumerate() {
                if k > 0 {
                    refs.push(';');
                }
                push_order_id(refs, clock, Platform::B2b, &book.orders[book.b2b[plan].order as usize]);
            }
        }
        // A double booking refers to the line it copies.
        if let Some((orig, _)) = banks.duplicate.filter(|_| l.kind == BankKind::Duplicate) {
            refs.push_str(&banks.lines[orig].txn_id);
        }
        w.row(&r)?;
    }
    files.push(w.finish("truth")?);

    if plan.any {
        files.push(write_planted(plan, world, clock, book, wallets, banks, out)?);
    }
    files.extend(super::score::write_score_truth(opts, world, clock, book, wallets, banks, out)?);

    let mut listed: Vec<GeneratedFile> = data_files.to_vec();
    listed.extend(files.iter().cloned());
    let summary = summary(opts, world, clock, book, wallets, banks, &status_counts, &listed);
    let path = out.join(SUMMARY_FILE);
    let err = |source| GenError::Io { file: SUMMARY_FILE.to_string(), source };
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).map_err(err)?);
    serde_json::to_writer_pretty(&mut f, &summary)
        .map_err(|source| GenError::Json { file: SUMMARY_FILE.to_string(), source })?;
    f.write_all(b"\n").map_err(err)?;
    f.flush().map_err(err)?;
    files.push(GeneratedFile { path: SUMMARY_FILE.to_string(), kind: "truth", rows: 1 });
    Ok(files)
}

#[derive(Serialize)]
struct Summary {
    generator: &'static str,
    options: OptionsJson,
    company: &'static str,
    period_from: String,
    period_to: String,
    export_time: String,
    platforms: BTreeMap<&'static str, PlatformJson>,
    shops: Vec<ShopJson>,
    bank: Vec<AccountJson>,
    truth: TruthJson,
    files: Vec<FileJson>,
}

#[derive(Serialize)]
struct OptionsJson {
    orders: u64,
    seed: u64,
    noise: &'static str,
    start: String,
    days: u32,
    /// Absent without `--plant`, so such a summary reads as it always did.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    plant: Vec<&'static str>,
}

#[derive(Serialize, Default)]
struct PlatformJson {
    orders: u64,
    paid_total: String,
    settlement_lines: u64,
    withdrawals: u64,
    withdrawals_total: String,
    bank_credits: u64,
    bank_credits_total: String,
}

#[derive(Serialize)]
struct ShopJson {
    platform: &'static str,
    shop: &'static str,
    slug: &'static str,
    settlement_file: String,
    orders: u64,
    paid_total: String,
    settlement_lines: u64,
    sales_total: String,
    fees_total: String,
    /// Deductions no column of a settlement row explains (recon's adjustment lines).
    adjustments_total: String,
    refunds_total: String,
    ad_spend_total: String,
    withdrawals: u64,
    withdrawals_total: String,
    final_balance: String,
    dropped_refunds: u64,
    /// Settlement records as an importer stores them: a row with fee columns is its sale
    /// line and a line per deduction (and per unexplained rest).
    settlement_records: u64,
    status: BTreeMap<&'static str, u64>,
}

#[derive(Serialize)]
struct AccountJson {
    account: &'static str,
    file: &'static str,
    lines: u64,
    credits: u64,
    debits: u64,
    credits_total: String,
    debits_total: String,
    opening_balance: String,
    closing_balance: String,
    by_kind: BTreeMap<&'static str, u64>,
}

#[derive(Serialize)]
struct TruthJson {
    order_status: BTreeMap<&'static str, u64>,
    payouts: u64,
    payouts_arrived: u64,
    payouts_never_arrived: u64,
    payouts_in_transit: u64,
    n_to_1_credits: u64,
    payouts_in_n_to_1: u64,
    fee_deducted_credits: u64,
    fees_deducted_total: String,
    b2b_orders: u64,
    b2b_payments: u64,
}

#[derive(Serialize)]
struct FileJson {
    path: String,
    kind: &'static str,
    rows: u64,
}

#[allow(clippy::too_many_arguments)]
fn summary(
    opts: &GenOptions,
    world: &World,
    clock: &Clock,
    book: &Book,
    wallets: &Wallets,
    banks: &Banks,
    status_counts: &BTreeMap<(usize, &'static str), u64>,
    files: &[GeneratedFile],
) -> Summary {
    let mut shop_orders = vec![0u64; world.shops.len()];
    let mut shop_paid = vec![0 as Cents; world.shops.len()];
    for o in &book.orders {
        shop_orders[o.shop as usize] += 1;
        shop_paid[o.shop as usize] += o.paid;
    }
    let mut platforms: BTreeMap<&'static str, (PlatformJson, Cents, Cents, Cents)> = BTreeMap::new();
    let mut shops = Vec::new();
    for (i, s) in world.shops.iter().enumerate() {
        let w = &wallets.shops[i];
        let status: BTreeMap<&'static str, u64> =
            status_counts.iter().filter(|((shop, _), _)| *shop == i).map(|((_, st), &n)| (*st, n)).collect();
        shops.push(ShopJson {
            platform: s.platform.code(),
            shop: s.name,
            slug: s.slug,
            settlement_file: w.file.clone(),
            orders: shop_orders[i],
            paid_total: cents_str(shop_paid[i]),
            settlement_lines: w.lines,
            sales_total: cents_str(w.sales),
            fees_total: cents_str(w.fees),
            adjustments_total: cents_str(w.adjustments),
            refunds_total: cents_str(w.refunds),
            ad_spend_total: cents_str(w.ad_spend),
            withdrawals: w.withdrawals,
            withdrawals_total: cents_str(w.withdrawn),
            final_balance: cents_str(w.final_balance),
            dropped_refunds: w.dropped_refunds,
            settlement_records: w.records,
            status,
        });
        let e = platforms.entry(s.platform.code()).or_default();
        e.0.orders += shop_orders[i];
        e.0.settlement_lines += w.lines;
        e.0.withdrawals += w.withdrawals;
        e.1 += shop_paid[i];
        e.2 += w.withdrawn;
    }
    for l in &banks.lines {
        if let Some(&p) = l.payouts.first() {
            let code = world.shops[wallets.payouts[p].shop].platform.code();
            let e = platforms.entry(code).or_default();
            e.0.bank_credits += 1;
            e.3 += l.amount;
        } else if l.kind == BankKind::B2b {
            let e = platforms.entry(Platform::B2b.code()).or_default();
            e.0.bank_credits += 1;
            e.3 += l.amount;
        }
    }
    let platforms = platforms
        .into_iter()
        .map(|(k, (mut j, paid, wd, credits))| {
            j.paid_total = cents_str(paid);
            j.withdrawals_total = cents_str(wd);
            j.bank_credits_total = cents_str(credits);
            (k, j)
        })
        .collect();
    let mut bank = Vec::new();
    for (a, file) in [(Account::Icbc, ICBC_FILE), (Account::Cmb, CMB_FILE)] {
        let lines: Vec<_> = banks.lines.iter().filter(|l| l.account == a).collect();
        let mut by_kind = BTreeMap::new();
        for l in &lines {
            *by_kind.entry(l.kind.code()).or_default() += 1;
        }
        let credits: Cents = lines.iter().filter(|l| l.amount >= 0).map(|l| l.amount).sum();
        let debits: Cents = lines.iter().filter(|l| l.amount < 0).map(|l| -l.amount).sum();
        let opening = banks.opening[a as usize];
        bank.push(AccountJson {
            account: account_no(a),
            file,
            lines: lines.len() as u64,
            credits: lines.iter().filter(|l| l.amount >= 0).count() as u64,
            debits: lines.iter().filter(|l| l.amount < 0).count() as u64,
            credits_total: cents_str(credits),
            debits_total: cents_str(debits),
            opening_balance: cents_str(opening),
            closing_balance: cents_str(opening + credits - debits),
            by_kind,
        });
    }
    let mut order_status = BTreeMap::new();
    for ((_, st), n) in status_counts {
        *order_status.entry(*st).or_default() += n;
    }
    let n1: Vec<_> = banks.lines.iter().filter(|l| l.payouts.len() > 1).collect();
    let fee_lines: Vec<_> = banks.lines.iter().filter(|l| l.fee > 0).collect();
    let truth = TruthJson {
        order_status,
        payouts: wallets.payouts.len() as u64,
        payouts_arrived: banks.payout_line.iter().filter(|l| l.is_some()).count() as u64,
        payouts_never_arrived: banks.lost_payouts.len() as u64,
        payouts_in_transit: banks.in_transit.len() as u64,
        n_to_1_credits: n1.len() as u64,
        payouts_in_n_to_1: n1.iter().map(|l| l.payouts.len() as u64).sum(),
        fee_deducted_credits: fee_lines.len() as u64,
        fees_deducted_total: cents_str(fee_lines.iter().map(|l| l.fee).sum()),
        b2b_orders: book.b2b.len() as u64,
        b2b_payments: book.b2b.iter().map(|p| p.payments.len() as u64).sum(),
    };
    let mut export_time = String::new();
    clock.push_date(&mut export_time, i64::from(clock.days));
    export_time.push_str(" 09:00:00");
    Summary {
        generator: "recon gen",
        options: OptionsJson {
            orders: opts.orders,
            seed: opts.seed,
            noise: opts.noise.as_str(),
            start: opts.start.format("%Y-%m-%d").to_string(),
            days: opts.days,
            plant: opts.plants().iter().map(|p| p.as_str()).collect(),
        },
        company: COMPANY,
        period_from: clock.datetime(0),
        period_to: clock.datetime(clock.end() - 1),
        export_time,
        platforms,
        shops,
        bank,
        truth,
        files: files.iter().map(|f| FileJson { path: f.path.clone(), kind: f.kind, rows: f.rows }).collect(),
    }
}
