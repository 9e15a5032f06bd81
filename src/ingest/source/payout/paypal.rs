//! The PayPal activity download (CSV, UTF-8 with BOM, every field quoted), with English
//! or German headers (`Gross`/`Brutto`, `Fee`/`Gebühr` …) and, in German files, decimal
//! commas; and the PayPal statement CSV, which says `Description` where the download says
//! `Type` and has no `Status` (a statement lists only what completed). A row is a payment
//! with its fee netted: it becomes a line for the gross and a fee line of its own, so fees
//! can be summed like any other platform's. Rows not completed (pending, denied …) moved
//! no money: each is counted as ignored, with its status as the reason.

use crate::ingest::classify::no_money_moved;

use super::{Line, Parsed, Record, Table, amount_at, cell, non_empty, parse_time, slash_day_first};

/// A column's English and German names.
const DATE: &[&str] = &["Date", "Datum"];
const TIME: &[&str] = &["Time", "Uhrzeit"];
const NAME: &[&str] = &["Name"];
const TYPE: &[&str] = &["Type", "Typ", "Description", "Beschreibung"];
const STATUS: &[&str] = &["Status"];
const CURRENCY: &[&str] = &["Currency", "Währung"];
const GROSS: &[&str] = &["Gross", "Brutto"];
const FEE: &[&str] = &["Fee", "Gebühr"];
const NET: &[&str] = &["Net", "Netto"];
const TXN_ID: &[&str] = &["Transaction ID", "Transaktionscode"];
const INVOICE: &[&str] = &["Invoice Number", "Invoice ID", "Rechnungsnummer"];
const BALANCE: &[&str] = &["Balance", "Guthaben"];
const ITEM: &[&str] = &["Item Title", "Artikelbezeichnung"];

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    let t = Table::read(text, delimiter, true)?;
    let date = t.column(DATE)?;
    let time = t.find(TIME);
    let name = t.find(NAME);
    let kind_col = t.column(TYPE)?;
    // The activity download (`Type`) lists pending and denied rows beside completed
    // ones: without its Status column they could not be told apart, so it is required.
    // Only the statement (`Description`) lists what completed alone.
    let statement = ["Description", "Beschreibung"].contains(&t.header[kind_col].trim());
    let status = if statement { t.find(STATUS) } else { Some(t.column(STATUS)?) };
    let currency = t.column(CURRENCY)?;
    let gross = t.column(GROSS)?;
    let fee = t.column(FEE)?;
    let net = t.column(NET)?;
    let txn_id = t.column(TXN_ID)?;
    let invoice = t.find(INVOICE);
    let balance = t.find(BALANCE);
    let item = t.find(ITEM);
    let opt = |cells: &Record, c: Option<usize>| c.and_then(|c| non_empty(cell(cells, c)));
    let (g_name, f_name, n_name) = (&t.header[gross], &t.header[fee], &t.header[net]);
    // US downloads write 1/31/2026, UK ones 31/01/2026: the dates themselves tell, else US.
    let day_first = slash_day_first(t.records.iter().map(|(_, r)| cell(r, date))).unwrap_or(false);

    let mut out = Parsed::default();
    for (line, r) in &t.records {
        let line = *line;
        let state = status.map_or("", |c| cell(r, c));
        if no_money_moved(state) {
            out.push_ignored(line, state);
            continue;
        }
        let g = amount_at(r, gross, line, g_name)?;
        let f = if cell(r, fee).is_empty() { Default::default() } else { amount_at(r, fee, line, f_name)? };
        if !cell(r, net).is_empty() {
            let n = amount_at(r, net, line, n_name)?;
            // Checked: amounts near Decimal's limit must fail the file, not the program.
            if g.checked_add(f) != Some(n) {
                return Err(format!("line {line}: {g_name} {g} and {f_name} {f} do not make {n_name} {n}"));
            }
        }
        let when = format!("{} {}", cell(r, date), time.map_or("", |c| cell(r, c)));
        let when = parse_time(&when, day_first)
            .ok_or_else(|| format!("line {line}, column {}: '{}' is not a date", t.header[date], cell(r, date)))?;
        let id = non_empty(cell(r, txn_id)).ok_or_else(|| format!("line {line}: the {} is empty", t.header[txn_id]))?;
        let type_text = cell(r, kind_col);
        let kind = kind(type_text);
        let bal = match balance.filter(|c| !cell(r, *c).is_empty()) {
            Some(c) => Some(amount_at(r, c, line, &t.header[c])?),
            None => None,
        };
        let memo = [non_empty(type_text), opt(r, item)].into_iter().flatten().collect::<Vec<_>>().join("; ");
        let base = Line {
            line,
            order_id: opt(r, invoice),
            time: when,
            currency: non_empty(cell(r, currency)),
            counterparty: opt(r, name),
            ..Line::default()
        };
        let has_fee = !f.is_zero();
        out.lines.push(Line {
            txn_id: Some(id.clone()),
            kind,
            amount: g,
            balance: if has_fee { None } else { bal },
            memo: non_empty(&memo),
            payout_ref: (kind == "withdrawal").then(|| id.clone()),
            ..base.clone()
        });
        if has_fee {
            out.lines.push(Line {
                txn_id: Some(format!("{id}-fee")),
                kind: "fee",
                amount: f,
                balance: bal,
                // Not the item title: a fee line's memo may refine its kind (classify),
                // and a title saying "shipping" must not make the fee a shipping cost.
                memo: Some(format!("PayPal fee: {type_text}")),
                ..base
            });
        }
    }
    Ok(out)
}

