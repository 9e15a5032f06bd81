//! Payout exports of international platforms — the Amazon Settlement V2 flat file, the
//! PayPal activity download, Stripe balance transactions, Shopify Payments transactions
//! — as a source of settlement rows. Their rows are not settlement lines one
//! for one: a summary row is the payout itself, a row may carry a sale and its fee, and
//! the kind of a line lies in platform-specific type words. So each file is read whole,
//! checked (a settlement whose lines do not add up to its total is refused), and expanded
//! into lines under one fixed English header that the settlement synonyms map.

mod amazon;
mod paypal;
mod shopify;
mod stripe;
mod wechat;

use std::borrow::Cow;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use super::SourceError;
use super::held::{HeldRows, decode, format_time, money};
use crate::ingest::mapping::MappingFile;
use crate::ingest::row::RawRow;
use crate::ingest::sniff::PayoutExport;

/// The header the lines come under. Each name is a settlement synonym in fields.rs that
/// maps to exactly one field (txn id → txn_id, payout id → payout_ref …). The type
/// column holds the kind the platform's own type words give, as the one English word
/// classify reads as that kind; the platform's words go to the memo.
const HEADER: [&str; 12] = [
    "platform",
    "txn id",
    "order id",
    "time",
    "type",
    "amount",
    "currency",
    "balance",
    "counterparty",
    "memo",
    "payout id",
    "status",
];

/// One settlement line of the wallet.
#[derive(Debug, Default, Clone)]
pub(crate) struct Line {
    /// The file line it comes from (a row's sale and fee lines share it).
    pub line: u64,
    pub txn_id: Option<String>,
    pub order_id: Option<String>,
    pub time: NaiveDateTime,
    /// A settlement kind: sale, refund, fee … (classify.rs maps the word to itself).
    pub kind: &'static str,
    /// Money into the platform balance positive.
    pub amount: Decimal,
    pub currency: Option<String>,
    pub balance: Option<Decimal>,
    pub counterparty: Option<String>,
    pub memo: Option<String>,
    pub payout_ref: Option<String>,
    /// Set only on a row that moved no money (pending, closed …): the import counts it
    /// as ignored with this status as the reason, so it is neither stored nor lost.
    pub status: Option<String>,
}

/// What a parser found in a file.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub lines: Vec<Line>,
    /// Rows read but not imported, said in `describe`, for what no status names.
    pub not_imported: Vec<String>,
}

impl Parsed {
    /// A row whose status says it moved no money: it goes through the import with only
    /// that status, which the settlement converter ignores with the status as its reason.
    pub fn push_ignored(&mut self, line: u64, status: &str) {
        self.lines.push(Line { line, kind: "sale", status: Some(status.to_string()), ..Line::default() });
    }

    /// A line, and after it the fee the platform kept on it (a positive cost) as a fee
    /// line of its own, known by the line's id with `-fee`; nothing when there was none.
    pub fn push_with_fee(&mut self, line: Line, fee: Decimal, fee_memo: Option<String>) {
        let fee_line = (!fee.is_zero()).then(|| Line {
            txn_id: line.txn_id.as_ref().map(|id| format!("{id}-fee")),
            kind: "fee",
            amount: -fee,
            memo: fee_memo,
            ..line.clone()
        });
        self.lines.push(line);
        self.lines.extend(fee_line);
    }
}

/// An export's text: WeChat bills come in UTF-8 or GBK, the other exports are Western.
fn text_of(export: PayoutExport, bytes: &[u8], forced: Option<&str>) -> Result<String, String> {
    let gbk = export == PayoutExport::WechatTrade && std::str::from_utf8(bytes).is_err();
    decode(bytes, forced, gbk.then_some("gb18030"))
}

/// The lines of an export's text.
fn parse(export: PayoutExport, text: &str) -> Result<Parsed, String> {
    match export {
        PayoutExport::AmazonV2 => amazon::parse(text),
        PayoutExport::PaypalActivity => paypal::parse(text),
        PayoutExport::StripeBalance => stripe::parse(text),
        PayoutExport::ShopifyPayments => shopify::parse(text),
        PayoutExport::WechatTrade => wechat::parse(text),
    }
}

/// Opens a payout export as rows held in memory.
pub struct PayoutSource;

