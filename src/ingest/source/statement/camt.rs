//! ISO 20022 camt.053 bank-to-customer statements, any version (001.02 to 001.13), read
//! with roxmltree. Elements are matched by local name, so the namespace (and its
//! version) or a prefix do not matter; where versions differ (`<Sts>BOOK</Sts>` or
//! `<Sts><Cd>BOOK</Cd></Sts>`, `<Dbtr><Nm>` or `<Dbtr><Pty><Nm>`) both are read.
//! One row per `<Ntry>`: a batch booking is one movement on the account however many
//! payments it carries.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use roxmltree::{Document, Node};
use rust_decimal::Decimal;

use super::{Entry, Parsed, Statement, join_memo, non_empty, span};

type El<'a, 'i> = Node<'a, 'i>;

pub(super) fn parse(text: &str) -> Result<Parsed, String> {
    let doc = Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))?;
    let root = doc.root_element();
    let Some(body) = root.descendants().find(|n| is(*n, "BkToCstmrStmt")) else {
        return Err(format!(
            "line {}: <{}> holds no <BkToCstmrStmt> (a camt.053 statement); camt.052 reports and camt.054 \
             notifications are not statements",
            at(root),
            root.tag_name().name()
        ));
    };
    let format = root
        .tag_name()
        .namespace()
        .and_then(|ns| ns.rsplit(':').next())
        .filter(|v| v.starts_with("camt.053"))
        .unwrap_or("camt.053")
        .to_string();
    let mut parsed = Parsed { format, ..Parsed::default() };
    let mut pending = 0usize;
    for stmt in children(body, "Stmt") {
        parsed.statements.push(statement(stmt, &mut pending)?);
    }
    if parsed.statements.is_empty() {
        return Err(format!("line {}: <BkToCstmrStmt> holds no <Stmt>", at(body)));
    }
    if pending > 0 {
        parsed.not_imported.push(format!(
            "{pending} entr{} not booked yet (<Sts> PDNG or INFO)",
            if pending == 1 { "y" } else { "ies" }
        ));
    }
    Ok(parsed)
}

fn statement(stmt: El, pending: &mut usize) -> Result<Statement, String> {
    let id = text(child(stmt, "Id"));
    let acct = child(stmt, "Acct");
    let acct_id = acct.and_then(|a| child(a, "Id"));
    let account = acct_id.and_then(account_id);
    let acct_ccy = text(acct.and_then(|a| child(a, "Ccy")));
    let mut opening = None;
    let mut previous_closing = None;
    let mut closing = None;
    let mut dates = (None, None);
    for bal in children(stmt, "Bal") {
        let code = bal_code(bal);
        let (amount, _) = amount(bal)?;
        let signed = signed(amount, bal)?;
        let date = date_of(child(bal, "Dt"))?.map(|d| d.date());
        match code.as_deref() {
            Some("OPBD") if opening.is_none() => {
                opening = Some(signed);
                dates.0 = dates.0.or(date);
            }
            Some("PRCD") if previous_closing.is_none() => {
                previous_closing = Some(signed);
                dates.0 = dates.0.or(date);
            }
            Some("CLBD") if closing.is_none() => {
                closing = Some(signed);
                dates.1 = date;
            }
            _ => {}
        }
    }
    if let Some(ft) = child(stmt, "FrToDt") {
        dates.0 = date_of(child(ft, "FrDtTm"))?.map(|d| d.date()).or(dates.0);
        dates.1 = date_of(child(ft, "ToDtTm"))?.map(|d| d.date()).or(dates.1);
    }
    let seq = text(child(stmt, "ElctrncSeqNb")).or_else(|| text(child(stmt, "LglSeqNb")));
    let mut st = Statement {
        name: format!(
            "statement {} ({}line {}) of account {}{}",
            id.as_deref().unwrap_or("without <Id>"),
            seq.map(|s| format!("sequence {s}, ")).unwrap_or_default(),
            at(stmt),
            account.as_deref().unwrap_or("(not given)"),
            span(dates.0, dates.1)
        ),
        account,
        currency: acct_ccy,
        // PRCD, the previous closing balance, is the opening one where OPBD is not given.
        opening: opening.or(previous_closing),
        closing,
        ..Statement::default()
    };
    for ntry in children(stmt, "Ntry") {
        if let Some(status) = status(ntry)
            && status != "BOOK"
        {
            *pending += 1;
            continue;
        }
        st.entries.push(entry(ntry)?);
    }
    Ok(st)
}

