//! A wallet ledger of a platform recon has no format for (快手小店, 小红书, 视频号小店,
//! 得物 …), read by its bones: every such ledger has a time, an amount that is signed or
//! comes with a direction (收入/支出, 入账/出账), and usually an order id, a type, a
//! balance. When no kind fits by column names, the columns are told apart by what their
//! names say in part (…时间, …金额, …余额, …订单…) and what their cells hold, and the file
//! is read as settlements, saying which column was taken for what.

use std::collections::BTreeMap;

use crate::ingest::classify;
use crate::ingest::fields::{Field, normalise_header};
use crate::ingest::header::ColumnMap;
use crate::ingest::row::RawRow;
use crate::schema::Kind;
use crate::values;

/// Rows looked at to tell what a column holds.
const SAMPLE: usize = 50;

/// The file as a wallet ledger, if it has a time and an amount; with a note of what was
/// taken for what.
pub fn guess(headers: &[String], rows: &[RawRow]) -> Option<ColumnMap> {
    let rows: Vec<&RawRow> = rows.iter().filter(|r| !r.is_blank()).take(SAMPLE).collect();
    if rows.is_empty() {
        return None;
    }
    let names: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let holds = |col: usize, what: &dyn Fn(&str) -> bool| {
        let mut any = false;
        for r in &rows {
            match values::clean(r.get(col)) {
                Some(v) if what(v) => any = true,
                Some(_) => return false,
                None => {}
            }
        }
        any
    };
    let named = |col: usize, words: &[&str]| words.iter().any(|w| names[col].contains(w));
    let mut taken: Vec<bool> = vec![false; headers.len()];
    let mut fields: BTreeMap<Field, Vec<usize>> = BTreeMap::new();
    let mut pick = |field: Field, fits: &dyn Fn(usize) -> bool, taken: &mut Vec<bool>| {
        let col = (0..headers.len()).find(|&c| !taken[c] && fits(c))?;
        taken[col] = true;
        fields.insert(field, vec![col]);
        Some(col)
    };
    let is_time = |v: &str| values::parse_time(v).is_ok();
    let is_money = |v: &str| values::parse_money(v).is_ok();
    let is_direction = |v: &str| classify::direction(v).is_some_and(|d| d != classify::Direction::Neutral);

    pick(Field::TxnTime, &|c| named(c, &["时间", "日期", "time", "date"]) && holds(c, &is_time), &mut taken)?;
    pick(Field::Balance, &|c| named(c, &["余额", "结余", "结存", "balance"]) && holds(c, &is_money), &mut taken);
    let not_a_fee = ["费", "佣金", "补贴", "fee", "commission"];
    pick(
        Field::Amount,
        &|c| named(c, &["额", "amount", "money"]) && !named(c, &not_a_fee) && holds(c, &is_money),
        &mut taken,
    )?;
    pick(Field::Direction, &|c| holds(c, &is_direction), &mut taken);
    pick(Field::OrderId, &|c| named(c, &["订单", "order"]) && !named(c, &["子订单", "时间", "金额"]), &mut taken);
    pick(Field::SubOrderId, &|c| named(c, &["子订单"]), &mut taken);
    pick(Field::ReturnId, &|c| named(c, &["售后", "退款单", "退货"]), &mut taken);
    pick(Field::TxnId, &|c| named(c, &["流水", "单号", "单据", "编号", "id"]) && !named(c, &["订单"]), &mut taken);
    pick(Field::Type, &|c| named(c, &["类型", "类别", "场景", "业务", "项目", "type"]), &mut taken);
    pick(
        Field::Memo,
        &|c| named(c, &["备注", "摘要", "说明", "描述", "附言", "用途", "memo", "note", "remark"]),
        &mut taken,
    );
    pick(Field::Counterparty, &|c| named(c, &["对方", "counterparty"]), &mut taken);
    let said: Vec<String> =
        fields.iter().map(|(f, cols)| format!("{} ← {}", f.name(), headers[cols[0]].trim())).collect();
    let why = format!(
        "no known layout: read as a platform's wallet ledger (settlements) by what its columns hold — {}; \
         pass --kind and a mapping file (`recon import --explain` writes one) if that is wrong",
        said.join(", ")
    );
    Some(ColumnMap { kind: Kind::Settlements, fields, score: 0, why: vec![why] })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> RawRow {
        RawRow::of(cells)
    }

    #[test]
    fn a_ledger_is_known_by_its_bones() {
        let headers: Vec<String> =
            ["资金变动时间", "资金单据", "变动类别", "收付", "变动额(元)", "变动后结存(元)", "关联订单", "附言"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let rows = [
            row(&["2026-09-05 10:00:00", "F1", "订单收入", "收入", "99.00", "1099.00", "3712345", ""]),
            row(&["2026-09-05 10:00:00", "F2", "技术服务费", "支出", "0.99", "1098.01", "3712345", ""]),
        ];
        let map = guess(&headers, &rows).unwrap();
        assert_eq!(map.kind, Kind::Settlements);
        assert_eq!(map.columns(Field::TxnTime), [0]);
        assert_eq!(map.columns(Field::Direction), [3]);
        assert_eq!(map.columns(Field::OrderId), [6]);
        assert_eq!(map.columns(Field::Amount), [4]);
        assert_eq!(map.columns(Field::Balance), [5]);
        assert!(map.why[0].contains("txn_time ← 资金变动时间"), "{:?}", map.why);
        // Without an amount there is no ledger.
        let rows = [row(&["2026-09-05", "F1", "订单收入", "收入", "", "1099.00", "3712345", ""])];
        assert!(guess(&headers[..4], &rows).is_none());
    }
}
