//! Money as integer cents (`i64`), formatted with exactly two decimals.
//!
//! Fees are rates in basis points applied with integer half-up rounding, so every figure
//! in the files and in the truth adds up to the cent.

use super::clock::push_num;

pub type Cents = i64;

pub const YUAN: Cents = 100;

/// `-12.34`
pub fn push_cents(out: &mut String, c: Cents) {
    if c < 0 {
        out.push('-');
    }
    let a = c.unsigned_abs();
    push_num(out, a / 100, 1);
    out.push('.');
    push_num(out, a % 100, 2);
}

/// `12,345.67`, as some bank exports write amounts.
pub fn push_cents_grouped(out: &mut String, c: Cents) {
    if c < 0 {
        out.push('-');
    }
    let a = c.unsigned_abs();
    let yuan = (a / 100).to_string();
    let first = yuan.len() % 3;
    for (i, ch) in yuan.chars().enumerate() {
        if i > 0 && (i + 3 - first).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out.push('.');
    push_num(out, a % 100, 2);
}

pub fn cents_str(c: Cents) -> String {
    let mut s = String::with_capacity(12);
    push_cents(&mut s, c);
    s
}

/// `amount × bp / 10000`, rounded half up (amounts here are never negative).
pub fn rate(amount: Cents, bp: u32) -> Cents {
    (amount * i64::from(bp) + 5_000).div_euclid(10_000)
}

/// The value of an xlsx numeric cell. A spreadsheet number is an IEEE double by the file
/// format; `cents / 100` is the double nearest to the two-decimal amount, and it is
/// written back as that shortest decimal, so nothing is lost. This is the only float.
pub fn xlsx_number(c: Cents) -> f64 {
    c as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(cents_str(0), "0.00");
        assert_eq!(cents_str(5), "0.05");
        assert_eq!(cents_str(-1234), "-12.34");
        assert_eq!(cents_str(1_000_000), "10000.00");
        let g = |c| {
            let mut s = String::new();
            push_cents_grouped(&mut s, c);
            s
        };
        assert_eq!(g(1_234_567), "12,345.67");
        assert_eq!(g(99), "0.99");
        assert_eq!(g(100_000_000), "1,000,000.00");
        assert_eq!(g(-12_345_678), "-123,456.78");
        assert_eq!(rate(12_345, 60), 74);
        assert_eq!(rate(10_000, 500), 500);
        assert_eq!(format!("{}", xlsx_number(1_234_567)), "12345.67");
    }
}
