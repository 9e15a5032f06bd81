//! SWIFT MT940 customer statements. The file is split into fields here (so every field
//! keeps its line, SWIFT `{1:…}{4:` envelopes and bank banners between messages drop
//! out); the `mt940` crate checks each message's field order and parses its balances
//! and statement lines; the `:86:` texts are read here from the original text, because
//! the crate's parser accepts only the SWIFT character set and would turn `#`, `_`,
//! `&` or `ü` in a memo (an order number, a name) into dots.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{Datelike, NaiveDate};
use mt940::sanitizers::to_swift_charset;
use mt940::{DebitOrCredit, ExtDebitOrCredit, Message, ParseError};
use rust_decimal::Decimal;

use super::{Entry, Parsed, Statement, join_memo, non_empty, one_line, span};

/// One field as the file has it: `:61:` and its line, with continuation lines.
#[derive(Debug)]
struct RawField {
    tag: String,
    line: u64,
    lines: Vec<String>,
}

impl RawField {
    fn value(&self) -> String {
        self.lines.join("\n").trim().to_string()
    }
}

pub(super) fn parse(text: &str) -> Result<Parsed, String> {
    let fields = split_fields(text);
    let Some(first) = fields.first() else {
        return Err("no MT940 fields (lines such as :20:, :25:, :60F:, :61:) were found".into());
    };
    if first.tag != "20" {
        return Err(format!(
            "line {}: field :{}: comes before the first :20: (transaction reference), which starts every statement",
            first.line, first.tag
        ));
    }
    let mut messages: Vec<&[RawField]> = Vec::new();
    let mut start = 0;
    for i in 1..=fields.len() {
        if i == fields.len() || fields[i].tag == "20" {
            messages.push(&fields[start..i]);
            start = i;
        }
    }
    let mut statements = Vec::new();
    let mut refs = Vec::new();
    for fields in messages {
        let (st, r) = statement(fields)?;
        statements.push(st);
        refs.extend(r);
    }
    qualify_repeated_ids(&mut statements, &refs);
    Ok(Parsed { format: "mt940".into(), statements, not_imported: Vec::new() })
}

/// `:20:`, `:28C:`, `:NS:` … at the start of a line.
fn tag_of(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = &rest[..end];
    let b = tag.as_bytes();
    let ok = tag == "NS"
        || (matches!(b.len(), 2 | 3)
            && b[..2].iter().all(u8::is_ascii_digit)
            && b.get(2).is_none_or(u8::is_ascii_uppercase));
    ok.then(|| (tag, &rest[end + 1..]))
}

/// The file's fields in order. Lines that are not fields continue the field before
/// only where the standard lets a field run on (`:61:` with its supplementary details,
/// `:86:` with up to six lines); anything else outside a field — banners like `ABNANL2A`
/// / `940`, the `-` or `-}` that ends a message, `{5:…}` trailers — is not content.
fn split_fields(text: &str) -> Vec<RawField> {
    // Old Mac files break lines with CR alone.
    let text = if !text.contains('\n') { text.replace('\r', "\n") } else { text.to_string() };
    let mut fields: Vec<RawField> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let mut line = raw.trim_end_matches(['\r', ' ', '\t']);
        if line.trim_start().starts_with('{') {
            // `{1:F01…}{2:O940…}{4:` opens the text block, which may hold a field.
            match line.find("{4:") {
                Some(at) => line = line[at + 3..].trim_start(),
                None => continue,
            }
        }
        if line.starts_with("-}") {
            continue;
        }
        if let Some((tag, value)) = tag_of(line) {
            fields.push(RawField { tag: tag.to_string(), line: line_no, lines: vec![value.to_string()] });
        } else if let Some(f) = fields.last_mut()
            && matches!(f.tag.as_str(), "61" | "86")
            && !line.trim().is_empty()
        {
            f.lines.push(line.to_string());
        }
    }
    // `:NS:` fields are bank-specific, not SWIFT: nothing a statement needs.
    fields.retain(|f| f.tag != "NS");
    fields
}

