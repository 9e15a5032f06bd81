//! Customers' personal data as a viewer sees it: a name as 张*, a phone as 138****1234,
//! an address as its province and city. Applied to tables, not to query text: a viewer's
//! session gets every table that holds such a column wrapped in a view that masks it, so
//! no view, join, `SELECT *`, export or error message can reach the original.

use std::sync::Arc;

use datafusion::catalog::TableProvider;
use datafusion::datasource::{ViewTable, provider_as_source};
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, ScalarUDF};
use datafusion::prelude::col;

/// The columns that hold personal data, and the function that masks each. A company's
/// name is not personal, but exports put persons under 客户名称 too: mask_company keeps
/// what is plainly an organisation and masks the rest as a name.
/// The bank's and the wallets' counterparties too: a person paying for a company
/// (法人代付), a buyer in a wallet line, is as personal as the buyer of an order.
pub const PERSONAL: [(&str, &str); 8] = [
    ("buyer_name", "mask_name"),
    ("buyer_nick", "mask_name"),
    ("buyer_company", "mask_company"),
    ("buyer_phone", "mask_phone"),
    ("ship_address", "mask_address"),
    ("counterparty_name", "mask_company"),
    ("counterparty_account", "mask_phone"),
    ("counterparty", "mask_company"),
];

/// Words that only an organisation's name has.
const ORGANISATION: [&str; 28] = [
    "公司",
    "集团",
    "厂",
    "店",
    "中心",
    "工作室",
    "事务所",
    "合作社",
    "商行",
    "研究院",
    "学校",
    "医院",
    "银行",
    "支付",
    "财付通",
    "科技",
    "商贸",
    "贸易",
    "实业",
    "ltd",
    "inc",
    "llc",
    "co.",
    "corp",
    "gmbh",
    "bank",
    "pay",
    "limited",
];

/// A counterparty's or company customer's name as a viewer sees it: whole when it is
/// plainly an organisation's (有限公司, 支付, Ltd …, or six Chinese characters and more —
/// no person's name is that long), else masked as a person's name.
pub fn company(s: &str) -> String {
    let lower = s.to_lowercase();
    let cjk = s.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
    if ORGANISATION.iter().any(|w| lower.contains(w)) || cjk >= 6 { s.trim().to_string() } else { name(s) }
}

/// `张三` → `张**`, `欧阳娜娜` → `欧**`, `Alice Smith` → `A**`: the first character only,
/// and always the same stars, so not even the name's length shows.
pub fn name(s: &str) -> String {
    match s.trim().chars().next() {
        Some(first) => format!("{first}**"),
        None => String::new(),
    }
}

/// `13812341234` → `138****1234`; `+86 138-1234-1234` → `138****1234`; shorter numbers
/// keep only their last two digits.
pub fn phone(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix("86").filter(|d| d.len() == 11).unwrap_or(&digits);
    let n = digits.len();
    if n >= 11 {
        format!("{}****{}", &digits[..3], &digits[n - 4..])
    } else if n > 2 {
        format!("{}{}", "*".repeat(n - 2), &digits[n - 2..])
    } else {
        "*".repeat(n.max(1))
    }
}

/// `浙江省杭州市西湖区文三路 90 号` → `浙江省杭州市`; `北京市朝阳区…` → `北京市`: the
/// province and city at the start, nothing after them. A 市 further in (超市, 城市花园)
/// is no city; an address whose start names none keeps only its first two characters,
/// and an address in Latin script only its last part (the country or state).
pub fn address(s: &str) -> String {
    let s = s.trim();
    let chars: Vec<char> = s.chars().collect();
    let prefix = |n: usize| chars[..n].iter().collect::<String>();
    // The province, if the address starts with one.
    let mut at = 0;
    for mark in ["自治区", "省"] {
        if let Some(i) = s.find(mark) {
            let n = s[..i].chars().count() + mark.chars().count();
            if n <= 8 {
                at = n;
                break;
            }
        }
    }
    // The city right after it: a 市, 州, 盟 or 地区 within a few characters.
    let rest: String = chars[at..].iter().collect();
    for mark in ["自治州", "地区", "市", "州", "盟"] {
        if let Some(i) = rest.find(mark) {
            let before = rest[..i].chars().count();
            let word_before = rest[..i].chars().last();
            if (1..=6).contains(&before) && !matches!(word_before, Some('超' | '城' | '门')) {
                return prefix(at + before + mark.chars().count());
            }
        }
    }
    if at > 0 {
        return prefix(at);
    }
    if s.is_ascii() && s.contains(',') {
        let last = s.rsplit(',').map(str::trim).find(|p| !p.is_empty()).unwrap_or("");
        return last.chars().filter(|c| !c.is_ascii_digit()).collect::<String>().trim().to_string();
    }
    chars.iter().take(2).collect()
}

