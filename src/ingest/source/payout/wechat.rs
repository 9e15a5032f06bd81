//! WeChat Pay's merchant trade bill (交易账单): every value behind a backtick so Excel
//! keeps it text, payments (交易状态 SUCCESS) and refunds (REFUND) under one header, and
//! a totals footer (总交易单数,应结订单总金额,退款总金额,… and one row of values). A
//! payment settles its 应结订单金额 and costs its 手续费; a refund returns its 退款金额 and
//! gets part of the fee back (a negative 手续费). Each becomes a line and a fee line; the
//! footer's totals must be the columns' sums, or the file is refused. The bill comes in
//! three variants, told by the header: all orders, successful payments only (no refund
//! columns), and refunds only (with 退款申请时间 and 退款成功时间, the refund's own time).

use rust_decimal::Decimal;

use super::{Line, Parsed, Record, Table, cell, non_empty, parse_amount, parse_time};

/// A cell without the backtick WeChat puts before every value.
fn clean(raw: &str) -> &str {
    raw.trim().trim_start_matches('`').trim()
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let t = Table::read(text, b',', true)?;
    let time = t.column(&["交易时间"])?;
    let txn = t.column(&["微信订单号"])?;
    let order = t.column(&["商户订单号"])?;
    let status = t.column(&["交易状态"])?;
    let settled = t.column(&["应结订单金额"])?;
    // The successful-payments bill has no refund columns; a row of it is never a refund.
    let refund_cols = match (t.find(&["微信退款单号"]), t.find(&["退款金额"])) {
        (Some(id), Some(amount)) => Some((id, amount)),
        (None, None) => None,
        (Some(_), None) => return Err("the header has 微信退款单号 without 退款金额".into()),
        (None, Some(_)) => return Err("the header has 退款金额 without 微信退款单号".into()),
    };
    // The refunds bill gives the time the money went back beside the payment's.
    let refund_time = t.find(&["退款成功时间"]);
    let fee = t.column(&["手续费"])?;
    let goods = t.find(&["商品名称"]);
    let currency = t.find(&["货币种类"]);
    let money = |line: u64, col: usize, r: &Record| -> Result<Decimal, String> {
        let v = clean(cell(r, col));
        if v.is_empty() {
            return Ok(Decimal::ZERO);
        }
        parse_amount(v).map_err(|e| format!("line {line}, column {}: {e}", t.header[col]))
    };

    let mut out = Parsed::default();
    let mut sums = [Decimal::ZERO; 3];
    let mut skipped = 0;
    let mut records = t.records.iter();
    let mut footer = None;
    while let Some((line, r)) = records.next() {
        let line = *line;
        if clean(cell(r, 0)).starts_with("总交易单数") {
            footer = Some((line, r, records.next().map(|(_, v)| v)));
            break;
        }
        let back = match refund_cols {
            Some((_, col)) => money(line, col, r)?,
            None => Decimal::ZERO,
        };
        let (s, f) = (money(line, settled, r)?, money(line, fee, r)?);
        for (sum, v) in sums.iter_mut().zip([s, back, f]) {
            *sum += v;
        }
        let status_word = clean(cell(r, status)).to_ascii_uppercase();
        let when = match refund_time {
            Some(c) if status_word == "REFUND" && !clean(cell(r, c)).is_empty() => c,
            _ => time,
        };
        let at = parse_time(clean(cell(r, when)), false).ok_or_else(|| {
            format!("line {line}, column {}: '{}' is not a date", t.header[when], clean(cell(r, when)))
        })?;
        let base = Line {
            line,
            time: at,
            order_id: non_empty(clean(cell(r, order))),
            currency: currency.and_then(|c| non_empty(clean(cell(r, c)))).map(|c| c.to_uppercase()),
            memo: goods.and_then(|g| non_empty(clean(cell(r, g)))),
            ..Line::default()
        };
        let (id, kind, amount) = match (status_word.as_str(), refund_cols) {
            ("SUCCESS", _) => (non_empty(clean(cell(r, txn))), "sale", s),
            ("REFUND", Some((refund_id, _))) => {
                (non_empty(clean(cell(r, refund_id))).or(non_empty(clean(cell(r, txn)))), "refund", -back)
            }
            // Closed, revoked or unpaid payments moved no money.
            (word, _) if crate::ingest::classify::no_money_moved(word) => {
                out.push_ignored(line, word);
                continue;
            }
            _ => {
                skipped += 1;
                continue;
            }
        };
        let id = id.ok_or_else(|| format!("line {line}: the WeChat order or refund number is empty"))?;
        let memo = base.memo.clone();
        out.push_with_fee(Line { txn_id: Some(id), kind, amount, ..base }, f, memo);
    }
    if skipped > 0 {
        out.not_imported.push(format!("{skipped} rows neither paid nor refunded"));
    }
    if let Some((line, names, Some(values))) = footer {
        for (name, sum) in ["应结订单总金额", "退款总金额", "手续费总金额"].iter().zip(sums) {
            let Some(col) = names.iter().position(|n| clean(n) == *name) else { continue };
            let stated = parse_amount(clean(cell(values, col)))
                .map_err(|e| format!("line {}, the footer's {name}: {e}", line + 1))?;
            if stated != sum {
                return Err(format!(
                    "the footer (line {}) says {name} {stated}, but the rows add up to {sum}: a row missing or cut off?",
                    line + 1
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BILL: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n\
`2026-10-01 10:00:00,`wx1,`1900001,`0,`,`4200001,`T1001,`oU1,`NATIVE,`SUCCESS,`CMB_DEBIT,`CNY,`100.00,`0.00,`0,`0,`0.00,`0.00,`,`,`蓝牙耳机,`,`0.60,`0.60%,`100.00,`0.00,`\n\
`2026-10-03 11:00:00,`wx1,`1900001,`0,`,`4200001,`T1001,`oU1,`NATIVE,`REFUND,`CMB_DEBIT,`CNY,`0.00,`0.00,`5030001,`R1001,`40.00,`0.00,`ORIGINAL,`SUCCESS,`蓝牙耳机,`,`-0.24,`0.60%,`100.00,`40.00,`\n\
`2026-10-04 12:00:00,`wx1,`1900001,`0,`,`4200002,`T1002,`oU2,`JSAPI,`REVOKED,`,`CNY,`0.00,`0.00,`0,`0,`0.00,`0.00,`,`,`充电宝,`,`0.00,`0.60%,`59.00,`0.00,`\n\
总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n\
`3,`100.00,`40.00,`0.00,`0.36,`159.00,`40.00\n";

    #[test]
    fn payments_refunds_and_their_fees() {
        let p = parse(BILL).unwrap();
        let got: Vec<(&str, String, Option<&str>)> = p
            .lines
            .iter()
            .filter(|l| l.status.is_none())
            .map(|l| (l.kind, l.amount.to_string(), l.txn_id.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("sale", "100.00".into(), Some("4200001")),
                ("fee", "-0.60".into(), Some("4200001-fee")),
                ("refund", "-40.00".into(), Some("5030001")),
                ("fee", "0.24".into(), Some("5030001-fee")),
            ]
        );
        assert_eq!(p.lines[0].order_id.as_deref(), Some("T1001"));
        // The revoked payment is handed on as ignored, with its status as the reason.
        let ignored: Vec<(u64, Option<&str>)> =
            p.lines.iter().filter(|l| l.status.is_some()).map(|l| (l.line, l.status.as_deref())).collect();
        assert_eq!(ignored, [(4, Some("REVOKED"))]);
        assert!(p.not_imported.is_empty());
        let odd = parse(&BILL.replace("`REVOKED,", "`SOMETHING,")).unwrap();
        assert_eq!(odd.not_imported, ["1 rows neither paid nor refunded"]);
        let e = parse(&BILL.replace("`0.36,", "`0.30,")).unwrap_err();
        assert!(e.contains("says 手续费总金额 0.30, but the rows add up to 0.36"), "{e}");
        assert_eq!(parse(&BILL.replace(",手续费,", ",服务费,")).unwrap_err(), "the header has no column '手续费'");
    }

    /// The successful-payments bill: no refund columns at all.
    const SUCCESS_BILL: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注\n\
`2026-10-01 10:00:00,`wx1,`1900001,`0,`,`4200001,`T1001,`oU1,`NATIVE,`SUCCESS,`CMB_DEBIT,`CNY,`100.00,`0.00,`蓝牙耳机,`,`0.60,`0.60%,`100.00,`\n\
`2026-10-02 09:30:00,`wx1,`1900001,`0,`,`4200003,`T1003,`oU3,`JSAPI,`SUCCESS,`ICBC_CREDIT,`CNY,`59.00,`0.00,`充电宝,`,`0.35,`0.60%,`59.00,`\n\
总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n\
`2,`159.00,`0.00,`0.00,`0.95,`159.00,`0.00\n";

    /// The refunds bill: each row a refund, with the time the money went back.
    const REFUND_BILL: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n\
`2026-10-01 10:00:00,`wx1,`1900001,`0,`,`4200001,`T1001,`oU1,`NATIVE,`REFUND,`CMB_DEBIT,`CNY,`100.00,`0.00,`2026-10-03 11:00:00,`2026-10-03 11:00:07,`5030001,`R1001,`40.00,`0.00,`ORIGINAL,`SUCCESS,`蓝牙耳机,`,`-0.24,`0.60%,`100.00,`40.00,`\n\
总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n\
`1,`100.00,`40.00,`0.00,`-0.24,`100.00,`40.00\n";

    #[test]
    fn the_successful_payments_and_refunds_variants() {
        let p = parse(SUCCESS_BILL).unwrap();
        let got: Vec<(&str, String)> = p.lines.iter().map(|l| (l.kind, l.amount.to_string())).collect();
        assert_eq!(
            got,
            [("sale", "100.00".into()), ("fee", "-0.60".into()), ("sale", "59.00".into()), ("fee", "-0.35".into())]
        );
        assert!(parse(&SUCCESS_BILL.replace("`0.95,", "`0.90,")).unwrap_err().contains("手续费总金额 0.90"));

        let p = parse(REFUND_BILL).unwrap();
        let got: Vec<(&str, String, String)> =
            p.lines.iter().map(|l| (l.kind, l.amount.to_string(), l.time.to_string())).collect();
        assert_eq!(
            got,
            [
                ("refund", "-40.00".into(), "2026-10-03 11:00:07".into()),
                ("fee", "0.24".into(), "2026-10-03 11:00:07".into()),
            ]
        );
        let e = parse(&REFUND_BILL.replace(",退款金额,", ",退款额,")).unwrap_err();
        assert_eq!(e, "the header has 微信退款单号 without 退款金额");
    }
}
