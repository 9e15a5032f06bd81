//! WeChat Pay's two bills of the mini-program shop's merchant account, which describe the
//! same money: the 资金账单 (fund bill: what moved in the account, written by ledger.rs
//! as the shop's wallet statement) and the 交易账单 (trade bill: every payment and refund
//! with its fee, written here once the wallet has said when refunds were paid). Both put
//! a backtick before every value and end with a totals header and one row of values.
//!
//! Ids: the 微信订单号 of a payment, the 微信退款单号 and 商户退款单号 of its refund, the
//! buyer's openid, all pure functions of the order, so both bills agree.

use std::path::Path;

use super::book::Line;
use super::book::push_order_id;
use super::book::{Book, EvKind, OrderRec, WxTrade};
use super::catalogue::product_name;
use super::clock::{Clock, push_num};
use super::draw::scramble;
use super::model::World;
use super::money::{Cents, push_cents};
use super::write::{CsvOut, Enc, Row};
use super::{GenError, GeneratedFile};

pub const TRADE_HEADER: &[&str] = &[
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
];
pub const TRADE_FOOTER: &[&str] =
    &["总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额", "订单总金额", "申请退款总金额"];

/// The merchant account (商户号) and the mini program's AppID (公众账号ID).
const MCH_ID: &str = "1612345678";
const APP_ID: &str = "wx5d1c39e8a07b24f6";

/// The trade bill's file beside the fund bill.
pub fn trade_path(slug: &str) -> String {
    format!("settlements/wechat_{slug}_trades.csv")
}

/// The fund bill's header; the money columns' unit in full-width or half-width brackets.
pub fn fund_header(full_width: bool) -> Vec<&'static str> {
    let (amount, balance) = if full_width {
        ("收支金额（元）", "账户结余（元）")
    } else {
        ("收支金额(元)", "账户结余(元)")
    };
    vec![
        "记账时间",
        "微信支付业务单号",
        "资金流水单号",
        "业务名称",
        "业务类型",
        "收支类型",
        amount,
        balance,
        "资金变更提交申请人",
        "备注",
        "业务凭证号",
    ]
}

/// A backticked cell.
fn tick(r: &mut Row) -> &mut String {
    let c = r.cell();
    c.push('`');
    c
}

/// The 微信订单号 of an order's payment (28 digits, with the day it was paid).
pub fn push_transaction_id(out: &mut String, clock: &Clock, rec: &OrderRec) {
    out.push_str("4200");
    push_num(out, scramble(u64::from(rec.seq) + 17, 1_000_000), 6);
    clock.push_compact_date(out, i64::from(rec.pay_day));
    push_num(out, scramble(u64::from(rec.seq) + 4_242, 10_000_000_000), 10);
}

/// The 微信退款单号 of an order's refund (WeChat refunds an order once here).
pub fn push_refund_id(out: &mut String, rec: &OrderRec) {
    out.push_str("5030");
    push_num(out, scramble(u64::from(rec.seq) + 5_030, 100_000_000_000_000_000), 17);
    push_num(out, scramble(u64::from(rec.seq) + 77, 1_000_000_000), 9);
}

/// The merchant's own refund number (商户退款单号), which the fund bill gives as the
/// refund's 业务凭证号.
pub fn push_refund_no(out: &mut String, rec: &OrderRec) {
    out.push_str("RF");
    push_num(out, 100_000_000_000 + scramble(u64::from(rec.seq) + 909, 100_000_000_000), 12);
}

/// A fund bill row (ledger.rs): trade income and its fee, a refund and the fee given
/// back, a withdrawal.
#[allow(clippy::too_many_arguments)]
pub fn fund_row(
    r: &mut Row,
    clock: &Clock,
    t: i64,
    amount: Cents,
    balance: Cents,
    line: &Line<'_>,
    flow: &str,
    order_id: &str,
    scratch: &mut String,
) {
    clock.push_datetime(tick(r), t);
    let biz = tick(r);
    match line {
        Line::Event { kind: EvKind::Refund | EvKind::FeeBack, order: Some(rec) } => push_refund_id(biz, rec),
        Line::Event { order: Some(rec), .. } => push_transaction_id(biz, clock, rec),
        Line::Withdrawal { reference, .. } => biz.push_str(reference),
        _ => {}
    }
    tick(r).push_str(flow);
    let (name, kind) = match line {
        Line::Event { kind: EvKind::Sale, .. } => ("交易", "交易"),
        Line::Event { kind: EvKind::Refund, .. } => ("退款", "退款"),
        Line::Event { kind: EvKind::FeeBack, .. } => ("退款", "退还交易手续费"),
        Line::Event { kind: EvKind::Fee(_), .. } => ("交易", "扣除交易手续费"),
        Line::Event { .. } | Line::Settlement { .. } => ("交易", "交易"),
        Line::Withdrawal { .. } => ("提现", "提现"),
    };
    tick(r).push_str(name);
    tick(r).push_str(kind);
    tick(r).push_str(if amount >= 0 { "收入" } else { "支出" });
    push_cents(tick(r), amount.abs());
    push_cents(tick(r), balance);
    let by = match line {
        Line::Withdrawal { by, .. } => by,
        _ => "system",
    };
    tick(r).push_str(by);
    tick(r).push_str(if matches!(line, Line::Withdrawal { .. }) { "提现至对公账户" } else { "" });
    scratch.clear();
    match line {
        Line::Event { kind: EvKind::Refund | EvKind::FeeBack, order: Some(rec) } => push_refund_no(scratch, rec),
        Line::Event { order: Some(_), .. } => scratch.push_str(order_id),
        _ => {}
    }
    tick(r).push_str(scratch);
}