/// The settlement kind of a PayPal type, English or German. Holds are tried before
/// refunds (`Reversal of General Account Hold` is no refund), withdrawals before
/// payments (`Allgemeine Abbuchung`), deposits before payments (`Bankeinzahlung`).
fn kind(type_text: &str) -> &'static str {
    let t = type_text.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if any(&["hold", "einbehalt", "reserve", "rücklage", "adjustment", "korrektur"]) {
        "adjustment"
    } else if any(&["withdrawal", "abbuchung", "transfer to bank", "auf bankkonto", "auszahlung"]) {
        "withdrawal"
    } else if any(&["refund", "rückzahlung", "erstattung", "chargeback", "rückbuchung", "reversal"]) {
        "refund"
    } else if any(&["deposit", "einzahlung", "add funds", "aufladung", "bankgutschrift"]) {
        "deposit"
    } else if any(&["fee", "gebühr"]) {
        "fee"
    } else if any(&["payment", "zahlung", "checkout"]) {
        "sale"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind("Express Checkout Payment"), "sale");
        assert_eq!(kind("Express-Checkout-Zahlung"), "sale");
        assert_eq!(kind("Website-Zahlung"), "sale");
        assert_eq!(kind("Mobile Payment"), "sale");
        assert_eq!(kind("Payment Refund"), "refund");
        assert_eq!(kind("Rückzahlung"), "refund");
        assert_eq!(kind("General Withdrawal - Bank Account"), "withdrawal");
        assert_eq!(kind("Allgemeine Abbuchung"), "withdrawal");
        assert_eq!(kind("Bank Deposit to PP Account"), "deposit");
        assert_eq!(kind("Bankeinzahlung auf PayPal-Konto"), "deposit");
        assert_eq!(kind("Reversal of General Account Hold"), "adjustment");
        assert_eq!(kind("General Currency Conversion"), "other");
        assert!(no_money_moved("Ausstehend") && no_money_moved("Denied") && !no_money_moved("Abgeschlossen"));
    }

    #[test]
    fn english_download() {
        let text = "\u{feff}\"Date\",\"Time\",\"TimeZone\",\"Name\",\"Type\",\"Status\",\"Currency\",\"Gross\",\"Fee\",\"Net\",\"Transaction ID\",\"Invoice Number\",\"Balance\"\n\
             \"1/31/2026\",\"23:10:05\",\"PST\",\"Jo Buyer\",\"Express Checkout Payment\",\"Completed\",\"USD\",\"1,234.50\",\"-36.10\",\"1,198.40\",\"9XY\",\"A-1\",\"1,300.00\"\n";
        let p = parse(text).unwrap();
        let l = &p.lines;
        assert_eq!((l[0].kind, l[0].amount.to_string(), l[0].balance), ("sale", "1234.50".into(), None));
        assert_eq!((l[1].kind, l[1].amount.to_string()), ("fee", "-36.10".into()));
        assert_eq!(l[1].txn_id.as_deref(), Some("9XY-fee"));
        assert_eq!(l[1].balance.unwrap().to_string(), "1300.00");
        assert_eq!(l[0].time.to_string(), "2026-01-31 23:10:05");
        let e = parse(&text.replace("\"1,198.40\"", "\"1,198.41\"")).unwrap_err();
        assert_eq!(e, "line 2: Gross 1234.50 and Fee -36.10 do not make Net 1198.41");
        let e = parse(&text.replace("\"Gross\"", "\"Amount\"")).unwrap_err();
        assert_eq!(e, "the header has no column 'Gross' (or 'Brutto')");
    }
}
