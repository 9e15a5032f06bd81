//! Test helpers that read generated files back the way an importer would: strict
//! decoding, header row found by content, cells cleaned of tabs, spaces and separators.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use encoding_rs::{GB18030, GBK, UTF_8};

use super::{GenOptions, Noise, generate};

pub(super) struct TempDir(pub(super) PathBuf);

impl TempDir {
    pub(super) fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("recon-gen-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn opts(orders: u64, seed: u64, noise: Noise) -> GenOptions {
    GenOptions { orders, seed, noise, ..GenOptions::default() }
}

pub(super) fn run(tag: &str, o: &GenOptions) -> TempDir {
    let dir = TempDir::new(tag);
    generate(o, &dir.0).unwrap();
    dir
}

/// Decodes strictly: a GBK file with a byte sequence it cannot map fails the test.
pub(super) fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let name = path.to_string_lossy();
    let enc = if bytes.starts_with(b"\xEF\xBB\xBF") {
        UTF_8
    } else if name.contains("pdd_") {
        GB18030
    } else if name.contains("_alipay") || name.contains("cmb_") {
        GBK
    } else {
        UTF_8
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    enc.decode_without_bom_handling_and_without_replacement(body)
        .unwrap_or_else(|| panic!("{name} is not clean {}", enc.name()))
        .into_owned()
}

/// Cleans a cell as the importer must: tabs, spaces, WeChat's leading backtick.
pub(super) fn clean(s: &str) -> String {
    s.trim_matches(|c: char| c == '\t' || c == ' ').trim_start_matches('`').to_string()
}

pub(super) fn cents(s: &str) -> i64 {
    let s = clean(s).replace(',', "");
    let (neg, s) = s.strip_prefix('-').map_or((false, s.as_str()), |r| (true, r));
    let (y, c) = s.split_once('.').unwrap_or((s, "0"));
    let c = format!("{c:0<2}");
    let v = y.parse::<i64>().unwrap() * 100 + c[..2].parse::<i64>().unwrap();
    if neg { -v } else { v }
}

/// Rows under the header whose first cell is `first`, as maps by column name.
pub(super) fn csv_table(path: &Path, first: &str) -> Vec<BTreeMap<String, String>> {
    let text = read_text(path);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let cells: Vec<String> = rec.iter().map(|s| s.to_string()).collect();
        if cells.first().is_some_and(|c| c.starts_with('#')) {
            continue;
        }
        // WeChat's bills end with a totals header and its row of values.
        if cells.first().is_some_and(|c| c == "资金流水总笔数" || c == "总交易单数") {
            break;
        }
        match &header {
            None if cells.first().map(String::as_str) == Some(first) => header = Some(cells),
            None => {}
            Some(h) => {
                assert_eq!(h.len(), cells.len(), "{}: ragged row {cells:?}", path.display());
                rows.push(h.iter().cloned().zip(cells).collect());
            }
        }
    }
    assert!(header.is_some(), "{}: no header {first}", path.display());
    rows
}

pub(super) fn xlsx_table(path: &Path, first: &str) -> Vec<BTreeMap<String, String>> {
    let mut wb = open_workbook_auto(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for row in range.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Float(f) => format!("{f}"),
                Data::Int(i) => i.to_string(),
                Data::String(s) => s.clone(),
                Data::Empty => String::new(),
                other => panic!("unexpected cell {other:?}"),
            })
            .collect();
        match &header {
            None if cells.first().map(String::as_str) == Some(first) => header = Some(cells),
            None => {}
            Some(h) => rows.push(h.iter().cloned().zip(cells).collect()),
        }
    }
    assert!(header.is_some(), "{}: no header {first}", path.display());
    rows
}

pub(super) fn table(dir: &Path, rel: &str, first: &str) -> Vec<BTreeMap<String, String>> {
    let p = dir.join(rel);
    if rel.ends_with(".xlsx") { xlsx_table(&p, first) } else { csv_table(&p, first) }
}

/// A wallet line read back: order id (normalised), category, signed amount, balance, ids.
pub(super) struct WLine {
    pub(super) order: String,
    pub(super) cat: &'static str,
    pub(super) amount: i64,
    pub(super) balance: Option<i64>,
    pub(super) flow: String,
    /// `YYYY-MM-DD HH:MM:SS`.
    pub(super) time: String,
    /// Fees a settlement row gives as columns beside its net `amount` (Douyin).
    pub(super) fee_cols: i64,
    /// The reference the platform gives a withdrawal besides its line id (WeChat's
    /// 微信支付业务单号, Douyin's and Pinduoduo's 提现单号).
    pub(super) reference: String,
}

