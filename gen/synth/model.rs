//! The merchant: its shops, each platform's fees, settlement lag and withdrawal habit,
//! and the knobs that `--noise` turns.

use super::Noise;
use super::clock::{DAY, HOUR, MINUTE};
use super::draw::GenRng;
use super::parties::{self, Party};
use super::platform::Platform;

pub const COMPANY: &str = "杭州云帆电子商务有限公司";
pub const ALIPAY_LOGIN: &str = "finance@yunfan-ec.com";
pub const ICBC_ACCOUNT: &str = "1202020009000123456";
pub const CMB_ACCOUNT: &str = "755912345610001";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeKind {
    /// Category commission (天猫佣金, 京东佣金).
    Commission,
    /// Payment channel fee (支付服务费, 0.6%).
    PaymentFee,
    /// Platform service fee (京东平台服务费, 抖音技术服务费, 拼多多技术服务费).
    ServiceFee,
    /// Douyin influencer commission, charged only on orders sold through a live room.
    Influencer,
    /// Douyin's 招商服务费, on orders sold through a 团长's activity (only where the bill
    /// has the column).
    Activity,
}

#[derive(Clone, Copy, Debug)]
pub struct FeeRule {
    pub kind: FeeKind,
    /// Rates in basis points; one is drawn per order when there are several.
    pub bp: &'static [u32],
    /// Share of orders the fee applies to.
    pub applies_per_10k: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Habit {
    /// Alipay auto-withdrawal: the whole balance every night.
    DailyAuto,
    /// Every Monday morning, the whole balance.
    Weekly,
    /// Every two or three days, the whole balance.
    EveryFewDays,
    /// By hand at irregular intervals, usually a round amount.
    Manual,
}

#[derive(Clone, Debug)]
pub struct Shop {
    pub platform: Platform,
    pub name: &'static str,
    pub slug: &'static str,
    /// Share of all orders, in parts per ten thousand.
    pub share_bp: u64,
    pub fees: &'static [FeeRule],
    /// Seconds from the buyer's confirmation to the sale line in the wallet.
    pub settle_lag: (i64, i64),
    /// The fewest seconds from shipment to the sale line (delivery, confirmation, lag).
    pub settle_min: i64,
    pub habit: Habit,
    /// Days from shipment by which the platform settles an order (B2B: the customers'
    /// terms), recon's default `cycle_days` for the platform (settings.rs): most orders
    /// settle within it, the last tenth or so on its last day, and with noise a few
    /// after it (late). The truth's due date is the shipment's day plus these days.
    pub cycle_days: i64,
}

const TMALL_FLAGSHIP_FEES: &[FeeRule] = &[
    FeeRule { kind: FeeKind::Commission, bp: &[500], applies_per_10k: 10_000 },
    FeeRule { kind: FeeKind::PaymentFee, bp: &[60], applies_per_10k: 10_000 },
];
const TMALL_HOME_FEES: &[FeeRule] = &[
    FeeRule { kind: FeeKind::Commission, bp: &[400], applies_per_10k: 10_000 },
    FeeRule { kind: FeeKind::PaymentFee, bp: &[60], applies_per_10k: 10_000 },
];
const JD_OFFICIAL_FEES: &[FeeRule] = &[
    FeeRule { kind: FeeKind::Commission, bp: &[600], applies_per_10k: 10_000 },
    FeeRule { kind: FeeKind::ServiceFee, bp: &[60], applies_per_10k: 10_000 },
];
const JD_DIGITAL_FEES: &[FeeRule] = &[
    FeeRule { kind: FeeKind::Commission, bp: &[750], applies_per_10k: 10_000 },
    FeeRule { kind: FeeKind::ServiceFee, bp: &[60], applies_per_10k: 10_000 },
];
const DOUYIN_FEES: &[FeeRule] = &[
    FeeRule { kind: FeeKind::ServiceFee, bp: &[500], applies_per_10k: 10_000 },
    FeeRule { kind: FeeKind::PaymentFee, bp: &[60], applies_per_10k: 10_000 },
    FeeRule { kind: FeeKind::Influencer, bp: &[1000, 1500, 2000], applies_per_10k: 3_000 },
];
const PDD_FEES: &[FeeRule] = &[FeeRule { kind: FeeKind::ServiceFee, bp: &[60], applies_per_10k: 10_000 }];
/// WeChat Pay's 0.6% on every payment (手续费 of the trade bill).
const WECHAT_FEES: &[FeeRule] = &[FeeRule { kind: FeeKind::PaymentFee, bp: &[60], applies_per_10k: 10_000 }];

pub fn shops() -> Vec<Shop> {
    vec![
        Shop {
            platform: Platform::Tmall,
            name: "云帆天猫旗舰店",
            slug: "flagship",
            share_bp: 2700,
            fees: TMALL_FLAGSHIP_FEES,
            settle_lag: (5, 2 * MINUTE),
            settle_min: 4 * DAY,
            habit: Habit::DailyAuto,
            cycle_days: 15,
        },
        Shop {
            platform: Platform::Tmall,
            name: "云帆家居专营店",
            slug: "home",
            share_bp: 1100,
            fees: TMALL_HOME_FEES,
            settle_lag: (5, 2 * MINUTE),
            settle_min: 4 * DAY,
            habit: Habit::DailyAuto,
            cycle_days: 15,
        },
        Shop {
            platform: Platform::Jd,
            name: "云帆京东官方旗舰店",
            slug: "official",
            share_bp: 1200,
            fees: JD_OFFICIAL_FEES,
            settle_lag: (DAY, 3 * DAY),
            settle_min: 5 * DAY,
            habit: Habit::Weekly,
            cycle_days: 15,
        },
        Shop {
            platform: Platform::Jd,
            name: "云帆数码京东专卖店",
            slug: "digital",
            share_bp: 700,
            fees: JD_DIGITAL_FEES,
            settle_lag: (DAY, 3 * DAY),
            settle_min: 5 * DAY,
            habit: Habit::Weekly,
            cycle_days: 15,
        },
        Shop {
            platform: Platform::Douyin,
            name: "云帆抖音官方旗舰店",
            slug: "flagship",
            share_bp: 1800,
            fees: DOUYIN_FEES,
            settle_lag: (7 * DAY, 7 * DAY + 12 * HOUR),
            settle_min: 8 * DAY + 12 * HOUR,
            habit: Habit::EveryFewDays,
            cycle_days: 15,
        },
        Shop {
            platform: Platform::Pdd,
            name: "云帆优选拼多多店",
            slug: "youxuan",
            share_bp: 1200,
            fees: PDD_FEES,
            settle_lag: (MINUTE, DAY),
            settle_min: 4 * DAY,
            habit: Habit::Manual,
            cycle_days: 15,
        },
        Shop {
            platform: Platform::Wechat,
            name: "云帆优选小程序商城",
            slug: "miniapp",
            share_bp: 1100,
            fees: WECHAT_FEES,
            settle_lag: (MINUTE, 2 * HOUR),
            settle_min: 3 * DAY,
            habit: Habit::Manual,
            cycle_days: 10,
        },
        Shop {
            platform: Platform::B2b,
            name: "企业客户部",
            slug: "b2b",
            share_bp: 200,
            fees: &[],
            settle_lag: (0, 0),
            settle_min: 0,
            habit: Habit::Manual,
            cycle_days: 30,
        },
    ]
}

/// Everything `--noise` changes. Counts of planted cases are `base + payouts / per`.
#[derive(Clone, Debug)]
pub struct NoiseProfile {
    /// Weights of a bank credit arriving 0, 1, 2, ... working days after the withdrawal.
    pub lag_weights: &'static [u32],
    pub n1_base: usize,
    pub n1_per: usize,
    pub n1_max_members: usize,
    pub fee_base: usize,
    pub fee_per: usize,
    pub lost_base: usize,
    pub lost_per: usize,
    /// Share of Pinduoduo withdrawals made for a round amount.
    pub round_per_10k: u32,
    /// Credits from unknown counterparties, relative to the number of payout credits.
    pub unknown_credit_per_10k: u32,
    /// Unknown credits that copy the amount of a nearby payout (an equal-amount decoy).
    pub decoy_per_10k: u32,
    /// Cells with surrounding spaces or a trailing tab.
    pub dirty_per_10k: u32,
    /// Bank amounts written as text with thousands separators.
    pub text_amount_per_10k: u32,
    /// Payout credits whose memo carries the withdrawal reference.
    pub ref_in_memo_per_10k: u32,
    /// How many tiers of counterparty-name variants are in use (1 = tame, 2 = wild too).
    pub variant_tiers: u8,
    /// Some orders are confirmed but never settled, or settled for another amount.
    pub order_faults: bool,
    /// Orders settled after their shop's `cycle_days` from shipment (late); the others
    /// settle within it.
    pub late_per_10k: u32,
    /// Bank working days follow the published holiday calendar (no credit on 国庆 or
    /// 春节, make-up working days worked); otherwise Monday to Friday.
    pub holidays: bool,
    /// How many ways the exports spell the same thing, 0 to 2: the channel words of the
    /// order exports' 平台 column, the B2B export's party columns and its order ids'
    /// form, how bank memos quote ids (whole, glued to text, cut to their first or last
    /// characters), how banks print a customer's name. 0 keeps the clean set's one way.
    pub variety: u8,
    /// Douyin settles by sub-order, its fees as columns of the settlement row (订单实付应结,
    /// 运费实付, 平台服务费, 佣金 …); otherwise one sale line per order and fee lines.
    pub douyin_columns: bool,
    /// Orders of several sub-orders whose sub-orders settle days apart.
    pub sub_apart_per_10k: u32,
    /// B2B transfers arriving short by the paying bank's fee (0.50 to 2.00).
    pub b2b_fee_per_10k: u32,
    /// B2B payments made from a person's account for the company (法人代付).
    pub b2b_person_per_10k: u32,
    /// B2B customers paying two open orders with one transfer.
    pub b2b_combined_per_10k: u32,
    /// Payout credits whose quoted reference is cut to its first or last characters.
    pub cut_ref_per_10k: u32,
    /// N:1 credits whose memo quotes one of the payouts in them.
    pub n1_quote_per_10k: u32,
    /// WeChat withdrawal days split into several equal round withdrawals.
    pub split_withdrawal_per_10k: u32,
    /// Every B2B order is paid in full by its due date; otherwise some are never paid and
    /// some balances come weeks late.
    pub b2b_on_time: bool,
    /// Refunds and the fees charged on only some orders are kept near their usual share
    /// in every shop-month (even.rs); otherwise chance may pile them up in one.
    pub even_months: bool,
    /// A payout credit always quotes the withdrawal's reference when another payout of
    /// the platform has the same amount within a week, so that no pairing is a guess;
    /// otherwise only as often as `ref_in_memo_per_10k` says.
    pub quote_twins: bool,
    /// Lost payouts per platform at least, once it has ten payouts.
    pub lost_min: usize,
    /// Credits from unknown counterparties at least.
    pub unknown_credit_min: u64,
}

/// `per` for a kind of planted case that never happens.
const NEVER: usize = usize::MAX;

impl NoiseProfile {
    /// `None` is `Low` without anything an analysis should report: no lost, wrong or late
    /// orders, B2B paid on time, refunds and part-time fees even across months, one bank
    /// credit per payout within a working day and told apart from its look-alikes by its
    /// reference, no deducted fees, no strangers' credits, no stray whitespace; and in
    /// one spelling: plain weekdays, platform names in the 平台 column, one order per
    /// Douyin settlement line, the legacy B2B export. What is merely a habit (round
    /// withdrawals, name variants, memos) stays as in `Low`. `High` has more of every
    /// trap and every spelling.
    pub fn for_level(level: Noise) -> Self {
        match level {
            Noise::None => NoiseProfile {
                lag_weights: &[75, 25],
                n1_base: 0,
                n1_per: NEVER,
                n1_max_members: 2,
                fee_base: 0,
                fee_per: NEVER,
                lost_base: 0,
                lost_per: NEVER,
                round_per_10k: 7_000,
                unknown_credit_per_10k: 0,
                decoy_per_10k: 0,
                dirty_per_10k: 0,
                text_amount_per_10k: 0,
                ref_in_memo_per_10k: 4_500,
                variant_tiers: 1,
                order_faults: false,
                late_per_10k: 0,
                holidays: false,
                variety: 0,
                douyin_columns: false,
                sub_apart_per_10k: 0,
                b2b_fee_per_10k: 0,
                b2b_person_per_10k: 0,
                b2b_combined_per_10k: 0,
                cut_ref_per_10k: 0,
                n1_quote_per_10k: 0,
                split_withdrawal_per_10k: 0,
                b2b_on_time: true,
                even_months: true,
                quote_twins: true,
                lost_min: 0,
                unknown_credit_min: 0,
            },
            Noise::Low => NoiseProfile {
                lag_weights: &[70, 25, 5],
                n1_base: 1,
                n1_per: 250,
                n1_max_members: 3,
                fee_base: 1,
                fee_per: 300,
                lost_base: 0,
                lost_per: 300,
                round_per_10k: 7_000,
                unknown_credit_per_10k: 100,
                decoy_per_10k: 1_000,
                dirty_per_10k: 20,
                text_amount_per_10k: 0,
                ref_in_memo_per_10k: 4_500,
                variant_tiers: 1,
                order_faults: true,
                late_per_10k: 100,
                holidays: true,
                variety: 1,
                douyin_columns: true,
                sub_apart_per_10k: 2_500,
                b2b_fee_per_10k: 1_000,
                b2b_person_per_10k: 500,
                b2b_combined_per_10k: 0,
                cut_ref_per_10k: 3_000,
                n1_quote_per_10k: 3_000,
                split_withdrawal_per_10k: 1_000,
                b2b_on_time: false,
                even_months: false,
                quote_twins: false,
                lost_min: 1,
                unknown_credit_min: 2,
            },
            Noise::High => NoiseProfile {
                lag_weights: &[45, 25, 12, 8, 6, 4],
                n1_base: 3,
                n1_per: 60,
                n1_max_members: 5,
                fee_base: 3,
                fee_per: 50,
                lost_base: 1,
                lost_per: 150,
                round_per_10k: 9_500,
                unknown_credit_per_10k: 500,
                decoy_per_10k: 4_000,
                dirty_per_10k: 600,
                text_amount_per_10k: 1_500,
                ref_in_memo_per_10k: 2_500,
                variant_tiers: 2,
                order_faults: true,
                late_per_10k: 150,
                holidays: true,
                variety: 2,
                douyin_columns: true,
                sub_apart_per_10k: 3_500,
                b2b_fee_per_10k: 1_500,
                b2b_person_per_10k: 1_200,
                b2b_combined_per_10k: 2_500,
                cut_ref_per_10k: 5_000,
                n1_quote_per_10k: 6_000,
                split_withdrawal_per_10k: 3_500,
                b2b_on_time: false,
                even_months: false,
                quote_twins: false,
                lost_min: 1,
                unknown_credit_min: 2,
            },
        }
    }