/// A line's customer reference and bank reference (after `//`), when not `NONREF`.
type Refs = (Option<String>, Option<String>);

/// One message, from `:20:` to the field before the next `:20:`, with each line's references.
fn statement(fields: &[RawField]) -> Result<(Statement, Vec<Refs>), String> {
    let mut crate_fields = Vec::with_capacity(fields.len());
    // The entry date (MMDD) of each `:61:`, taken out for the crate, which would panic
    // on a day the value date's year does not have (0229) and guesses the year wrong
    // across a new year.
    let mut entry_dates: Vec<Option<(u32, u32)>> = Vec::new();
    let mut own_refs: Vec<Option<(String, Option<String>)>> = Vec::new();
    for f in fields {
        let value = match f.tag.as_str() {
            // Read here from the original text; the crate only needs to see where it is.
            "86" => ".".to_string(),
            "61" => {
                let mut v = f.value();
                let b = v.as_bytes();
                let digits = |r: std::ops::Range<usize>| b.len() >= r.end && b[r].iter().all(u8::is_ascii_digit);
                if digits(0..6) && digits(6..10) {
                    let (m, d) = (v[6..8].parse().unwrap_or(0), v[8..10].parse().unwrap_or(0));
                    entry_dates.push(Some((m, d)));
                    v.replace_range(6..10, "");
                } else {
                    entry_dates.push(None);
                }
                // Banks write more than the standard allows (an IBAN as an 18-character
                // reference, `S` with spaces for a type code): the crate gets a line in
                // the standard's bounds, the references are read here whole.
                let line = Line61::read(&v);
                own_refs.push(line.as_ref().map(|l| (l.customer.clone(), l.bank.clone())));
                to_swift_charset(&line.map_or(v, |l| l.standard))
            }
            // Single-line fields: anything after their first line is not theirs.
            _ => to_swift_charset(f.lines[0].trim()),
        };
        crate_fields.push(mt940::Field::new(&f.tag, &value));
    }
    let message = from_fields(crate_fields).map_err(|(at, e)| {
        let f = &fields[at.min(fields.len() - 1)];
        let shown: String = f.value().lines().next().unwrap_or("").chars().take(60).collect();
        format!("line {}: :{}:{shown}: {}", f.line, f.tag, explain(&e))
    })?;
    let signed = |dc: &DebitOrCredit, amount: Decimal| match dc {
        DebitOrCredit::Credit => amount,
        DebitOrCredit::Debit => -amount,
    };
    let open = &message.opening_balance;
    let close = &message.closing_balance;
    let number = match &message.sequence_no {
        Some(seq) if !seq.is_empty() => format!("{}/{seq}", message.statement_no),
        _ => message.statement_no.clone(),
    };
    let account = message.account_id.trim().to_string();
    let mut st = Statement {
        name: format!(
            "statement {number} (:20:{}) of account {account}{}",
            message.transaction_ref_no,
            span(Some(open.date), Some(close.date))
        ),
        account: Some(account),
        currency: Some(open.iso_currency_code.clone()),
        opening: Some(signed(&open.debit_credit_indicator, open.amount)),
        closing: Some(signed(&close.debit_credit_indicator, close.amount)),
        ..Statement::default()
    };
    let lines: Vec<(usize, &RawField)> = fields.iter().enumerate().filter(|(_, f)| f.tag == "61").collect();
    if lines.len() != message.statement_lines.len() {
        return Err(format!("line {}: the statement's :61: lines could not be told apart", fields[0].line));
    }
    let mut refs = Vec::with_capacity(lines.len());
    for ((((at, f61), line), entry_date), own) in
        lines.into_iter().zip(&message.statement_lines).zip(entry_dates).zip(own_refs)
    {
        // Money in positive: C and RD (the reversal of a debit) credit the account. The
        // crate names RD `ReverseCredit` and RC `ReverseDebit`.
        let amount = match line.ext_debit_credit_indicator {
            ExtDebitOrCredit::Credit | ExtDebitOrCredit::ReverseCredit => line.amount,
            ExtDebitOrCredit::Debit | ExtDebitOrCredit::ReverseDebit => -line.amount,
        };
        let date = match entry_date {
            Some((m, d)) => entry_date_near(line.value_date, m, d).ok_or_else(|| {
                format!("line {}: :61: entry date {m:02}{d:02} is not a day of the year near the value date", f61.line)
            })?,
            None => line.value_date,
        };
        // The :86: fields right after this line are its information to the account owner.
        let info: Vec<&str> = fields[at + 1..]
            .iter()
            .take_while(|f| f.tag == "86")
            .flat_map(|f| f.lines.iter().map(String::as_str))
            .collect();
        let info = Info86::read(&info);
        let reference = |r: &str| {
            let r = r.trim();
            (!r.is_empty() && !r.eq_ignore_ascii_case("NONREF")).then(|| r.to_string())
        };
        let (bank_ref, customer_ref) = match own {
            Some((customer, bank)) => (bank.as_deref().and_then(reference), reference(&customer)),
            None => (line.bank_ref.as_deref().and_then(reference), reference(&line.customer_ref)),
        };
        st.entries.push(Entry {
            line: f61.line,
            time: date.and_time(chrono::NaiveTime::MIN),
            amount,
            currency: None,
            txn_id: bank_ref.clone().or_else(|| customer_ref.clone()),
            counterparty: info.name,
            counterparty_account: info.account,
            memo: info.memo.or_else(|| line.supplementary_details.as_deref().and_then(non_empty)),
            balance: None,
        });
        refs.push((customer_ref, bank_ref));
    }
    Ok((st, refs))
}

