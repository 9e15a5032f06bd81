//! When a B2B customer's transfers for an order reach the bank: the usual mix, in which
//! some orders are never paid and some balances come weeks after the terms, or, in the
//! clean data set, every order paid in full by its due date.

use rand::Rng;

use super::clock::{Clock, DAY, HOUR, MINUTE};
use super::draw::{GenRng, chance};
use super::money::Cents;

/// The transfers `(time, amount)` paying an order of `amount` placed on `day`, some
/// possibly after the export. `terms_days`: days from the order to its due date.
pub fn transfers(
    clock: &Clock,
    on_time: bool,
    terms_days: i64,
    day: i64,
    amount: Cents,
    rng: &mut GenRng,
) -> Vec<(i64, Cents)> {
    // Transfers are made during office hours on a working day.
    let at =
        |d: i64, rng: &mut GenRng| clock.roll_to_workday(d) * DAY + rng.random_range(9 * HOUR..17 * HOUR + 30 * MINUTE);
    let deposit = |rng: &mut GenRng| if chance(rng, 5_000) { amount * 3 / 10 } else { amount / 2 };
    let mut payments = Vec::new();
    let pattern = rng.random_range(0..100);
    if on_time {
        // A transfer meant for day `d` may roll over a weekend to `d + 2`, and office hours
        // end before the earliest order time, so any `d` up to three days short of the
        // terms is paid before the due date.
        let last = (terms_days - 3).max(1);
        if pattern < 25 {
            let deposit = deposit(rng);
            let t1 = at(day + rng.random_range(0..10.min(last)), rng);
            let t2 = at(day + rng.random_range((15.min(last))..=last), rng);
            payments.push((t1, deposit));
            payments.push((t2.max(t1), amount - deposit));
        } else {
            payments.push((at(day + rng.random_range(0..21.min(last)), rng), amount));
        }
        return payments;
    }
    match pattern {
        0..15 => {}
        15..40 => {
            let deposit = deposit(rng);
            let t1 = at(day + rng.random_range(0..10), rng);
            let t2 = at(t1 / DAY + rng.random_range(15..45), rng);
            payments.push((t1, deposit));
            payments.push((t2, amount - deposit));
        }
        _ => payments.push((at(day + rng.random_range(0..21), rng), amount)),
    }
    payments
}
