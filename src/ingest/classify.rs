//! Reading meaning from words: the settlement kind of a business type (业务类型 交易 /
//! 退款 / 提现 / 服务费 …), the sign of a direction cell (收入 / 支出 / 借 / 贷 / 入账),
//! and whether a status says no money moved (交易关闭).

/// The DESIGN.md settlement kinds, tried in this order so that, e.g., 交易退款 is a
/// refund rather than a sale and 佣金 a commission rather than a fee.
const KIND_WORDS: [(&str, &[&str]); 10] = [
    ("withdrawal", &["提现", "提款", "withdraw", "payout", "转出到银行", "打款到", "结算到卡"]),
    ("refund", &["退款", "退货", "售后", "refund", "chargeback", "return"]),
    ("commission", &["佣金", "扣点", "淘宝客", "commission", "referral"]),
    // Insurance on shipping (退换货运费险) is a premium paid, not freight.
    ("fee", &["运费险", "保费"]),
    ("shipping", &["运费", "快递费", "物流费", "配送费", "shipping", "freight", "postage"]),
    (
        "promotion",
        &[
            "推广",
            "营销",
            "直通车",
            "广告",
            "补贴",
            "优惠券",
            "红包",
            "京豆",
            "promotion",
            "advertis",
            "coupon",
            "marketing",
        ],
    ),
    ("fee", &["服务费", "手续费", "技术服务费", "费率", "年费", "保险", "fee"]),
    ("deposit", &["充值", "转入", "top-up", "topup", "deposit"]),
    (
        "adjustment",
        &["调整", "调账", "赔付", "罚款", "违规", "扣款", "保证金", "冲正", "adjustment", "correction", "reserve"],
    ),
    (
        "sale",
        &[
            "交易",
            "货款",
            "订单结算",
            "订单收入",
            "订单入账",
            "商品收入",
            "交易收入",
            "销售",
            "收款",
            "在线支付",
            "结算",
            "sale",
            "order",
            "payment",
            "charge",
            "settle",
        ],
    ),
];

/// The settlement kind of a business-type text, with the memo as a fallback and as a
/// refinement: Alipay books commissions as 业务类型 服务费 with 备注 天猫佣金.
pub fn settlement_kind(type_text: Option<&str>, memo: Option<&str>) -> &'static str {
    combine_kinds(type_text.and_then(kind_of), memo.and_then(kind_of))
}

/// The kind a type says, refined or supplied by what the memo says.
pub fn combine_kinds(from_type: Option<&'static str>, from_memo: Option<&'static str>) -> &'static str {
    match (from_type, from_memo) {
        (Some("fee"), Some(m @ ("commission" | "shipping" | "promotion"))) => m,
        (Some(t), _) => t,
        (None, Some(m)) => m,
        (None, None) => "other",
    }
}

/// The first kind whose words a text contains.
pub fn kind_of(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    KIND_WORDS.iter().find(|(_, words)| words.iter().any(|w| lower.contains(w))).map(|(kind, _)| *kind)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
    /// 不计收支, 中性交易, `/`: the export declines to say.
    Neutral,
}

/// The direction a cell states, or None when it is not a direction word at all.
pub fn direction(raw: &str) -> Option<Direction> {
    let s = raw.trim().to_lowercase();
    let s = s.as_str();
    // 应收 / 应付: JD's 商家应收/应付, what the merchant receives or pays.
    const IN: [&str; 17] = [
        "收入", "收", "入", "入账", "进账", "贷", "贷方", "贷 cr", "cr", "credit", "c", "in", "+", "收款", "转入",
        "存入", "应收",
    ];
    const OUT: [&str; 17] = [
        "支出", "支", "出", "出账", "借", "借方", "借 dr", "dr", "debit", "d", "out", "-", "付款", "转出", "取出",
        "扣款", "应付",
    ];
    if IN.contains(&s) {
        Some(Direction::In)
    } else if OUT.contains(&s) {
        Some(Direction::Out)
    } else if ["不计收支", "中性交易", "中性", "其他", "/"].contains(&s) {
        Some(Direction::Neutral)
    } else if s.starts_with("收入") || s.starts_with("贷") {
        Some(Direction::In)
    } else if s.starts_with("支出") || s.starts_with("借") {
        Some(Direction::Out)
    } else {
        None
    }
}

