//! Wallet statements as each platform exports them: Alipay 账务明细 (Tmall, GBK), the JD
//! wallet flow (xlsx), the Douyin 动账明细 (UTF-8 BOM) and Pinduoduo's 店铺账务明细
//! (GB18030). wallet.rs decides the lines; this file only spells them.

use std::path::Path;

use super::clock::{Clock, push_num};
use super::draw::GenRng;
use super::ledger_rows::{alipay_row, douyin_row, jd_row, pdd_row};
use super::model::{ALIPAY_LOGIN, Platform, Shop};
use super::money::{Cents, cents_str};
use super::order_files::{export_stamp, push_order_id};
use super::orders::{EvKind, OrderRec};
use super::write::{CsvOut, Enc, Row, XlsxOut};
use super::{GenError, GeneratedFile};

pub const ALIPAY_HEADER: &[&str] = &[
    "账务流水号",
    "业务流水号",
    "商户订单号",
    "商品名称",
    "发生时间",
    "对方账号",
    "收入金额（+元）",
    "支出金额（-元）",
    "账户余额（元）",
    "交易渠道",
    "业务类型",
    "备注",
];
pub const JD_WALLET_HEADER: &[&str] =
    &["账户流水号", "订单编号", "业务类型", "收支方向", "金额", "账户余额", "发生时间", "备注"];
pub const DOUYIN_HEADER: &[&str] = &[
    "动账时间",
    "动帐流水号",
    "动账方向",
    "动账金额",
    "动账账户",
    "动账场景",
    "计费类型",
    "子订单号",
    "订单号",
    "售后编号",
    "备注",
];
pub const PDD_HEADER: &[&str] =
    &["商户订单号", "发生时间", "收入金额（+元）", "支出金额（-元）", "账务类型", "备注", "业务描述"];

/// The statement file of a shop, relative to the output directory.
pub fn ledger_path(shop: &Shop) -> String {
    match shop.platform {
        Platform::Tmall => format!("settlements/tmall_{}_alipay.csv", shop.slug),
        Platform::Jd => format!("settlements/jd_{}_wallet.xlsx", shop.slug),
        Platform::Douyin => format!("settlements/douyin_{}.csv", shop.slug),
        _ => format!("settlements/pdd_{}.csv", shop.slug),
    }
}

enum Sink {
    Csv(Box<CsvOut>),
    Xlsx(Box<XlsxOut>),
}

/// What one wallet line is, independent of the file layout.
pub enum Line<'a> {
    Event {
        kind: EvKind,
        order: Option<&'a OrderRec>,
    },
    Withdrawal {
        reference: &'a str,
        /// The statement's id for the line when the platform has one.
        flow_id: Option<&'a str>,
    },
}

pub struct Ledger {
    platform: Platform,
    shop_no: u64,
    sink: Sink,
    seq: u64,
    pub income_n: u64,
    pub income: Cents,
    pub expense_n: u64,
    pub expense: Cents,
    dirt: u32,
    row: Row,
    ids: [String; 3],
}

impl Ledger {
    pub fn create(out: &Path, shop: &Shop, shop_no: usize, clock: &Clock, dirt: u32) -> Result<Self, GenError> {
        let rel = ledger_path(shop);
        let sink = match shop.platform {
            Platform::Tmall => {
                let mut w = CsvOut::create(out, &rel, Enc::Gbk, true)?;
                let login = if shop_no == 0 {
                    ALIPAY_LOGIN.to_string()
                } else {
                    ALIPAY_LOGIN.replace('@', &format!(".{}@", shop.slug))
                };
                w.line("#支付宝账务明细查询")?;
                w.line(&format!("#账号：[{login}]"))?;
                w.line("#平台：天猫")?;
                w.line(&format!("#店铺：{}", shop.name))?;
                w.line(&format!(
                    "#起始日期：[{} 00:00:00]   终止日期：[{} 23:59:59]",
                    clock.cn_date(0),
                    clock.cn_date(i64::from(clock.days) - 1)
                ))?;
                w.header(ALIPAY_HEADER)?;
                Sink::Csv(Box::new(w))
            }
            Platform::Jd => {
                let mut w = XlsxOut::new(out, &rel, "资金流水", export_stamp(clock))?;
                w.preamble(Some("京东钱包资金流水"))?;
                w.preamble(Some("平台：京东"))?;
                w.preamble(Some(&format!("店铺名称：{}", shop.name)))?;
                w.preamble(None)?;
                w.header(JD_WALLET_HEADER, &[22.0, 16.0, 12.0, 10.0, 12.0, 14.0, 20.0, 36.0])?;
                Sink::Xlsx(Box::new(w))
            }
            Platform::Douyin => {
                let mut w = CsvOut::create(out, &rel, Enc::Utf8Bom, true)?;
                w.line(&format!("店铺名称：{}", shop.name))?;
                w.line("平台：抖音")?;
                w.line("")?;
                w.header(DOUYIN_HEADER)?;
                Sink::Csv(Box::new(w))
            }
            _ => {
                let mut w = CsvOut::create(out, &rel, Enc::Gb18030, true)?;
                w.line("店铺账务明细")?;
                w.line(&format!("店铺：{}", shop.name))?;
                w.line("平台：拼多多")?;
                w.header(PDD_HEADER)?;
                Sink::Csv(Box::new(w))
            }
        };
        Ok(Ledger {
            platform: shop.platform,
            shop_no: shop_no as u64,
            sink,
            seq: 0,
            income_n: 0,
            income: 0,
            expense_n: 0,
            expense: 0,
            dirt,
            row: Row::default(),
            ids: Default::default(),
        })
    }