impl PayoutSource {
    /// Reads, parses and checks the whole file: any error is found here, before a row
    /// is imported.
    pub fn open(path: &Path, export: PayoutExport, mapping: Option<&MappingFile>) -> Result<HeldRows, SourceError> {
        let bytes = std::fs::read(path)?;
        let size = bytes.len() as u64;
        let forced = mapping.and_then(|m| m.encoding.as_deref());
        let text = text_of(export, &bytes, forced).map_err(SourceError::Statement)?;
        // Each form of the file goes as soon as the next is made: at two million lines a
        // form is hundreds of megabytes.
        drop(bytes);
        let parsed = parse(export, &text)
            .map_err(|e| SourceError::Statement(format!("not a readable {}: {e}", export.title())))?;
        drop(text);
        let n = parsed.lines.iter().filter(|l| l.status.is_none()).count();
        let rows = rows(parsed.lines, export.platform(), size)?;
        let mut describe = format!("{}, {n} line{}", export.label(), if n == 1 { "" } else { "s" });
        for note in &parsed.not_imported {
            describe.push_str(&format!("; not imported: {note}"));
        }
        Ok(HeldRows { describe, size, rows, warnings: Vec::new() })
    }
}

/// The header row and one row per line. Lines that say exactly the same (two equal
/// components of one order item) get `#2`, `#3` in the memo: the settlement key is
/// everything a line says, and they must not pass for duplicates of each other.
fn rows(lines: Vec<Line>, platform: &str, size: u64) -> Result<Vec<RawRow>, SourceError> {
    let count = lines.len();
    let mut out = Vec::with_capacity(lines.len() + 1);
    let mut header = RawRow::default();
    for h in HEADER {
        header.push(h);
    }
    header.line = 1;
    out.push(header);
    // Lines by a 128-bit hash of their cells (not a copy of them, which doubled the
    // memory of a large bill); two different lines sharing one is beyond chance.
    let mut seen: std::collections::HashMap<u128, usize> = std::collections::HashMap::new();
    for (i, l) in lines.into_iter().enumerate() {
        let bad = |what: &str, m: String| SourceError::Statement(format!("line {}: {what} {m}", l.line));
        let mut cells: Vec<String> = [
            Some(platform.to_string()),
            l.txn_id,
            l.order_id,
            Some(format_time(l.time)),
            Some(l.kind.to_string()),
            Some(money(l.amount).map_err(|m| bad("amount", m))?),
            l.currency,
            l.balance.map(money).transpose().map_err(|m| bad("balance", m))?,
            l.counterparty,
            l.memo,
            l.payout_ref,
            l.status,
        ]
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
        let parts: Vec<&[u8]> = cells.iter().map(|c| c.as_bytes()).collect();
        let n = seen.entry(crate::ingest::convert::key(&parts)).or_insert(0);
        *n += 1;
        if *n > 1 {
            let memo = &mut cells[9];
            *memo = if memo.is_empty() { format!("#{n}") } else { format!("{memo} #{n}") };
        }
        let mut row = RawRow::default();
        row.line = l.line;
        row.offset = size * (i as u64 + 1) / count.max(1) as u64;
        for c in &cells {
            row.push(c);
        }
        out.push(row);
    }
    Ok(out)
}

/// A record's cells, trimmed.
pub(crate) type Record = csv::StringRecord;

/// A file's rows: the header and each record with its line, cells trimmed.
pub(crate) struct Table {
    pub header: Vec<String>,
    pub records: Vec<(u64, Record)>,
}

impl Table {
    /// Reads delimited text; `quoted` is false for Amazon's TSV, whose descriptions may
    /// hold a lone `"` that is no quote.
    pub fn read(text: &str, delimiter: u8, quoted: bool) -> Result<Table, String> {
        // The csv crate counts a record after CRLF as starting on the line before.
        let text = if text.contains("\r\n") { Cow::Owned(text.replace("\r\n", "\n")) } else { Cow::Borrowed(text) };
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(quoted)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut header = None;
        let mut records = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| match e.position() {
                Some(p) => format!("line {}: {e}", p.line()),
                None => e.to_string(),
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            // One buffer per record, not a string per cell: a two-million-line bill is
            // held whole while it is checked.
            let mut cells = rec;
            cells.trim();
            if cells.iter().all(str::is_empty) {
                continue;
            }
            if header.is_none() {
                header = Some(cells.iter().map(|c| c.trim_start_matches('\u{feff}').to_string()).collect());
            } else {
                records.push((line, cells));
            }
        }
        Ok(Table { header: header.ok_or("the file has no header")?, records })
    }

    /// The column named by any of `names` (case-insensitive), or an error naming the first.
    pub fn column(&self, names: &[&str]) -> Result<usize, String> {
        self.find(names).ok_or_else(|| {
            let others: Vec<String> = names[1..].iter().map(|n| format!(" (or '{n}')")).collect();
            format!("the header has no column '{}'{}", names[0], others.concat())
        })
    }

    pub fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.header.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }
}

/// A cell of a record, or "" past its end.
pub(crate) fn cell(cells: &Record, col: usize) -> &str {
    cells.get(col).unwrap_or("")
}