/// Whether `sql` reads a personal column (under any name it gives it), or anything of a
/// table made from one (`personal_tables`): a table made from it holds personal data a
/// mask by column name would miss. Judged on the optimised plan, where each scan lists
/// the columns it reads.
pub async fn reads_personal(
    ctx: &datafusion::prelude::SessionContext,
    sql: &str,
    personal_tables: &[String],
) -> Result<bool> {
    use datafusion::common::tree_node::TreeNodeRecursion;
    let state = ctx.state();
    let plan = state.optimize(&state.create_logical_plan(sql).await?)?;
    let mut found = false;
    plan.apply_with_subqueries(|node| {
        if let datafusion::logical_expr::LogicalPlan::TableScan(scan) = node {
            let table = scan.table_name.table();
            found |= personal_tables.iter().any(|t| t.eq_ignore_ascii_case(table));
            let beside_buyer = scan.source.schema().column_with_name("buyer_name").is_some();
            found |= scan
                .projected_schema
                .fields()
                .iter()
                .any(|f| PERSONAL.iter().any(|(c, _)| c == f.name()) || (beside_buyer && f.name() == "party"));
        }
        Ok(if found { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    })?;
    Ok(found)
}

/// `provider` seen through masks, or None when it holds no personal column.
pub fn masked(
    name: &str,
    provider: Arc<dyn TableProvider>,
    udfs: &[Arc<ScalarUDF>],
) -> Result<Option<Arc<dyn TableProvider>>> {
    let schema = provider.schema();
    if !schema.fields().iter().any(|f| PERSONAL.iter().any(|(c, _)| c == f.name())) {
        return Ok(None);
    }
    // Beside a buyer's name, `party` is that name normalised (direct_orders): a name too.
    let beside_buyer = schema.column_with_name("buyer_name").is_some();
    let mask_of = |name: &str| -> Option<&str> {
        match PERSONAL.iter().find(|(c, _)| *c == name) {
            Some((_, mask)) => Some(mask),
            None if beside_buyer && name == "party" => Some("mask_name"),
            None => None,
        }
    };
    let exprs: Vec<Expr> = schema
        .fields()
        .iter()
        .map(|f| {
            let column = col(format!("\"{}\"", f.name()));
            match mask_of(f.name()) {
                Some(mask) => {
                    let udf = udfs.iter().find(|u| u.name() == mask).expect("mask functions are registered");
                    udf.call(vec![column]).alias(f.name())
                }
                None => column,
            }
        })
        .collect();
    let plan = LogicalPlanBuilder::scan(name, provider_as_source(provider), None)?.project(exprs)?.build()?;
    Ok(Some(Arc::new(ViewTable::new(plan, None))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(name("张三"), "张**");
        assert_eq!(name("欧阳娜娜"), "欧**");
        assert_eq!(name("李"), "李**");
        assert_eq!(company("厦门市东升办公用品有限公司"), "厦门市东升办公用品有限公司");
        assert_eq!(company("Acme Trading Ltd"), "Acme Trading Ltd");
        assert_eq!(company("财付通"), "财付通");
        assert_eq!(company("DOUYIN PAY"), "DOUYIN PAY");
        assert_eq!(company("王明辉"), "王**");
        assert_eq!(company("欧阳娜娜"), "欧**");
        assert_eq!(address("上海市超市路1号"), "上海市");
        assert_eq!(address("XX区城市花园3栋"), "XX");
        assert_eq!(address("广东省超市旁边"), "广东省");
        assert_eq!(address("12 Main St, Springfield, IL"), "IL");
        assert_eq!(phone("13812341234"), "138****1234");
        assert_eq!(phone("+86 138-1234-5678"), "138****5678");
        assert_eq!(phone("0571-8888"), "******88");
        assert_eq!(address("浙江省杭州市西湖区文三路90号"), "浙江省杭州市");
        assert_eq!(address("北京市朝阳区建国路1号"), "北京市");
        assert_eq!(address("新疆维吾尔自治区伊犁哈萨克自治州伊宁市"), "新疆维吾尔自治区伊犁哈萨克自治州");
        assert_eq!(address("Baker Street"), "Ba");
    }
}
