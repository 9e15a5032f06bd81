//! The page's words in Chinese (the default: the request is a Chinese merchant's) and
//! English, chosen by a toggle kept in the session.

use std::collections::BTreeMap;

use tower_sessions::Session;

pub const LANG_KEY: &str = "lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub async fn of(session: &Session) -> Lang {
        match session.get::<String>(LANG_KEY).await.ok().flatten().as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language the toggle switches to.
    pub fn other(self) -> &'static str {
        match self {
            Lang::Zh => "en",
            Lang::En => "zh",
        }
    }

    pub fn words(self) -> BTreeMap<&'static str, &'static str> {
        super::WORDS
            .iter()
            .flat_map(|t| t.iter())
            .map(|(k, zh, en)| (*k, if self == Lang::Zh { *zh } else { *en }))
            .collect()
    }
}

/// Key, Chinese, English: a table per group of pages (each kept beside its pages; the
/// list of tables is the web module's `WORDS`).
pub type Words = &'static [(&'static str, &'static str, &'static str)];

pub const COMMON: Words = &[
    ("title", "回款对账工作台", "Reconciliation workbench"),
    ("toggle", "English", "中文"),
    ("login", "登录", "Log in"),
    ("logout", "退出", "Log out"),
    ("user", "用户名", "User name"),
    ("password", "密码", "Password"),
    ("home", "首页", "Home"),
    ("import", "导入", "Import"),
    ("imports", "导入记录", "Imports"),
    ("workbench", "对账", "Reconcile"),
    ("collections", "回款管理", "Collections"),
    ("reports", "报表查询", "Reports"),
    ("analysis", "数据分析", "Analysis"),
    ("anomalies_page", "异常处理", "Anomalies"),
    ("periods", "会计期间", "Periods"),
    ("sql", "SQL 查询", "SQL"),
    ("admin", "系统管理", "Administration"),
    ("imported", "已导入数据", "What is imported"),
    ("table", "数据表", "Table"),
    ("rows", "行数", "Rows"),
    ("amount", "金额", "Amount"),
    ("first_day", "最早日期", "First day"),
    ("last_day", "最晚日期", "Last day"),
    ("open", "待处理", "What is open"),
    ("open_payouts", "未到账提现", "Payouts not found in the bank"),
    ("open_bank", "未匹配银行收款", "Bank credits not matched"),
    ("open_orders", "未回款对公订单", "B2B orders not paid"),
    ("candidates", "待确认候选", "Candidates waiting"),
    ("overdue", "逾期应收", "Overdue receivables"),
    ("anomalies", "未处理异常", "Open anomalies"),
    ("last_run", "最近一次对账", "Last reconciliation"),
    ("no_run", "尚未对账", "No reconciliation yet"),
    ("import_button", "导入数据", "Import files"),
    (
        "upload_help",
        "选择平台导出的订单、结算账单、银行流水（可多选，也可上传 zip 压缩包）",
        "Pick the platforms' order and settlement exports and bank statements (several at once, or a zip of them)",
    ),
    ("upload", "上传并预览", "Upload and preview"),
    ("preview", "导入预览", "Before importing"),
    (
        "preview_help",
        "recon 将这样读取每个文件；勾选要导入的文件。",
        "How recon will read each file; tick the ones to import.",
    ),
    ("file", "文件", "File"),
    ("how_read", "读取方式", "How it is read"),
    ("do_import", "导入所选文件", "Import the ticked files"),
    ("report", "导入报告", "Import report"),
    ("rejects", "下载被拒绝的行", "Download the rejected rows"),
    ("undo", "撤销", "Undo"),
    ("undone", "已撤销", "undone"),
    ("when", "时间", "When"),
    ("who", "操作人", "Who"),
    ("kind", "类型", "Kind"),
    ("stored", "入库", "Stored"),
    ("duplicates", "重复", "Duplicates"),
    ("rejected", "拒绝", "Rejected"),
    ("ignored", "忽略", "Ignored"),
    ("left_pane", "未匹配提现 / 对公订单", "Open payouts / B2B orders"),
    ("right_pane", "未匹配银行收款", "Open bank credits"),
    ("platform", "平台", "Platform"),
    ("all", "全部", "All"),
    ("shop", "店铺", "Shop"),
    ("account", "账户", "Account"),
    ("from", "从", "From"),
    ("to", "到", "To"),
    ("min", "最小金额", "Min amount"),
    ("max", "最大金额", "Max amount"),
    ("search", "搜索", "Search"),
    ("filter", "筛选", "Filter"),
    ("id", "编号", "Id"),
    ("time", "时间", "Time"),
    ("counterparty", "对方户名", "Counterparty"),
    ("memo", "摘要", "Memo"),
    ("source", "来源", "Source"),
    ("candidates_of", "候选匹配", "Candidates"),
    (
        "no_candidates",
        "没有候选：勾选两侧后手工匹配，或核销。",
        "No candidates: tick both sides to match by hand, or write off.",
    ),
    ("rule", "规则", "Rule"),
    ("score", "得分", "Score"),
    ("days_apart", "相差工作日", "Working days apart"),
    ("reference", "摘要含单号", "Reference in memo"),
    ("name_score", "户名相似度", "Payer name similarity"),
    ("amount_diff", "金额差", "Amount difference"),
    ("accept", "确认", "Accept"),
    ("difference", "勾选差额", "Difference of ticked"),
    ("reason", "原因", "Reason"),
    ("writeoff_amount", "核销金额（可空）", "Amount to write off (optional)"),
    ("match", "手工匹配", "Match ticked"),
    ("unmatch", "取消匹配", "Unmatch ticked"),
    ("writeoff", "核销", "Write off ticked"),
    ("bulk", "批量确认得分不低于", "Accept every candidate scoring at least"),
    ("bulk_go", "批量确认", "Accept all"),
    ("run", "运行对账", "Run reconciliation"),
    ("period", "期间（如 2026-10，空为全部）", "Period (e.g. 2026-10; empty for all)"),
    ("running", "对账运行中", "Reconciling"),
    ("run_summary", "对账结果", "Reconciliation run"),
    ("view", "结果", "Result"),
    ("prev", "上一页", "Previous"),
    ("next", "下一页", "Next"),
    ("previous", "上一页", "Previous"),
    ("page", "页", "Page"),
    ("drill", "明细", "Rows behind it"),
    ("no_rows", "没有数据", "No rows"),
    ("rows_found", "行", "rows"),
    ("export", "导出", "Export"),
    ("as_of", "截至", "As of"),
    ("apply", "查询", "Apply"),
    ("explain", "追溯", "Trail"),
    ("of", "共", "of"),
    ("source_row", "原始行", "The stored row"),
    ("line", "行号", "Line"),
    ("column", "列", "Column"),
    ("value", "值", "Value"),
    ("viewer_note", "只读用户：可查看，不能修改。", "Read-only user: you may look, not change."),
    (
        "keys_help",
        "↑↓ 移动，Enter 确认第一个候选，空格 勾选",
        "↑↓ move, Enter accepts the first candidate, Space ticks",
    ),
    ("decision_kept", "已保存决定", "Decision kept"),
    ("nothing_open", "没有待处理项。", "Nothing open."),
    ("uploading", "上传中", "Uploading"),
    ("table_orders", "平台订单", "Orders"),
    ("table_settlements", "结算账单", "Settlement lines"),
    ("table_payments", "支付流水", "Payments"),
    ("table_bank_txns", "银行流水", "Bank statement lines"),
    ("table_shipments", "发货记录", "Shipments"),
    ("table_returns", "退货记录", "Returns"),
    ("table_courier_bills", "快递账单", "Courier bills"),
    ("table_inventory", "库存流水", "Stock movements"),
];

#[cfg(test)]
mod tests {
    use super::super::WORDS as TABLES;

    /// A key in two tables would show one page's word on another (the later one wins).
    #[test]
    fn every_key_is_in_one_table_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (key, _, _) in TABLES.iter().flat_map(|t| t.iter()) {
            assert!(seen.insert(*key), "the page word {key:?} is defined twice");
        }
    }
}