    /// A fresh reference for a withdrawal at `t`: (id in the statement, payout reference).
    pub fn payout_ids(&mut self, clock: &Clock, t: i64) -> (String, String) {
        let day = t.div_euclid(super::clock::DAY);
        let mut s = String::with_capacity(32);
        match self.platform {
            Platform::Pdd => {
                s.push_str("TX");
                clock.push_compact_date(&mut s, day);
                push_num(&mut s, self.shop_no, 2);
                push_num(&mut s, self.seq + 1, 8);
                (String::new(), s)
            }
            _ => {
                self.flow_id(clock, t, &mut s);
                (s.clone(), s)
            }
        }
    }

    /// The statement's own id of the next line (账务流水号 / 账户流水号 / 动帐流水号).
    fn flow_id(&self, clock: &Clock, t: i64, s: &mut String) {
        let day = t.div_euclid(super::clock::DAY);
        match self.platform {
            Platform::Tmall => {
                clock.push_compact_date(s, day);
                s.push_str("20004001110065");
                push_num(s, self.shop_no, 2);
                push_num(s, self.seq + 1, 8);
            }
            Platform::Jd => {
                clock.push_compact_date(s, day);
                push_num(s, self.shop_no % 10, 1);
                push_num(s, self.seq + 1, 10);
            }
            _ => {
                s.push('7');
                push_num(s, self.shop_no % 10, 1);
                clock.push_yymmdd(s, day);
                push_num(s, self.seq + 1, 11);
            }
        }
    }

    /// Writes one line; `amount` is signed (+ into the wallet), `balance` is after it.
    pub fn write(
        &mut self,
        clock: &Clock,
        rng: &mut GenRng,
        t: i64,
        amount: Cents,
        balance: Cents,
        line: Line<'_>,
    ) -> Result<(), GenError> {
        let [mut flow, mut order_id, mut extra] = std::mem::take(&mut self.ids);
        flow.clear();
        order_id.clear();
        extra.clear();
        let given = match &line {
            Line::Withdrawal { flow_id, .. } => *flow_id,
            Line::Event { .. } => None,
        };
        match given {
            Some(id) => flow.push_str(id),
            None if self.platform != Platform::Pdd => self.flow_id(clock, t, &mut flow),
            None => {}
        }
        if let Line::Event { order: Some(rec), .. } = &line {
            push_order_id(&mut order_id, clock, self.platform, rec);
        }
        if amount >= 0 {
            self.income_n += 1;
            self.income += amount;
        } else {
            self.expense_n += 1;
            self.expense += amount;
        }
        self.seq += 1;
        let r = &mut self.row;
        r.clear();
        let dirt = self.dirt;
        let res = match (&mut self.sink, self.platform) {
            (Sink::Csv(w), Platform::Tmall) => {
                alipay_row(r, clock, rng, t, amount, balance, &line, &flow, &order_id, &mut extra);
                w.row(r)
            }
            (Sink::Csv(w), Platform::Douyin) => {
                douyin_row(r, clock, rng, t, amount, &line, &flow, &order_id, dirt);
                w.row(r)
            }
            (Sink::Csv(w), _) => {
                pdd_row(r, clock, rng, t, amount, &line, &order_id, dirt);
                w.row(r)
            }
            (Sink::Xlsx(w), _) => jd_row(w, clock, rng, t, amount, balance, &line, &flow, &order_id, dirt),
        };
        self.ids = [flow, order_id, extra];
        res
    }

    pub fn finish(self, clock: &Clock) -> Result<GeneratedFile, GenError> {
        match self.sink {
            Sink::Xlsx(w) => w.finish("settlements"),
            Sink::Csv(mut w) => {
                let export = clock.cn_date(i64::from(clock.days));
                match self.platform {
                    Platform::Tmall => {
                        w.line("#-----------------------------------------账务明细列表结束------------------------------------")?;
                        w.line(&format!("#支出合计：{}笔，共{}元", self.expense_n, cents_str(self.expense)))?;
                        w.line(&format!("#收入合计：{}笔，共{}元", self.income_n, cents_str(self.income)))?;
                        w.line(&format!("#导出时间：[{export} 10:00:00]"))?;
                    }
                    Platform::Pdd => {
                        w.line(&format!(
                            "#合计：收入{}笔，共{}元；支出{}笔，共{}元",
                            self.income_n,
                            cents_str(self.income),
                            self.expense_n,
                            cents_str(self.expense)
                        ))?;
                        w.line(&format!("#导出时间：{export} 10:00:00"))?;
                    }
                    _ => {}
                }
                w.finish("settlements")
            }
        }
    }
}
