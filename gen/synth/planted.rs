//! `truth/planted.csv`: where each problem asked for with `--plant` actually went, written once every stage is done.

use std::path::Path;

use chrono::Datelike;

use super::bank::Banks;
use super::book::{Book, account_no, status};
use super::clock::{Clock, DAY};
use super::model::World;
use super::money::cents_str;
use super::plant::{FEE_FACTOR, Plan, SLOW_DAYS, month_str};
use super::plant_kind::Plant;
use super::wallet::Wallets;
use super::write::{CsvOut, Enc, Row};
use super::{GenError, GeneratedFile};

pub const PLANTED_FILE: &str = "truth/planted.csv";

pub const PLANTED_HEADER: &[&str] = &["kind", "platform", "shop", "reference", "month", "detail"];

/// `truth/planted.csv`: one row per problem actually planted.
pub fn write_planted(
    plan: &Plan,
    world: &World,
    clock: &Clock,
    book: &Book,
    wallets: &Wallets,
    banks: &Banks,
    out: &Path,
) -> Result<GeneratedFile, GenError> {
    let mut w = CsvOut::create(out, PLANTED_FILE, Enc::Utf8, false)?;
    w.header(PLANTED_HEADER)?;
    let mut r = Row::default();
    let mut row = |w: &mut CsvOut, cells: [&str; 6]| {
        r.clear();
        for c in cells {
            r.push(c);
        }
        w.row(&r)
    };
    if let Some(f) = &plan.fee {
        // Orders whose fee lines reached the wallet tripled.
        let n = book
            .orders
            .iter()
            .filter(|o| {
                world.shops[o.shop as usize].platform == f.platform && f.days.contains(&i64::from(o.day)) && o.fees > 0
            })
            .count();
        if n > 0 {
            let month = month_str(f.month);
            let detail = format!("commission x{FEE_FACTOR} (every fee line of {n} orders)");
            row(&mut w, [Plant::FeeChange.kind(), f.platform.code(), "", &month, &month, &detail])?;
        }
    }
    if let Some((orig, copy)) = banks.duplicate {
        let (a, b) = (&banks.lines[orig], &banks.lines[copy]);
        let d = clock.date(a.t / DAY);
        let reference = format!("{} / {}", a.txn_id, b.txn_id);
        let detail = format!("amount {} from {}", cents_str(a.amount), a.counterparty.trim());
        let month = month_str((d.year(), d.month()));
        row(&mut w, [Plant::DuplicatePayment.kind(), "", account_no(a.account), &reference, &month, &detail])?;
    }
    if let Some(s) = &plan.slow {
        let late = (0..wallets.payouts.len())
            .filter(|&i| {
                let p = &wallets.payouts[i];
                world.shops[p.shop].platform == s.platform
                    && s.days.contains(&(p.t / DAY))
                    && banks.payout_line[i].is_some()
            })
            .count();
        if late > 0 {
            let code = s.platform.code();
            let detail = format!("payouts {SLOW_DAYS} days late ({late} payouts)");
            row(&mut w, [Plant::SlowPlatform.kind(), code, "", code, &month_str(s.month), &detail])?;
        }
    }
    if let Some(sp) = &plan.spike {
        let shop = &world.shops[sp.shop];
        let month: Vec<_> = book
            .orders
            .iter()
            .filter(|o| usize::from(o.shop) == sp.shop && sp.days.contains(&i64::from(o.day)))
            .collect();
        let refunded = month.iter().filter(|o| status(o) == "refunded").count();
        if !sp.picked.is_empty() {
            let detail = format!("{refunded} of {} orders refunded", month.len());
            let kind = Plant::RefundSpike.kind();
            row(&mut w, [kind, shop.platform.code(), shop.name, shop.name, &month_str(sp.month), &detail])?;
        }
    }
    if let Some(l) = &plan.logistics {
        let mut rows: Vec<&(Plant, [String; 6])> = l.rows.iter().collect();
        rows.sort_by_key(|r| r.0);
        for (_, cells) in rows {
            row(&mut w, cells.each_ref().map(String::as_str))?;
        }
    }
    w.finish("truth")
}
