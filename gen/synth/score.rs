//! The truth once more, in the format of the validation sets (`../shared/validation`),
//! so their `score.py` scores recon on generated data too: `truth/score/` holds
//! `bank_links.csv`, `order_status.csv`, `payouts.csv`, `bank_lines.csv` and
//! `counts.json`. (`truth/payouts.csv` is the generator's own, with other columns.)
//!
//! The answer's rules, as of the period's last second: paid is what the order export
//! says was paid; refunds the order's refund lines (all of it for an order closed before
//! settlement); fees what the platform's bill charged it (a B2B transfer up to 2.00 short:
//! the shortfall); expected = paid − refunds − fees; received what its lines added to the
//! wallet, or for B2B the bank credits paying it. Status, the first that applies:
//! refunded, settled (every settlement unit in, received = expected), discrepancy,
//! partial (some units in), overdue (nothing received, past due), unsettled. Due date =
//! the shipment's day + the shop's cycle.
//!
//! Links no one could tell apart from the data share an `ambiguity_class`: withdrawals of
//! one platform with the same amount, each credited alone (in full or a bank fee short)
//! by a credit from the platform's payer without a reference in its memo, where each
//! credit could as well be the other withdrawal's (it came after both, within the
//! matching window).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::bank::Banks;

use super::book::B2B_FEE_MAX;
use super::book::BankKind;
use super::book::push_order_id;
use super::book::{Book, Fate, OrderRec, flag};
use super::clock::{Clock, DAY};
use super::model::World;
use super::money::{Cents, cents_str};
use super::platform::Platform;
use super::wallet::Wallets;
use super::write::{CsvOut, Enc, Row};
use super::{GenError, GenOptions, GeneratedFile};

pub const DIR: &str = "truth/score";

const LINKS_HEADER: &[&str] = &[
    "link_kind",
    "payout_id",
    "order_id",
    "txn_id",
    "match_group",
    "platform",
    "payout_alt_ids",
    "payout_amount",
    "bank_amount",
    "ambiguity_class",
];
const STATUS_HEADER: &[&str] = &[
    "order_id",
    "platform",
    "status",
    "expected",
    "received",
    "outstanding",
    "paid",
    "refunds",
    "fees",
    "ship_date",
    "due_date",
    "scenario",
];
const PAYOUTS_HEADER: &[&str] =
    &["payout_id", "platform", "time", "amount", "payout_alt_ids", "fate", "txn_id", "match_group"];
const LINES_HEADER: &[&str] = &["txn_id", "date", "amount", "counterparty", "category", "match_group", "memo_ref"];

/// Working days a payout may take to reach the bank (recon's `window_days`), for telling
/// which credits could be which withdrawal's.
const WINDOW_DAYS: i64 = 5;

/// One order's answer.
pub struct Answer {
    pub status: &'static str,
    pub paid: Cents,
    pub refunds: Cents,
    pub fees: Cents,
    pub expected: Cents,
    pub received: Cents,
    pub due_day: Option<i64>,
}

/// The answer for order `o` shipped at `ship_t` (negative: not shipped), as of the
/// period's end.
pub fn answer(world: &World, clock: &Clock, o: &OrderRec, ship_t: i64) -> Answer {
    let shop = &world.shops[o.shop as usize];
    let paid = o.listed;
    let b2b = o.fate == Fate::B2b;
    let refunds = if o.fate == Fate::Cancelled { paid } else { o.refunded };
    // A B2B order's fee is its bank's shortfall, only once it is paid but for that.
    let fees = if b2b && o.fees > B2B_FEE_MAX { 0 } else { o.fees };
    let expected = paid - refunds - fees;
    let received = if b2b { o.settled } else { o.settled - o.refunded - o.fees };
    let due_day = (ship_t >= 0).then(|| ship_t.div_euclid(DAY) + shop.cycle_days);
    let last_day = (clock.end() - 1).div_euclid(DAY);
    let units_in = if b2b { received > 0 && received + B2B_FEE_MAX >= paid } else { o.units_settled == o.units };
    let some = if b2b { received > 0 } else { o.units_settled > 0 };
    let status = if o.fate == Fate::Cancelled || (refunds > 0 && refunds >= paid) {
        "refunded"
    } else if some && units_in && received == expected {
        "settled"
    } else if some && units_in {
        "discrepancy"
    } else if some {
        "partial"
    } else if due_day.is_some_and(|d| d < last_day) {
        "overdue"
    } else {
        "unsettled"
    };
    Answer { status, paid, refunds, fees, expected, received, due_day }
}