/// A `:61:` statement line as banks write it (after its entry date is taken out): its
/// references read whole, and the line rewritten within the standard's bounds for the
/// crate's parser — a type code that is not a letter and three letters or digits becomes
/// `NMSC`, references longer than 16 characters are cut (for the parser only).
struct Line61 {
    standard: String,
    customer: String,
    bank: Option<String>,
}

impl Line61 {
    fn read(v: &str) -> Option<Line61> {
        let (first, supplementary) = match v.split_once('\n') {
            Some((a, b)) => (a, Some(b)),
            None => (v, None),
        };
        let b = first.as_bytes();
        if b.len() < 6 || !b[..6].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut i = 6;
        let mark = ["RC", "RD", "C", "D"].into_iter().find(|m| first[i..].starts_with(m))?;
        i += mark.len();
        // A funds code: one letter before the amount.
        if b.get(i).is_some_and(u8::is_ascii_alphabetic) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let amount_start = i;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b',') {
            i += 1;
        }
        if i == amount_start {
            return None;
        }
        let head = &first[..i];
        let type_code: String = first[i..].chars().take(4).collect();
        let well_formed = type_code.len() == 4
            && matches!(type_code.as_bytes()[0], b'N' | b'F' | b'S')
            && type_code[1..].bytes().all(|c| c.is_ascii_alphanumeric());
        let rest = first.get(i + type_code.len()..).unwrap_or("");
        let (customer, bank) = match rest.split_once("//") {
            Some((c, b)) => (c.trim().to_string(), Some(b.trim().to_string())),
            None => (rest.trim().to_string(), None),
        };
        let cut = |s: &str| s.chars().filter(|c| !c.is_whitespace()).take(16).collect::<String>();
        let mut standard = format!(
            "{head}{}{}",
            if well_formed { type_code.as_str() } else { "NMSC" },
            if customer.is_empty() { "NONREF".to_string() } else { cut(&customer) }
        );
        if let Some(b) = bank.as_deref().filter(|b| !b.is_empty()) {
            standard.push_str("//");
            standard.push_str(&cut(b));
        }
        if let Some(s) = supplementary {
            standard.push('\n');
            standard.push_str(s);
        }
        Some(Line61 { standard, customer, bank })
    }
}

