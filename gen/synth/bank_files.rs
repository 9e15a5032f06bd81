//! The two bank statements as the banks export them: ICBC as xlsx with title rows, CMB as
//! a GBK CSV with `#` preamble and every value prefixed by a tab.

use std::path::Path;

use super::bank::Banks;

use super::book::export_stamp;
use super::book::{Account, BankKind, BankLine};
use super::clock::{Clock, DAY, push_hms};
use super::model::{CMB_ACCOUNT, COMPANY, ICBC_ACCOUNT};
use super::money::{push_cents, push_cents_grouped};
use super::write::{CsvOut, Enc, Row, XlsxOut};
use super::{GenError, GeneratedFile};

pub const ICBC_FILE: &str = "bank/icbc_basic_account.xlsx";
pub const CMB_FILE: &str = "bank/cmb_general_account.csv";

pub const ICBC_HEADER: &[&str] = &[
    "交易时间",
    "交易流水号",
    "借方发生额",
    "贷方发生额",
    "余额",
    "币种",
    "对方户名",
    "对方账号",
    "对方开户行",
    "摘要",
    "用途",
];
pub const CMB_HEADER: &[&str] =
    &["交易日期", "交易时间", "流水号", "收入", "支出", "余额", "交易类型", "对方户名", "对方账号", "交易备注"];

pub fn write_bank_files(clock: &Clock, banks: &Banks, out: &Path) -> Result<Vec<GeneratedFile>, GenError> {
    let mut files = write_icbc(clock, banks, out)?;
    files.push(write_cmb(clock, banks, out)?);
    Ok(files)
}

/// The ICBC statement: one workbook, or several past Excel's row limit.
fn write_icbc(clock: &Clock, banks: &Banks, out: &Path) -> Result<Vec<GeneratedFile>, GenError> {
    let mut w = XlsxOut::new(out, ICBC_FILE, "明细", export_stamp(clock))?;
    w.preamble(Some("中国工商银行对公账户交易明细"))?;
    w.preamble(Some(&format!("账号：{ICBC_ACCOUNT}")))?;
    w.preamble(Some(&format!("户名：{COMPANY}")))?;
    w.preamble(Some("币种：人民币"))?;
    let mut from = String::new();
    clock.push_date(&mut from, 0);
    let mut to = String::new();
    clock.push_date(&mut to, i64::from(clock.days));
    w.preamble(Some(&format!("查询期间：{from} 至 {to}")))?;
    w.preamble(None)?;
    w.header(ICBC_HEADER, &[20.0, 22.0, 14.0, 14.0, 16.0, 8.0, 36.0, 22.0, 30.0, 12.0, 40.0])?;
    for l in banks.lines.iter().filter(|l| l.account == Account::Icbc) {
        w.text(0, &clock.datetime(l.t))?;
        w.text(1, &l.txn_id)?;
        let col = if l.amount < 0 { 2 } else { 3 };
        if l.text_amount {
            w.money_text(col, l.amount.abs())?;
        } else {
            w.money(col, l.amount.abs())?;
        }
        w.money(4, l.balance)?;
        w.text(5, "人民币")?;
        w.text(6, &l.counterparty)?;
        w.text(7, &l.cp_account)?;
        w.text(8, &l.cp_bank)?;
        w.text(9, &l.summary)?;
        w.text(10, &l.purpose)?;
        w.end_row();
    }
    w.finish("bank")
}

fn cmb_type(l: &BankLine) -> &'static str {
    match l.kind {
        BankKind::BankFee => "费用",
        BankKind::Interest => "利息",
        BankKind::Salary => "代发",
        BankKind::Tax => "缴税",
        _ if l.amount >= 0 => "汇入汇款",
        _ => "转账汇款",
    }
}

fn write_cmb(clock: &Clock, banks: &Banks, out: &Path) -> Result<GeneratedFile, GenError> {
    let mut w = CsvOut::create(out, CMB_FILE, Enc::Gbk, true)?;
    w.line("# 招商银行交易明细")?;
    w.line(&format!("# 账号：{CMB_ACCOUNT}"))?;
    w.line(&format!("# 户名：{COMPANY}"))?;
    w.line("# 币种：人民币")?;
    w.line(&format!("# 起始日期：{}  终止日期：{}", clock.compact_date(0), clock.compact_date(i64::from(clock.days))))?;
    w.header(CMB_HEADER)?;
    let mut r = Row::default();
    let amount = |s: &mut String, c, grouped: bool| {
        if grouped {
            push_cents_grouped(s, c);
        } else {
            push_cents(s, c);
        }
    };
    for l in banks.lines.iter().filter(|l| l.account == Account::Cmb) {
        r.clear();
        let c = r.cell();
        c.push('\t');
        clock.push_compact_date(c, l.t / DAY);
        let c = r.cell();
        c.push('\t');
        push_hms(c, l.t);
        r.cell().push_str(&format!("\t{}", l.txn_id));
        let c = r.cell();
        c.push('\t');
        if l.amount >= 0 {
            amount(c, l.amount, l.text_amount);
        }
        let c = r.cell();
        c.push('\t');
        if l.amount < 0 {
            amount(c, -l.amount, l.text_amount);
        }
        let c = r.cell();
        c.push('\t');
        push_cents(c, l.balance);
        for v in [cmb_type(l), l.counterparty.as_str(), l.cp_account.as_str()] {
            let c = r.cell();
            c.push('\t');
            c.push_str(v);
        }
        let c = r.cell();
        c.push('\t');
        c.push_str(&l.summary);
        if !l.summary.is_empty() && !l.purpose.is_empty() {
            c.push(' ');
        }
        c.push_str(&l.purpose);
        w.row(&r)?;
    }
    w.finish("bank")
}
