//! The order book: what the stages of the generator hand each other about orders —
//! each order's record and fate, the wallet events it causes, its export row — below
//! every stage, so that no stage reads another's internals.

use super::model::{CMB_ACCOUNT, ICBC_ACCOUNT};

use rand::Rng;

use super::GeneratedFile;
use super::clock::{Clock, push_num};
use super::draw::{GenRng, scramble};
use super::model::{FeeKind, Style};
use super::money::Cents;
use super::platform::Platform;
use super::write::Row;

/// What was decided for an order; the truth status follows from this and the numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Placed in the last day and not paid by the export.
    Unpaid,
    /// Fully refunded before shipping: the money never reached the wallet.
    Cancelled,
    Normal,
    /// Confirmed by the buyer but never settled (planted).
    Lost,
    /// Settled with an amount that differs from what was paid (planted).
    Discrepancy,
    /// Paid by bank transfer; `settled` is what arrived in the bank.
    B2b,
}

#[derive(Clone, Copy, Debug)]
pub struct OrderRec {
    pub shop: u8,
    pub fate: Fate,
    pub product: u8,
    /// Day of the order (Pinduoduo ids start with it) and of the payment.
    pub day: u16,
    pub pay_day: u16,
    /// Per-platform sequence; ids derived from an order (trade no, after-sale no) use it.
    pub seq: u32,
    pub num: u64,
    pub paid: Cents,
    /// What its sale lines brought in before fees (B2B: what reached the bank); with a
    /// deduction no column explains (Douyin), less that.
    pub settled: Cents,
    pub refunded: Cents,
    pub fees: Cents,
    /// Settlement units: Douyin's sub-orders (each settled on a line of its own), else 1.
    pub units: u8,
    /// Units whose settlement line reached the wallet by the export.
    pub units_settled: u8,
    /// What the export's 实付金额 says (what is paid, or would be for an unpaid order).
    pub listed: Cents,
    /// What happened on the way ([`flag`]), for the truth's scenario.
    pub flags: u8,
}

/// Bits of `OrderRec::flags`.
pub mod flag {
    /// Settled (or due to settle) after its shop's cycle from shipment.
    pub const LATE: u8 = 1;
    /// Its sub-orders settle days apart.
    pub const SUB_APART: u8 = 2;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvKind {
    Sale,
    Fee(FeeKind),
    Refund,
    /// Tmall advertising top-up (直通车), not tied to an order.
    AdSpend,
    /// Part of a fee given back with a refund (WeChat's 退还交易手续费), positive.
    FeeBack,
    /// A deduction that no column of the settlement row explains (Douyin).
    Adjust,
}

/// One future wallet line. `order` indexes `Book::orders`, `NO_ORDER` when none; `sub`
/// is the sub-order (settlement unit) it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct Ev {
    pub t: i64,
    pub amount: Cents,
    pub order: u32,
    pub kind: EvKind,
    pub sub: u8,
}

impl Ev {
    pub fn new(t: i64, amount: Cents, order: u32, kind: EvKind) -> Ev {
        Ev { t, amount, order, kind, sub: 0 }
    }
}

/// A row of WeChat Pay's trade bill (交易账单) decided with the order: the payment, or a
/// refund made before the trade settled (the money never reached the fund bill).
#[derive(Clone, Copy, Debug)]
pub struct WxTrade {
    pub t: i64,
    pub order: u32,
    /// 0 for the payment; the refund's amount for a refund.
    pub refund: Cents,
    /// The fee as the bill states it: charged on a payment, negative when given back.
    pub fee: Cents,
}

pub const NO_ORDER: u32 = u32::MAX;

pub struct B2bPlan {
    pub order: u32,
    pub customer: usize,
    pub amount: Cents,
    /// Instalments that reached the bank before the export: (time, amount).
    pub payments: Vec<(i64, Cents)>,
}

