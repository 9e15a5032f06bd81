//! Open Financial Exchange statements, bank (`<STMTRS>`) and credit card (`<CCSTMTRS>`).
//! OFX 2.x is XML and is read with roxmltree; OFX 1.x is SGML, whose leaf elements have
//! no end tags, and is read by the small tolerant reader here — it also takes 2.x files
//! that are not quite XML (a bare `&` in a payee's name), but never a truncated file:
//! every aggregate must be closed. (The ofx-rs crate was not used: it turns SGML into
//! XML without escaping such a `&`, and brings a second quick-xml.)
//!
//! OFX gives no opening balance, only the ledger balance (`<LEDGERBAL>`), so nothing can
//! be checked; the running balance is counted back from it when it is as of the end of
//! the transaction list and the list is in date order.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use super::{Entry, Order, Parsed, Statement, join_memo, non_empty, span};

/// An element of either syntax: its text if it is a leaf, else its children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
    line: u64,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name.eq_ignore_ascii_case(name))
    }

    /// The text at the end of a path of children.
    fn get(&self, path: &[&str]) -> Option<&str> {
        let mut n = self;
        for p in path {
            n = n.child(p)?;
        }
        Some(n.text.trim()).filter(|t| !t.is_empty())
    }

    /// Every element of this name below, depth first.
    fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name.eq_ignore_ascii_case(name) {
                out.push(c);
            } else {
                c.find_all(name, out);
            }
        }
    }
}

/// The `ENCODING:`/`CHARSET:` of an OFX 1.x header, or the XML declaration's encoding.
pub(super) fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    if head.trim_start().starts_with("<?xml") {
        return super::xml_declared_encoding(bytes);
    }
    let header = &head[..head.find('<').unwrap_or(head.len())];
    let field = |key: &str| {
        header.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(key).then(|| v.trim().to_string())
        })
    };
    match field("ENCODING").as_deref() {
        Some(e) if e.eq_ignore_ascii_case("UTF-8") => Some("utf-8".into()),
        _ => match field("CHARSET").as_deref() {
            Some("1252") => Some("windows-1252".into()),
            Some(c) if c.eq_ignore_ascii_case("NONE") => None,
            Some(c) => Some(c.to_string()),
            None => None,
        },
    }
}

pub(super) fn parse(text: &str) -> Result<Parsed, String> {
    let is_xml = text.trim_start().starts_with("<?xml");
    let (root, format) = if is_xml {
        let version = text
            .find("<?OFX")
            .and_then(|i| attr(&text[i..text[i..].find("?>").map_or(text.len(), |e| i + e)], "VERSION"));
        let format = format!("ofx {} (XML)", version.as_deref().unwrap_or("2.x"));
        match xml_tree(text) {
            Ok(root) => (root, format),
            // Two slips leave the meaning plain: a bare `&` in a payee's name, and an
            // OFX 1 body under an OFX 2 header (values without end tags, as many banks
            // write). A file written as XML that is broken otherwise (an entry never
            // closed, elements crossed) could be read more than one way: refused.
            Err(xml_error) => {
                if let Some(root) = escape_bare_ampersands(text).and_then(|e| xml_tree(&e).ok()) {
                    (root, format)
                } else if has_open_leaves(text) {
                    (sgml_tree(text).map_err(|_| not_well_formed(&xml_error))?, format)
                } else {
                    return Err(not_well_formed(&xml_error));
                }
            }
        }
    } else {
        let version = text[..text.find('<').unwrap_or(text.len())]
            .lines()
            .find_map(|l| l.trim().strip_prefix("VERSION:").map(|v| v.trim().to_string()));
        (sgml_tree(text)?, format!("ofx {} (SGML)", version.unwrap_or_else(|| "1.x".into())))
    };
    let mut responses = Vec::new();
    root.find_all("STMTRS", &mut responses);
    root.find_all("CCSTMTRS", &mut responses);
    responses.sort_by_key(|r| r.line);
    if responses.is_empty() {
        // A request refused by the bank answers with a status and no statement.
        let mut status = Vec::new();
        root.find_all("STATUS", &mut status);
        let refused = status.iter().find(|s| s.get(&["CODE"]).is_some_and(|c| c != "0"));
        return Err(match refused {
            Some(s) => format!(
                "line {}: the bank answered with error code {}{} and no statement",
                s.line,
                s.get(&["CODE"]).unwrap_or(""),
                s.get(&["MESSAGE"]).map(|m| format!(" ({m})")).unwrap_or_default()
            ),
            None => "no bank or credit card statement (<STMTRS> or <CCSTMTRS>) in the file".into(),
        });
    }
    let statements = responses.into_iter().map(statement).collect::<Result<_, _>>()?;
    Ok(Parsed { format, statements, not_imported: Vec::new() })
}

