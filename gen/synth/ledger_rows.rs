//! The cells of one wallet line in each platform's layout: which words go in 业务类型,
//! 动账场景 or 账务类型, which ids and memos, signed or unsigned amounts.

use super::GenError;
use super::book::Line;
use super::book::{EvKind, OrderRec};
use super::catalogue::CATALOGUE;
use super::clock::{Clock, push_num};
use super::draw::{GenRng, chance, scramble};
use super::model::{FeeKind, ICBC_ACCOUNT, Style};
use super::money::{Cents, push_cents};
use super::parties::dirty;
use super::write::{Row, XlsxOut};

/// The last four digits of the company account, as wallets show the payee.
fn payee() -> String {
    format!("中国工商银行({})", &ICBC_ACCOUNT[ICBC_ACCOUNT.len() - 4..])
}

fn product(rec: Option<&OrderRec>) -> &'static str {
    rec.map_or("", |r| CATALOGUE[r.product as usize % CATALOGUE.len()].0)
}

/// A buyer's Alipay login as the merchant sees it, masked: `138****5678`.
fn masked_buyer(out: &mut String, rec: &OrderRec) {
    let x = rec.num.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
    out.push('1');
    push_num(out, 3 + x % 7, 1);
    push_num(out, (x >> 4) % 10, 1);
    out.push_str("****");
    push_num(out, (x >> 8) % 10_000, 4);
}

#[allow(clippy::too_many_arguments)]
pub fn alipay_row(
    r: &mut Row,
    clock: &Clock,
    rng: &mut GenRng,
    t: i64,
    amount: Cents,
    balance: Cents,
    line: &Line<'_>,
    flow: &str,
    order_id: &str,
    extra: &mut String,
) {
    let c = r.cell();
    c.push_str(flow);
    c.push('\t');
    let biz = r.cell();
    match line {
        Line::Event { order: Some(rec), .. } => {
            // The Alipay trade number of the order, stable across its lines.
            clock.push_compact_date(biz, i64::from(rec.pay_day));
            biz.push_str("22001");
            push_num(biz, scramble(u64::from(rec.seq) + 77_777_777_777, 1_000_000_000_000_000), 15);
        }
        _ => {
            clock.push_compact_date(biz, t.div_euclid(super::clock::DAY));
            biz.push_str("1100");
            push_num(biz, rng_id(rng), 12);
        }
    }
    biz.push('\t');
    if !order_id.is_empty() {
        let c = r.cell();
        c.push_str("T200P");
        c.push_str(order_id);
        c.push('\t');
    } else {
        r.cell();
    }
    let (name, party, kind, memo) = match line {
        Line::Event { kind, order } => match kind {
            EvKind::Sale => (product(*order), "", "交易", "确认收货打款"),
            EvKind::Fee(FeeKind::Commission) => ("天猫佣金扣款", "天猫佣金账户", "服务费", "天猫佣金"),
            EvKind::Fee(_) => ("支付服务费扣款", "支付宝（中国）网络技术有限公司", "服务费", "支付服务费"),
            EvKind::Refund => (product(*order), "", "退款", "售后退款"),
            EvKind::AdSpend => ("直通车推广充值", "阿里妈妈推广账户", "转账", "直通车充值"),
            EvKind::FeeBack => ("支付服务费退回", "支付宝（中国）网络技术有限公司", "服务费", "支付服务费退回"),
            EvKind::Adjust => ("结算调整", "", "调整", "结算差异调整"),
        },
        Line::Settlement { order, .. } => (product(Some(*order)), "", "交易", "确认收货打款"),
        Line::Withdrawal { .. } => ("提现", "", "提现", "提现到对公账户"),
    };
    r.push(name);
    clock.push_datetime(r.cell(), t);
    extra.clear();
    match line {
        Line::Event { order: Some(rec), kind: EvKind::Sale | EvKind::Refund } => masked_buyer(extra, rec),
        Line::Withdrawal { .. } => extra.push_str(&payee()),
        _ => extra.push_str(party),
    }
    r.push(extra);
    if amount >= 0 {
        push_cents(r.cell(), amount);
        r.cell();
    } else {
        r.cell();
        push_cents(r.cell(), amount);
    }
    push_cents(r.cell(), balance);
    r.push(if matches!(line, Line::Withdrawal { .. }) || kind == "转账" { "支付宝" } else { "天猫" });
    r.push(kind);
    r.push(memo);
}

