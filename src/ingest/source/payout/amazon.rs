//! The Amazon Settlement V2 flat file (tab-separated, Windows-1252 from EU marketplaces,
//! which also write decimal commas). Its first data row summarises the settlement — id,
//! period, deposit date, total — and becomes the payout: money leaving the Amazon
//! balance for the bank. Every other row is one component (an item's price, its
//! commission, a refund, a fee …), signed as Amazon gives it, and carries the settlement
//! id so the lines tie to their payout. The components must add up to the total.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Line, Parsed, Record, Table, amount_at, cell, non_empty, parse_time, slash_day_first};

/// The settlement a summary row describes.
struct Summary {
    line: u64,
    total: Decimal,
    currency: Option<String>,
    sum: Decimal,
    lines: usize,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let t = Table::read(text, b'\t', false)?;
    let settlement = t.column(&["settlement-id"])?;
    let start = t.column(&["settlement-start-date"])?;
    let end = t.column(&["settlement-end-date"])?;
    let deposit = t.column(&["deposit-date"])?;
    let total = t.column(&["total-amount"])?;
    let currency = t.column(&["currency"])?;
    let txn_type = t.column(&["transaction-type"])?;
    let order = t.column(&["order-id"])?;
    let amount_type = t.column(&["amount-type"])?;
    let description = t.column(&["amount-description"])?;
    let amount = t.column(&["amount"])?;
    let posted = t.column(&["posted-date-time", "posted-date"])?;
    let posted_date = t.find(&["posted-date"]);
    let adjustment = t.find(&["adjustment-id"]);
    let shipment = t.find(&["shipment-id"]);
    let sku = t.find(&["sku"]);
    let item = t.find(&["order-item-code"]);
    let opt = |cells: &Record, c: Option<usize>| c.and_then(|c| non_empty(cell(cells, c)));
    // Slashed dates are day first outside the US (02/03/2026): the dates tell when a day
    // is above 12, else the decimal comma of EU marketplaces does.
    let dates = t.records.iter().flat_map(|(_, r)| [deposit, posted, start].map(|c| cell(r, c)));
    let day_first = slash_day_first(dates).unwrap_or_else(|| {
        t.records.iter().any(|(_, r)| cell(r, amount).contains(',') || cell(r, total).contains(','))
    });

    let mut summaries: BTreeMap<String, Summary> = BTreeMap::new();
    let mut out = Parsed::default();
    for (line, r) in &t.records {
        let line = *line;
        let id = non_empty(cell(r, settlement)).ok_or_else(|| format!("line {line}: the settlement-id is empty"))?;
        if !cell(r, total).is_empty() {
            let value = amount_at(r, total, line, "total-amount")?;
            let time_text = cell(r, deposit);
            let time = parse_time(time_text, day_first)
                .ok_or_else(|| format!("line {line}, column deposit-date: '{time_text}' is not a date"))?;
            let date = |c| parse_time(cell(r, c), day_first).map(|t| t.date());
            let period = match (date(start), date(end)) {
                (Some(a), Some(b)) => format!(" ({a} to {b})"),
                _ => String::new(),
            };
            if summaries.contains_key(&id) {
                return Err(format!("line {line}: settlement {id} has a second summary row"));
            }
            let currency_text = non_empty(cell(r, currency));
            summaries.insert(
                id.clone(),
                Summary { line, total: value, currency: currency_text.clone(), sum: Decimal::ZERO, lines: 0 },
            );
            out.lines.push(Line {
                line,
                txn_id: Some(id.clone()),
                time,
                kind: "withdrawal",
                amount: -value,
                currency: currency_text,
                memo: Some(format!("Amazon settlement {id}{period} paid out")),
                payout_ref: Some(id),
                ..Line::default()
            });
            continue;
        }
        let value = amount_at(r, amount, line, "amount")?;
        let time_text =
            if cell(r, posted).is_empty() { posted_date.map_or("", |c| cell(r, c)) } else { cell(r, posted) };
        let time = parse_time(time_text, day_first)
            .ok_or_else(|| format!("line {line}, column posted-date: '{time_text}' is not a date"))?;
        let (tt, at, desc) = (cell(r, txn_type), cell(r, amount_type), cell(r, description));
        let mut memo = [tt, at, desc].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" / ");
        for (label, c) in [("SKU", sku), ("item", item)] {
            if let Some(v) = opt(r, c) {
                memo.push_str(&format!("; {label} {v}"));
            }
        }
        out.lines.push(Line {
            line,
            txn_id: opt(r, adjustment).or_else(|| opt(r, shipment)),
            order_id: non_empty(cell(r, order)),
            time,
            kind: kind(tt, at, desc),
            amount: value,
            currency: non_empty(cell(r, currency)),
            memo: non_empty(&memo),
            payout_ref: Some(id),
            ..Line::default()
        });
    }
    // Components take their settlement's currency, and are added up against its total.
    for l in out.lines.iter_mut().filter(|l| l.kind != "withdrawal" || l.txn_id != l.payout_ref) {
        let id = l.payout_ref.as_deref().unwrap_or_default();
        let s = summaries.get_mut(id).ok_or_else(|| {
            format!("line {}: settlement {id} has no summary row (the row with its total-amount)", l.line)
        })?;
        s.sum = s.sum.checked_add(l.amount).ok_or("the amounts add up to more than can be counted")?;
        s.lines += 1;
        if l.currency.is_none() {
            l.currency = s.currency.clone();
        }
    }
    for (id, s) in &summaries {
        if s.sum != s.total {
            return Err(format!(
                "settlement {id} does not add up: its {} lines come to {}, but its total-amount (line {}) is {} \
                 (a difference of {}), so nothing was imported",
                s.lines,
                s.sum,
                s.line,
                s.total,
                s.total.checked_sub(s.sum).ok_or("the amounts add up to more than can be counted")?
            ));
        }
    }
    Ok(out)
}