fn not_well_formed(xml_error: &str) -> String {
    format!(
        "an OFX 2 file must be well-formed XML, and this one is not ({xml_error}): export it again from the bank, \
         or ask for OFX 1.x or CSV"
    )
}

/// Whether values are written as OFX 1 writes them, without end tags: some element
/// holds text and is followed by another tag than its own end.
fn has_open_leaves(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('>') else { return false };
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        if tag.starts_with(['/', '?', '!']) || tag.is_empty() {
            continue;
        }
        let value = &rest[..rest.find('<').unwrap_or(rest.len())];
        if value.trim().is_empty() {
            continue;
        }
        let after = &rest[value.len()..];
        let end = format!("</{}>", tag.split_whitespace().next().unwrap_or(tag));
        if !after.starts_with(&end) {
            return true;
        }
    }
    false
}

/// The text with each `&` that starts no entity written as `&amp;`; none if it has none.
fn escape_bare_ampersands(text: &str) -> Option<String> {
    // `after` is what follows the `&`: `amp;…`, `#38;…`, `#x26;…` start an entity.
    let starts_entity = |after: &str| {
        let Some(body) = after.find(';').filter(|&e| e <= 10).map(|e| &after[..e]) else { return false };
        match body.strip_prefix('#') {
            Some(n) => match n.strip_prefix(['x', 'X']) {
                Some(h) => !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()),
                None => !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
            },
            None => !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric()),
        }
    };
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    for (i, piece) in text.split('&').enumerate() {
        if i > 0 {
            if starts_entity(piece) {
                out.push('&');
            } else {
                out.push_str("&amp;");
                changed = true;
            }
        }
        out.push_str(piece);
    }
    changed.then_some(out)
}

/// `NAME="value"` in a processing instruction.
fn attr(pi: &str, name: &str) -> Option<String> {
    let at = pi.find(&format!("{name}="))? + name.len() + 1;
    let rest = &pi[at..];
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(q)?].to_string())
}

