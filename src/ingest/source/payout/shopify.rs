//! Shopify Payments' transactions export (`Transaction Date,Type,Order,Card Brand,Card
//! Source,Payout Status,Payout Date,Payout ID,Available On,Amount,Fee,Net,…,Currency`).
//! A charge is booked gross with its fee netted: it becomes a sale line and a fee line.
//! The payouts themselves are another export; each line names its payout (Payout ID),
//! kept as its payout_ref.

use super::{Line, Parsed, Record, Table, cell, gross_and_fee, non_empty, parse_time};

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let t = Table::read(text, b',', true)?;
    let date = t.column(&["Transaction Date"])?;
    let kind_col = t.column(&["Type"])?;
    let order = t.column(&["Order"])?;
    let payout = t.column(&["Payout ID"])?;
    let amount = t.column(&["Amount"])?;
    let fee = t.column(&["Fee"])?;
    let net = t.find(&["Net"]);
    let currency = t.find(&["Currency"]);
    let brand = t.find(&["Card Brand"]);
    let checkout = t.find(&["Checkout"]);
    let opt = |cells: &Record, c: Option<usize>| c.and_then(|c| non_empty(cell(cells, c)));

    let mut out = Parsed::default();
    for (line, r) in &t.records {
        let line = *line;
        let (gross, f) = gross_and_fee(&t, r, line, (amount, fee, net))?;
        let time = parse_time(cell(r, date), false)
            .ok_or_else(|| format!("line {line}, column {}: '{}' is not a date", t.header[date], cell(r, date)))?;
        let type_text = cell(r, kind_col);
        let kind = kind(type_text);
        let memo = [non_empty(type_text), opt(r, brand), opt(r, checkout).map(|c| format!("checkout {c}"))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        let base = Line {
            line,
            order_id: non_empty(cell(r, order)),
            time,
            currency: opt(r, currency).map(|c| c.to_uppercase()),
            payout_ref: non_empty(cell(r, payout)),
            ..Line::default()
        };
        out.push_with_fee(
            Line { kind, amount: gross, memo: non_empty(&memo), ..base },
            f,
            Some(format!("Shopify Payments fee: {type_text}")),
        );
    }
    Ok(out)
}

/// The settlement kind of a Shopify Payments transaction type.
fn kind(type_text: &str) -> &'static str {
    let t = type_text.trim().to_lowercase();
    match t.as_str() {
        "charge" | "payment" => "sale",
        "refund" => "refund",
        "payout" => "withdrawal",
        _ if t.contains("adjustment") || t.contains("dispute") || t.contains("chargeback") || t.contains("reserve") => {
            "adjustment"
        }
        _ if t.contains("fee") => "fee",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_fees() {
        assert_eq!(kind("charge"), "sale");
        assert_eq!(kind("refund"), "refund");
        assert_eq!(kind("dispute"), "adjustment");
        assert_eq!(kind("Chargeback won"), "adjustment");
        let text = "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Payout ID,Available On,Amount,Fee,Net,Checkout,Currency\n\
                    2026-10-03 10:12:31 +0200,charge,#1001,visa,online,paid,2026-10-06,123456789,2026-10-06,$30.00,$0.75,$29.25,,eur\n";
        let p = parse(text).unwrap();
        let got: Vec<(&str, String)> = p.lines.iter().map(|l| (l.kind, l.amount.to_string())).collect();
        assert_eq!(got, [("sale", "30.00".into()), ("fee", "-0.75".into())]);
        assert_eq!(p.lines[1].payout_ref.as_deref(), Some("123456789"));
        assert_eq!(p.lines[0].time.to_string(), "2026-10-03 10:12:31");
        assert_eq!(parse(&text.replace("Payout ID", "Payout")).unwrap_err(), "the header has no column 'Payout ID'");
    }
}
