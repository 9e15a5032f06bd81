//! Bank statements in the standards — SWIFT MT940, ISO 20022 camt.053, OFX — as a source
//! of rows. Each file is parsed whole (statements are small) into its statements and
//! their entries; every statement whose opening and closing balances are both given must
//! add up, or the file is refused; the entries then become rows under one fixed English
//! header that the bank synonyms map, so they import like any other bank export.

mod camt;
mod mt940;
mod ofx;

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::SourceError;
use super::held::{HeldRows, decode, format_time, money};
use crate::ingest::mapping::MappingFile;
use crate::ingest::row::RawRow;
use crate::ingest::sniff::Standard;

/// The header the rows come under. Each name is a bank synonym in fields.rs that maps to
/// exactly one field: date → txn_date, txn id → txn_id, counterparty account →
/// counterparty_account, and so on.
const HEADER: [&str; 9] =
    ["date", "account", "txn id", "amount", "currency", "balance", "counterparty", "counterparty account", "memo"];

/// One statement of a file: one MT940 message, one camt.053 `<Stmt>`, one OFX `<STMTRS>`.
#[derive(Debug, Default)]
pub(crate) struct Statement {
    /// How messages name it: `statement 23801/1 of account 123456789 (2019-08-25 to 2019-08-26)`.
    pub name: String,
    pub account: Option<String>,
    pub currency: Option<String>,
    /// Signed: a debit balance is negative.
    pub opening: Option<Decimal>,
    pub closing: Option<Decimal>,
    /// The order the entries were booked in, for the running balance.
    pub order: Order,
    pub entries: Vec<Entry>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Order {
    /// Statements list entries as they were booked.
    #[default]
    OldestFirst,
    NewestFirst,
    /// Neither: no running balance can be told.
    Unknown,
}

/// One booked entry: a row of `bank_txns`.
#[derive(Debug, Default)]
pub(crate) struct Entry {
    /// Where it starts in the file, for messages and `source_line`.
    pub line: u64,
    pub time: NaiveDateTime,
    /// Money into the account positive.
    pub amount: Decimal,
    /// When the entry names its own; else the statement's.
    pub currency: Option<String>,
    pub txn_id: Option<String>,
    pub counterparty: Option<String>,
    pub counterparty_account: Option<String>,
    pub memo: Option<String>,
    /// After this entry; filled by `settle`.
    pub balance: Option<Decimal>,
}

/// What a parser found in a file.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// `mt940`, `camt.053.001.02`, `ofx 1.02 (SGML)`.
    pub format: String,
    pub statements: Vec<Statement>,
    /// Entries read but not imported, said in `describe` so nothing goes unmentioned
    /// (camt.053 pending entries, which are not booked yet).
    pub not_imported: Vec<String>,
}

/// Opens a statement file as rows held in memory.
pub struct StatementSource;

impl StatementSource {
    /// Reads, parses and checks the whole file: any error is found here, before a row
    /// is imported.
    pub fn open(
        path: &Path,
        standard: Standard,
        mapping: Option<&MappingFile>,
        unbalanced_ok: bool,
    ) -> Result<HeldRows, SourceError> {
        let bytes = std::fs::read(path)?;
        let forced = mapping.and_then(|m| m.encoding.as_deref());
        let (parsed, warnings) = parse(&bytes, standard, forced, unbalanced_ok).map_err(SourceError::Statement)?;
        let mut rows = Vec::new();
        let mut header = RawRow::default();
        for h in HEADER {
            header.push(h);
        }
        rows.push(header);
        let entries: usize = parsed.statements.iter().map(|s| s.entries.len()).sum();
        let size = bytes.len() as u64;
        let mut all: Vec<(&Statement, &Entry)> =
            parsed.statements.iter().flat_map(|s| s.entries.iter().map(move |e| (s, e))).collect();
        // In file order: the running balance of a file is read by source line.
        all.sort_by_key(|(_, e)| e.line);
        for (i, (s, e)) in all.into_iter().enumerate() {
            let mut row = RawRow::default();
            row.line = e.line;
            row.offset = size * (i as u64 + 1) / entries.max(1) as u64;
            let currency = e.currency.as_deref().or(s.currency.as_deref());
            let cells = [
                Some(format_time(e.time)),
                s.account.clone(),
                e.txn_id.clone(),
                Some(money(e.amount).map_err(|m| SourceError::Statement(format!("line {}: amount {m}", e.line)))?),
                currency.map(str::to_string),
                e.balance.map(money).transpose().map_err(|m| {
                    SourceError::Statement(format!("line {}: the balance after this entry {m}", e.line))
                })?,
                e.counterparty.clone(),
                e.counterparty_account.clone(),
                e.memo.clone(),
            ];
            for c in cells {
                row.push(c.as_deref().unwrap_or(""));
            }
            rows.push(row);
        }
        let statements = parsed.statements.len();
        let mut describe = format!(
            "{}, {statements} statement{}, {entries} entr{}",
            parsed.format,
            if statements == 1 { "" } else { "s" },
            if entries == 1 { "y" } else { "ies" }
        );
        for note in &parsed.not_imported {
            describe.push_str(&format!("; not imported: {note}"));
        }
        Ok(HeldRows { describe, size, rows, warnings })
    }
}