fn statement(rs: &Node) -> Result<Statement, String> {
    let account = rs.get(&["BANKACCTFROM", "ACCTID"]).or_else(|| rs.get(&["CCACCTFROM", "ACCTID"])).and_then(non_empty);
    let currency = rs.get(&["CURDEF"]).map(str::to_string);
    // Some banks spread a statement's entries over several <BANKTRANLIST>s: every one
    // counts, and the statement spans them all.
    let lists: Vec<&Node> = rs.children("BANKTRANLIST").collect();
    let times = |tag: &str| -> Result<Vec<NaiveDateTime>, String> {
        lists.iter().filter_map(|l| l.get(&[tag])).map(|d| ofx_time(d, rs.line)).collect()
    };
    let start = times("DTSTART")?.into_iter().min();
    let end = times("DTEND")?.into_iter().max();
    let mut st = Statement {
        name: format!(
            "statement (line {}) of account {}{}",
            rs.line,
            account.as_deref().unwrap_or("(not given)"),
            span(start.map(|d| d.date()), end.map(|d| d.date()))
        ),
        account,
        currency,
        ..Statement::default()
    };
    // Every entry of the statement, wherever a bank put it.
    let mut found = Vec::new();
    rs.find_all("STMTTRN", &mut found);
    for t in found {
        st.entries.push(entry(t)?);
    }
    // The file's order, when it is one: banks list oldest or newest first.
    let times: Vec<NaiveDateTime> = st.entries.iter().map(|e| e.time).collect();
    st.order = if times.windows(2).all(|w| w[0] <= w[1]) {
        Order::OldestFirst
    } else if times.windows(2).all(|w| w[0] >= w[1]) {
        Order::NewestFirst
    } else {
        Order::Unknown
    };
    if let Some(bal) = rs.child("LEDGERBAL") {
        let amount = bal.get(&["BALAMT"]).ok_or_else(|| format!("line {}: <LEDGERBAL> has no <BALAMT>", bal.line))?;
        let amount = ofx_amount(amount, bal.line, "BALAMT")?;
        let as_of = bal.get(&["DTASOF"]).map(|d| ofx_time(d, bal.line)).transpose()?.map(|t| t.date());
        let last = times.iter().max().map(|t| t.date());
        // Counting back from it is right only if every entry up to its date is listed.
        let covers = match (as_of, last) {
            (Some(as_of), last) => last.is_none_or(|l| l <= as_of) && end.is_none_or(|e| e.date() >= as_of),
            (None, _) => false,
        };
        if covers {
            st.closing = Some(amount);
        }
    }
    Ok(st)
}

fn entry(t: &Node) -> Result<Entry, String> {
    let line = t.line;
    let need = |name: &str| t.get(&[name]).ok_or_else(|| format!("line {line}: <STMTTRN> has no <{name}>"));
    let amount = ofx_amount(need("TRNAMT")?, line, "TRNAMT")?;
    let time = ofx_time(need("DTPOSTED")?, line)?;
    let name = t.get(&["NAME"]).or_else(|| t.get(&["PAYEE", "NAME"]));
    let payee = t.get(&["PAYEE", "NAME"]);
    let to = t.get(&["BANKACCTTO", "ACCTID"]).or_else(|| t.get(&["CCACCTTO", "ACCTID"]));
    let currency = t.get(&["CURRENCY", "CURSYM"]).map(str::to_string);
    Ok(Entry {
        line,
        time,
        amount,
        currency,
        txn_id: t.get(&["FITID"]).and_then(non_empty),
        counterparty: payee.and_then(non_empty),
        counterparty_account: to.and_then(non_empty),
        memo: join_memo([name, t.get(&["MEMO"])]),
        balance: None,
    })
}

/// `-12.50`, `+100`, and `12,50` as some European banks write it.
fn ofx_amount(raw: &str, line: u64, what: &str) -> Result<Decimal, String> {
    let s = raw.trim().trim_start_matches('+');
    let s = if s.contains('.') { s.to_string() } else { s.replace(',', ".") };
    s.parse().map_err(|_| format!("line {line}: <{what}> is '{raw}', expected an amount such as -12.50"))
}

/// `20261002`, `20261002143000`, `20261002143000.000[-5:EST]`: the bank's clock, the zone dropped.
fn ofx_time(raw: &str, line: u64) -> Result<NaiveDateTime, String> {
    let digits: String = raw.trim().chars().take_while(char::is_ascii_digit).collect();
    let bad = || format!("line {line}: '{raw}' is not an OFX date (YYYYMMDD or YYYYMMDDHHMMSS)");
    let date = digits.get(..8).and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok()).ok_or_else(bad)?;
    let time = match digits.get(8..14) {
        Some(t) => NaiveTime::parse_from_str(t, "%H%M%S").map_err(|_| bad())?,
        None => NaiveTime::MIN,
    };
    Ok(date.and_time(time))
}

