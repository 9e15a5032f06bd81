//! The company's two bank accounts: payout credits (with lags, N:1 batches, deducted fees
//! and losses), B2B customer transfers, and the everyday lines that match nothing.
//!
//! Unrelated amounts scale with the business so that a 300-order set and a million-order
//! set both look like one company; balances start high enough never to go negative.

use std::collections::BTreeMap;

use rand::Rng;

use super::book::Book;
use super::book::push_order_id;
use super::book::{Account, BankKind, BankLine};
use super::clock::{Clock, DAY, HOUR, MINUTE};
use super::draw::{GenRng, SeedTree, chance, one, pick, weighted};
use super::model::{NoiseProfile, WALLET_PLATFORMS, World};
use super::money::{Cents, YUAN};
use super::parties::{Party, dirty, pick_payer};
use super::plant::Plan;
use super::platform::Platform;
use super::wallet::Wallets;

pub struct Banks {
    /// ICBC lines in time order, then CMB lines in time order.
    pub lines: Vec<BankLine>,
    pub opening: [Cents; 2],
    /// Payout index → the line it arrived in.
    pub payout_line: Vec<Option<usize>>,
    /// Payouts planted as never arriving.
    pub lost_payouts: Vec<usize>,
    /// Payouts whose credit would land after the statement ends.
    pub in_transit: Vec<usize>,
    /// A planted double booking: (original, copy) as indices into `lines`.
    pub duplicate: Option<(usize, usize)>,
}

pub fn run_bank(
    world: &World,
    clock: &Clock,
    noise: &NoiseProfile,
    book: &Book,
    wallets: &Wallets,
    seeds: &mut SeedTree,
    plan: &mut Plan,
) -> Banks {
    let mut rng = seeds.child();
    let mut lines = Vec::new();
    let mut lost = Vec::new();
    let mut in_transit = Vec::new();
    for p in WALLET_PLATFORMS {
        payout_credits(world, clock, noise, wallets, plan, p, &mut rng, &mut lines, &mut lost, &mut in_transit);
    }
    let payout_credits_n = lines.len();
    b2b_credits(world, clock, noise, book, &mut rng, &mut lines);

    let consumer_paid: Cents =
        book.orders.iter().filter(|o| world.shops[o.shop as usize].platform != Platform::B2b).map(|o| o.paid).sum();
    let months = (i64::from(clock.days) / 30).max(1);
    let monthly = (consumer_paid / months).max(10_000 * YUAN);
    let opening = [200_000 * YUAN + 2 * monthly, 50_000 * YUAN + monthly / 10];
    super::bank_unrelated::unrelated(world, clock, noise, monthly, opening[0], &mut rng, &mut lines, payout_credits_n);
    if let Some(dup) = &mut plan.duplicate {
        dup.plant(&mut lines);
    }
    let dup_rng = plan.duplicate.as_mut().map(|d| d.rng());
    finalize(clock, noise, &mut rng, dup_rng, lines, opening, wallets.payouts.len(), lost, in_transit)
}

