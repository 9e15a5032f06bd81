//! What a file is, from its first bytes rather than its name: Parquet, XLSX, XLS, a bank
//! statement in one of the standards (SWIFT MT940, ISO 20022 camt.053, OFX), a platform's
//! payout export known by its header (Amazon Settlement V2, PayPal activity, Stripe
//! balance, Shopify Payments), or text, and for text its
//! encoding (UTF-8 with or without BOM, UTF-16, GB18030/GBK, or
//! chardetng's best guess). Binary files are refused here, before anything is read.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

const SAMPLE: usize = 256 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Text(TextEncoding),
    Xlsx,
    Xls,
    Parquet,
    /// A bank statement in a standard format, read whole by its own parser.
    Statement(Standard),
    /// A platform's payout export, read whole and expanded into settlement lines.
    Payout(PayoutExport),
}

/// The payout exports recon reads, each known by its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayoutExport {
    /// Amazon Seller Central's Settlement V2 flat file (TSV).
    AmazonV2,
    /// PayPal's activity download (CSV), English or German.
    PaypalActivity,
    /// Stripe's balance transactions export (Dashboard → Balance → Export).
    StripeBalance,
    /// Shopify Payments' transactions export (Payouts → Transactions).
    ShopifyPayments,
    /// WeChat Pay's merchant trade bill (交易账单).
    WechatTrade,
}

impl PayoutExport {
    pub fn label(self) -> &'static str {
        match self {
            PayoutExport::AmazonV2 => "amazon-settlement-v2",
            PayoutExport::PaypalActivity => "paypal-activity",
            PayoutExport::StripeBalance => "stripe-balance",
            PayoutExport::ShopifyPayments => "shopify-payments",
            PayoutExport::WechatTrade => "wechat-trade",
        }
    }

    /// How messages name it.
    pub fn title(self) -> &'static str {
        match self {
            PayoutExport::AmazonV2 => "Amazon Settlement V2 flat file",
            PayoutExport::PaypalActivity => "PayPal activity download",
            PayoutExport::StripeBalance => "Stripe balance transactions export",
            PayoutExport::ShopifyPayments => "Shopify Payments transactions export",
            PayoutExport::WechatTrade => "WeChat Pay merchant trade bill",
        }
    }

    /// The platform its lines belong to.
    /// The table its rows fill: a trade bill describes trades, not the wallet's ledger.
    pub fn kind(self) -> crate::schema::Kind {
        match self {
            PayoutExport::WechatTrade => crate::schema::Kind::Payments,
            _ => crate::schema::Kind::Settlements,
        }
    }

    pub fn platform(self) -> &'static str {
        match self {
            PayoutExport::AmazonV2 => "amazon",
            PayoutExport::PaypalActivity => "paypal",
            PayoutExport::StripeBalance => "stripe",
            PayoutExport::ShopifyPayments => "shopify",
            PayoutExport::WechatTrade => "wechat",
        }
    }
}

/// The bank statement standards recon reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standard {
    /// SWIFT MT940 customer statement (`:20:`, `:25:`, `:60F:`, `:61:` … fields).
    Mt940,
    /// ISO 20022 BankToCustomerStatement, any version (001.02 to 001.13).
    Camt053,
    /// Open Financial Exchange: 1.x (SGML) or 2.x (XML).
    Ofx,
}