/// For a neutral row (不计收支, `/`): what moved money says which way it went — a move
/// between the holder's own accounts (提现 out, 充值 in), a refund that succeeded
/// (退款成功: money came back; the purchase it refunds is its own row), a repayment or a
/// purchase paid from the wallet (信用卡还款, 购买理财通: out). `texts` are the row's
/// type, memo and status; nothing else decides, and such a row is left out.
pub fn infer_direction(texts: &[Option<&str>]) -> Option<Direction> {
    // 卖出 a fund: the money comes back into the wallet (余额宝); 买入/申购 one: it leaves.
    const IN: [&str; 4] = ["充值", "转入", "存入", "卖出"];
    const OUT: [&str; 7] = ["提现", "转出", "取出", "还款", "购买", "买入", "申购"];
    if refund_came_back(texts) {
        return Some(Direction::In);
    }
    for text in texts.iter().flatten() {
        let first_in = IN.iter().filter_map(|w| text.find(w)).min();
        let first_out = OUT.iter().filter_map(|w| text.find(w)).min();
        match (first_in, first_out) {
            (Some(a), Some(b)) => return Some(if a < b { Direction::In } else { Direction::Out }),
            (Some(_), None) => return Some(Direction::In),
            (None, Some(_)) => return Some(Direction::Out),
            (None, None) => {}
        }
    }
    None
}

/// A refund that succeeded: money came back (退款 … 退款成功 / 已退款).
pub fn refund_came_back(texts: &[Option<&str>]) -> bool {
    let all: Vec<&str> = texts.iter().flatten().copied().collect();
    all.iter().any(|t| t.contains("退款")) && all.iter().any(|t| t.contains("退款成功") || t.contains("已退款"))
}

/// A status saying the transaction never completed, so no money moved.
pub fn no_money_moved(status: &str) -> bool {
    let s = status.to_lowercase();
    // Chinese wallets, then PayPal (English and German) and WeChat Pay's API words.
    [
        "关闭",
        "失败",
        "撤销",
        "已取消",
        "取消",
        "未支付",
        "未付款",
        "closed",
        "failed",
        "cancel",
        "declined",
        "voided",
        "pending",
        "ausstehend",
        "denied",
        "abgelehnt",
        "storniert",
        "fehlgeschlagen",
        "unclaimed",
        "revoked",
        "notpay",
        "userpaying",
        "payerror",
    ]
    .iter()
    .any(|w| s.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_business_types() {
        assert_eq!(settlement_kind(Some("交易"), None), "sale");
        assert_eq!(settlement_kind(Some("交易退款"), None), "refund");
        assert_eq!(settlement_kind(Some("提现"), None), "withdrawal");
        assert_eq!(settlement_kind(Some("服务费"), Some("天猫佣金")), "commission");
        assert_eq!(settlement_kind(Some("服务费"), Some("支付服务费")), "fee");
        assert_eq!(settlement_kind(Some("达人佣金"), None), "commission");
        assert_eq!(settlement_kind(Some("平台服务费"), None), "fee");
        assert_eq!(settlement_kind(Some("订单结算"), None), "sale");
        assert_eq!(settlement_kind(Some("售后退款"), None), "refund");
        assert_eq!(settlement_kind(None, Some("提现到对公账户")), "withdrawal");
        assert_eq!(settlement_kind(Some("转账"), None), "other");
        assert_eq!(settlement_kind(Some("退换货运费险"), None), "fee");
        assert_eq!(settlement_kind(Some("运费"), None), "shipping");
        assert_eq!(settlement_kind(Some("代收配送费"), None), "shipping");
        assert_eq!(settlement_kind(Some("随单送的京豆"), None), "promotion");
    }

    #[test]
    fn directions() {
        assert_eq!(direction("收入"), Some(Direction::In));
        assert_eq!(direction("贷 Cr"), Some(Direction::In));
        assert_eq!(direction("借 Dr"), Some(Direction::Out));
        assert_eq!(direction("出账"), Some(Direction::Out));
        assert_eq!(direction("应付"), Some(Direction::Out));
        assert_eq!(direction("不计收支"), Some(Direction::Neutral));
        assert_eq!(direction("商户消费"), None);
        assert_eq!(infer_direction(&[Some("退款-亲情卡")]), None);
        assert_eq!(infer_direction(&[Some("零钱提现")]), Some(Direction::Out));
        assert_eq!(infer_direction(&[Some("转入零钱通-来自工商银行(9876)")]), Some(Direction::In));
        assert_eq!(infer_direction(&[Some("转账")]), None);
        assert!(no_money_moved("交易关闭"));
        assert!(!no_money_moved("交易成功"));
    }
}