#[allow(clippy::too_many_arguments)]
fn payout_credits(
    world: &World,
    clock: &Clock,
    noise: &NoiseProfile,
    wallets: &Wallets,
    plan: &Plan,
    p: Platform,
    rng: &mut GenRng,
    lines: &mut Vec<BankLine>,
    lost: &mut Vec<usize>,
    in_transit: &mut Vec<usize>,
) {
    let mut idx: Vec<usize> =
        (0..wallets.payouts.len()).filter(|&i| world.shops[wallets.payouts[i].shop].platform == p).collect();
    idx.sort_by_key(|&i| wallets.payouts[i].t);
    let n = idx.len();
    let arrival: Vec<i64> = idx
        .iter()
        .map(|&i| {
            let lag = weighted(rng, noise.lag_weights) as u32;
            let day = wallets.payouts[i].t / DAY;
            clock.add_workdays(day, lag) + plan.payout_delay(p, day)
        })
        .collect();
    // 0 = single credit, 1 = never arrives, 2.. = member of batch (group number + 2).
    let mut role = vec![0usize; n];
    let at = |j: usize| wallets.payouts[idx[j]].t;
    if n >= 10 {
        // A payout that never arrives has no payout of the same amount near it: which of
        // two equal withdrawals went missing is something no one could tell.
        let alone = |j: usize| {
            let a = wallets.payouts[idx[j]].amount;
            let near = |i: usize| (at(i) - at(j)).abs() <= 14 * DAY && wallets.payouts[idx[i]].amount == a;
            !(j.saturating_sub(30)..(j + 30).min(n)).any(|i| i != j && near(i))
        };
        for _ in 0..NoiseProfile::planted(noise.lost_base, noise.lost_per, n).max(noise.lost_min) {
            let j = rng.random_range(0..n * 9 / 10);
            if alone(j) {
                role[j] = 1;
            }
        }
    }
    let mut groups = 0;
    if n >= 4 {
        let want = NoiseProfile::planted(noise.n1_base, noise.n1_per, n);
        for _ in 0..want * 20 {
            if groups == want {
                break;
            }
            let size = rng.random_range(2..=noise.n1_max_members);
            let j = rng.random_range(0..(n * 9 / 10).max(1));
            // A platform batches withdrawals of a few days into one transfer, not weeks'.
            if j + size > n || role[j..j + size].iter().any(|&r| r != 0) || at(j + size - 1) - at(j) > 4 * DAY {
                continue;
            }
            role[j..j + size].iter_mut().for_each(|r| *r = groups + 2);
            groups += 1;
        }
    }
    let twins = if noise.quote_twins { twins(wallets, &idx) } else { vec![false; n] };
    let payers = &world.payers[p as usize];
    let first_credit = lines.len();
    let mut j = 0;
    while j < n {
        let mut k = j + 1;
        if role[j] >= 2 {
            while k < n && role[k] == role[j] {
                k += 1;
            }
        }
        if role[j] == 1 {
            lost.push(idx[j]);
            j = k;
            continue;
        }
        let members: Vec<usize> = idx[j..k].to_vec();
        let last_t = members.iter().map(|&m| wallets.payouts[m].t).max().unwrap_or(0);
        let day = arrival[j..k].iter().copied().max().unwrap_or(0).max(last_t / DAY);
        let day = clock.roll_to_workday(day);
        if day * DAY >= clock.end() {
            in_transit.extend(members);
            j = k;
            continue;
        }
        let t = if day == last_t / DAY {
            (last_t + rng.random_range(MINUTE..90 * MINUTE)).min(day * DAY + DAY - 1)
        } else {
            day * DAY + rng.random_range(8 * HOUR + 30 * MINUTE..17 * HOUR + 30 * MINUTE)
        };
        let sum: Cents = members.iter().map(|&m| wallets.payouts[m].amount).sum();
        let payer = pick_payer(rng, payers, noise.variant_tiers);
        let summary = *pick(rng, &["提现", "货款", "结算款", "转账", "", "汇入汇款", "提现"]);
        let mut quoted = String::new();
        let purpose = if members.len() == 1 && (twins[j] || chance(rng, noise.ref_in_memo_per_10k)) {
            let r = &wallets.payouts[members[0]].reference;
            quoted = quote(rng, noise, p, r);
            payout_memo(rng, noise, p, &quoted)
        } else if members.len() > 1 && noise.variety > 0 && chance(rng, noise.n1_quote_per_10k) {
            // A batch whose memo quotes one of the withdrawals in it.
            let r = &wallets.payouts[members[rng.random_range(0..members.len())]].reference;
            quoted = quote(rng, noise, p, r);
            if chance(rng, 5_000) { format!("批量提现 {quoted}") } else { payout_memo(rng, noise, p, &quoted) }
        } else if members.len() > 1 && chance(rng, 5_000) {
            "批量提现".to_string()
        } else {
            String::new()
        };
        let mut line = BankLine::new(Account::Icbc, t, sum, BankKind::Payout)
            .party(dirty(rng, payer.name, noise.dirty_per_10k), &payer.account, payer.bank)
            .memo(summary, &purpose);
        line.memo_ref = quoted;
        line.summary = dirty(rng, &line.summary, noise.dirty_per_10k);
        line.payouts = members;
        lines.push(line);
        j = k;
    }
    let credits = lines.len() - first_credit;
    if credits >= 3 {
        let want = NoiseProfile::planted(noise.fee_base, noise.fee_per, credits);
        for _ in 0..want * 10 {
            let l = &mut lines[first_credit + rng.random_range(0..credits)];
            // What banks charge for a transfer: a few round yuan, on sums worth it.
            let fee = one(rng, &[50, 100, 100, 150, 200, 500]);
            if l.fee == 0 && l.amount >= 200 * YUAN {
                l.fee = fee;
                l.amount -= fee;
                if lines[first_credit..].iter().filter(|l| l.fee > 0).count() >= want {
                    break;
                }
            }
        }
    }
}

