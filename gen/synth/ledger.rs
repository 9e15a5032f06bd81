//! Wallet statements as each platform exports them: Alipay 账务明细 (Tmall, GBK), the JD
//! wallet flow (xlsx), the Douyin 动账明细 (UTF-8 BOM; with noise one row per settled
//! sub-order, its fees as columns), Pinduoduo's 店铺账务明细 (GB18030) and WeChat Pay's
//! 资金账单 (backticked values, totals footer; its 交易账单 is wechat.rs's). wallet.rs
//! decides the lines; this file only spells them.

use std::path::Path;

use super::book::Line;
use super::book::{export_stamp, push_order_id};
use super::clock::{Clock, push_num};
use super::draw::{GenRng, scramble};
use super::ledger_rows::{alipay_row, douyin_row, generic_row, jd_row, pdd_row};
use super::model::{ALIPAY_LOGIN, Shop, Style};
use super::money::{Cents, cents_str};
use super::platform::Platform;
use super::wechat;
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

/// The Douyin bill with fees as columns: the row's income (订单实付应结, 运费实付) and
/// deductions beside its net 动账金额; 渠道分成 and 招商服务费 only in some merchants' bills.
pub fn douyin_columns_header(style: &Style) -> Vec<&'static str> {
    let mut h = DOUYIN_HEADER[..10].to_vec();
    h.extend(["订单实付应结", "运费实付", "平台服务费", "佣金"]);
    if style.douyin_channel_share {
        h.push("渠道分成");
    }
    if style.douyin_activity {
        h.push("招商服务费");
    }
    h.push("备注");
    h
}

pub const PDD_HEADER: &[&str] =
    &["商户订单号", "发生时间", "收入金额（+元）", "支出金额（-元）", "账务类型", "备注", "业务描述"];
/// A wallet bill in the shape many platforms share and no named format claims
/// (`Style::pdd_generic_ledger`).
pub const GENERIC_LEDGER_HEADER: &[&str] =
    &["入账时间", "订单号", "动账类型", "收支方向", "动账金额(元)", "账户余额(元)", "备注"];

/// The statement file of a shop, relative to the output directory.
pub fn ledger_path(shop: &Shop) -> String {
    match shop.platform {
        Platform::Tmall => format!("settlements/tmall_{}_alipay.csv", shop.slug),
        Platform::Jd => format!("settlements/jd_{}_wallet.xlsx", shop.slug),
        Platform::Douyin => format!("settlements/douyin_{}.csv", shop.slug),
        Platform::Wechat => format!("settlements/wechat_{}_funds.csv", shop.slug),
        _ => format!("settlements/pdd_{}.csv", shop.slug),
    }
}

enum Sink {
    Csv(Box<CsvOut>),
    Xlsx(Box<XlsxOut>),
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
    /// Douyin's fee columns, when the bill has them.
    columns: Option<Style>,
    /// Records as recon stores them: a row with fee columns is its sale line and a line
    /// per deduction and per unexplained rest.
    pub records: u64,
    /// Written in the shape no named format knows (`Style::pdd_generic_ledger`).
    generic: bool,
}