    /// How many planted cases among `n` payouts.
    pub fn planted(base: usize, per: usize, n: usize) -> usize {
        base + n / per.max(1)
    }
}

/// How this merchant's exports spell things: fixed per data set, drawn from the seed
/// (with `variety` 0, the one legacy spelling).
#[derive(Clone, Debug)]
pub struct Style {
    /// The 平台 column of each shop's order export (indexed like `World::shops`).
    pub labels: Vec<&'static str>,
    /// The mini-program shop system writes the channel per order (微信小程序, 小程序商城,
    /// 视频号小店), not one word for the shop.
    pub wechat_mixed: bool,
    /// WeChat merchant order ids: 0 digits only, 1 a leading `E`.
    pub wechat_id: u8,
    /// B2B order ids: 0 `B2B20260314 0001`, 1 `HT-2026-0001`, 2 `SO20260314-001`,
    /// 3 `XS-2603-00001`.
    pub b2b_id: u8,
    /// The B2B export: 0 the customer in 客户名称; 1 also 实付金额, 发货时间, 买家昵称 (the
    /// company, as the sales clerk typed it) and 收货人 (a person); 2 as 1 without 客户名称.
    pub b2b_layout: u8,
    /// Douyin's bill has the 渠道分成 column (else the payment fee is in 平台服务费).
    pub douyin_channel_share: bool,
    /// Douyin's bill has the 招商服务费 column, and some orders pay it.
    pub douyin_activity: bool,
    /// WeChat's fund bill writes （元） full-width (else (元)).
    pub wechat_full_parens: bool,
    /// The Pinduoduo shop's orders come out of the merchant's ERP (聚水潭 style), not the
    /// platform's backend: 线上订单号 for the platform's id, the ERP's own 内部订单号 beside it.
    pub pdd_erp: bool,
    /// The Pinduoduo wallet's bill comes in a layout no named format knows (a 资金流水 as
    /// 快手小店 and 小红书 write theirs: 收支方向 beside an unsigned amount, a balance), with
    /// no platform word in it: the platform is the file's name.
    pub pdd_generic_ledger: bool,
}

impl Style {
    pub fn new(noise: &NoiseProfile, shops: &[Shop], rng: &mut GenRng) -> Style {
        use super::draw::{chance, one};
        let mut labels: Vec<&'static str> = shops.iter().map(|s| s.platform.label()).collect();
        if noise.variety == 0 {
            return Style {
                labels,
                wechat_mixed: false,
                wechat_id: 0,
                b2b_id: 0,
                b2b_layout: 0,
                douyin_channel_share: false,
                douyin_activity: false,
                wechat_full_parens: true,
                pdd_erp: false,
                pdd_generic_ledger: false,
            };
        }
        for (label, shop) in labels.iter_mut().zip(shops) {
            *label = match (shop.platform, shop.slug) {
                (Platform::Tmall, "flagship") => "天猫",
                (Platform::Tmall, _) => one(rng, &["天猫", "淘宝"]),
                (Platform::Jd, _) => one(rng, &["京东", "京东商城"]),
                (Platform::Douyin, _) => one(rng, &["抖音", "抖店", "抖音小店"]),
                (Platform::Pdd, _) => "拼多多",
                (Platform::Wechat, _) => one(rng, &["微信小程序", "小程序商城", "视频号小店"]),
                (Platform::B2b, _) => one(rng, &["线下", "B2B", "企业客户", "对公", "经销商"]),
            };
        }
        use rand::Rng;
        let high = noise.variety >= 2;
        Style {
            labels,
            wechat_mixed: high,
            wechat_id: rng.random_range(0..2),
            b2b_id: rng.random_range(1..4),
            b2b_layout: if high { 2 } else { 1 },
            douyin_channel_share: high || chance(rng, 5_000),
            douyin_activity: high,
            wechat_full_parens: chance(rng, 5_000),
            pdd_erp: true,
            pdd_generic_ledger: high,
        }
    }
}

/// The fixed cast: shops, the company's customers, suppliers and the platforms' payers.
pub struct World {
    pub shops: Vec<Shop>,
    pub style: Style,
    pub customers: Vec<Party>,
    pub suppliers: Vec<Party>,
    /// Index = `Platform as usize` for the wallet platforms.
    pub payers: Vec<Vec<parties::PayerName>>,
}

impl World {
    pub fn new(rng: &mut GenRng) -> Self {
        let shops = shops();
        let style = Style::new(&NoiseProfile::for_level(Noise::None), &shops, rng);
        World {
            shops,
            style,
            customers: parties::b2b_customers(rng),
            suppliers: parties::suppliers(rng),
            payers: WALLET_PLATFORMS.iter().map(|&p| parties::platform_payers(p, rng)).collect(),
        }
    }
}

pub const WALLET_PLATFORMS: [Platform; 5] =
    [Platform::Tmall, Platform::Jd, Platform::Douyin, Platform::Pdd, Platform::Wechat];
