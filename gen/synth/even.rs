//! The clean data set's evenness: refunds and the fees charged on only some orders kept
//! near their usual share in every shop-month, so that chance (one big return, a few
//! large live-room orders) does not make a month look like a problem.
//!
//! Months are those of the order, as the analysis counts them. A refund goes in only
//! while the month's refunds stay under a cap of its sales so far. A fee on only some
//! orders (Douyin's influencer commission) is offered by every settled order and given,
//! once the month is complete, to a random choice of them that comes to its usual share
//! of the month's sales: one order at a time, each whose fee still fits under it, so the
//! month ends within a small fee of the share instead of a large order's worth off it.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;

use super::book::{Book, Ev, EvKind};
use super::draw::GenRng;
use super::model::{FeeKind, FeeRule};
use super::money::Cents;

/// The most a shop-month's refunds may come to, in basis points of its sales: well above
/// the usual 1–2% and well below the 10% at which a month starts to look like a spike.
const REFUND_CAP_BP: i128 = 500;

#[derive(Clone, Copy, Debug, Default)]
struct Month {
    sales: Cents,
    refunds: Cents,
}

/// One settled order's fee of a rule that applies to only some orders.
#[derive(Clone, Copy, Debug)]
struct Offer {
    order: u32,
    /// When the fee line would be booked: with the sale.
    t: i64,
    /// The fee at the rate drawn for the order, and what a planted fee change multiplies
    /// it by.
    fee: Cents,
    factor: i64,
    kind: FeeKind,
}

/// Offers of one shop, month and rule, and the rule's usual share in 10⁻⁸ of sales.
#[derive(Debug, Default)]
struct Pool {
    share: i128,
    offers: Vec<Offer>,
}

/// Running totals per (shop, month of the order).
#[derive(Debug, Default)]
pub struct Evener {
    months: BTreeMap<(u8, i64), Month>,
    pools: BTreeMap<(u8, i64, usize), Pool>,
}

impl Evener {
    fn month(&mut self, shop: u8, month: i64) -> &mut Month {
        self.months.entry((shop, month)).or_default()
    }

    /// Books a settled sale; call before its refund is decided.
    pub fn sale(&mut self, shop: u8, month: i64, amount: Cents) {
        self.month(shop, month).sales += amount;
    }

    /// Offers the fee of rule `k` (of the shop's rules) on a settled order; [`Self::finish`]
    /// decides whether it is charged.
    #[allow(clippy::too_many_arguments)]
    pub fn offer_fee(
        &mut self,
        shop: u8,
        month: i64,
        k: usize,
        rule: &FeeRule,
        order: u32,
        t: i64,
        fee: Cents,
        factor: i64,
    ) {
        let mean_bp = rule.bp.iter().map(|&b| i128::from(b)).sum::<i128>() / rule.bp.len().max(1) as i128;
        let pool = self.pools.entry((shop, month, k)).or_default();
        pool.share = i128::from(rule.applies_per_10k) * mean_bp;
        pool.offers.push(Offer { order, t, fee, factor, kind: rule.kind });
    }

    /// Whether a refund of `amount` fits the month's refund cap; booked if it does.
    pub fn refund(&mut self, shop: u8, month: i64, amount: Cents) -> bool {
        let m = self.month(shop, month);
        let fits = i128::from(m.refunds + amount) * 10_000 <= i128::from(m.sales) * REFUND_CAP_BP;
        if fits {
            m.refunds += amount;
        }
        fits
    }

    /// Charges the offered fees: in each pool, in random order, every fee that still fits
    /// under the month's usual share, then the one left over that brings the total
    /// nearest to it, if any does. Fee lines go to the shop's wallet events, amounts to
    /// the orders.
    pub fn finish(self, book: &mut Book, rng: &mut GenRng) {
        let Evener { months, pools } = self;
        for ((shop, month, _), mut pool) in pools {
            let sales = months.get(&(shop, month)).map_or(0, |m| m.sales);
            // Fees are compared in units of 10⁻⁸ cents, the share's unit.
            let usual = i128::from(sales) * pool.share;
            let scaled = |c: Cents| i128::from(c) * 100_000_000;
            pool.offers.shuffle(rng);
            let mut total: Cents = 0;
            let mut taken = vec![false; pool.offers.len()];
            for (i, o) in pool.offers.iter().enumerate() {
                if o.fee > 0 && scaled(total + o.fee) <= usual {
                    total += o.fee;
                    taken[i] = true;
                }
            }
            let gap = usual - scaled(total);
            let last = (0..pool.offers.len())
                .filter(|&i| !taken[i] && pool.offers[i].fee > 0)
                .min_by_key(|&i| (scaled(pool.offers[i].fee) - gap).abs())
                .filter(|&i| (scaled(pool.offers[i].fee) - gap).abs() < gap);
            if let Some(i) = last {
                taken[i] = true;
            }
            for (o, _) in pool.offers.iter().zip(taken).filter(|(_, t)| *t) {
                let fee = o.fee * o.factor;
                book.events[shop as usize].push(Ev::new(o.t, -fee, o.order, EvKind::Fee(o.kind)));
                book.orders[o.order as usize].fees += fee;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::book::{Fate, OrderRec};
    use super::super::draw::SeedTree;
    use super::*;

    #[test]
    fn part_time_fees_come_to_their_share_and_refunds_stay_under_the_cap() {
        const RULE: FeeRule = FeeRule { kind: FeeKind::Influencer, bp: &[1000, 2000], applies_per_10k: 3_000 };
        let rec = OrderRec {
            shop: 0,
            fate: Fate::Normal,
            product: 0,
            day: 0,
            pay_day: 0,
            seq: 0,
            num: 1,
            paid: 10_000,
            settled: 10_000,
            refunded: 0,
            fees: 0,
            units: 1,
            units_settled: 0,
            listed: 0,
            flags: 0,
        };
        let mut book = Book {
            orders: vec![rec; 100],
            events: vec![Vec::new()],
            b2b: Vec::new(),
            wx_trades: Vec::new(),
            ship_t: Vec::new(),
            files: Vec::new(),
        };
        let mut e = Evener::default();
        for i in 0..100 {
            // One large order among small ones, as the month that needs evening has.
            let paid = if i == 99 { 169_900 } else { 10_000 };
            e.sale(0, 7, paid);
            e.offer_fee(0, 7, 2, &RULE, i, 1_000 + i64::from(i), paid / 10, 1);
        }
        e.finish(&mut book, &mut SeedTree::new(1).child());
        let total: Cents = book.orders.iter().map(|o| o.fees).sum();
        // Usual: 1,159,900 × 30% × 15% = 52,195.5; within half the smallest fee of it.
        assert!((total - 52_196).abs() <= 500, "{total}");
        assert_eq!(book.events[0].iter().map(|e| -e.amount).sum::<Cents>(), total);

        let mut e = Evener::default();
        assert!(!e.refund(1, 7, 1), "no sales, no refund");
        e.sale(1, 7, 10_000);
        assert!(e.refund(1, 7, 500) && !e.refund(1, 7, 1), "5% of 100.00");
        assert!(e.refund(1, 8, 0) && !e.refund(1, 8, 1), "months are apart");
    }
}
