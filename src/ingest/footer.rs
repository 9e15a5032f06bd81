//! A file's own totals: the footer lines wallet and bank exports end with (`#收入合计：
//! 1,234.50元`, `支出合计：…`, `收入：12笔 345.00元`, `已支出:55笔,1999.92元`) are never
//! imported, but what they state is checked against the rows that were read, so a file
//! cut short or a row lost is noticed.

use datafusion::arrow::array::{Array, AsArray, Decimal128Array, RecordBatch};

use crate::values::{format_cents, parse_money};

/// Words a footer uses for the total of money in, and of money out.
const INCOME: [&str; 6] = ["收入合计", "收入总额", "总收入", "收入金额合计", "已收入", "收入"];
const EXPENSE: [&str; 6] = ["支出合计", "支出总额", "总支出", "支出金额合计", "已支出", "支出"];
/// Alipay's personal bill counts 已收入 / 已支出 of trades only: what moved between the
/// holder's own accounts (资金转移: 提现, 充值) is in neither.
const TRADES_ONLY: [&str; 2] = ["已收入", "已支出"];

#[derive(Default)]
pub struct FooterCheck {
    /// Sums of the rows read (stored or already stored), in cents.
    income: i128,
    expense: i128,
    /// The part of those sums that moved between the holder's own accounts (提现, 充值).
    transfers_in: i128,
    transfers_out: i128,
    /// Rows without a direction of their own (不计收支), which a file's totals leave out:
    /// all of them, and those that are no transfer.
    neutral_in: i128,
    neutral_out: i128,
    neutral_trades_in: i128,
    neutral_trades_out: i128,
    rows: u64,
    /// (line, label, stated cents, is income, a summary above the header)
    stated: Vec<(u64, String, i128, bool, bool)>,
}

impl FooterCheck {
    /// Counts the signed `amount` column of converted rows, before duplicates are dropped:
    /// the footer speaks of the whole file.
    /// `derived[i]` marks a row that continues the one before it (a fee line the file
    /// gave as a column of that row): the file's totals count the two as one net amount.
    /// `inferred[i]` a row whose direction the file did not give (不计收支).
    pub fn add_rows(&mut self, rows: &RecordBatch, derived: &[bool], inferred: &[bool]) {
        let Some(amounts) = rows.column_by_name("amount").and_then(|c| c.as_any().downcast_ref::<Decimal128Array>())
        else {
            return;
        };
        let kinds = rows.column_by_name("kind").and_then(|c| c.as_string_opt::<i32>());
        let mut i = 0;
        while i < amounts.len() {
            let transfer = kinds.is_some_and(|k| k.is_valid(i) && matches!(k.value(i), "withdrawal" | "deposit"));
            let mut v = if amounts.is_valid(i) { Some(amounts.value(i)) } else { None };
            let mut j = i + 1;
            while j < amounts.len() && derived.get(j).copied().unwrap_or(false) {
                if amounts.is_valid(j) {
                    v = Some(v.unwrap_or(0) + amounts.value(j));
                }
                j += 1;
            }
            self.rows += 1;
            let neutral = inferred.get(i).copied().unwrap_or(false);
            i = j;
            let Some(v) = v else { continue };
            if v >= 0 {
                self.income += v;
                self.transfers_in += if transfer { v } else { 0 };
                self.neutral_in += if neutral { v } else { 0 };
                self.neutral_trades_in += if neutral && !transfer { v } else { 0 };
            } else {
                self.expense -= v;
                self.transfers_out -= if transfer { v } else { 0 };
                self.neutral_out -= if neutral { v } else { 0 };
                self.neutral_trades_out -= if neutral && !transfer { v } else { 0 };
            }
        }
    }

    /// Reads the totals a footer or comment line below the header states.
    pub fn see_line(&mut self, line: u64, text: &str) {
        let text = text.trim_start_matches(['#', ' ']);
        // 待收入 / 待支出: money still on its way, which no row of the file has moved yet.
        if text.starts_with('待') {
            return;
        }
        for (words, income) in [(&INCOME, true), (&EXPENSE, false)] {
            if let Some((label, amount)) = stated(text, words) {
                self.stated.push((line, label, amount, income, false));
            }
        }
    }