/// A reference several lines of one account share (Danske Bank writes `//1234` on every
/// line) identifies none of them: those lines take both references as written,
/// `customer//bank`, or no id if that repeats too (their key is then their content and
/// running balance).
fn qualify_repeated_ids(statements: &mut [Statement], refs: &[Refs]) {
    let mut entries: Vec<(&Option<String>, &mut Entry)> =
        statements.iter_mut().flat_map(|s| s.entries.iter_mut().map(|e| (&s.account, e))).collect();
    let count = |entries: &Vec<(&Option<String>, &mut Entry)>| {
        let mut n: HashMap<(Option<String>, String), usize> = HashMap::new();
        for (acct, e) in entries {
            if let Some(id) = &e.txn_id {
                *n.entry(((*acct).clone(), id.clone())).or_default() += 1;
            }
        }
        n
    };
    let seen = count(&entries);
    for ((acct, e), (cust, bank)) in entries.iter_mut().zip(refs) {
        if let Some(id) = &e.txn_id
            && seen[&((*acct).clone(), id.clone())] > 1
        {
            e.txn_id = match (cust, bank) {
                (Some(c), Some(b)) => Some(format!("{c}//{b}")),
                _ => None,
            };
        }
    }
    let seen = count(&entries);
    for (acct, e) in entries.iter_mut() {
        if let Some(id) = &e.txn_id
            && seen[&((*acct).clone(), id.clone())] > 1
        {
            e.txn_id = None;
        }
    }
}

/// The crate's message, or the index of the field it fails on and why. The crate does
/// not say which field; the first prefix of the fields that fails for a reason other
/// than a tag still to come ends at it.
fn from_fields(fields: Vec<mt940::Field>) -> Result<Message, (usize, ParseError)> {
    let run = |fs: Vec<mt940::Field>| {
        catch_unwind(AssertUnwindSafe(|| Message::from_fields(fs)))
            .unwrap_or_else(|_| Err(ParseError::UnknownTagError("(a field the MT940 parser could not read)".into())))
    };
    let copy = |fs: &[mt940::Field]| fs.iter().map(|f| mt940::Field::new(&f.tag, &f.value)).collect::<Vec<_>>();
    let n = fields.len();
    match run(copy(&fields)) {
        Ok(m) => Ok(m),
        Err(ParseError::RequiredTagNotFoundError(e)) => Err((n - 1, ParseError::RequiredTagNotFoundError(e))),
        Err(e) => {
            // Smallest prefix with a real error: the prefix of k fields fails for real
            // whenever k reaches the bad field, and only then.
            let (mut lo, mut hi) = (1, n);
            while lo < hi {
                let mid = (lo + hi) / 2;
                match run(copy(&fields[..mid])) {
                    Ok(_) | Err(ParseError::RequiredTagNotFoundError(_)) => lo = mid + 1,
                    Err(_) => hi = mid,
                }
            }
            Err((lo - 1, e))
        }
    }
}

/// The crate's error in a sentence: pest's multi-line report shortened to what it expected.
fn explain(e: &ParseError) -> String {
    match e {
        ParseError::RequiredTagNotFoundError(_) => {
            format!("the statement ends without a field it must have: {e}")
        }
        ParseError::PestParseError(_) | ParseError::DateParseError(_) => {
            let text = e.to_string();
            let expected = text.lines().find_map(|l| l.trim().strip_prefix("= ")).unwrap_or("not in the MT940 layout");
            format!("cannot read this field ({expected})")
        }
        _ => e.to_string(),
    }
}

/// The entry date MMDD in the year (of the three around the value date) that puts it
/// nearest the value date: a booking on 12-31 valued 01-02 is in the year before.
fn entry_date_near(value: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    [value.year() - 1, value.year(), value.year() + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| (*d - value).num_days().abs())
}

/// What a `:86:` says of the counterparty and the payment.
#[derive(Debug, Default, PartialEq)]
struct Info86 {
    name: Option<String>,
    account: Option<String>,
    memo: Option<String>,
}