fn rng_id(rng: &mut GenRng) -> u64 {
    use rand::Rng;
    rng.random_range(0..1_000_000_000_000)
}

#[allow(clippy::too_many_arguments)]
pub fn jd_row(
    w: &mut XlsxOut,
    clock: &Clock,
    rng: &mut GenRng,
    t: i64,
    amount: Cents,
    balance: Cents,
    line: &Line<'_>,
    flow: &str,
    order_id: &str,
    dirt: u32,
) -> Result<(), GenError> {
    let (kind, memo) = match line {
        Line::Event { kind, .. } => match kind {
            EvKind::Sale => ("货款", "订单货款结算".to_string()),
            EvKind::Fee(FeeKind::Commission) => ("佣金", "佣金扣除".to_string()),
            EvKind::Fee(_) => ("平台服务费", "平台服务费扣除".to_string()),
            EvKind::Refund => ("退款", "售后退款".to_string()),
            EvKind::AdSpend => ("平台服务费", "京准通充值".to_string()),
            EvKind::FeeBack => ("平台服务费", "平台服务费退回".to_string()),
            EvKind::Adjust => ("调整", "结算调整".to_string()),
        },
        Line::Settlement { .. } => ("货款", "订单货款结算".to_string()),
        Line::Withdrawal { .. } => ("提现", format!("提现至对公账户 {}", payee())),
    };
    w.text(0, flow)?;
    w.text(1, order_id)?;
    w.text(2, kind)?;
    w.text(3, if amount >= 0 { "收入" } else { "支出" })?;
    w.money(4, amount.abs())?;
    w.money(5, balance)?;
    w.text(6, &clock.datetime(t))?;
    w.text(7, &dirty(rng, &memo, dirt))?;
    w.end_row();
    Ok(())
}

/// Douyin's sub-order id of sub-order `sub` of an order: a number of the order id's
/// form of its own (the order export does not list them).
pub fn push_sub_order_id(out: &mut String, order_id: &str, rec: &OrderRec, sub: u8, by_sub: bool) {
    if by_sub {
        push_num(
            out,
            6_900_000_000_000_000_000
                + scramble(u64::from(rec.seq) * 4 + u64::from(sub) + 99_991, 100_000_000_000_000_000),
            19,
        );
    } else {
        out.push_str(order_id);
        push_num(out, 10 + rec.num % 90, 2);
    }
}

/// Freight the buyer paid (运费实付), in the first sub-order's settlement: for some
/// orders, part of what was paid; a pure function of the order.
pub fn douyin_freight(rec: &OrderRec, gross: Cents) -> Cents {
    let x = rec.num.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40;
    let freight = (5 + (x % 11) as Cents) * 100;
    if x.is_multiple_of(7) && gross > freight + 20 * 100 { freight } else { 0 }
}