/// OFX 2.x through roxmltree, as the same tree the SGML reader builds.
fn xml_tree(text: &str) -> Result<Node, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))?;
    fn convert(n: roxmltree::Node) -> Node {
        let line = n.document().text_pos_at(n.range().start).row as u64;
        let children: Vec<Node> = n.children().filter(|c| c.is_element()).map(convert).collect();
        let text = if children.is_empty() { n.text().unwrap_or("").trim().to_string() } else { String::new() };
        Node { name: n.tag_name().name().to_ascii_uppercase(), text, children, line }
    }
    Ok(Node { children: vec![convert(doc.root_element())], ..Node::default() })
}

/// Elements that hold others, which SGML closes with an end tag; any other element is
/// a leaf ended by the next tag. Elements closed by an end tag somewhere in the file
/// count as aggregates too, so extensions a bank adds are read as it wrote them.
const AGGREGATES: [&str; 27] = [
    "OFX",
    "SIGNONMSGSRSV1",
    "SONRS",
    "STATUS",
    "FI",
    "BANKMSGSRSV1",
    "STMTTRNRS",
    "STMTRS",
    "BANKACCTFROM",
    "BANKACCTTO",
    "BANKTRANLIST",
    "STMTTRN",
    "LEDGERBAL",
    "AVAILBAL",
    "BALLIST",
    "BAL",
    "PAYEE",
    "CURRENCY",
    "ORIGCURRENCY",
    "CREDITCARDMSGSRSV1",
    "CCSTMTTRNRS",
    "CCSTMTRS",
    "CCACCTFROM",
    "CCACCTTO",
    "CCACCTINFO",
    "MKTGINFO",
    "OFXEXTENSION",
];

/// OFX 1.x SGML (and 2.x that is almost XML) into a tree. Text after a tag makes it a
/// leaf, ended by the next tag or its own end tag; aggregates stay open until their end
/// tag, which closes any leaf or aggregate left open inside. The file must close every
/// aggregate it opens, so a truncated file is refused.
fn sgml_tree(text: &str) -> Result<Node, String> {
    let closed: std::collections::HashSet<String> = text
        .match_indices("</")
        .filter_map(|(i, _)| {
            let rest = &text[i + 2..];
            Some(rest[..rest.find('>')?].trim().to_ascii_uppercase())
        })
        .collect();
    let is_aggregate = |name: &str| AGGREGATES.contains(&name) || closed.contains(name);
    // The stack of open elements; the bottom one is the document.
    let mut stack: Vec<Node> = vec![Node::default()];
    let close_top = |stack: &mut Vec<Node>| {
        let done = stack.pop().expect("the document stays on the stack");
        stack.last_mut().expect("the document stays on the stack").children.push(done);
    };
    let mut line = 1u64;
    let mut pos = 0;
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let next_tag = text[pos..].find('<').map_or(bytes.len(), |i| pos + i);
        let chunk = &text[pos..next_tag];
        if !chunk.trim().is_empty() && stack.len() > 1 {
            let top = stack.last_mut().expect("checked");
            if top.children.is_empty() {
                top.text.push_str(&unescape(chunk.trim()));
            }
        }
        line += chunk.matches('\n').count() as u64;
        if next_tag >= bytes.len() {
            break;
        }
        let Some(end) = text[next_tag..].find('>').map(|i| next_tag + i) else {
            return Err(format!("line {line}: a tag is not closed with '>': is the file truncated?"));
        };
        let tag = &text[next_tag + 1..end];
        let tag_line = line;
        line += tag.matches('\n').count() as u64;
        pos = end + 1;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        let leaf_open = |stack: &Vec<Node>| stack.len() > 1 && !is_aggregate(&stack[stack.len() - 1].name);
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_uppercase();
            if stack.iter().skip(1).any(|n| n.name == name) {
                while let Some(top) = stack.last() {
                    let done = top.name == name;
                    close_top(&mut stack);
                    if done {
                        break;
                    }
                }
            }
            continue;
        }
        let name = tag.split_whitespace().next().unwrap_or("").trim_end_matches('/').to_ascii_uppercase();
        if name.is_empty() {
            continue;
        }
        if leaf_open(&stack) {
            close_top(&mut stack);
        }
        stack.push(Node { name, line: tag_line, ..Node::default() });
        if tag.ends_with('/') {
            close_top(&mut stack);
        }
    }
    while stack.len() > 1 {
        let top = &stack[stack.len() - 1];
        if is_aggregate(&top.name) {
            return Err(format!(
                "the file ends inside <{}> (opened on line {}), which has no </{}>: is it truncated?",
                top.name, top.line, top.name
            ));
        }
        close_top(&mut stack);
    }
    let root = stack.pop().unwrap_or_default();
    if root.child("OFX").is_none() {
        return Err("no <OFX> element".into());
    }
    Ok(root)
}