/// The file's statements, checked, with each entry's running balance; with
/// `unbalanced_ok`, statements that do not balance are said, not refused.
fn parse(
    bytes: &[u8],
    standard: Standard,
    forced: Option<&str>,
    unbalanced_ok: bool,
) -> Result<(Parsed, Vec<String>), String> {
    let mut parsed = match standard {
        Standard::Mt940 => mt940::parse(&decode(bytes, forced, None)?),
        Standard::Camt053 => camt::parse(&decode(bytes, forced, xml_declared_encoding(bytes).as_deref())?),
        Standard::Ofx => ofx::parse(&decode(bytes, forced, ofx::declared_encoding(bytes).as_deref())?),
    }
    .map_err(|e| format!("not a readable {} statement: {e}", title(standard)))?;
    let mut warnings = Vec::new();
    for s in &mut parsed.statements {
        match settle(s) {
            Err(Unsettled::Unbalanced(why)) if unbalanced_ok => warnings.push(why),
            Err(Unsettled::Unbalanced(why)) => {
                return Err(format!(
                    "{why}: an entry is missing or misread, so nothing was imported (--allow-unbalanced imports it anyway)"
                ));
            }
            Err(Unsettled::Other(why)) => return Err(why),
            Ok(()) => {}
        }
    }
    Ok((parsed, warnings))
}

/// Why a statement's running balance could not be settled.
#[derive(Debug)]
enum Unsettled {
    /// Opening balance plus entries is not the closing balance.
    Unbalanced(String),
    Other(String),
}

fn title(standard: Standard) -> &'static str {
    match standard {
        Standard::Mt940 => "MT940",
        Standard::Camt053 => "camt.053",
        Standard::Ofx => "OFX",
    }
}

/// Checks that the opening balance plus the entries gives the closing balance, and
/// fills each entry's running balance (from the opening balance, or back from the
/// closing one when that is all the statement gives).
fn settle(s: &mut Statement) -> Result<(), Unsettled> {
    // Checked: amounts near Decimal's limit must fail the file, not the program.
    let too_large = || Unsettled::Other(format!("{}: its amounts add up to more than can be counted", s.name));
    let sum = s.entries.iter().try_fold(Decimal::ZERO, |a, e| a.checked_add(e.amount)).ok_or_else(too_large)?;
    // A statement that does not balance still gets its running balance from the
    // opening one, in case the user imports it anyway.
    let mut unbalanced = None;
    if let (Some(open), Some(close)) = (s.opening, s.closing) {
        let expected = open.checked_add(sum).ok_or_else(too_large)?;
        if expected != close {
            unbalanced = Some(Unsettled::Unbalanced(format!(
                "{} does not balance: opening balance {open} + entries {sum} = {expected}, but the closing balance \
                 is {close} (a difference of {})",
                s.name,
                close.checked_sub(expected).ok_or_else(too_large)?
            )));
        }
    }
    let start = match (s.opening, s.closing) {
        (Some(open), _) => open,
        (None, Some(close)) => close.checked_sub(sum).ok_or_else(too_large)?,
        (None, None) => return unbalanced.map_or(Ok(()), Err),
    };
    let n = s.entries.len();
    let order: Box<dyn Iterator<Item = usize>> = match s.order {
        Order::OldestFirst => Box::new(0..n),
        Order::NewestFirst => Box::new((0..n).rev()),
        Order::Unknown => return unbalanced.map_or(Ok(()), Err),
    };
    let mut balance = start;
    for i in order {
        balance = balance.checked_add(s.entries[i].amount).ok_or_else(too_large)?;
        s.entries[i].balance = Some(balance);
    }
    unbalanced.map_or(Ok(()), Err)
}

/// The `encoding="…"` of an XML declaration.
fn xml_declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
    let decl = &head[head.find("<?xml")?..];
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")? + "encoding".len();
    let rest = decl[at..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].to_string())
}

/// Text made one line: runs of whitespace (line breaks, padding) become one space.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Non-empty, single-spaced text, or none.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    let s = one_line(s);
    (!s.is_empty()).then_some(s)
}

