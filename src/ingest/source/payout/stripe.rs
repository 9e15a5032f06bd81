//! Stripe's balance transactions export (`id,Type,Source,Amount,Fee,Net,Currency,
//! Created (UTC),Available On (UTC),Description,…,Transfer`). A charge is booked gross
//! with its fee netted; it becomes a sale line and a fee line of its own. A payout is
//! the money leaving the balance for the bank (its amount already negative), and every
//! other line names the payout that carried it in Transfer, kept as its payout_ref.

use super::{Line, Parsed, Record, Table, cell, gross_and_fee, non_empty, parse_time, slash_day_first};

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let t = Table::read(text, b',', true)?;
    let id = t.column(&["id"])?;
    let kind_col = t.column(&["Type"])?;
    let source = t.find(&["Source"]);
    let amount = t.column(&["Amount"])?;
    let fee = t.column(&["Fee"])?;
    let net = t.find(&["Net"]);
    let currency = t.column(&["Currency"])?;
    let created = t.column(&["Created (UTC)", "Created"])?;
    let description = t.find(&["Description"]);
    let transfer = t.find(&["Transfer"]);
    let opt = |cells: &Record, c: Option<usize>| c.and_then(|c| non_empty(cell(cells, c)));
    // The dashboard writes ISO times, or slashed ones month first (8/6/2026 12:00) unless
    // the dates show otherwise.
    let day_first = slash_day_first(t.records.iter().map(|(_, r)| cell(r, created))).unwrap_or(false);

    let mut out = Parsed::default();
    for (line, r) in &t.records {
        let line = *line;
        let txn = non_empty(cell(r, id)).ok_or_else(|| format!("line {line}: the id is empty"))?;
        let (gross, f) = gross_and_fee(&t, r, line, (amount, fee, net))?;
        let time = parse_time(cell(r, created), day_first).ok_or_else(|| {
            format!("line {line}, column {}: '{}' is not a date", t.header[created], cell(r, created))
        })?;
        let type_text = cell(r, kind_col);
        let kind = kind(type_text);
        // A payout's own reference is its po_ id (Source), which the lines it carried
        // name in Transfer; the balance transaction id only when there is no Source.
        let payout_ref = if kind == "withdrawal" { opt(r, source).or(Some(txn.clone())) } else { opt(r, transfer) };
        let memo = [non_empty(type_text), opt(r, description)].into_iter().flatten().collect::<Vec<_>>().join("; ");
        let base =
            Line { line, time, currency: non_empty(&cell(r, currency).to_uppercase()), payout_ref, ..Line::default() };
        out.push_with_fee(
            Line { txn_id: Some(txn), kind, amount: gross, memo: non_empty(&memo), ..base },
            f,
            Some(format!("Stripe fee: {type_text}")),
        );
    }
    Ok(out)
}

/// The settlement kind of a Stripe balance transaction type.
fn kind(type_text: &str) -> &'static str {
    match type_text.trim().to_lowercase().as_str() {
        "charge" | "payment" => "sale",
        "refund" | "payment_refund" | "payment_failure_refund" | "payment_reversal" => "refund",
        // Before 2017 payouts to the bank were called transfers.
        "payout" | "payout_cancel" | "payout_failure" | "transfer" | "transfer_cancel" | "transfer_failure" => {
            "withdrawal"
        }
        "stripe_fee" | "application_fee" | "tax_fee" | "network_cost" | "stripe_fx_fee" => "fee",
        "application_fee_refund" => "refund",
        "adjustment" | "reserve_transaction" | "reserved_funds" | "issuing_dispute" => "adjustment",
        "topup" | "topup_reversal" => "deposit",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_fees() {
        assert_eq!(kind("charge"), "sale");
        assert_eq!(kind("payout"), "withdrawal");
        assert_eq!(kind("stripe_fee"), "fee");
        assert_eq!(kind("adjustment"), "adjustment");
        assert_eq!(kind("contribution"), "other");
        let text = "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,Transfer\n\
                    txn_1,charge,ch_1,25.00,1.03,23.97,eur,2026-10-01 10:00,2026-10-08 00:00,Order 7,po_9\n\
                    txn_2,payout,po_9,-23.97,0.00,-23.97,eur,2026-10-08 06:00,2026-10-08 06:00,STRIPE PAYOUT,po_9\n";
        let p = parse(text).unwrap();
        let got: Vec<(&str, String, Option<&str>)> =
            p.lines.iter().map(|l| (l.kind, l.amount.to_string(), l.payout_ref.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("sale", "25.00".into(), Some("po_9")),
                ("fee", "-1.03".into(), Some("po_9")),
                ("withdrawal", "-23.97".into(), Some("po_9"))
            ]
        );
        assert_eq!(p.lines[0].currency.as_deref(), Some("EUR"));
        let e = parse(&text.replace("23.97,eur,2026-10-01", "23.98,eur,2026-10-01")).unwrap_err();
        assert_eq!(e, "line 2: Amount 25.00 less Fee 1.03 does not make Net 23.98");
        assert_eq!(parse(&text.replace(",Fee,", ",Fees,")).unwrap_err(), "the header has no column 'Fee'");
    }
}