/// The fund bill's totals: rows, income rows and sum, expense rows and sum.
pub fn fund_footer(
    w: &mut CsvOut,
    income_n: u64,
    income: Cents,
    expense_n: u64,
    expense: Cents,
) -> Result<(), GenError> {
    let mut r = Row::default();
    for h in ["资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"] {
        r.push(h);
    }
    w.row_uncounted(&r)?;
    r.clear();
    push_num(tick(&mut r), income_n + expense_n, 1);
    push_num(tick(&mut r), income_n, 1);
    push_cents(tick(&mut r), income);
    push_num(tick(&mut r), expense_n, 1);
    push_cents(tick(&mut r), expense);
    w.row_uncounted(&r)
}

/// Who paid with what (付款银行), drawn from the order so both bills agree.
fn bank_of(rec: &OrderRec) -> &'static str {
    const BANKS: [&str; 8] =
        ["OTHERS", "CMB_DEBIT", "ICBC_DEBIT", "CCB_CREDIT", "BOC_DEBIT", "LQT", "ABC_DEBIT", "CMB_CREDIT"];
    BANKS[(scramble(u64::from(rec.seq) + 31, 1_000) % 8) as usize]
}

/// The buyer's openid: `o` and 27 letters and digits, stable per order.
fn push_openid(out: &mut String, rec: &OrderRec) {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    out.push_str("oXyZ");
    let mut x = rec.num.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(rec.seq);
    for _ in 0..24 {
        out.push(ALPHABET[(x % 64) as usize] as char);
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407) >> 3;
    }
}

/// The trade bill: every payment of the shop's orders (交易状态 SUCCESS, its 手续费) and
/// every refund (REFUND, the fee given back negative), by time, and the totals.
pub fn write_trade_bill(
    world: &World,
    clock: &Clock,
    book: &Book,
    trades: &mut [WxTrade],
    out: &Path,
) -> Result<Option<GeneratedFile>, GenError> {
    let Some(shop) = world.shops.iter().find(|s| s.platform == super::platform::Platform::Wechat) else {
        return Ok(None);
    };
    trades.sort_by_key(|x| (x.t, x.order, x.refund));
    let rel = trade_path(shop.slug);
    let mut w = CsvOut::create(out, &rel, Enc::Utf8, true)?;
    w.header(TRADE_HEADER)?;
    let mut r = Row::default();
    let mut id = String::new();
    let (mut settled, mut refunded, mut fees, mut ordered) = (0, 0, 0, 0);
    for x in trades.iter() {
        let rec = &book.orders[x.order as usize];
        let refund = x.refund > 0;
        r.clear();
        clock.push_datetime(tick(&mut r), x.t);
        tick(&mut r).push_str(APP_ID);
        tick(&mut r).push_str(MCH_ID);
        tick(&mut r).push('0');
        tick(&mut r);
        push_transaction_id(tick(&mut r), clock, rec);
        id.clear();
        push_order_id(&mut id, clock, shop.platform, rec);
        tick(&mut r).push_str(&id);
        push_openid(tick(&mut r), rec);
        tick(&mut r).push_str("JSAPI");
        tick(&mut r).push_str(if refund { "REFUND" } else { "SUCCESS" });
        tick(&mut r).push_str(bank_of(rec));
        tick(&mut r).push_str("CNY");
        let paid = if refund { 0 } else { rec.paid };
        push_cents(tick(&mut r), paid);
        push_cents(tick(&mut r), 0);
        if refund {
            push_refund_id(tick(&mut r), rec);
            push_refund_no(tick(&mut r), rec);
        } else {
            tick(&mut r).push('0');
            tick(&mut r).push('0');
        }
        push_cents(tick(&mut r), x.refund);
        push_cents(tick(&mut r), 0);
        tick(&mut r).push_str(if refund { "ORIGINAL" } else { "" });
        tick(&mut r).push_str(if refund { "SUCCESS" } else { "" });
        tick(&mut r).push_str(product_name(rec.product));
        tick(&mut r);
        push_cents(tick(&mut r), x.fee);
        tick(&mut r).push_str("0.60%");
        push_cents(tick(&mut r), paid);
        push_cents(tick(&mut r), x.refund);
        tick(&mut r);
        w.row(&r)?;
        settled += paid;
        ordered += paid;
        refunded += x.refund;
        fees += x.fee;
    }
    r.clear();
    for h in TRADE_FOOTER {
        r.push(h);
    }
    w.row_uncounted(&r)?;
    r.clear();
    push_num(tick(&mut r), trades.len() as u64, 1);
    for v in [settled, refunded, 0, fees, ordered, refunded] {
        push_cents(tick(&mut r), v);
    }
    w.row_uncounted(&r)?;
    w.finish("settlements").map(Some)
}