pub struct Book {
    pub orders: Vec<OrderRec>,
    pub events: Vec<Vec<Ev>>,
    pub b2b: Vec<B2bPlan>,
    /// WeChat trade bill rows decided with the orders (refunds after the settlement are
    /// added by the wallet, which knows when they were paid).
    pub wx_trades: Vec<WxTrade>,
    /// Shipment times per order (seconds; -1: not shipped by the export), as the export
    /// shows them.
    pub ship_t: Vec<i64>,
    pub files: Vec<GeneratedFile>,
}

/// Numeric id of the `seq`-th order of a platform: unique, of the platform's length, and
/// random-looking (a scrambled sequence number and one random digit).
pub fn order_number(p: Platform, seq: u32, rng: &mut GenRng) -> u64 {
    let (base, modulus): (u64, u64) = match p {
        Platform::Tmall => (3_700_000_000_000_000_000, 10_000_000_000_000_000),
        Platform::Jd => (300_000_000_000, 10_000_000_000),
        Platform::Douyin => (6_920_000_000_000_000_000, 10_000_000_000_000_000),
        Platform::Pdd => (660_000_000_000_000, 10_000_000_000_000),
        // Ten digits after the date (order_files::push_order_id).
        Platform::Wechat => (0, 1_000_000_000),
        Platform::B2b => return u64::from(seq),
    };
    // A different offset per platform keeps the platforms' id sequences unrelated.
    let salt = (p as u64 + 1) * 1_000_003_777;
    base + scramble(u64::from(seq) + salt, modulus) * 10 + rng.random_range(0..10)
}

/// Where a WeChat order id's style sits in `OrderRec::num` (order_files::push_order_id).
pub const WECHAT_STYLE: u64 = 10_000_000_000;

/// Where an order stands at the export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum State {
    Unpaid,
    #[default]
    Paid,
    Shipped,
    /// Confirmed by the buyer (also for B2B: fully paid).
    Done,
    /// Refunded in full before shipping.
    Closed,
    /// Returned and refunded in full after settlement.
    Returned,
}

/// The order id as the platform prints it. WeChat and B2B ids come in the merchant's
/// style, which `OrderRec::num` carries (orders.rs).
pub fn push_order_id(out: &mut String, clock: &Clock, p: Platform, rec: &OrderRec) {
    let day = i64::from(rec.day);
    match p {
        Platform::Pdd => {
            clock.push_yymmdd(out, day);
            out.push('-');
            push_num(out, rec.num, 15);
        }
        Platform::Wechat => {
            if rec.num >= WECHAT_STYLE {
                out.push('E');
            }
            clock.push_compact_date(out, day);
            push_num(out, rec.num % WECHAT_STYLE, 10);
        }
        Platform::B2b => {
            let seq = (rec.num & 0xffff_ffff) + 1;
            match rec.num >> 32 {
                0 => {
                    out.push_str("B2B");
                    clock.push_compact_date(out, day);
                    push_num(out, seq, 4);
                }
                1 => {
                    out.push_str("HT-");
                    let mut d = String::with_capacity(8);
                    clock.push_compact_date(&mut d, day);
                    out.push_str(&d[..4]);
                    out.push('-');
                    push_num(out, seq, 4);
                }
                2 => {
                    out.push_str("SO");
                    clock.push_compact_date(out, day);
                    out.push('-');
                    push_num(out, seq % 1_000, 3);
                }
                _ => {
                    out.push_str("XS-");
                    let mut d = String::with_capacity(6);
                    clock.push_yymmdd(&mut d, day);
                    out.push_str(&d[..4]);
                    out.push('-');
                    push_num(out, seq, 5);
                }
            }
        }
        _ => push_num(out, rec.num, 1),
    }
}

/// What orders.rs decided about one order, for the export row.
#[derive(Default)]
pub struct OrderRow {
    pub shop: u8,
    pub order_t: i64,
    pub pay_t: Option<i64>,
    pub ship_t: Option<i64>,
    pub state: State,
    pub amount: Cents,
    pub payable: Cents,
    pub customer: usize,
    /// Units of the order's product.
    pub qty: u8,
    /// The warehouse's courier and tracking number (logistics.rs); empty when the order
    /// was not shipped (the tracking number alone may be missing).
    pub courier: &'static str,
    pub tracking: String,
    /// Whether the main stream draws a courier for the row, as it did before the warehouse
    /// chose them (for an order orders.rs shipped), so that later draws do not move.
    pub draw_courier: bool,
    /// The order file's buffers, reused row after row (order_files.rs).
    pub(super) cells: Row,
    pub(super) scratch: String,
    pub(super) drawn: String,
}

