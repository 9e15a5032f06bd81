//! The merchant: its shops, each platform's fees, settlement lag and withdrawal habit,
//! and the knobs that `--noise` turns.

use super::Noise;
use super::clock::{DAY, HOUR, MINUTE};
use super::draw::GenRng;
use super::parties::{self, Party};

pub const COMPANY: &str = "杭州云帆电子商务有限公司";
pub const ALIPAY_LOGIN: &str = "finance@yunfan-ec.com";
pub const ICBC_ACCOUNT: &str = "1202020009000123456";
pub const CMB_ACCOUNT: &str = "755912345610001";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Platform {
    Tmall,
    Jd,
    Douyin,
    Pdd,
    B2b,
}

impl Platform {
    /// The canonical `platform` value of the SQL tables.
    pub fn code(self) -> &'static str {
        match self {
            Platform::Tmall => "tmall",
            Platform::Jd => "jd",
            Platform::Douyin => "douyin",
            Platform::Pdd => "pdd",
            Platform::B2b => "b2b",
        }
    }

    /// What the platform's own export writes in its 平台 column.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Tmall => "天猫",
            Platform::Jd => "京东",
            Platform::Douyin => "抖音",
            Platform::Pdd => "拼多多",
            Platform::B2b => "线下",
        }
    }
}

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
    pub habit: Habit,
    /// Days from payment by which the reconciliation expects an order settled: the
    /// platform's default `cycle_days` in settings.rs (B2B: the customers' terms). The
    /// clean data set keeps every order inside it.
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

pub fn shops() -> Vec<Shop> {
    vec![
        Shop {
            platform: Platform::Tmall,
            name: "云帆天猫旗舰店",
            slug: "flagship",
            share_bp: 3000,
            fees: TMALL_FLAGSHIP_FEES,
            settle_lag: (5, 2 * MINUTE),
            habit: Habit::DailyAuto,
            cycle_days: 20,
        },
        Shop {
            platform: Platform::Tmall,
            name: "云帆家居专营店",
            slug: "home",
            share_bp: 1200,
            fees: TMALL_HOME_FEES,
            settle_lag: (5, 2 * MINUTE),
            habit: Habit::DailyAuto,
            cycle_days: 20,
        },
        Shop {
            platform: Platform::Jd,
            name: "云帆京东官方旗舰店",
            slug: "official",
            share_bp: 1400,
            fees: JD_OFFICIAL_FEES,
            settle_lag: (DAY, 3 * DAY),
            habit: Habit::Weekly,
            cycle_days: 15,
        },
        Shop {
            platform: Platform::Jd,
            name: "云帆数码京东专卖店",
            slug: "digital",
            share_bp: 800,
            fees: JD_DIGITAL_FEES,
            settle_lag: (DAY, 3 * DAY),
            habit: Habit::Weekly,
            cycle_days: 15,
        },
        Shop {
            platform: Platform::Douyin,
            name: "云帆抖音官方旗舰店",
            slug: "flagship",
            share_bp: 2000,
            fees: DOUYIN_FEES,
            settle_lag: (7 * DAY, 7 * DAY + 12 * HOUR),
            habit: Habit::EveryFewDays,
            cycle_days: 20,
        },
        Shop {
            platform: Platform::Pdd,
            name: "云帆优选拼多多店",
            slug: "youxuan",
            share_bp: 1570,
            fees: PDD_FEES,
            settle_lag: (MINUTE, DAY),
            habit: Habit::Manual,
            cycle_days: 20,
        },
        Shop {
            platform: Platform::B2b,
            name: "企业客户部",
            slug: "b2b",
            share_bp: 30,
            fees: &[],
            settle_lag: (0, 0),
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
    /// Buyers confirm early enough for every order to settle within its shop's
    /// `cycle_days`; otherwise a slow confirmation may take it past the due date.
    pub settle_in_cycle: bool,
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
    /// reference, no deducted fees, no strangers' credits, no stray whitespace. What is
    /// merely a habit (round Pinduoduo withdrawals, name variants, memos) stays as in
    /// `Low`; its own draws may differ from `Low`'s, which stays byte for byte as it was.
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
                settle_in_cycle: true,
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
                settle_in_cycle: false,
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
                settle_in_cycle: false,
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

/// The fixed cast: shops, the company's customers, suppliers and the platforms' payers.
pub struct World {
    pub shops: Vec<Shop>,
    pub customers: Vec<Party>,
    pub suppliers: Vec<Party>,
    /// Index = `Platform as usize` for the four wallet platforms.
    pub payers: Vec<Vec<parties::PayerName>>,
}

impl World {
    pub fn new(rng: &mut GenRng) -> Self {
        World {
            shops: shops(),
            customers: parties::b2b_customers(rng),
            suppliers: parties::suppliers(rng),
            payers: [Platform::Tmall, Platform::Jd, Platform::Douyin, Platform::Pdd]
                .iter()
                .map(|&p| parties::platform_payers(p, rng))
                .collect(),
        }
    }
}

pub const WALLET_PLATFORMS: [Platform; 4] = [Platform::Tmall, Platform::Jd, Platform::Douyin, Platform::Pdd];