/// For each payout of `idx` (one platform's, in time order), whether another of them has
/// the same amount within a week: credits for such payouts can only be told apart by the
/// reference in the memo.
fn twins(wallets: &Wallets, idx: &[usize]) -> Vec<bool> {
    const WEEK: i64 = 7 * DAY;
    let mut by_amount: BTreeMap<Cents, Vec<i64>> = BTreeMap::new();
    for &i in idx {
        by_amount.entry(wallets.payouts[i].amount).or_default().push(wallets.payouts[i].t);
    }
    idx.iter()
        .map(|&i| {
            let p = &wallets.payouts[i];
            by_amount[&p.amount].iter().filter(|&&t| (t - p.t).abs() <= WEEK).count() > 1
        })
        .collect()
}

fn p_label(p: Platform) -> &'static str {
    match p {
        Platform::Tmall => "支付宝",
        Platform::Jd => "京东",
        Platform::Douyin => "抖音",
        Platform::Wechat => "微信",
        _ => "拼多多",
    }
}

/// The reference as a bank memo quotes it: whole, or (with noise) cut to its last ten to
/// fourteen characters, or to its first eighteen where they already tell it from every
/// other (WeChat's business ids), as banks cut long serials.
fn quote(rng: &mut GenRng, noise: &NoiseProfile, p: Platform, r: &str) -> String {
    let n = r.len();
    if noise.variety == 0 || n < 16 || !r.is_ascii() || !chance(rng, noise.cut_ref_per_10k) {
        return r.to_string();
    }
    if p == Platform::Wechat && n >= 24 && chance(rng, 5_000) {
        return r[..18].to_string();
    }
    let k = rng.random_range(10..=14.min(n - 2));
    r[n - k..].to_string()
}

/// A memo quoting a withdrawal's reference: after a word, glued to Chinese text, alone.
fn payout_memo(rng: &mut GenRng, noise: &NoiseProfile, p: Platform, r: &str) -> String {
    let forms = if noise.variety == 0 { 3 } else { 7 };
    match rng.random_range(0..forms) {
        0 => format!("提现 {r}"),
        1 => r.to_string(),
        2 => format!("{}提现{r}", p_label(p)),
        3 => format!("提现{r}"),
        4 => format!("{r}提现"),
        5 => format!("提现单号{r}"),
        _ => format!("{}结算款{r}", p_label(p)),
    }
}