/// What made an order what it is, `;`-separated.
fn scenario(o: &OrderRec, ship_t: i64, end_day: i64, a: &Answer, b2b_tags: &[&'static str]) -> String {
    let mut tags: Vec<&str> = Vec::new();
    match o.fate {
        Fate::Cancelled => tags.push("closed_before_ship"),
        Fate::Lost => tags.push("stuck"),
        Fate::Discrepancy => tags.push("discrepancy"),
        Fate::Unpaid => tags.push("unpaid"),
        _ => {}
    }
    let paid_long_ago = i64::from(o.pay_day) + 7 < end_day;
    if o.fate != Fate::B2b && o.fate != Fate::Unpaid && o.fate != Fate::Cancelled && ship_t < 0 && paid_long_ago {
        tags.push("never_shipped");
    }
    if o.flags & flag::LATE != 0 {
        tags.push("late");
    }
    if o.flags & flag::SUB_APART != 0 {
        tags.push("sub_delayed");
    }
    if o.refunded > 0 && o.fate != Fate::Cancelled {
        tags.push(if o.refunded >= a.paid { "refund_full" } else { "refund_partial" });
    }
    tags.extend_from_slice(b2b_tags);
    tags.join(";")
}

/// A small union-find over indices.
struct Sets(Vec<usize>);

impl Sets {
    fn new(n: usize) -> Sets {
        Sets((0..n).collect())
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Working days from the day of `a` to the day of `b` (0 on the same working day;
/// negative when `b` is earlier), as a bank counts them.
fn working_days(clock: &Clock, a: i64, b: i64) -> i64 {
    let (da, db) = (a.div_euclid(DAY), b.div_euclid(DAY));
    if db < da {
        return -1;
    }
    let mut n = 0;
    let mut d = clock.roll_to_workday(da);
    while d < db {
        d = clock.roll_to_workday(d + 1);
        if d <= db {
            n += 1;
        }
    }
    n
}

#[derive(Serialize)]
struct Counts {
    generator: &'static str,
    noise: &'static str,
    seed: u64,
    orders_requested: u64,
    period: BTreeMap<&'static str, String>,
    as_of: String,
    orders: u64,
    orders_by_platform: BTreeMap<&'static str, u64>,
    status_counts: BTreeMap<&'static str, u64>,
    payouts: BTreeMap<&'static str, u64>,
    bank_links: BTreeMap<&'static str, u64>,
    bank_lines_by_category: BTreeMap<&'static str, u64>,
}

#[allow(clippy::too_many_arguments)]
pub fn write_score_truth(
    opts: &GenOptions,
    world: &World,
    clock: &Clock,
    book: &Book,
    wallets: &Wallets,
    banks: &Banks,
    out: &Path,
) -> Result<Vec<GeneratedFile>, GenError> {
    let dir = out.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|source| GenError::CreateDir { path: dir.clone(), source })?;
    let mut files = Vec::new();
    let mut r = Row::default();
    let end = clock.end();

    // Payouts: the id recon knows a withdrawal by (the wallet line's id, Pinduoduo's
    // 提现单号) and the others a memo may quote.
    let payout_id = |i: usize| {
        let p = &wallets.payouts[i];
        if p.txn_id.is_empty() { p.reference.clone() } else { p.txn_id.clone() }
    };
    let alt_ids = |i: usize| {
        let p = &wallets.payouts[i];
        if p.txn_id.is_empty() || p.reference == p.txn_id { String::new() } else { p.reference.clone() }
    };

    // Groups: one per payout credit; B2B orders and credits joined by what pays what.
    let mut group_of_line: BTreeMap<usize, String> = BTreeMap::new();
    let mut n_groups = 0;
    for (li, l) in banks.lines.iter().enumerate() {
        if !l.payouts.is_empty() {
            n_groups += 1;
            group_of_line.insert(li, format!("P{n_groups:05}"));
        }
    }
    let b2b_lines: Vec<usize> = (0..banks.lines.len())
        .filter(|&i| banks.lines[i].kind == BankKind::B2b && !banks.lines[i].b2b.is_empty())
        .collect();
    let mut sets = Sets::new(book.b2b.len());
    for &li in &b2b_lines {
        let l = &banks.lines[li];
        for w in l.b2b.windows(2) {
            sets.join(w[0].0, w[1].0);
        }
    }
    let mut b2b_group: BTreeMap<usize, String> = BTreeMap::new();
    for &li in &b2b_lines {
        let root = sets.find(banks.lines[li].b2b[0].0);
        let next = b2b_group.len() + 1;
        b2b_group.entry(root).or_insert_with(|| format!("B{next:05}"));
    }
    for &li in &b2b_lines {
        let root = sets.find(banks.lines[li].b2b[0].0);
        group_of_line.insert(li, b2b_group[&root].clone());
    }

    // Ambiguity: credits of equal withdrawals, without a reference, that could each be
    // the other's.
    let mut classes: BTreeMap<usize, String> = BTreeMap::new();
    let singles: Vec<(usize, usize)> = banks
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.payouts.len() == 1 && l.memo_ref.is_empty())
        .map(|(li, l)| (l.payouts[0], li))
        .collect();
    let mut by_key: BTreeMap<(Platform, Cents), Vec<(usize, usize)>> = BTreeMap::new();
    for &(p, li) in &singles {
        let platform = world.shops[wallets.payouts[p].shop].platform;
        by_key.entry((platform, wallets.payouts[p].amount)).or_default().push((p, li));
    }
    let mut n_classes = 0;
    for (_, v) in by_key.iter().filter(|(_, v)| v.len() > 1) {
        let could = |p: usize, li: usize| {
            let (pt, ct) = (wallets.payouts[p].t, banks.lines[li].t);
            ct >= pt && working_days(clock, pt, ct) <= WINDOW_DAYS
        };
        let mut sets = Sets::new(v.len());
        for a in 0..v.len() {
            for b in a + 1..v.len() {
                if could(v[a].0, v[b].1) && could(v[b].0, v[a].1) {
                    sets.join(a, b);
                }
            }
        }
        let mut named: BTreeMap<usize, String> = BTreeMap::new();
        let mut size: BTreeMap<usize, usize> = BTreeMap::new();
        for a in 0..v.len() {
            *size.entry(sets.find(a)).or_default() += 1;
        }
        for (a, &(payout, _)) in v.iter().enumerate() {
            let root = sets.find(a);
            if size[&root] > 1 {
                let name = named.entry(root).or_insert_with(|| {
                    n_classes += 1;
                    format!("A{n_classes:04}")
                });
                classes.insert(payout, name.clone());
            }
        }
    }

    // bank_links.csv
    let mut w = CsvOut::create(out, &format!("{DIR}/bank_links.csv"), Enc::Utf8, false)?;
    w.header(LINKS_HEADER)?;
    let mut link_counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    for (li, l) in banks.lines.iter().enumerate() {
        for &p in &l.payouts {
            let po = &wallets.payouts[p];
            r.clear();
            r.push("payout");
            r.push(&payout_id(p));
            r.cell();
            r.push(&l.txn_id);
            r.push(&group_of_line[&li]);
            r.push(world.shops[po.shop].platform.code());
            r.push(&alt_ids(p));
            r.push(&cents_str(po.amount));
            r.push(&cents_str(l.amount));
            r.push(classes.get(&p).map_or("", String::as_str));
            w.row(&r)?;
            *link_counts.entry("payout_pairs").or_default() += 1;
            *link_counts.entry("pairs_in_ambiguity_classes").or_default() += u64::from(classes.contains_key(&p));
        }
        if l.kind == BankKind::B2b {
            let mut seen = Vec::new();
            for &(plan, _) in &l.b2b {
                if seen.contains(&plan) {
                    continue;
                }
                seen.push(plan);
                let rec = &book.orders[book.b2b[plan].order as usize];
                r.clear();
                r.push("b2b");
                r.cell();
                push_order_id(r.cell(), clock, Platform::B2b, rec);
                r.push(&l.txn_id);
                r.push(&group_of_line[&li]);
                r.push(Platform::B2b.code());
                r.cell();
                r.push(&cents_str(book.b2b[plan].amount));
                r.push(&cents_str(l.amount));
                r.cell();
                w.row(&r)?;
                *link_counts.entry("b2b_pairs").or_default() += 1;
            }
        }
    }
    link_counts.insert("groups", n_groups + b2b_group.len() as u64);
    link_counts.insert("ambiguity_classes", n_classes);
    files.push(w.finish("truth")?);

    // payouts.csv
    let mut w = CsvOut::create(out, &format!("{DIR}/payouts.csv"), Enc::Utf8, false)?;
    w.header(PAYOUTS_HEADER)?;
    let mut fates: BTreeMap<&'static str, u64> = BTreeMap::new();
    for (i, p) in wallets.payouts.iter().enumerate() {
        let line = banks.payout_line[i];
        let fate = match line {
            Some(_) => "linked",
            None if banks.in_transit.contains(&i) => "in_transit",
            None => "lost",
        };
        *fates.entry(fate).or_default() += 1;
        r.clear();
        r.push(&payout_id(i));
        r.push(world.shops[p.shop].platform.code());
        r.push(&clock.datetime(p.t));
        r.push(&cents_str(p.amount));
        r.push(&alt_ids(i));
        r.push(fate);
        match line {
            Some(li) => {
                r.push(&banks.lines[li].txn_id);
                r.push(&group_of_line[&li]);
            }
            None => {
                r.cell();
                r.cell();
            }
        }
        w.row(&r)?;
    }
    fates.insert("total", wallets.payouts.len() as u64);
    files.push(w.finish("truth")?);

    // bank_lines.csv
    let payout_amounts: std::collections::BTreeSet<Cents> = wallets.payouts.iter().map(|p| p.amount).collect();
    let mut w = CsvOut::create(out, &format!("{DIR}/bank_lines.csv"), Enc::Utf8, false)?;
    w.header(LINES_HEADER)?;
    let mut categories: BTreeMap<&'static str, u64> = BTreeMap::new();
    for (li, l) in banks.lines.iter().enumerate() {
        let category = match l.kind {
            BankKind::Payout => "payout",
            BankKind::B2b => "b2b",
            BankKind::Unknown if payout_amounts.contains(&l.amount) => "decoy",
            BankKind::BankFee => "bank_charge",
            BankKind::Interest => "interest",
            BankKind::Duplicate => "duplicate",
            BankKind::Subsidy => "subsidy",
            BankKind::SupplierRefund => "supplier_refund",
            BankKind::InternalTransfer => "internal_transfer",
            _ => "unrelated",
        };
        *categories.entry(category).or_default() += 1;
        r.clear();
        r.push(&l.txn_id);
        clock.push_date(r.cell(), l.t.div_euclid(DAY));
        r.push(&cents_str(l.amount));
        r.push(l.counterparty.trim());
        r.push(category);
        r.push(group_of_line.get(&li).map_or("", String::as_str));
        r.push(&l.memo_ref);
        w.row(&r)?;
    }
    files.push(w.finish("truth")?);

    // order_status.csv
    let mut tags: BTreeMap<u32, Vec<&'static str>> = BTreeMap::new();
    for l in &banks.lines {
        if l.kind != BankKind::B2b {
            continue;
        }
        for &(plan, _) in &l.b2b {
            let t = tags.entry(book.b2b[plan].order).or_default();
            if l.b2b.len() > 1 && !t.contains(&"b2b_combined") {
                t.push("b2b_combined");
            }
            if l.by_person && !t.contains(&"b2b_person_payer") {
                t.push("b2b_person_payer");
            }
            if l.fee > 0 && !t.contains(&"b2b_bank_fee") {
                t.push("b2b_bank_fee");
            }
        }
    }
    for plan in &book.b2b {
        let t = tags.entry(plan.order).or_default();
        if plan.payments.is_empty() {
            t.push("b2b_unpaid");
        } else if plan.payments.len() > 1 {
            t.push("b2b_instalments");
        }
    }
    let mut w = CsvOut::create(out, &format!("{DIR}/order_status.csv"), Enc::Utf8, false)?;
    w.header(STATUS_HEADER)?;
    let mut status_counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut by_platform: BTreeMap<&'static str, u64> = BTreeMap::new();
    let none: Vec<&'static str> = Vec::new();
    for (i, o) in book.orders.iter().enumerate() {
        let platform = world.shops[o.shop as usize].platform;
        let ship_t = book.ship_t.get(i).copied().unwrap_or(-1);
        let a = answer(world, clock, o, ship_t);
        *status_counts.entry(a.status).or_default() += 1;
        *by_platform.entry(platform.code()).or_default() += 1;
        let outstanding = if matches!(a.status, "settled" | "refunded") { 0 } else { (a.expected - a.received).max(0) };
        r.clear();
        push_order_id(r.cell(), clock, platform, o);
        r.push(platform.code());
        r.push(a.status);
        for v in [a.expected, a.received, outstanding, a.paid, a.refunds, a.fees] {
            r.push(&cents_str(v));
        }
        let ship = r.cell();
        if ship_t >= 0 && ship_t < end {
            clock.push_date(ship, ship_t.div_euclid(DAY));
        }
        let due = r.cell();
        if let Some(d) = a.due_day.filter(|_| ship_t < end) {
            clock.push_date(due, d);
        }
        let b2b_tags = tags.get(&(i as u32)).unwrap_or(&none);
        r.push(&scenario(o, ship_t, end / DAY, &a, b2b_tags));
        w.row(&r)?;
    }
    files.push(w.finish("truth")?);

    // counts.json
    let mut period = BTreeMap::new();
    let mut s = String::new();
    clock.push_date(&mut s, 0);
    period.insert("start", s);
    let mut s = String::new();
    clock.push_date(&mut s, (end - 1).div_euclid(DAY));
    period.insert("end", s);
    let counts = Counts {
        generator: "recon gen",
        noise: opts.noise.as_str(),
        seed: opts.seed,
        orders_requested: opts.orders,
        period,
        as_of: clock.datetime(end - 1),
        orders: book.orders.len() as u64,
        orders_by_platform: by_platform,
        status_counts,
        payouts: fates,
        bank_links: link_counts,
        bank_lines_by_category: categories,
    };
    let rel = format!("{DIR}/counts.json");
    let err = |source| GenError::Io { file: rel.clone(), source };
    let mut f = std::io::BufWriter::new(std::fs::File::create(out.join(&rel)).map_err(err)?);
    serde_json::to_writer_pretty(&mut f, &counts).map_err(|source| GenError::Json { file: rel.clone(), source })?;
    f.write_all(b"\n").map_err(err)?;
    f.flush().map_err(err)?;
    files.push(GeneratedFile { path: rel, kind: "truth", rows: 1 });
    Ok(files)
}