pub(super) fn wallet_lines(dir: &Path, platform: &str, file: &str) -> Vec<WLine> {
    let cat = |k: &str| match k {
        "交易" | "货款" | "订单结算" | "交易收入" => "sale",
        "退款" | "售后退款" => "refund",
        "服务费"
        | "佣金"
        | "平台服务费"
        | "达人佣金"
        | "技术服务费"
        | "招商服务费"
        | "扣除交易手续费"
        | "退还交易手续费" => "fee",
        "提现" => "withdrawal",
        "转账" => "other",
        other => panic!("unknown line kind {other}"),
    };
    let after = |memo: &str, key: &str| memo.split_once(key).map(|(_, r)| r.trim().to_string()).unwrap_or_default();
    let get = |r: &BTreeMap<String, String>, k: &str| r.get(k).map(|s| clean(s)).unwrap_or_default();
    let signed = |inc: &str, exp: &str| -> i64 {
        match (inc.is_empty(), exp.is_empty()) {
            (false, true) => {
                assert!(cents(inc) >= 0, "income {inc}");
                cents(inc)
            }
            (true, false) => {
                assert!(cents(exp) < 0, "expense must be negative: {exp}");
                cents(exp)
            }
            _ => panic!("exactly one of income/expense: {inc:?} {exp:?}"),
        }
    };
    match platform {
        "tmall" => table(dir, file, "账务流水号")
            .iter()
            .map(|r| {
                assert!(r["账务流水号"].ends_with('\t'));
                WLine {
                    order: get(r, "商户订单号").trim_start_matches("T200P").to_string(),
                    cat: cat(&get(r, "业务类型")),
                    amount: signed(&get(r, "收入金额（+元）"), &get(r, "支出金额（-元）")),
                    balance: Some(cents(&r["账户余额（元）"])),
                    flow: get(r, "账务流水号"),
                    time: get(r, "发生时间"),
                    fee_cols: 0,
                    reference: String::new(),
                }
            })
            .collect(),
        "jd" => table(dir, file, "账户流水号")
            .iter()
            .map(|r| {
                let a = cents(&r["金额"]);
                assert!(a >= 0);
                WLine {
                    order: get(r, "订单编号"),
                    cat: cat(&get(r, "业务类型")),
                    amount: if r["收支方向"] == "收入" { a } else { -a },
                    balance: Some(cents(&r["账户余额"])),
                    flow: get(r, "账户流水号"),
                    time: get(r, "发生时间"),
                    fee_cols: 0,
                    reference: String::new(),
                }
            })
            .collect(),
        "douyin" => table(dir, file, "动账时间")
            .iter()
            .map(|r| {
                let a = cents(&r["动账金额"]);
                assert!(a >= 0);
                // Fee columns, where the bill has them: deductions beside the net.
                let fee_cols = ["平台服务费", "佣金", "渠道分成", "招商服务费"]
                    .iter()
                    .filter_map(|c| r.get(*c).map(|v| clean(v)).filter(|v| !v.is_empty()))
                    .map(|v| cents(&v))
                    .sum();
                let memo = get(r, "备注");
                WLine {
                    order: get(r, "订单号"),
                    cat: cat(&get(r, "动账场景")),
                    amount: if r["动账方向"] == "入账" { a } else { -a },
                    balance: None,
                    flow: get(r, "动帐流水号"),
                    reference: after(&memo, "提现单号："),
                    time: get(r, "动账时间"),
                    fee_cols,
                }
            })
            .collect(),
        "wechat" => {
            // The fund bill names a refund by the merchant's refund number; the trade bill
            // says whose order that is.
            let trades = table(dir, &file.replace("_funds", "_trades"), "交易时间");
            let order_of: BTreeMap<String, String> = trades
                .iter()
                .filter(|r| clean(&r["交易状态"]) == "REFUND")
                .map(|r| (clean(&r["商户退款单号"]), clean(&r["商户订单号"])))
                .collect();
            table(dir, file, "记账时间")
                .iter()
                .map(|r| {
                    let col = |names: [&str; 2]| names.iter().find_map(|n| r.get(*n)).map(|v| clean(v)).unwrap();
                    let a = cents(&col(["收支金额（元）", "收支金额(元)"]));
                    assert!(a >= 0);
                    let voucher = get(r, "业务凭证号");
                    let kind = get(r, "业务类型");
                    WLine {
                        order: order_of.get(&voucher).cloned().unwrap_or(voucher),
                        cat: cat(&kind),
                        amount: if get(r, "收支类型") == "收入" { a } else { -a },
                        balance: Some(cents(&col(["账户结余（元）", "账户结余(元)"]))),
                        flow: get(r, "资金流水单号"),
                        reference: get(r, "微信支付业务单号"),
                        time: get(r, "记账时间"),
                        fee_cols: 0,
                    }
                })
                .collect()
        }
        // The shape no named format knows (`Style::pdd_generic_ledger`).
        _ if read_text(&dir.join(file)).contains("入账时间,订单号") => table(dir, file, "入账时间")
            .iter()
            .map(|r| {
                let a = cents(&r["动账金额(元)"]);
                assert!(a >= 0);
                WLine {
                    order: get(r, "订单号"),
                    cat: cat(&get(r, "动账类型")),
                    amount: if r["收支方向"] == "入账" { a } else { -a },
                    balance: Some(cents(&r["账户余额(元)"])),
                    flow: String::new(),
                    reference: after(&get(r, "备注"), "提现单号"),
                    time: get(r, "入账时间"),
                    fee_cols: 0,
                }
            })
            .collect(),
        _ => table(dir, file, "商户订单号")
            .iter()
            .map(|r| WLine {
                order: get(r, "商户订单号"),
                cat: cat(&get(r, "账务类型")),
                amount: signed(&get(r, "收入金额（+元）"), &get(r, "支出金额（-元）")),
                balance: None,
                flow: String::new(),
                reference: after(&get(r, "备注"), "提现单号"),
                time: get(r, "发生时间"),
                fee_cols: 0,
            })
            .collect(),
    }
}

pub(super) fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("truth/summary.json")).unwrap()).unwrap()
}

pub(super) fn s(v: &serde_json::Value) -> String {
    v.as_str().unwrap().to_string()
}