impl Info86 {
    fn read(lines: &[&str]) -> Info86 {
        // A soft hyphen is no SWIFT character: where one appears (ING's dates), it is
        // a dash that went through Latin-1.
        let lines: Vec<String> = lines.iter().map(|l| l.replace('\u{ad}', "-")).collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let lines = lines.as_slice();
        // Lines are cut at 65 characters, mid-word; a shorter line ended on purpose.
        let mut text = String::new();
        let mut previous: Option<&str> = None;
        for l in lines {
            if previous.is_some_and(|p| p.chars().count() < 65) && !text.ends_with(' ') {
                text.push(' ');
            }
            text.push_str(l);
            previous = Some(l);
        }
        let text = text.trim();
        if text.is_empty() {
            return Info86::default();
        }
        // Subfields run on across line breaks, which carry no meaning in them.
        let flat: String = lines.concat();
        let flat = flat.trim();
        if let Some(info) = Self::german(flat) {
            return info;
        }
        if let Some(info) = Self::slashed(flat) {
            return info;
        }
        Self::dutch_labels(text).unwrap_or_else(|| Info86 { memo: non_empty(text), ..Info86::default() })
    }

    /// The German (DK) layout: a business code, then `?NN` subfields — `?00` posting text,
    /// `?20`–`?29` and `?60`–`?63` purpose, `?30` bank code, `?31` account, `?32`/`?33` name.
    fn german(flat: &str) -> Option<Info86> {
        let b = flat.as_bytes();
        if b.len() < 6 || !b[..3].iter().all(u8::is_ascii_digit) || b[3] != b'?' {
            return None;
        }
        let mut subs: Vec<(&str, &str)> = Vec::new();
        let mut rest = &flat[3..];
        while let Some(r) = rest.strip_prefix('?') {
            if r.len() < 2 || !r.as_bytes()[..2].iter().all(u8::is_ascii_digit) {
                return None;
            }
            let (code, body) = r.split_at(2);
            let end = (0..body.len())
                .find(|&i| {
                    body.as_bytes()[i] == b'?'
                        && body.as_bytes().get(i + 1..i + 3).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                })
                .unwrap_or(body.len());
            subs.push((code, &body[..end]));
            rest = &body[end..];
        }
        let joined = |codes: &[&str]| {
            let mut s = String::new();
            for (_, v) in subs.iter().filter(|(c, _)| codes.contains(c)) {
                // A SEPA keyword (EREF+, SVWZ+ …) starts a new part of the purpose.
                let keyword = v.len() > 5 && v.as_bytes()[4] == b'+' && v[..4].bytes().all(|b| b.is_ascii_uppercase());
                if keyword && !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(v);
            }
            non_empty(&s)
        };
        let posting = joined(&["00"]);
        let purpose = joined(&["20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "60", "61", "62", "63"]);
        Some(Info86 {
            name: joined(&["32", "33"]),
            account: joined(&["31"]),
            memo: join_memo([posting.as_deref(), purpose.as_deref()]),
        })
    }

    /// The Dutch and SEPA layout of keys between slashes: `/TRTP/SEPA OVERBOEKING/IBAN/NL…/
    /// BIC/…/NAME/…/REMI/…/EREF/…` (ING, ABN AMRO, Rabobank's `/CNTP/iban/bic/name/city/`).
    fn slashed(flat: &str) -> Option<Info86> {
        const KEYS: [&str; 24] = [
            "TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "ORDP", "BENM", "CNTP", "ADDR", "USTD",
            "STRD", "PURP", "RTRN", "ISDT", "ULTC", "ULTD", "ULTB", "SVCL", "IREF", "PREF", "ID",
        ];
        if !flat.starts_with('/') {
            return None;
        }
        let mut marks: Vec<(usize, &str)> = Vec::new();
        let mut i = 0;
        while i < flat.len() {
            if flat.as_bytes()[i] == b'/'
                && let Some(key) = KEYS
                    .iter()
                    .find(|k| flat[i + 1..].starts_with(**k) && flat.as_bytes().get(i + 1 + k.len()) == Some(&b'/'))
            {
                marks.push((i, key));
                i += key.len() + 1;
                continue;
            }
            i += 1;
        }
        if !marks.iter().any(|(_, k)| matches!(*k, "NAME" | "IBAN" | "REMI" | "TRTP" | "CNTP")) {
            return None;
        }
        let value = |key: &str| {
            let at = marks.iter().position(|(_, k)| *k == key)?;
            let start = marks[at].0 + key.len() + 2;
            let end = marks.get(at + 1).map_or(flat.len(), |m| m.0);
            let v = if start <= end { &flat[start..end] } else { "" };
            non_empty(v.trim_matches('/'))
        };
        let cntp: Vec<String> = value("CNTP").map(|v| v.split('/').map(str::to_string).collect()).unwrap_or_default();
        let memo = value("USTD").or_else(|| value("REMI")).or_else(|| value("TRTP"));
        Some(Info86 {
            name: value("NAME").or_else(|| cntp.get(2).and_then(|s| non_empty(s))),
            account: value("IBAN").or_else(|| cntp.first().and_then(|s| non_empty(s))),
            memo,
        })
    }

    /// Knab's and older Dutch plain text with labels: `… REK: NL65INGB0123456789/NAAM: PICQER`.
    fn dutch_labels(text: &str) -> Option<Info86> {
        let name_at = text.find("NAAM: ")?;
        let name = text[name_at + 6..].lines().next().map(str::trim).and_then(non_empty);
        let account = text.find("REK: ").map(|at| {
            let rest = &text[at + 5..];
            rest[..rest.find(['/', ' ', '\n']).unwrap_or(rest.len())].to_string()
        });
        Some(Info86 { name, account: account.and_then(|a| non_empty(&a)), memo: non_empty(&one_line(text)) })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{parse_err, rows};
    use super::*;
    use crate::ingest::sniff::Standard;

    #[test]
    fn fixture_reads_with_signs_ids_and_counterparties() {
        let rows = rows("statement.sta", Standard::Mt940);
        assert_eq!(rows[0][0], "date");
        let body: Vec<Vec<&str>> = rows[1..].iter().map(|r| r.iter().map(String::as_str).collect()).collect();
        assert_eq!(
            body,
            [
                [
                    "2026-10-02",
                    "DE89370400440532013000",
                    "BK2026100200001",
                    "1250.00",
                    "EUR",
                    "6250.00",
                    "TMALL HANGZHOU NETWORK CO LTD",
                    "DE02120300000000202051",
                    "SEPA-GUTSCHRIFT | EREF+PAYOUT-2026-10-01 SVWZ+Auszahlung #A-1001 Tmall_Shop",
                ],
                [
                    "2026-10-03",
                    "DE89370400440532013000",
                    "BK2026100300002",
                    "-89.90",
                    "EUR",
                    "6160.10",
                    "",
                    "",
                    "Kartenzahlung Büro & Co. 03.10. 14:22",
                ],
                [
                    "2026-10-05",
                    "DE89370400440532013000",
                    "BK2026100500003",
                    "-1250.00",
                    "EUR",
                    "4910.10",
                    "",
                    "",
                    "Rückbuchung der Gutschrift vom 02.10.",
                ],
            ]
        );
    }

    #[test]
    fn entry_dates_take_the_year_nearest_the_value_date() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(entry_date_near(d("2025-01-02"), 12, 31), Some(d("2024-12-31")));
        assert_eq!(entry_date_near(d("2024-12-31"), 1, 2), Some(d("2025-01-02")));
        assert_eq!(entry_date_near(d("2023-03-01"), 2, 29), Some(d("2024-02-29")));
        assert_eq!(entry_date_near(d("2023-03-01"), 2, 30), None);
    }

    #[test]
    fn info86_layouts() {
        let german = Info86::read(&[
            "166?00GUTSCHRIFT?100399?20EREF+EndToEndId TFNR 22 004?21 00001?22",
            "SVWZ+Verw CTSc-01 BC-PPP TF?23Nr 22 004?30DRESDEFF508?31DE1450880",
            "0500194785000?32KARL?33        KAUFMANN?70Empfaenger Marta Metzge",
            "r",
        ]);
        assert_eq!(german.name.as_deref(), Some("KARL KAUFMANN"));
        assert_eq!(german.account.as_deref(), Some("DE14508800500194785000"));
        assert_eq!(
            german.memo.as_deref(),
            Some("GUTSCHRIFT | EREF+EndToEndId TFNR 22 004 00001 SVWZ+Verw CTSc-01 BC-PPP TFNr 22 004")
        );
        let dutch = Info86::read(&[
            "/TRTP/SEPA OVERBOEKING/IBAN/NL46ABNA0499998748/BIC/ABNANL2A/NAME/",
            "ACME BV/REMI/Factuur 2026-17/EREF/NOTPROVIDED",
        ]);
        assert_eq!(
            dutch,
            Info86 {
                name: Some("ACME BV".into()),
                account: Some("NL46ABNA0499998748".into()),
                memo: Some("Factuur 2026-17".into())
            }
        );
        let knab = Info86::read(&["FACTUUR 201403110, 201403113", "REK: NL65INGB0123456789/NAAM: PICQER"]);
        assert_eq!((knab.name.as_deref(), knab.account.as_deref()), (Some("PICQER"), Some("NL65INGB0123456789")));
        let plain = Info86::read(&[" RC AFREKENING BETALINGSVERKEER", "BETREFT REKENING 4715589"]);
        assert_eq!(plain.memo.as_deref(), Some("RC AFREKENING BETALINGSVERKEER BETREFT REKENING 4715589"));
        assert_eq!(plain.name, None);
    }

    #[test]
    fn broken_statements_say_where() {
        let e = parse_err(
            b":20:X\n:25:1\n:28C:1\n:60F:C260101EUR10,00\n:61:260102C1,00NTRFNONREF\n:25:2\n:62F:C260102EUR11,00\n",
            Standard::Mt940,
        );
        assert!(e.starts_with("not a readable MT940 statement: line 6: :25:2: Unexpected tag '25'"), "{e}");
        let e = parse_err(b":20:X\n:25:1\n:28C:1\n:60F:C260101EUR10,00\n:61:260102C1NTRFNONREF\n", Standard::Mt940);
        assert!(e.contains("line 5: :61:260102C1NTRFNONREF: "), "{e}");
        let e = parse_err(b":20:X\n:25:1\n:28C:1\n:60F:C260101EUR10,00\n", Standard::Mt940);
        assert!(e.contains("line 4") && e.contains("must have") && e.contains("62"), "{e}");
        let e = parse_err(
            b":20:X\n:25:1\n:28C:1\n:60F:C260101EUR10,00\n:61:2601020230C1,00NTRFNONREF\n:62F:C260102EUR11,00\n",
            Standard::Mt940,
        );
        assert!(e.contains("line 5: :61: entry date 0230"), "{e}");
        let e = parse_err(
            b":20:X\n:25:1\n:28C:1\n:60F:C260101EUR10,00\n:61:260102C1,00NTRFNONREF\n:62F:C260102EUR12,00\n",
            Standard::Mt940,
        );
        assert!(
            e.contains("of account 1 (2026-01-01 to 2026-01-02) does not balance") && e.contains("difference of 1.00"),
            "{e}"
        );
    }

    #[test]
    fn swift_envelopes_and_repeated_references() {
        let text = "{1:F01BANKDEFFAXXX0000000000}{2:O940}{4:\r\n:20:S1\r\n:25:ACC\r\n:28C:1/1\r\n:60F:C260101EUR0,00\r\n\
                    :61:2601020102C1,00NMSC111//1234\r\n:61:2601020102C2,00NMSC222//1234\r\n:61:2601030103D3,00NCHGNONREF//9\r\n\
                    :62F:C260103EUR0,00\r\n-}{5:{CHK:123}}\r\n";
        let p = parse(text).unwrap();
        let ids: Vec<Option<&str>> = p.statements[0].entries.iter().map(|e| e.txn_id.as_deref()).collect();
        assert_eq!(ids, [Some("111//1234"), Some("222//1234"), Some("9")]);
    }
}