/// The settlement kind of a component, from Amazon's transaction-type, amount-type and
/// amount-description. Read from the structured columns rather than by word search:
/// `Promotion / Shipping` is a promotion, not shipping, and `ItemFees / ShippingChargeback`
/// a fee, not a chargeback.
fn kind(transaction_type: &str, amount_type: &str, description: &str) -> &'static str {
    let (tt, at, desc) = (transaction_type.to_lowercase(), amount_type.to_lowercase(), description.to_lowercase());
    let any = |w: &str| tt.contains(w) || at.contains(w) || desc.contains(w);
    if tt.contains("refund") || tt.contains("chargeback") || tt.contains("a-to-z") || tt.contains("guarantee") {
        "refund"
    } else if at == "itemprice" {
        if desc.contains("shipping") { "shipping" } else { "sale" }
    } else if at.contains("promotion") || any("coupon") || any("lightning deal") {
        "promotion"
    } else if at == "itemfees" {
        if desc.contains("commission") { "commission" } else { "fee" }
    } else if any("advertis") {
        "promotion"
    } else if any("reserve") || any("reimbursement") || any("withheldtax") || any("adjustment") {
        "adjustment"
    } else if any("successful charge") {
        // Amazon charged the seller's card to cover a negative balance.
        "deposit"
    } else if any("fee") || any("subscription") {
        "fee"
    } else if tt == "order" {
        "sale"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::rows_of;
    use super::*;
    use crate::ingest::sniff::PayoutExport;

    const HEAD: &str = "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\tamount-type\tamount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\torder-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\tpromotion-id\n";

    #[test]
    fn kinds() {
        assert_eq!(kind("Order", "ItemPrice", "Principal"), "sale");
        assert_eq!(kind("Order", "ItemPrice", "Shipping"), "shipping");
        assert_eq!(kind("Order", "ItemPrice", "Tax"), "sale");
        assert_eq!(kind("Order", "ItemFees", "Commission"), "commission");
        assert_eq!(kind("Order", "ItemFees", "FBAPerUnitFulfillmentFee"), "fee");
        assert_eq!(kind("Order", "ItemFees", "ShippingChargeback"), "fee");
        assert_eq!(kind("Order", "Promotion", "Shipping"), "promotion");
        assert_eq!(kind("Refund", "ItemFees", "RefundCommission"), "refund");
        assert_eq!(kind("Refund", "ItemPrice", "Principal"), "refund");
        assert_eq!(kind("other-transaction", "other-transaction", "Storage Fee"), "fee");
        assert_eq!(kind("other-transaction", "other-transaction", "Current Reserve Amount"), "adjustment");
        assert_eq!(kind("ServiceFee", "Cost of Advertising", "TransactionTotalAmount"), "promotion");
        assert_eq!(kind("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal"), "adjustment");
        assert_eq!(kind("Liquidations", "other-transaction", "Something new"), "other");
    }

    #[test]
    fn fixture_lines() {
        let rows = rows_of("amazon-settlement-v2-de.txt", PayoutExport::AmazonV2);
        assert_eq!(rows[0][0], "platform");
        // The payout first, then every component, all tied to the settlement.
        assert_eq!(rows[1][4..6], ["withdrawal", "-45.81"]);
        assert!(rows[1..].iter().all(|r| r[10] == "11783497812"), "{rows:?}");
        assert!(rows[1..].iter().all(|r| r[6] == "EUR"));
    }

    #[test]
    fn totals_must_add_up() {
        let text = format!(
            "{HEAD}1\t2026-03-01\t2026-03-15\t2026-03-17\t10,00\tEUR\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n\
             1\t\t\t\t\t\tOrder\t302-1\t\t\t\tAmazon.de\tItemPrice\tPrincipal\t9,50\t\t2026-03-02\t\t\t\t\t\t\t\n"
        );
        let e = parse(&text).unwrap_err();
        assert!(e.contains("settlement 1 does not add up") && e.contains("difference of 0.50"), "{e}");
        let e = parse(&text.replace("\tamount-type", "\tkind")).unwrap_err();
        assert_eq!(e, "the header has no column 'amount-type'");
        let e = parse(&text.replace("9,50", "9,5x")).unwrap_err();
        assert_eq!(e, "line 3, column amount: '9,5x' is not an amount");
        // Every cut of the text fails cleanly or reads.
        for cut in 0..text.len() {
            if text.is_char_boundary(cut) {
                let _ = parse(&text[..cut]);
            }
        }
    }
}