impl OrderRow {
    pub fn reset(&mut self, shop: u8, t: i64, amount: Cents, payable: Cents) {
        self.shop = shop;
        self.order_t = t;
        self.pay_t = None;
        self.ship_t = None;
        self.state = State::Paid;
        self.amount = amount;
        self.payable = payable;
        self.customer = 0;
        self.qty = 1;
        self.courier = "";
        self.tracking.clear();
        self.draw_courier = false;
    }
}

/// The export moment as an xlsx creation time in UTC: the export day, 09:00 Beijing time.
pub fn export_stamp(clock: &Clock) -> (u16, u8, u8, u16, u8) {
    use chrono::Datelike;
    let d = clock.date(i64::from(clock.days));
    (d.year() as u16, d.month() as u8, d.day() as u8, 1, 0)
}

/// The export day as `2026-11-01`.
pub fn date_dash(clock: &Clock) -> String {
    let mut s = String::new();
    clock.push_date(&mut s, i64::from(clock.days));
    s
}

/// The truth status of an order, as the reconciliation should conclude it (before its
/// due date makes an unsettled one overdue; score.rs adds that): refunded when closed
/// before settlement or refunds reach what was paid; settled when every settlement unit
/// is in and what arrived is what was due, a partial refund included; discrepancy when
/// every unit is in and it is not; partial when some units are in (Douyin sub-orders, a
/// B2B customer's instalments). A B2B transfer up to 2.00 short is paid, the shortfall
/// being the paying bank's fee.
pub fn status(o: &OrderRec) -> &'static str {
    match o.fate {
        Fate::Unpaid | Fate::Lost => "unsettled",
        Fate::Cancelled => "refunded",
        Fate::B2b if o.settled == 0 => "unsettled",
        Fate::B2b if o.settled + o.fees < o.paid || o.fees > B2B_FEE_MAX => "partial",
        Fate::B2b => "settled",
        Fate::Normal | Fate::Discrepancy if o.units_settled == 0 => "unsettled",
        Fate::Normal | Fate::Discrepancy if o.refunded > 0 && o.refunded >= o.paid => "refunded",
        Fate::Normal | Fate::Discrepancy if o.units_settled < o.units => "partial",
        Fate::Normal | Fate::Discrepancy if o.settled == o.paid => "settled",
        Fate::Normal | Fate::Discrepancy => "discrepancy",
    }
}

/// The largest shortfall of a B2B transfer that is the paying bank's fee (recon's
/// `transfer_fee_tolerance`).
pub const B2B_FEE_MAX: Cents = 200;