    /// A summary line above the header (`收入：29笔 26500.00元`), checked like a footer.
    pub fn see_summary(&mut self, line: u64, text: &str) {
        let before = self.stated.len();
        self.see_line(line, text);
        for s in &mut self.stated[before..] {
            s.4 = true;
        }
    }

    /// The footer totals the rows do not add up to, as sentences.
    pub fn mismatches(&self) -> Vec<String> {
        if self.rows == 0 {
            return Vec::new();
        }
        self.stated
            .iter()
            .filter_map(|(line, label, stated, income, summary)| {
                // A plain 收入/支出 total counts the rows that say 收入/支出: neither
                // transfers nor rows without a direction, when the file has such rows.
                let read = match (*income, TRADES_ONLY.contains(&label.as_str())) {
                    (true, false) => self.income - self.neutral_in,
                    (false, false) => self.expense - self.neutral_out,
                    (true, true) => self.income - self.transfers_in - self.neutral_trades_in,
                    (false, true) => self.expense - self.transfers_out - self.neutral_trades_out,
                };
                let place = if *summary { "the summary above the header" } else { "the footer" };
                (stated.abs() != read).then(|| {
                    format!(
                        "{place} on line {line} says {label} {}, but the rows read add up to {} ({} apart): a row missing or cut off?",
                        format_cents(stated.abs()),
                        format_cents(read),
                        format_cents((stated.abs() - read).abs())
                    )
                })
            })
            .collect()
    }
}

/// The first label of `words` in `text` followed by an amount: `收入合计：1,234.50元`,
/// `收入：12笔 345.00元` (a count of rows before the amount is skipped).
fn stated(text: &str, words: &[&str]) -> Option<(String, i128)> {
    let (at, word) = words.iter().find_map(|w| text.find(w).map(|i| (i, *w)))?;
    let rest = &text[at + word.len()..];
    let filler = [':', '：', ' ', '\t', ',', '，', '"', '共', '计', '¥', '￥'];
    let rest = rest.trim_start_matches(filler);
    // `12笔，共345.00元`: the number of rows, then the money.
    let rest = match rest.find('笔') {
        Some(i) if rest[..i].chars().all(|c| c.is_ascii_digit()) => {
            rest[i + '笔'.len_utf8()..].trim_start_matches(filler)
        }
        _ => rest,
    };
    let end = rest.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+'))).unwrap_or(rest.len());
    let amount = parse_money(&rest[..end]).ok()?;
    Some((word.to_string(), amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers_say_their_totals() {
        assert_eq!(stated("#收入合计：1,234.50元", &INCOME), Some(("收入合计".into(), 123_450)));
        assert_eq!(stated("支出合计：-99.00元", &EXPENSE), Some(("支出合计".into(), -9_900)));
        assert_eq!(stated("收入：12笔 345.00元", &INCOME), Some(("收入".into(), 34_500)));
        assert_eq!(stated("#支出合计：3065笔，共-243983.95元", &EXPENSE), Some(("支出合计".into(), -24_398_395)));
        let pdd = "#合计：收入704笔，共107444.76元；支出755笔，共-106257.48元";
        assert_eq!(stated(pdd, &INCOME), Some(("收入".into(), 10_744_476)));
        assert_eq!(stated(pdd, &EXPENSE), Some(("支出".into(), -10_625_748)));
        assert_eq!(stated("导出时间：[2026-11-01 09:00:00]", &INCOME), None);
        assert_eq!(stated("收入合计：", &INCOME), None);
        assert_eq!(stated("已支出:55笔,1999.92元", &EXPENSE), Some(("已支出".into(), 199_992)));

        let mut check = FooterCheck { income: 34_500, expense: 9_900, rows: 3, ..Default::default() };
        check.see_line(20, "#收入合计：345.00元");
        check.see_line(21, "#支出合计：-100.00元");
        let m = check.mismatches();
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("line 21 says 支出合计 100.00, but the rows read add up to 99.00 (1.00 apart)"), "{m:?}");

        // Alipay's personal bill: a withdrawal is in 支出合计-style totals but not in 已支出,
        // and 待支出 is money not yet moved.
        let mut check = FooterCheck { expense: 62_000, transfers_out: 50_000, rows: 4, ..Default::default() };
        check.see_line(30, "已支出:2笔,120.00元");
        check.see_line(31, "待支出:1笔,35.00元");
        assert!(check.mismatches().is_empty(), "{:?}", check.mismatches());
    }
}