impl Standard {
    pub fn label(self) -> &'static str {
        match self {
            Standard::Mt940 => "mt940",
            Standard::Camt053 => "camt.053",
            Standard::Ofx => "ofx",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextEncoding {
    pub encoding: &'static Encoding,
    /// Bytes of byte-order mark to skip.
    pub bom: usize,
}

impl TextEncoding {
    pub fn label(&self) -> String {
        let name = if self.encoding == GB18030 { "gb18030" } else { self.encoding.name() };
        let name = name.to_ascii_lowercase();
        if self.bom > 0 && self.encoding == UTF_8 { format!("{name}-bom") } else { name }
    }

    /// ASCII-compatible encodings are parsed as bytes and decoded cell by cell, so a
    /// bad byte costs one row, not the file; UTF-16 is transcoded first.
    pub fn is_ascii_compatible(&self) -> bool {
        self.encoding != UTF_16LE && self.encoding != UTF_16BE
    }
}

impl Container {
    pub fn label(&self) -> String {
        match self {
            Container::Text(enc) => format!("text/{}", enc.label()),
            Container::Xlsx => "xlsx".into(),
            Container::Xls => "xls".into(),
            Container::Parquet => "parquet".into(),
            Container::Statement(s) => s.label().into(),
            Container::Payout(p) => p.label().into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SniffError {
    #[error("the file is empty")]
    Empty,
    #[error("this is a binary file, not CSV/TSV text, XLSX, XLS or Parquet")]
    Binary,
    #[error("unknown encoding '{0}'")]
    UnknownEncoding(String),
    #[error(
        "this is a zip archive, not a workbook ({0}): unzip it and import the files you need (a platform's download may hold a summary beside the detail)"
    )]
    Archive(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// How a file is read; `mapped`: a mapping file names its columns, so a payout export is
/// read as the plain delimited text it is — what the user says of the layout wins over
/// what recon knows of it.
pub fn sniff(path: &Path, forced_encoding: Option<&str>, mapped: bool) -> Result<Container, SniffError> {
    let mut sample = Vec::with_capacity(SAMPLE);
    File::open(path)?.take(SAMPLE as u64).read_to_end(&mut sample)?;
    let container = sniff_bytes(&sample, forced_encoding)?;
    if matches!(container, Container::Payout(_)) && mapped {
        return text_container(&sample, forced_encoding);
    }
    if container == Container::Xlsx
        && let Some(members) = archive_members(path)
    {
        return Err(SniffError::Archive(members));
    }
    Ok(container)
}

/// The files a zip holds, named, when it is an archive rather than a workbook (an
/// XLSX is a zip too, with `[Content_Types].xml` in it). None when it is a workbook,
/// or not a readable zip (the workbook reader says what is wrong then).
fn archive_members(path: &Path) -> Option<String> {
    let zip = zip::ZipArchive::new(File::open(path).ok()?).ok()?;
    if zip.index_for_name("[Content_Types].xml").is_some() {
        return None;
    }
    // Zips made on Chinese Windows name their files in GBK, without saying so.
    let names: Vec<String> = zip
        .file_names_raw()
        .map(|raw| match std::str::from_utf8(raw) {
            Ok(n) => n.to_string(),
            Err(_) => encoding_rs::GB18030.decode(raw).0.into_owned(),
        })
        .filter(|n| !n.ends_with('/') && !n.starts_with("__MACOSX"))
        .map(|n| n.rsplit('/').next().unwrap_or(&n).to_string())
        .collect();
    Some(match names.len() {
        0 => "it holds no files".to_string(),
        n if n <= 5 => format!("it holds {}", names.join(", ")),
        n => format!("it holds {}, and {} more", names[..5].join(", "), n - 5),
    })
}

pub fn sniff_bytes(sample: &[u8], forced_encoding: Option<&str>) -> Result<Container, SniffError> {
    if sample.is_empty() {
        return Err(SniffError::Empty);
    }
    if sample.starts_with(b"PAR1") {
        return Ok(Container::Parquet);
    }
    if sample.starts_with(b"PK\x03\x04") {
        return Ok(Container::Xlsx);
    }
    if sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(Container::Xls);
    }
    // Before the text heuristics: these are text too, but rows are not their lines.
    if let Some(standard) = standard(sample) {
        return Ok(Container::Statement(standard));
    }
    if let Some(export) = payout_export(sample) {
        return Ok(Container::Payout(export));
    }
    text_container(sample, forced_encoding)
}

/// A file read as delimited text, whatever layout it has: its encoding.
pub fn text_container(sample: &[u8], forced_encoding: Option<&str>) -> Result<Container, SniffError> {
    if let Some(label) = forced_encoding {
        let encoding = Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| SniffError::UnknownEncoding(label.to_string()))?;
        let bom = Encoding::for_bom(sample).filter(|(e, _)| *e == encoding).map_or(0, |(_, n)| n);
        return Ok(Container::Text(TextEncoding { encoding, bom }));
    }
    if let Some((encoding, bom)) = Encoding::for_bom(sample) {
        return Ok(Container::Text(TextEncoding { encoding, bom }));
    }
    if let Some(encoding) = utf16_without_bom(sample) {
        return Ok(Container::Text(TextEncoding { encoding, bom: 0 }));
    }
    if sample.contains(&0) || control_ratio(sample) > 0.02 {
        return Err(SniffError::Binary);
    }
    // A sample cut at its end may split a character: do not count that as an error.
    let body = if sample.len() < SAMPLE { sample } else { &sample[..sample.len() - 4] };
    // A few bad bytes in a file that is otherwise clean UTF-8 (or GBK) cost those rows
    // a clear reject; they must not turn the whole file into mojibake.
    let plausible = |(chars, errors): (usize, usize)| errors == 0 || errors * 10 <= chars;
    let encoding = if plausible(decode_stats(UTF_8, body)) {
        UTF_8
    } else if plausible(decode_stats(GB18030, body)) {
        GB18030
    } else {
        let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(sample, sample.len() < SAMPLE);
        det.guess(None, chardetng::Utf8Detection::Allow)
    };
    Ok(Container::Text(TextEncoding { encoding, bom: 0 }))
}

/// The bank statement standard the sample is written in, by the marks each must carry:
/// OFX its `OFXHEADER:` (1.x) or `<?OFX …?>` (2.x) header or `<OFX>` root, camt.053 its
/// `BkToCstmrStmt` element or namespace, MT940 a `:20:` field with a balance or statement
/// line field (`:60F:`, `:61:` …), also inside a SWIFT `{4:` block.
fn standard(sample: &[u8]) -> Option<Standard> {
    // The marks are ASCII: any ASCII-compatible encoding shows them as they are.
    let text = match Encoding::for_bom(sample) {
        Some((enc, bom)) if enc == UTF_16LE || enc == UTF_16BE => enc.decode_without_bom_handling(&sample[bom..]).0,
        Some((_, bom)) => String::from_utf8_lossy(&sample[bom..]),
        None => String::from_utf8_lossy(sample),
    };
    let body = text.trim_start();
    let head: String = body.chars().take(4096).collect::<String>().to_ascii_uppercase();
    if head.starts_with("OFXHEADER") || head.contains("<?OFX") || head.starts_with("<OFX>") {
        return Some(Standard::Ofx);
    }
    if body.starts_with('<') {
        if head.contains("<OFX>") {
            return Some(Standard::Ofx);
        }
        if text.contains("BkToCstmrStmt") || text.contains(":camt.053.") {
            return Some(Standard::Camt053);
        }
        return None;
    }
    let (mut ref20, mut balance_or_line) = (false, false);
    for line in text.lines() {
        let mut l = line.trim_start();
        if let Some(i) = l.find("{4:") {
            l = l[i + 3..].trim_start();
        }
        ref20 |= l.starts_with(":20:");
        balance_or_line |= [":60F:", ":60M:", ":61:", ":62F:", ":62M:"].iter().any(|t| l.starts_with(t));
        if ref20 && balance_or_line {
            return Some(Standard::Mt940);
        }
    }
    None
}

/// The payout export whose header the first non-empty line is. The names are ASCII
/// (or, for localised exports, tried in the encodings those files come in).
fn payout_export(sample: &[u8]) -> Option<PayoutExport> {
    let text = match Encoding::for_bom(sample) {
        Some((enc, bom)) => enc.decode_without_bom_handling(&sample[bom..]).0,
        // Older German PayPal downloads are Windows-1252: `Gebühr` must still read.
        None => match UTF_8.decode_without_bom_handling_and_without_replacement(first_line(sample)) {
            Some(t) => t,
            // A GBK WeChat bill reads in GB18030; a German PayPal file still reads as 1252.
            None if GB18030.decode_without_bom_handling(first_line(sample)).0.contains("微信订单号") => {
                GB18030.decode_without_bom_handling(first_line(sample)).0
            }
            None => WINDOWS_1252.decode_without_bom_handling(first_line(sample)).0,
        },
    };
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let lower = first.to_lowercase();
    if lower.starts_with("settlement-id") && lower.contains("total-amount") && lower.contains("amount-type") {
        return Some(PayoutExport::AmazonV2);
    }
    let names: Vec<&str> = lower.split([',', ';']).map(|c| c.trim().trim_matches('"').trim()).collect();
    let has = |all: &[&str]| all.iter().all(|n| names.contains(n));
    if (has(&["gross", "fee", "net", "transaction id"]) || has(&["brutto", "gebühr", "netto", "transaktionscode"]))
        && (names.contains(&"date") || names.contains(&"datum"))
    {
        return Some(PayoutExport::PaypalActivity);
    }
    if names.starts_with(&["id", "type", "source", "amount", "fee", "net"]) {
        return Some(PayoutExport::StripeBalance);
    }
    if names.starts_with(&["transaction date", "type", "order"]) && names.contains(&"payout id") {
        return Some(PayoutExport::ShopifyPayments);
    }
    // 退款金额 is not asked for: the successful-payments variant of the bill has no refund columns.
    if has(&["微信订单号", "商户订单号", "交易状态", "应结订单金额", "手续费"]) {
        return Some(PayoutExport::WechatTrade);
    }
    None
}

/// The bytes up to the end of the first line that holds anything, so that a sample
/// cut mid-character far below does not make UTF-8 look invalid.
fn first_line(sample: &[u8]) -> &[u8] {
    let start = sample.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(sample.len());
    let end = sample[start..].iter().position(|&b| b == b'\n').map_or(sample.len(), |i| start + i);
    &sample[..end]
}

/// Non-ASCII characters decoded, and malformed sequences met, in this encoding.
fn decode_stats(encoding: &'static Encoding, sample: &[u8]) -> (usize, usize) {
    if encoding == UTF_8 {
        let (mut chars, mut errors) = (0, 0);
        for chunk in sample.utf8_chunks() {
            chars += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
            errors += usize::from(!chunk.invalid().is_empty());
        }
        return (chars, errors);
    }
    let (text, _) = encoding.decode_without_bom_handling(sample);
    let errors = text.chars().filter(|&c| c == '\u{fffd}').count();
    (text.chars().filter(|c| !c.is_ascii()).count() - errors, errors)
}
/// Text files never hold C0 control characters other than tab, CR, LF (and form feed).
fn control_ratio(sample: &[u8]) -> f64 {
    let controls = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n' | 0x0c)).count();
    controls as f64 / sample.len() as f64
}

/// UTF-16 without a BOM shows as a NUL in every other byte of ASCII text.
fn utf16_without_bom(sample: &[u8]) -> Option<&'static Encoding> {
    let n = sample.len().min(4096) / 2 * 2;
    if n < 8 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample[..n].chunks_exact(2) {
        if pair[0] == 0 {
            even += 1;
        }
        if pair[1] == 0 {
            odd += 1;
        }
    }
    let half = n / 2;
    if odd * 10 > half * 4 && even * 20 < half {
        Some(UTF_16LE)
    } else if even * 10 > half * 4 && odd * 20 < half {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(bytes: &[u8]) -> String {
        match sniff_bytes(bytes, None) {
            Ok(c) => c.label(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn containers_and_encodings() {
        assert_eq!(label(b"PAR1...."), "parquet");
        assert_eq!(label(b"PK\x03\x04rest"), "xlsx");
        assert_eq!(label(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]), "xls");
        assert_eq!(label("交易时间,金额\n".as_bytes()), "text/utf-8");
        assert_eq!(label("\u{feff}交易时间,金额\n".as_bytes()), "text/utf-8-bom");
        let (gbk, _, _) = GB18030.encode("交易时间,金额\n2026-10-01,12.00\n");
        assert_eq!(label(&gbk), "text/gb18030");
        let mut le = vec![0xFF, 0xFE];
        for u in "日期,金额\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(label(&le), "text/utf-16le");
        let no_bom: Vec<u8> = "date,amount\n2026-10-01,1.00\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(label(&no_bom), "text/utf-16le");
        assert_eq!(label(b""), "the file is empty");
        assert_eq!(
            label(&[0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]),
            "this is a binary file, not CSV/TSV text, XLSX, XLS or Parquet"
        );
    }

    #[test]
    fn statement_standards_by_content() {
        assert_eq!(label(b":20:STARTUMS\r\n:25:DE12/34\r\n:28C:1/1\r\n:60F:C260101EUR0,00\r\n"), "mt940");
        assert_eq!(
            label(b"{1:F01BANKDEFFAXXX0000000000}{2:O940}{4:\r\n:20:X\r\n:25:1\r\n:61:2601010101C1,00NTRFNONREF\r\n-}"),
            "mt940"
        );
        assert_eq!(
            label(b"ABNANL2A\n940\nABNANL2A\n:20:ABN AMRO BANK NV\n:25:1\n:28:1/1\n:60F:C190825EUR1,00\n"),
            "mt940"
        );
        assert_eq!(
            label(b"<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt/></Document>"),
            "camt.053"
        );
        assert_eq!(label(b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n<SIGNONMSGSRSV1>"), "ofx");
        assert_eq!(label(b"<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"220\"?>\n<OFX></OFX>"), "ofx");
        // A CSV that mentions a field tag mid-line, or XML of another kind, is not a statement.
        assert_eq!(label(b"date,memo\n2026-01-01,see :20: and :61:\n"), "text/utf-8");
        assert_eq!(label(b"<?xml version=\"1.0\"?><Document><CstmrCdtTrfInitn/></Document>"), "text/utf-8");
    }

    #[test]
    fn payout_exports_by_header() {
        assert_eq!(
            label(b"settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\tamount-type\n"),
            "amazon-settlement-v2"
        );
        assert_eq!(
            label("\u{feff}\"Datum\",\"Uhrzeit\",\"Zeitzone\",\"Name\",\"Typ\",\"Status\",\"Währung\",\"Brutto\",\"Gebühr\",\"Netto\",\"Transaktionscode\"\n".as_bytes()),
            "paypal-activity"
        );
        assert_eq!(
            label(b"\"Date\",\"Time\",\"TimeZone\",\"Name\",\"Type\",\"Status\",\"Currency\",\"Gross\",\"Fee\",\"Net\",\"Transaction ID\"\r\n"),
            "paypal-activity"
        );
        assert_eq!(label(b"Datum,Name,Brutto,Geb\xfchr,Netto,Transaktionscode\n"), "paypal-activity");
        assert_eq!(
            label(b"id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description\n"),
            "stripe-balance"
        );
        assert_eq!(
            label(b"Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Payout ID,Available On,Amount,Fee,Net,Checkout,Currency\n"),
            "shopify-payments"
        );
        // A CSV that merely has a settlement id column is not one.
        assert_eq!(label(b"settlement-id,amount\n1,2.00\n"), "text/utf-8");
    }

    #[test]
    fn a_sample_cut_mid_character_is_still_utf8() {
        let text = "交易时间".repeat(SAMPLE / 12 + 10);
        let bytes = &text.as_bytes()[..SAMPLE];
        assert_eq!(sniff_bytes(bytes, None).unwrap().label(), "text/utf-8");
    }
}