fn entry(ntry: El) -> Result<Entry, String> {
    let line = at(ntry);
    let (amount, ccy) = amount(ntry)?;
    let amount = signed(amount, ntry)?;
    let credit = amount >= Decimal::ZERO;
    let booked = date_of(child(ntry, "BookgDt"))?;
    let time = match booked {
        Some(t) => Some(t),
        None => date_of(child(ntry, "ValDt"))?,
    };
    let time = time.ok_or_else(|| {
        format!("line {line}: <Ntry> has no booking date (<BookgDt>) or value date (<ValDt>) with a <Dt> or <DtTm>")
    })?;
    let reversal = text(child(ntry, "RvslInd")).is_some_and(|r| r == "true" || r == "1");
    let txs: Vec<El> = children(ntry, "NtryDtls").flat_map(|d| children(d, "TxDtls")).collect();
    let batch = children(ntry, "NtryDtls").find_map(|d| child(d, "Btch"));
    let single = (txs.len() == 1 && batch.is_none()).then(|| txs[0]);
    let tx_ref = |name: &'static str| single.and_then(|t| child(t, "Refs")).and_then(|r| text(child(r, name)));
    let not_provided = |s: String| (!s.eq_ignore_ascii_case("NOTPROVIDED")).then_some(s);
    let txn_id = text(child(ntry, "AcctSvcrRef"))
        .or_else(|| tx_ref("AcctSvcrRef"))
        .or_else(|| text(child(ntry, "NtryRef")))
        .or_else(|| tx_ref("EndToEndId").and_then(not_provided))
        .or_else(|| tx_ref("TxId"));
    // The other side: the debtor of money received, the creditor of money paid. A
    // reversal is booked the other way but keeps the parties of what it reverses.
    let (party, party_acct) = if credit != reversal { ("Dbtr", "DbtrAcct") } else { ("Cdtr", "CdtrAcct") };
    let parties = single.and_then(|t| child(t, "RltdPties"));
    let counterparty = parties
        .and_then(|p| child(p, party))
        .and_then(|p| text(child(p, "Nm")).or_else(|| text(child(p, "Pty").and_then(|p| child(p, "Nm")))));
    let counterparty_account =
        parties.and_then(|p| child(p, party_acct)).and_then(|a| child(a, "Id")).and_then(account_id);
    let remittance = single.and_then(|t| child(t, "RmtInf"));
    let unstructured: Vec<String> =
        remittance.map(|r| children(r, "Ustrd").filter_map(|u| text(Some(u))).collect()).unwrap_or_default();
    let structured: Vec<String> = remittance
        .map(|r| r.descendants().filter(|n| is(*n, "CdtrRefInf")).filter_map(|c| text(child(c, "Ref"))).collect())
        .unwrap_or_default();
    let payments = batch
        .and_then(|b| text(child(b, "NbOfTxs")))
        .or_else(|| (txs.len() > 1).then(|| txs.len().to_string()))
        .map(|n| format!("batch of {n} payments"));
    let unstructured = unstructured.join(" ");
    let structured = structured.join(" ");
    let info = text(child(ntry, "AddtlNtryInf"));
    let memo = join_memo([payments.as_deref(), Some(&unstructured), Some(&structured), info.as_deref()])
        // The transaction's own free text, when the entry says nothing else.
        .or_else(|| single.and_then(|t| text(child(t, "AddtlTxInf"))));
    Ok(Entry {
        line,
        time,
        amount,
        currency: ccy,
        txn_id,
        counterparty: counterparty.and_then(|c| non_empty(&c)),
        counterparty_account,
        memo,
        balance: None,
    })
}

/// The element's line in the file, for messages and `source_line`.
fn at(n: El) -> u64 {
    n.document().text_pos_at(n.range().start).row as u64
}

/// An element of this local name, in any namespace.
fn is(n: El, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name
}

fn children<'a, 'i>(n: El<'a, 'i>, name: &'static str) -> impl Iterator<Item = El<'a, 'i>> {
    n.children().filter(move |c| is(*c, name))
}

fn child<'a, 'i>(n: El<'a, 'i>, name: &'static str) -> Option<El<'a, 'i>> {
    children(n, name).next()
}

fn text(n: Option<El>) -> Option<String> {
    n.and_then(|n| n.text()).and_then(non_empty)
}

/// `<Id><IBAN>` or `<Id><Othr><Id>`.
fn account_id(id: El) -> Option<String> {
    text(child(id, "IBAN")).or_else(|| text(child(id, "Othr").and_then(|o| child(o, "Id"))))
}

fn bal_code(bal: El) -> Option<String> {
    let c = child(bal, "Tp").and_then(|t| child(t, "CdOrPrtry"))?;
    text(child(c, "Cd")).or_else(|| text(child(c, "Prtry")))
}

/// `<Sts>BOOK</Sts>` (001.02 to 001.04) or `<Sts><Cd>BOOK</Cd></Sts>` (later).
fn status(ntry: El) -> Option<String> {
    let sts = child(ntry, "Sts")?;
    text(child(sts, "Cd")).or_else(|| text(child(sts, "Prtry"))).or_else(|| text(Some(sts)))
}

/// The `<Amt Ccy="…">` of a balance or entry.
fn amount(n: El) -> Result<(Decimal, Option<String>), String> {
    let amt = child(n, "Amt").ok_or_else(|| format!("line {}: <{}> has no <Amt>", at(n), n.tag_name().name()))?;
    let raw = amt.text().unwrap_or("").trim();
    let value: Decimal =
        raw.parse().map_err(|_| format!("line {}: <Amt> is '{raw}', expected an amount such as 1234.56", at(amt)))?;
    Ok((value, amt.attribute("Ccy").and_then(non_empty)))
}

