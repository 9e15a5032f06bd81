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
pub const PERSONAL: [(&str, &str); 5] = [
    ("buyer_name", "mask_name"),
    ("buyer_nick", "mask_name"),
    ("buyer_company", "mask_company"),
    ("buyer_phone", "mask_phone"),
    ("ship_address", "mask_address"),
];

/// Words that only an organisation's name has.
const ORGANISATION: [&str; 16] = [
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
    "ltd",
    "inc",
    "llc",
    "co.",
];

/// A company customer's name as a viewer sees it: whole when it is plainly an
/// organisation's (有限公司, 工作室, Ltd …), else masked as a person's name.
pub fn company(s: &str) -> String {
    let lower = s.to_lowercase();
    if ORGANISATION.iter().any(|w| lower.contains(w)) { s.trim().to_string() } else { name(s) }
}

/// `张三` → `张*`, `欧阳娜娜` → `欧***`, `Alice Smith` → `A**********`.
pub fn name(s: &str) -> String {
    let mut chars = s.trim().chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
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

/// `浙江省杭州市西湖区文三路 90 号` → `浙江省杭州市`; `北京市朝阳区…` → `北京市`; an address
/// without a city keeps its first word or a few characters.
pub fn address(s: &str) -> String {
    let s = s.trim();
    // The city ends at 市 (or 州, 盟, 地区 for prefectures); a province before it stays.
    for mark in ["市", "自治州", "地区", "盟", "州"] {
        if let Some(at) = s.find(mark) {
            return s[..at + mark.len()].to_string();
        }
    }
    for mark in ["省", "自治区"] {
        if let Some(at) = s.find(mark) {
            return s[..at + mark.len()].to_string();
        }
    }
    match s.split(',').map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().as_slice() {
        // "12 Main St, Springfield, IL" keeps the last two parts (city, state).
        [.., city, state] => format!("{city}, {state}"),
        _ => s.chars().take(2).collect(),
    }
}

/// Whether `sql` reads a personal column (under any name it gives it): a table made from
/// it holds personal data a mask by column name would miss. Judged on the optimised plan,
/// where each scan lists the columns it reads.
pub async fn reads_personal(ctx: &datafusion::prelude::SessionContext, sql: &str) -> Result<bool> {
    use datafusion::common::tree_node::TreeNodeRecursion;
    let state = ctx.state();
    let plan = state.optimize(&state.create_logical_plan(sql).await?)?;
    let mut found = false;
    plan.apply_with_subqueries(|node| {
        if let datafusion::logical_expr::LogicalPlan::TableScan(scan) = node {
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
        assert_eq!(name("张三"), "张*");
        assert_eq!(name("欧阳娜娜"), "欧***");
        assert_eq!(name("李"), "李*");
        assert_eq!(company("厦门市东升办公用品有限公司"), "厦门市东升办公用品有限公司");
        assert_eq!(company("Acme Trading Ltd"), "Acme Trading Ltd");
        assert_eq!(company("王明辉"), "王**");
        assert_eq!(phone("13812341234"), "138****1234");
        assert_eq!(phone("+86 138-1234-5678"), "138****5678");
        assert_eq!(phone("0571-8888"), "******88");
        assert_eq!(address("浙江省杭州市西湖区文三路90号"), "浙江省杭州市");
        assert_eq!(address("北京市朝阳区建国路1号"), "北京市");
        assert_eq!(address("新疆维吾尔自治区伊犁哈萨克自治州伊宁市"), "新疆维吾尔自治区伊犁哈萨克自治州伊宁市");
        assert_eq!(address("Baker Street"), "Ba");
        assert_eq!(address("12 Main St, Springfield, IL"), "Springfield, IL");
    }
}