#[allow(clippy::too_many_arguments)]
pub fn douyin_row(
    r: &mut Row,
    clock: &Clock,
    rng: &mut GenRng,
    t: i64,
    amount: Cents,
    line: &Line<'_>,
    flow: &str,
    order_id: &str,
    dirt: u32,
    columns: Option<&Style>,
) {
    clock.push_datetime(r.cell(), t);
    r.push(flow);
    r.push(if amount >= 0 { "入账" } else { "出账" });
    push_cents(r.cell(), amount.abs());
    r.push("聚合账户");
    let (scene, billing, memo) = match line {
        Line::Event { kind, .. } => match kind {
            EvKind::Sale => ("订单结算", "货款", "订单结算入账"),
            EvKind::Fee(FeeKind::Influencer) => ("达人佣金", "达人佣金", "达人带货佣金"),
            EvKind::Fee(FeeKind::PaymentFee) => ("平台服务费", "支付服务费", "支付渠道服务费"),
            EvKind::Fee(FeeKind::Activity) => ("招商服务费", "招商服务费", "团长招商服务费"),
            EvKind::Fee(_) => ("平台服务费", "技术服务费", "平台技术服务费"),
            EvKind::Refund => ("售后退款", "售后退款", "售后仅退款/退货退款"),
            EvKind::AdSpend => ("平台服务费", "推广费", "巨量千川推广费"),
            EvKind::FeeBack => ("平台服务费", "服务费退回", "平台服务费退回"),
            EvKind::Adjust => ("调整", "结算调整", "结算差异调整"),
        },
        Line::Settlement { .. } => ("订单结算", "货款", ""),
        Line::Withdrawal { .. } => ("提现", "提现", "提现至对公账户"),
    };
    r.push(scene);
    r.push(billing);
    let sub = r.cell();
    match line {
        Line::Event { order: Some(rec), .. } => push_sub_order_id(sub, order_id, rec, 0, columns.is_some()),
        Line::Settlement { order: rec, sub: k, .. } => push_sub_order_id(sub, order_id, rec, *k, true),
        _ => {}
    }
    r.push(&dirty(rng, order_id, dirt));
    let after_sale = r.cell();
    if let Line::Event { order: Some(rec), kind: EvKind::Refund } = line {
        after_sale.push('7');
        push_num(
            after_sale,
            100_000_000_000_000_000 + scramble(u64::from(rec.seq) + 33_333_333_333, 1_000_000_000_000_000),
            18,
        );
    }
    if let Some(style) = columns {
        match line {
            Line::Settlement { order, sub, gross, fees } => {
                let freight = if *sub == 0 { douyin_freight(order, *gross) } else { 0 };
                push_cents(r.cell(), gross - freight);
                push_cents(r.cell(), freight);
                push_cents(r.cell(), fees.service);
                push_cents(r.cell(), fees.commission);
                if style.douyin_channel_share {
                    push_cents(r.cell(), fees.channel);
                }
                if style.douyin_activity {
                    push_cents(r.cell(), fees.activity);
                }
            }
            _ => {
                let n = 4 + usize::from(style.douyin_channel_share) + usize::from(style.douyin_activity);
                for _ in 0..n {
                    r.cell();
                }
            }
        }
    }
    let memo = match line {
        Line::Withdrawal { reference, flow_id: Some(f), .. } if reference != f => {
            format!("{memo}，提现单号：{reference}")
        }
        _ => memo.to_string(),
    };
    if chance(rng, dirt) {
        r.push(&format!("{memo} "));
    } else {
        r.push(&memo);
    }
}

#[allow(clippy::too_many_arguments)]
pub fn pdd_row(
    r: &mut Row,
    clock: &Clock,
    rng: &mut GenRng,
    t: i64,
    amount: Cents,
    line: &Line<'_>,
    order_id: &str,
    dirt: u32,
) {
    r.push(&dirty(rng, order_id, dirt));
    clock.push_datetime(r.cell(), t);
    if amount >= 0 {
        push_cents(r.cell(), amount);
        r.cell();
    } else {
        r.cell();
        push_cents(r.cell(), amount);
    }
    let (kind, memo, desc) = match line {
        Line::Event { kind, .. } => match kind {
            EvKind::Sale => ("交易收入", "订单收入".to_string(), "订单交易收入"),
            EvKind::Fee(_) => ("技术服务费", "技术服务费".to_string(), "技术服务费扣除"),
            EvKind::Refund => ("退款", "售后退款".to_string(), "退款支出"),
            EvKind::AdSpend => ("技术服务费", "推广费".to_string(), "多多搜索推广"),
            EvKind::FeeBack => ("技术服务费", "技术服务费退回".to_string(), "技术服务费退回"),
            EvKind::Adjust => ("调整", "结算调整".to_string(), "结算差异调整"),
        },
        Line::Settlement { .. } => ("交易收入", "订单收入".to_string(), "订单交易收入"),
        Line::Withdrawal { reference, .. } => ("提现", format!("提现单号 {reference}"), "余额提现至对公账户"),
    };
    r.push(kind);
    r.push(&memo);
    r.push(desc);
}

/// A Pinduoduo row (`pdd_row`) rewritten in the shape many platforms' 资金流水 share: the
/// time first, the order, the kind, 入账/出账 beside an unsigned amount, the balance after
/// it, the memo (a withdrawal's 提现单号 stays there).
pub fn generic_row(r: &mut Row, balance: Cents) {
    let c: Vec<String> = r.cells().to_vec();
    let (income, expense) = (&c[2], &c[3]);
    let (way, amount) = if income.is_empty() {
        ("出账", expense.trim_start_matches('-').to_string())
    } else {
        ("入账", income.clone())
    };
    r.clear();
    r.push(&c[1]);
    r.push(&c[0]);
    r.push(&c[4]);
    r.push(way);
    r.push(&amount);
    push_cents(r.cell(), balance);
    r.push(&c[5]);
}