/// The amount signed by `<CdtDbtInd>`: money in (CRDT) positive.
fn signed(amount: Decimal, n: El) -> Result<Decimal, String> {
    match text(child(n, "CdtDbtInd")).as_deref() {
        Some("CRDT") => Ok(amount),
        Some("DBIT") => Ok(-amount),
        other => Err(format!(
            "line {}: <{}> has <CdtDbtInd> {}, expected CRDT or DBIT",
            at(n),
            n.tag_name().name(),
            other.map_or("missing".to_string(), |o| format!("'{o}'"))
        )),
    }
}

/// `<Dt>2026-01-24</Dt>` or `<DtTm>2026-03-05T10:15:00+01:00</DtTm>` inside `n` (or `n`'s
/// own text, as `<FrDtTm>` has), as the bank's clock shows it: the offset is dropped,
/// as every date in a statement is the bank's.
fn date_of(n: Option<El>) -> Result<Option<NaiveDateTime>, String> {
    let Some(n) = n else { return Ok(None) };
    let (el, raw) = match [child(n, "Dt"), child(n, "DtTm"), Some(n)]
        .into_iter()
        .flatten()
        .find_map(|e| text(Some(e)).map(|t| (e, t)))
    {
        Some(found) => found,
        None => return Ok(None),
    };
    let parsed = match raw.get(10..11) {
        Some("T") => raw.get(..19).and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").ok()),
        _ => raw
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| d.and_time(NaiveTime::MIN)),
    };
    parsed.map(Some).ok_or_else(|| {
        format!(
            "line {}: <{}> is '{raw}', expected a date such as 2026-01-24 or 2026-01-24T10:15:00",
            at(el),
            el.tag_name().name()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, parse_err, rows};
    use crate::ingest::sniff::Standard;

    fn body(rows: &[Vec<String>]) -> Vec<Vec<&str>> {
        rows[1..].iter().map(|r| r.iter().map(String::as_str).collect()).collect()
    }

    #[test]
    fn version_02() {
        let rows = rows("camt053-v02.xml", Standard::Camt053);
        assert_eq!(
            body(&rows),
            [
                [
                    "2026-10-02",
                    "DE89370400440532013000",
                    "ASR-0001",
                    "1250.00",
                    "EUR",
                    "6250.00",
                    "Tmall Payout Ltd",
                    "DE02120300000000202051",
                    "Auszahlung Order #A-1001 | Gutschrift",
                ],
                [
                    "2026-10-03 14:22:05",
                    "DE89370400440532013000",
                    "NTRY-2",
                    "-89.90",
                    "EUR",
                    "6160.10",
                    "Bürobedarf & Co. KG",
                    "DE44500105175407324931",
                    "RF18539007547034",
                ],
                [
                    "2026-10-05",
                    "DE89370400440532013000",
                    "ASR-0003",
                    "-410.00",
                    "EUR",
                    "5750.10",
                    "",
                    "",
                    "batch of 2 payments | Sammelüberweisung",
                ],
            ]
        );
    }

    #[test]
    fn version_08() {
        let rows = rows("camt053-v08.xml", Standard::Camt053);
        assert_eq!(
            body(&rows),
            [
                [
                    "2026-10-06",
                    "NL91ABNA0417164300",
                    "E2E-77",
                    "300.00",
                    "EUR",
                    "300.00",
                    "JD Worldwide BV",
                    "NL20INGB0001234567",
                    "Uitbetaling 2026-10",
                ],
                [
                    "2026-10-07",
                    "NL91ABNA0417164300",
                    "ASR-9",
                    "-12.50",
                    "EUR",
                    "287.50",
                    "Courier Express",
                    "NL69RABO0123456789",
                    "Verzending",
                ],
            ]
        );
    }

    #[test]
    fn broken_statements_say_where() {
        let v02 = String::from_utf8(fixture("camt053-v02.xml")).unwrap();
        let e = parse_err(
            v02.replace("<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>D</CdtDbtInd>").as_bytes(),
            Standard::Camt053,
        );
        assert!(e.contains("<CdtDbtInd> 'D', expected CRDT or DBIT") && e.contains("line "), "{e}");
        let e = parse_err(v02.replace("5750.10", "5750.00").as_bytes(), Standard::Camt053);
        assert!(e.contains("statement STMT-2026-10 (sequence 42, line 8) of account DE89370400440532013000 (2026-10-01 to 2026-10-05) does not balance") && e.contains("difference of -0.10"), "{e}");
        let e = parse_err(&v02.as_bytes()[..v02.len() / 2], Standard::Camt053);
        assert!(e.starts_with("not a readable camt.053 statement: not well-formed XML"), "{e}");
    }
}