fn b2b_credits(
    world: &World,
    clock: &Clock,
    noise: &NoiseProfile,
    book: &Book,
    rng: &mut GenRng,
    lines: &mut Vec<BankLine>,
) {
    let first = lines.len();
    let variety = noise.variety;
    for (pi, plan) in book.b2b.iter().enumerate() {
        let cust: &Party = &world.customers[plan.customer];
        let rec = &book.orders[plan.order as usize];
        let mut oid = String::new();
        push_order_id(&mut oid, clock, Platform::B2b, rec);
        let two = plan.payments.len() > 1 || plan.payments.iter().map(|p| p.1).sum::<Cents>() < plan.amount;
        for (k, &(t, amount)) in plan.payments.iter().enumerate() {
            let account = if chance(rng, 3_000) { Account::Cmb } else { Account::Icbc };
            let by_person = chance(rng, noise.b2b_person_per_10k);
            let (name, cp_account, cp_bank) = if by_person {
                (cust.person.0.clone(), cust.person.1.clone(), cust.person.2.clone())
            } else {
                (cust.bank_name(rng, noise.variant_tiers), cust.account.clone(), cust.bank.clone())
            };
            let (purpose, quoted) = b2b_memo(rng, variety, &oid, two, k);
            let summary = one(rng, &["货款", "转账", "汇款", "往来款", "网银转账"]);
            // The paying bank's fee taken from a transfer of the whole amount.
            let fee = if !two && chance(rng, noise.b2b_fee_per_10k) { rng.random_range(50..=200) } else { 0 };
            let mut line = BankLine::new(account, t, amount - fee, BankKind::B2b)
                .party(dirty(rng, &name, noise.dirty_per_10k), &cp_account, &cp_bank)
                .memo(summary, &purpose);
            line.b2b = vec![(pi, k)];
            line.fee = fee;
            line.memo_ref = quoted;
            line.by_person = by_person;
            lines.push(line);
        }
    }
    // A person paying for the company names the order the first time, so that the
    // merchant can tell whose money it is; later payments from the same account may not.
    let mut person_lines: Vec<usize> = (first..lines.len()).filter(|&i| lines[i].by_person).collect();
    person_lines.sort_by_key(|&i| (lines[i].cp_account.clone(), lines[i].t));
    let mut seen = std::collections::BTreeSet::new();
    for i in person_lines {
        if seen.insert(lines[i].cp_account.clone()) && lines[i].memo_ref.is_empty() {
            let (pi, _) = lines[i].b2b[0];
            let mut oid = String::new();
            push_order_id(&mut oid, clock, Platform::B2b, &book.orders[book.b2b[pi].order as usize]);
            lines[i].purpose = format!("代付{oid}货款");
            lines[i].memo_ref = oid;
        }
    }
    if noise.b2b_combined_per_10k > 0 {
        combine_b2b(book, noise, rng, lines, first, clock);
    }
}

/// A B2B transfer's memo and the order id it quotes (empty: none).
fn b2b_memo(rng: &mut GenRng, variety: u8, oid: &str, two: bool, k: usize) -> (String, String) {
    if variety == 0 {
        return match rng.random_range(0..10) {
            0..4 => (format!("付{oid}货款"), oid.to_string()),
            4..6 if two => ((if k == 0 { "首付款" } else { "尾款" }).to_string(), String::new()),
            4..7 => ("采购款".to_string(), String::new()),
            _ => (String::new(), String::new()),
        };
    }
    let part = if k == 0 { "首付款" } else { "尾款" };
    match rng.random_range(0..14) {
        0..2 => (format!("付{oid}货款"), oid.to_string()),
        2 => (format!("订单号：{oid}货款"), oid.to_string()),
        3 => (oid.to_string(), oid.to_string()),
        4 => (format!("转账 {oid}货款"), oid.to_string()),
        5 => (format!("合同{oid}"), oid.to_string()),
        6 if two => (format!("{oid}{part}"), oid.to_string()),
        6..8 if two => (part.to_string(), String::new()),
        6..9 => ("采购款".to_string(), String::new()),
        9..11 => ("货款".to_string(), String::new()),
        _ => (String::new(), String::new()),
    }
}

