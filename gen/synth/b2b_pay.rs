//! When a B2B customer's transfers for an order reach the bank: the terms run from the
//! shipment, most customers pay within them (about a tenth on the terms' last days), some
//! pay a deposit first; with noise some orders are never paid and some balances come
//! weeks after the terms; in the clean data set every order is paid in full by its due
//! date.

use rand::Rng;

use super::clock::{Clock, DAY, HOUR, MINUTE};
use super::draw::{GenRng, chance};
use super::money::Cents;

/// The transfers `(time, amount)` paying an order of `amount` placed at `order_t` and
/// shipped at `ship_t`, some possibly after the export. `terms_days`: days from the
/// shipment to the due date.
pub fn transfers(
    clock: &Clock,
    on_time: bool,
    terms_days: i64,
    order_t: i64,
    ship_t: i64,
    amount: Cents,
    rng: &mut GenRng,
) -> Vec<(i64, Cents)> {
    let due = ship_t + terms_days * DAY;
    // The clean set's customers pay within the terms counted from the order, too.
    let due = if on_time { due.min(order_t + (terms_days - 1) * DAY) } else { due };
    // A transfer meant for `target` is made during office hours of the bank's working day
    // on or before it (a customer paying on time pays before the weekend, not after),
    // never before the order.
    let at = |target: i64, rng: &mut GenRng| {
        let first = order_t / DAY;
        let back = |mut d: i64| {
            while !clock.is_workday(d) && d > first {
                d -= 1;
            }
            d
        };
        let d = back(target.div_euclid(DAY));
        let mut t = d * DAY + rng.random_range(9 * HOUR..17 * HOUR + 30 * MINUTE);
        if t > target && d > first {
            t = back(d - 1) * DAY + rng.random_range(9 * HOUR..17 * HOUR + 30 * MINUTE);
        }
        t.max(order_t + HOUR)
    };
    // Within the terms: mostly in good time, about a tenth in their last day.
    let in_terms = |rng: &mut GenRng| {
        if chance(rng, 1_100) {
            due - rng.random_range(10 * MINUTE..DAY)
        } else {
            ship_t + rng.random_range(DAY..(terms_days - 1).max(2) * DAY)
        }
    };
    let deposit = |rng: &mut GenRng| if chance(rng, 5_000) { amount * 3 / 10 } else { amount / 2 };
    let mut payments = Vec::new();
    let pattern = rng.random_range(0..100);
    if on_time {
        if pattern < 25 {
            // A deposit with the order, the balance within the terms.
            let deposit = deposit(rng);
            let t1 = at(order_t + rng.random_range(0..DAY), rng);
            let t2 = at(in_terms(rng), rng);
            payments.push((t1, deposit));
            payments.push((t2.max(t1 + MINUTE), amount - deposit));
        } else {
            payments.push((at(in_terms(rng), rng), amount));
        }
        return payments;
    }
    let late = |rng: &mut GenRng| due + rng.random_range(HOUR..30 * DAY);
    match pattern {
        0..12 => {}
        12..37 => {
            let deposit = deposit(rng);
            let t1 = at(order_t + rng.random_range(0..4 * DAY), rng);
            let target = if chance(rng, 6_000) { in_terms(rng) } else { late(rng) };
            let t2 = at(target, rng);
            payments.push((t1, deposit));
            payments.push((t2.max(t1 + MINUTE), amount - deposit));
        }
        _ => {
            let target = if chance(rng, 1_200) { late(rng) } else { in_terms(rng) };
            payments.push((at(target, rng), amount));
        }
    }
    payments
}