/// Distinct non-empty parts joined with ` | `, as other bank memos are.
pub(crate) fn join_memo<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for p in parts.into_iter().flatten() {
        if let Some(p) = non_empty(p)
            && !out.iter().any(|o| o.contains(&p))
        {
            out.push(p);
        }
    }
    (!out.is_empty()).then(|| out.join(" | "))
}

/// `(2019-08-25 to 2019-08-26)`, `(2019-08-25)`, or nothing.
pub(crate) fn span(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (Some(a), Some(b)) if a != b => format!(" ({a} to {b})"),
        (Some(d), _) | (None, Some(d)) => format!(" ({d})"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn fixture(name: &str) -> Vec<u8> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/standards").join(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// The rows a fixture gives, header first, cells as strings.
    pub(crate) fn rows(name: &str, standard: Standard) -> Vec<Vec<String>> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/standards").join(name);
        let src = StatementSource::open(&p, standard, None, false).unwrap_or_else(|e| panic!("{name}: {e}"));
        src.rows.iter().map(|r| r.cells().map(str::to_string).collect()).collect()
    }

    pub(crate) fn parse_err(bytes: &[u8], standard: Standard) -> String {
        match parse(bytes, standard, None, false) {
            Ok((p, _)) => panic!("should fail, but read {p:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn header_maps_to_bank_fields() {
        let headers: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
        let map = crate::ingest::header::map_columns(crate::schema::Kind::Bank, &headers, None).unwrap();
        assert!(map.missing().is_none());
        use crate::ingest::fields::Field::*;
        for (i, f) in [TxnDate, Account, TxnId, Amount, Currency, Balance, Counterparty, CounterpartyAccount, Memo]
            .iter()
            .enumerate()
        {
            assert_eq!(map.columns(*f), &[i], "{f}");
        }
    }

    #[test]
    fn balances_must_add_up() {
        let entry = |amount: &str| Entry { amount: amount.parse().unwrap(), ..Entry::default() };
        let mut s = Statement {
            name: "statement 7 of account NL01".into(),
            opening: Some("100.00".parse().unwrap()),
            closing: Some("95.00".parse().unwrap()),
            entries: vec![entry("-10.00"), entry("5.00")],
            ..Statement::default()
        };
        settle(&mut s).unwrap();
        assert_eq!(s.entries.iter().map(|e| e.balance.unwrap().to_string()).collect::<Vec<_>>(), ["90.00", "95.00"]);
        s.closing = Some("96.00".parse().unwrap());
        let Err(Unsettled::Unbalanced(e)) = settle(&mut s) else { panic!("a statement 1.00 out must not settle") };
        assert!(e.contains("statement 7 of account NL01 does not balance") && e.contains("difference of 1.00"), "{e}");
        // Newest first, from the closing balance alone (OFX).
        let mut s = Statement {
            closing: Some("50".parse().unwrap()),
            order: Order::NewestFirst,
            entries: vec![entry("-1"), entry("20")],
            ..Statement::default()
        };
        settle(&mut s).unwrap();
        assert_eq!(s.entries.iter().map(|e| e.balance.unwrap().to_string()).collect::<Vec<_>>(), ["50", "51"]);
    }

    /// Every cut of every fixture fails cleanly or reads: the parsers never panic.
    #[test]
    fn truncated_files_never_panic() {
        for (name, standard) in [
            ("statement.sta", Standard::Mt940),
            ("camt053-v02.xml", Standard::Camt053),
            ("camt053-v08.xml", Standard::Camt053),
            ("statement-sgml.ofx", Standard::Ofx),
            ("statement-xml.ofx", Standard::Ofx),
        ] {
            let bytes = fixture(name);
            for cut in (0..bytes.len()).step_by(3) {
                let _ = parse(&bytes[..cut], standard, None, false);
            }
        }
    }

    #[test]
    fn money_and_memos() {
        assert_eq!(money("5.3".parse().unwrap()).unwrap(), "5.30");
        assert_eq!(money("-1.500".parse().unwrap()).unwrap(), "-1.50");
        assert!(money("1.234".parse().unwrap()).unwrap_err().contains("more decimal places"));
        assert_eq!(join_memo([Some(" a\n b "), None, Some("a b"), Some("c")]).as_deref(), Some("a b | c"));
        assert_eq!(decode(b"caf\xe9", None, None).unwrap(), "café");
        assert_eq!(decode("café".as_bytes(), None, None).unwrap(), "café");
        assert_eq!(
            xml_declared_encoding(b"<?xml version='1.0' encoding='ISO-8859-1'?><a/>").as_deref(),
            Some("ISO-8859-1")
        );
    }
}