/// An amount as these exports write it: `-12.34`, `12,34` (EU decimal comma),
/// `1.234,56` or `1,234.56` (the last separator is the decimal one).
pub(crate) fn parse_amount(raw: &str) -> Result<Decimal, String> {
    // Spaces, apostrophes (Swiss thousands) and currency signs (Shopify's `$21.83`) go.
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{a0}' | '\'' | '$' | '€' | '£' | '¥'))
        .collect();
    let (dot, comma) = (s.rfind('.'), s.rfind(','));
    let plain = match (dot, comma) {
        (Some(d), Some(c)) if c > d => s.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => s.replace(',', ""),
        (None, Some(_)) if s.matches(',').count() == 1 => s.replace(',', "."),
        _ => s.clone(),
    };
    let plain = plain.strip_prefix('+').unwrap_or(&plain);
    if plain.is_empty()
        || !plain.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.')
        || plain.trim_start_matches('-').is_empty()
    {
        return Err(format!("'{raw}' is not an amount"));
    }
    plain.parse::<Decimal>().map_err(|_| format!("'{raw}' is not an amount"))
}

/// An amount cell, or an error naming its line and column.
pub(crate) fn amount_at(cells: &Record, col: usize, line: u64, name: &str) -> Result<Decimal, String> {
    parse_amount(cell(cells, col)).map_err(|e| format!("line {line}, column {name}: {e}"))
}

/// A date or date-time as these exports write it, in the wall-clock time shown: ISO
/// (`2026-03-02`, `2026-03-02 11:33:27 UTC`, `2026-03-02T11:33:27+00:00`), German
/// `02.03.2026`, or `02/03/2026` read as day first when `day_first`, else month first.
pub(crate) fn parse_time(raw: &str, day_first: bool) -> Option<NaiveDateTime> {
    let s = raw.trim();
    // A trailing zone (UTC, PST, +00:00) is dropped: times are kept as the export shows.
    let s = s.strip_suffix('Z').unwrap_or(s);
    let s = match s.rsplit_once(' ') {
        Some((head, zone))
            if head.len() >= 8
                && (zone.chars().all(|c| c.is_ascii_alphabetic())
                    || (zone.starts_with(['+', '-']) && zone[1..].chars().all(|c| c.is_ascii_digit() || c == ':'))) =>
        {
            head
        }
        _ => s,
    };
    let s = if s.as_bytes().get(10) == Some(&b'T') { s.get(..19).unwrap_or(s) } else { s };
    let s = s.replacen('T', " ", 1);
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s.as_str(), None),
    };
    let date = if date.contains('-') {
        NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?
    } else if date.contains('.') {
        NaiveDate::parse_from_str(date, "%d.%m.%Y").ok()?
    } else if date.contains('/') {
        let fmt = if day_first { "%d/%m/%Y" } else { "%m/%d/%Y" };
        NaiveDate::parse_from_str(date, fmt).ok()?
    } else {
        return None;
    };
    let time = match time {
        None | Some("") => NaiveTime::MIN,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(t, "%H:%M")).ok()?,
    };
    Some(date.and_time(time))
}

/// Whether slashed dates are day first (`31/01/2026`, UK) or month first (`1/31/2026`,
/// US): a first part above 12 says day first, a second part above 12 month first; None
/// when no date shows.
pub(crate) fn slash_day_first<'a>(dates: impl Iterator<Item = &'a str>) -> Option<bool> {
    for d in dates.filter(|d| d.contains('/')) {
        let mut parts = d.split('/').map(|p| p.trim().parse::<u32>().unwrap_or(0));
        let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        if a > 12 {
            return Some(true);
        }
        if b > 12 {
            return Some(false);
        }
    }
    None
}