/// The entities XML and SGML OFX use; a bare `&` stays as it is.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = rest.find(';').filter(|&e| e <= 8).map(|e| &rest[1..e]);
        let ch = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        });
        match (ch, entity) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, parse_err, rows};
    use super::*;
    use crate::ingest::sniff::Standard;

    fn body(rows: &[Vec<String>]) -> Vec<Vec<&str>> {
        rows[1..].iter().map(|r| r.iter().map(String::as_str).collect()).collect()
    }

    #[test]
    fn sgml() {
        let rows = rows("statement-sgml.ofx", Standard::Ofx);
        assert_eq!(
            body(&rows),
            [
                [
                    "2026-10-02",
                    "000123456789",
                    "20261002-0001",
                    "1250.00",
                    "USD",
                    "6250.00",
                    "",
                    "",
                    "AMAZON PAYMENTS | Settlement 2026-09 #S-77",
                ],
                [
                    "2026-10-03 14:22:05",
                    "000123456789",
                    "20261003-0002",
                    "-89.90",
                    "USD",
                    "6160.10",
                    "Office & Paper Co",
                    "",
                    "Office & Paper Co | Invoice 5521",
                ],
            ]
        );
    }

    #[test]
    fn xml() {
        let rows = rows("statement-xml.ofx", Standard::Ofx);
        assert_eq!(
            body(&rows),
            [
                ["2026-10-05", "4111000011112222", "X-3", "-45.00", "USD", "-245.00", "", "", "SHIPPING LABELS",],
                [
                    "2026-10-04",
                    "4111000011112222",
                    "X-2",
                    "300.00",
                    "USD",
                    "-200.00",
                    "",
                    "",
                    "PAYMENT THANK YOU | Autopay",
                ],
            ]
        );
    }

    #[test]
    fn broken_files_say_what() {
        let sgml = String::from_utf8(fixture("statement-sgml.ofx")).unwrap();
        let e = parse_err(&sgml.as_bytes()[..sgml.find("</BANKTRANLIST>").unwrap()], Standard::Ofx);
        assert!(e.contains("the file ends inside <BANKTRANLIST>") && e.contains("truncated"), "{e}");
        let e = parse_err(sgml.replace("<TRNAMT>-89.90", "<TRNAMT>-89.9O").as_bytes(), Standard::Ofx);
        assert!(e.contains("<TRNAMT> is '-89.9O'") && e.contains("line "), "{e}");
        let e = parse_err(sgml.replace("<DTPOSTED>20261002", "<DTPOSTED>2026-10-02").as_bytes(), Standard::Ofx);
        assert!(e.contains("'2026-10-02' is not an OFX date"), "{e}");
    }

    #[test]
    fn entities_and_versions() {
        assert_eq!(unescape("A&amp;B &lt;x&gt; AT&T &#233;"), "A&B <x> AT&T é");
        assert_eq!(attr("<?OFX OFXHEADER=\"200\" VERSION=\"220\"?>", "VERSION").as_deref(), Some("220"));
    }
}