pub fn account_no(a: Account) -> &'static str {
    match a {
        Account::Icbc => ICBC_ACCOUNT,
        Account::Cmb => CMB_ACCOUNT,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Account {
    Icbc,
    Cmb,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BankKind {
    Payout,
    B2b,
    Salary,
    SocialInsurance,
    Tax,
    Supplier,
    Logistics,
    Rent,
    Utility,
    BankFee,
    Interest,
    SupplierRefund,
    InternalTransfer,
    Subsidy,
    Unknown,
    /// A planted second booking of a B2B credit (`--plant duplicate-payment`).
    Duplicate,
}

impl BankKind {
    pub fn code(self) -> &'static str {
        match self {
            BankKind::Payout => "payout",
            BankKind::B2b => "b2b",
            BankKind::Salary => "salary",
            BankKind::SocialInsurance => "social_insurance",
            BankKind::Tax => "tax",
            BankKind::Supplier => "supplier",
            BankKind::Logistics => "logistics",
            BankKind::Rent => "rent",
            BankKind::Utility => "utility",
            BankKind::BankFee => "bank_fee",
            BankKind::Interest => "interest",
            BankKind::SupplierRefund => "supplier_refund",
            BankKind::InternalTransfer => "internal_transfer",
            BankKind::Subsidy => "subsidy",
            BankKind::Unknown => "unknown",
            BankKind::Duplicate => "duplicate",
        }
    }
}

#[derive(Clone, Debug)]
pub struct BankLine {
    pub account: Account,
    pub t: i64,
    /// Signed: + is a credit (money in).
    pub amount: Cents,
    pub kind: BankKind,
    pub counterparty: String,
    pub cp_account: String,
    pub cp_bank: String,
    /// 摘要 and 用途 (CMB has one 交易备注 column and joins them).
    pub summary: String,
    pub purpose: String,
    /// Indices into `Wallets::payouts` that this credit pays out.
    pub payouts: Vec<usize>,
    /// (B2B plan, instalment) this credit pays: one, or several orders of one customer
    /// paid together.
    pub b2b: Vec<(usize, usize)>,
    /// The reference the memo quotes as written (whole or cut), if any.
    pub memo_ref: String,
    /// Paid from the account of a person paying for the company (法人代付).
    pub by_person: bool,
    /// Bank fee taken from the credited sum.
    pub fee: Cents,
    pub text_amount: bool,
    pub txn_id: String,
    pub balance: Cents,
    pub group: String,
    /// The bank booked this line a second time (a planted `Duplicate`).
    pub copied: bool,
}

impl BankLine {
    pub fn new(account: Account, t: i64, amount: Cents, kind: BankKind) -> Self {
        BankLine {
            account,
            t,
            amount,
            kind,
            counterparty: String::new(),
            cp_account: String::new(),
            cp_bank: String::new(),
            summary: String::new(),
            purpose: String::new(),
            payouts: Vec::new(),
            b2b: Vec::new(),
            memo_ref: String::new(),
            by_person: false,
            fee: 0,
            text_amount: false,
            txn_id: String::new(),
            balance: 0,
            group: String::new(),
            copied: false,
        }
    }

    pub fn party(mut self, name: String, account: &str, bank: &str) -> Self {
        self.counterparty = name;
        self.cp_account = account.to_string();
        self.cp_bank = bank.to_string();
        self
    }

    pub fn memo(mut self, summary: &str, purpose: &str) -> Self {
        self.summary = summary.to_string();
        self.purpose = purpose.to_string();
        self
    }
}

/// What one wallet line is, independent of the file layout.
pub enum Line<'a> {
    Event {
        kind: EvKind,
        order: Option<&'a OrderRec>,
    },
    /// A Douyin sub-order's settlement row with its fees as columns; the amount written
    /// is the net.
    Settlement {
        order: &'a OrderRec,
        sub: u8,
        gross: Cents,
        fees: DouyinFees,
    },
    Withdrawal {
        reference: &'a str,
        /// The statement's id for the line when the platform has one.
        flow_id: Option<&'a str>,
        /// Who asked for it (WeChat's 资金变更提交申请人).
        by: &'a str,
    },
}

/// What the deductions of a Douyin settlement row are, by column.
#[derive(Clone, Copy, Debug, Default)]
pub struct DouyinFees {
    /// 平台服务费 (with the payment fee when the bill has no 渠道分成 column).
    pub service: Cents,
    /// 佣金: the influencer's commission.
    pub commission: Cents,
    /// 渠道分成: the payment channel's share.
    pub channel: Cents,
    /// 招商服务费.
    pub activity: Cents,
}

impl DouyinFees {
    pub fn add(&mut self, kind: FeeKind, fee: Cents, style: &Style) {
        match kind {
            FeeKind::Influencer | FeeKind::Commission => self.commission += fee,
            FeeKind::PaymentFee if style.douyin_channel_share => self.channel += fee,
            FeeKind::Activity => self.activity += fee,
            _ => self.service += fee,
        }
    }

    pub fn total(&self) -> Cents {
        self.service + self.commission + self.channel + self.activity
    }
}