/// Non-empty cell text, or none.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// A gross amount and its fee as Stripe and Shopify give them: the fee positive, taken
/// from the gross (net = amount − fee), checked against the net when there is one.
pub(crate) fn gross_and_fee(
    t: &Table,
    r: &Record,
    line: u64,
    cols: (usize, usize, Option<usize>),
) -> Result<(Decimal, Decimal), String> {
    let (amount, fee, net) = cols;
    let a = amount_at(r, amount, line, &t.header[amount])?;
    let f = if cell(r, fee).is_empty() { Decimal::ZERO } else { amount_at(r, fee, line, &t.header[fee])? };
    if let Some(n) = net.filter(|c| !cell(r, *c).is_empty()) {
        let v = amount_at(r, n, line, &t.header[n])?;
        // Checked: amounts near Decimal's limit must fail the file, not the program.
        if a.checked_sub(f) != Some(v) {
            return Err(format!(
                "line {line}: {} {a} less {} {f} does not make {} {v}",
                t.header[amount], t.header[fee], t.header[n]
            ));
        }
    }
    Ok((a, f))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The lines a fixture gives, header first, cells as strings.
    pub(crate) fn rows_of(name: &str, export: PayoutExport) -> Vec<Vec<String>> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/payouts").join(name);
        let src = PayoutSource::open(&p, export, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        src.rows.iter().map(|r| r.cells().map(str::to_string).collect()).collect()
    }

    #[test]
    fn header_maps_to_settlement_fields() {
        let headers: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
        let map = crate::ingest::header::map_columns(crate::schema::Kind::Settlements, &headers, None).unwrap();
        assert!(map.missing().is_none());
        use crate::ingest::fields::Field::*;
        for (i, f) in
            [Platform, TxnId, OrderId, TxnTime, Type, Amount, Currency, Balance, Counterparty, Memo, PayoutRef]
                .iter()
                .enumerate()
        {
            assert_eq!(map.columns(*f), &[i], "{f}");
        }
    }

    #[test]
    fn kind_words_classify_as_themselves() {
        for k in ["sale", "refund", "commission", "fee", "shipping", "promotion", "adjustment", "withdrawal", "deposit"]
        {
            assert_eq!(crate::ingest::classify::kind_of(k), Some(k));
        }
    }

    /// Every cut of every fixture fails cleanly or reads: the parsers never panic.
    #[test]
    fn truncated_and_extreme_files_never_panic() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/payouts");
        for (name, export) in [
            ("amazon-settlement-v2-de.txt", PayoutExport::AmazonV2),
            ("paypal-activity-de.csv", PayoutExport::PaypalActivity),
            ("stripe-balance.csv", PayoutExport::StripeBalance),
            ("shopify-payments.csv", PayoutExport::ShopifyPayments),
            ("wechat-trade.csv", PayoutExport::WechatTrade),
        ] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let text = text_of(export, &bytes, None).unwrap();
            let parse = |t: &str| parse(export, t);
            assert!(parse(&text).is_ok(), "{name}");
            for cut in (0..text.len()).filter(|c| text.is_char_boundary(*c)).step_by(3) {
                let _ = parse(&text[..cut]);
            }
            // Amounts at Decimal's limit, and times with odd characters, are errors.
            let huge = "79228162514264337593543950335";
            for (from, to) in [("1.234,56", huge), ("120.00", huge), ("30.00", huge), ("49,99", huge)] {
                let _ = parse(&text.replace(from, to).replace("-", "-7922816251426433759354395033"));
            }
            let _ = parse(&text.replace("2026-", "2026-03-02Tü1:33:27é"));
        }
    }

    #[test]
    fn amounts_and_times() {
        let a = |s: &str| parse_amount(s).map(|d| d.to_string());
        assert_eq!(a("-12,34").unwrap(), "-12.34");
        assert_eq!(a("1.234,56").unwrap(), "1234.56");
        assert_eq!(a("-1,234.56").unwrap(), "-1234.56");
        assert_eq!(a("0.5").unwrap(), "0.5");
        assert_eq!(a("-$1,598.70").unwrap(), "-1598.70");
        assert!(a("12x").unwrap_err().contains("'12x' is not an amount"));
        assert!(a("").is_err() && a("-").is_err());
        let t = |s: &str, d| parse_time(s, d).map(|t| t.to_string());
        assert_eq!(t("2026-03-02 11:33:27 UTC", false).unwrap(), "2026-03-02 11:33:27");
        assert_eq!(t("2026-03-02T11:33:27+00:00", false).unwrap(), "2026-03-02 11:33:27");
        assert_eq!(t("2026-01-19 12:07:45 +0100", false).unwrap(), "2026-01-19 12:07:45");
        assert_eq!(t("8/6/2026 12:00", false).unwrap(), "2026-08-06 12:00:00");
        assert_eq!(t("02.03.2026 11:33:27 UTC", false).unwrap(), "2026-03-02 11:33:27");
        assert_eq!(t("03/02/2026", false).unwrap(), "2026-03-02 00:00:00");
        assert_eq!(t("02/03/2026", true).unwrap(), "2026-03-02 00:00:00");
        assert_eq!(t("2026-13-01", false), None);
        assert_eq!(slash_day_first(["3/2/2026", "31/01/2026 10:00"].into_iter()), Some(true));
        assert_eq!(slash_day_first(["2026-01-31", "1/31/2026"].into_iter()), Some(false));
        assert_eq!(slash_day_first(["3/2/2026"].into_iter()), None);
        assert_eq!(decode(b"Geb\xfchr", None, None).unwrap(), "Gebühr");
        assert_eq!(decode("\u{feff}Gebühr".as_bytes(), None, None).unwrap(), "Gebühr");
    }
}