/// With noise, a customer with two orders paid in full within a few days of each other
/// sometimes pays both with one transfer, on the later day; its memo names one of them,
/// both or neither.
fn combine_b2b(
    book: &Book,
    noise: &NoiseProfile,
    rng: &mut GenRng,
    lines: &mut Vec<BankLine>,
    first: usize,
    clock: &Clock,
) {
    let whole = |l: &BankLine| {
        l.kind == BankKind::B2b
            && l.b2b.len() == 1
            && !l.by_person
            && l.fee == 0
            && book.b2b[l.b2b[0].0].payments.len() == 1
            && book.b2b[l.b2b[0].0].payments[0].1 == book.b2b[l.b2b[0].0].amount
    };
    let mut idx: Vec<usize> = (first..lines.len()).filter(|&i| whole(&lines[i])).collect();
    idx.sort_by_key(|&i| (book.b2b[lines[i].b2b[0].0].customer, lines[i].t));
    let mut gone = vec![false; lines.len()];
    let mut j = 0;
    while j + 1 < idx.len() {
        let (a, b) = (idx[j], idx[j + 1]);
        let same = book.b2b[lines[a].b2b[0].0].customer == book.b2b[lines[b].b2b[0].0].customer
            && lines[a].account == lines[b].account;
        if same && lines[b].t - lines[a].t <= 7 * DAY && chance(rng, noise.b2b_combined_per_10k) {
            let oid = |l: &BankLine| {
                let mut s = String::new();
                push_order_id(&mut s, clock, Platform::B2b, &book.orders[book.b2b[l.b2b[0].0].order as usize]);
                s
            };
            let (oa, ob) = (oid(&lines[a]), oid(&lines[b]));
            let (purpose, quoted) = match rng.random_range(0..4) {
                0 => (format!("付{oa}、{ob}货款"), format!("{oa};{ob}")),
                1 => (format!("付{ob}等货款"), ob.clone()),
                2 => (format!("{oa}货款"), oa.clone()),
                _ => ("货款".to_string(), String::new()),
            };
            let moved = lines[a].b2b[0];
            let add = lines[a].amount;
            let l = &mut lines[b];
            l.b2b.insert(0, moved);
            l.amount += add;
            l.purpose = purpose;
            l.memo_ref = quoted;
            gone[a] = true;
            j += 2;
        } else {
            j += 1;
        }
    }
    let mut k = 0;
    lines.retain(|_| {
        k += 1;
        !gone[k - 1]
    });
}

#[allow(clippy::too_many_arguments)]
fn finalize(
    clock: &Clock,
    noise: &NoiseProfile,
    main_rng: &mut GenRng,
    mut dup_rng: Option<&mut GenRng>,
    mut lines: Vec<BankLine>,
    opening: [Cents; 2],
    n_payouts: usize,
    lost_payouts: Vec<usize>,
    in_transit: Vec<usize>,
) -> Banks {
    lines.sort_by_key(|l| (l.account, l.t));
    let mut kept = Vec::with_capacity(lines.len());
    let mut bal = opening;
    let mut seq = [0u64; 2];
    let mut groups = 0;
    for mut l in lines {
        let a = l.account as usize;
        // Unrelated debits give way rather than overdraw; transfers must stay paired.
        if bal[a] + l.amount < 0 && l.kind != BankKind::InternalTransfer {
            l.amount = -bal[a].max(0);
            if l.amount == 0 {
                continue;
            }
        }
        bal[a] += l.amount;
        l.balance = bal[a];
        seq[a] += 1;
        // A planted copy draws from the plant stream, so every other line gets the same
        // digits as in a data set without it.
        let rng: &mut GenRng = match dup_rng.as_deref_mut() {
            Some(r) if l.kind == BankKind::Duplicate => r,
            _ => &mut *main_rng,
        };
        let day = l.t / DAY;
        l.txn_id = match l.account {
            Account::Icbc => {
                let mut s = clock.compact_date(day);
                super::clock::push_num(&mut s, seq[a], 7);
                super::clock::push_num(&mut s, rng.random_range(0..1_000), 3);
                s
            }
            Account::Cmb => {
                let mut s = String::from("C");
                clock.push_yymmdd(&mut s, day);
                super::clock::push_num(&mut s, seq[a], 8);
                s
            }
        };
        if !l.payouts.is_empty() {
            groups += 1;
            l.group = format!("G{groups:06}");
        }
        l.text_amount = l.amount.abs() >= 1_000 * YUAN && chance(rng, noise.text_amount_per_10k);
        kept.push(l);
    }
    let mut payout_line = vec![None; n_payouts];
    for (i, l) in kept.iter().enumerate() {
        for &p in &l.payouts {
            payout_line[p] = Some(i);
        }
    }
    let original = kept.iter().position(|l| l.copied);
    let copy = kept.iter().position(|l| l.kind == BankKind::Duplicate);
    let duplicate = original.zip(copy);
    Banks { lines: kept, opening, payout_line, lost_payouts, in_transit, duplicate }
}