impl Ledger {
    pub fn create(
        out: &Path,
        shop: &Shop,
        shop_no: usize,
        clock: &Clock,
        dirt: u32,
        columns: Option<&Style>,
        style: &Style,
    ) -> Result<Self, GenError> {
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
                match columns {
                    Some(style) => w.header(&douyin_columns_header(style))?,
                    None => w.header(DOUYIN_HEADER)?,
                }
                Sink::Csv(Box::new(w))
            }
            Platform::Wechat => {
                let mut w = CsvOut::create(out, &rel, Enc::Utf8, true)?;
                w.header(&wechat::fund_header(style.wechat_full_parens))?;
                Sink::Csv(Box::new(w))
            }
            _ if style.pdd_generic_ledger => {
                let mut w = CsvOut::create(out, &rel, Enc::Utf8Bom, true)?;
                w.line("货款账户 资金流水")?;
                w.line(&format!("店铺名称：{}", shop.name))?;
                w.header(GENERIC_LEDGER_HEADER)?;
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
            columns: columns.cloned(),
            records: 0,
            generic: shop.platform == Platform::Pdd && style.pdd_generic_ledger,
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
                push_num(&mut s, scramble(self.seq + 1, 100_000_000), 8);
                (String::new(), s)
            }
            // The fund bill's 资金流水单号, and the withdrawal's 微信支付业务单号.
            Platform::Wechat => {
                self.flow_id(clock, t, &mut s);
                let mut biz = String::with_capacity(30);
                biz.push_str("1100");
                clock.push_compact_date(&mut biz, day);
                push_num(&mut biz, self.shop_no % 10, 1);
                push_num(&mut biz, scramble(self.seq + 1, 100_000_000_000_000_000), 17);
                (s, biz)
            }
            // With the fee columns comes Douyin's 提现单号, which its memo quotes.
            Platform::Douyin if self.columns.is_some() => {
                self.flow_id(clock, t, &mut s);
                let mut tx = String::with_capacity(22);
                tx.push_str("TX");
                clock.push_compact_date(&mut tx, day);
                push_num(&mut tx, self.shop_no % 10, 1);
                push_num(&mut tx, scramble(self.seq + 7, 1_000_000_000), 9);
                (s, tx)
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
                push_num(s, scramble(self.seq + 1, 100_000_000), 8);
            }
            Platform::Jd => {
                clock.push_compact_date(s, day);
                push_num(s, self.shop_no % 10, 1);
                push_num(s, scramble(self.seq + 1, 10_000_000_000), 10);
            }
            Platform::Wechat => {
                clock.push_compact_date(s, day);
                push_num(s, self.shop_no % 10, 1);
                push_num(s, scramble(self.seq + 0x5eed, 10_000_000_000_000_000_000), 19);
            }
            _ => {
                s.push('7');
                push_num(s, self.shop_no % 10, 1);
                clock.push_yymmdd(s, day);
                push_num(s, scramble(self.seq + 1, 100_000_000_000), 11);
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
            _ => None,
        };
        match given {
            Some(id) => flow.push_str(id),
            None if self.platform != Platform::Pdd => self.flow_id(clock, t, &mut flow),
            None => {}
        }
        match &line {
            Line::Event { order: Some(rec), .. } | Line::Settlement { order: rec, .. } => {
                push_order_id(&mut order_id, clock, self.platform, rec)
            }
            _ => {}
        }
        self.records += match &line {
            Line::Settlement { gross, fees, .. } => {
                let parts = [fees.service, fees.commission, fees.channel, fees.activity];
                1 + parts.iter().filter(|&&f| f != 0).count() as u64 + u64::from(gross - fees.total() != amount)
            }
            _ => 1,
        };
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
                douyin_row(r, clock, rng, t, amount, &line, &flow, &order_id, dirt, self.columns.as_ref());
                w.row(r)
            }
            (Sink::Csv(w), Platform::Wechat) => {
                wechat::fund_row(r, clock, t, amount, balance, &line, &flow, &order_id, &mut extra);
                w.row(r)
            }
            (Sink::Csv(w), _) => {
                pdd_row(r, clock, rng, t, amount, &line, &order_id, dirt);
                if self.generic {
                    generic_row(r, balance);
                }
                w.row(r)
            }
            (Sink::Xlsx(w), _) => jd_row(w, clock, rng, t, amount, balance, &line, &flow, &order_id, dirt),
        };
        self.ids = [flow, order_id, extra];
        res
    }

    /// The statement's files: one, or a workbook split past Excel's row limit.
    pub fn finish(self, clock: &Clock) -> Result<Vec<GeneratedFile>, GenError> {
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
                    Platform::Pdd if self.generic => {}
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
                    Platform::Wechat => {
                        wechat::fund_footer(&mut w, self.income_n, self.income, self.expense_n, -self.expense)?;
                    }
                    _ => {}
                }
                Ok(vec![w.finish("settlements")?])
            }
        }
    }
}
