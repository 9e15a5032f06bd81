//! Bank lines that match no payout: salaries, taxes, suppliers, rent, fees, interest,
//! supplier refunds, a subsidy, and credits from strangers, some copying a payout amount.
//!
//! Amounts scale with the monthly sales so that small and large data sets both read like
//! one company's books.

use rand::Rng;

use super::book::{Account, BankKind, BankLine};
use super::clock::{Clock, DAY, HOUR};
use super::draw::{GenRng, chance, one, pick};
use super::model::{CMB_ACCOUNT, COMPANY, ICBC_ACCOUNT, NoiseProfile, World};
use super::money::{Cents, YUAN, rate};
use super::names::person_name;
use super::parties::dirty;

/// A time on the working day on or after `day`, during office hours.
fn office(clock: &Clock, day: i64, rng: &mut GenRng) -> i64 {
    clock.roll_to_workday(day) * DAY + rng.random_range(9 * HOUR..17 * HOUR)
}

#[allow(clippy::too_many_arguments)]
pub fn unrelated(
    world: &World,
    clock: &Clock,
    noise: &NoiseProfile,
    monthly: Cents,
    icbc_opening: Cents,
    rng: &mut GenRng,
    lines: &mut Vec<BankLine>,
    payout_credits_n: usize,
) {
    let days = i64::from(clock.days);
    let end = clock.end();
    let rent = rate(monthly, 300) / (100 * YUAN) * (100 * YUAN) + 8_000 * YUAN;
    let month_starts: Vec<i64> = (0..days).filter(|&d| clock.day_of_month(d) == 1).collect();
    let payout_lines: Vec<(i64, Cents)> =
        lines.iter().filter(|l| l.kind == BankKind::Payout).map(|l| (l.t, l.amount)).collect();
    let mut push = |l: BankLine| {
        if l.t < end {
            lines.push(l);
        }
    };
    for &m0 in &month_starts {
        let month = clock.month_of(m0);
        let vary = |rng: &mut GenRng, bp_lo: u32, bp_hi: u32| rate(monthly, rng.random_range(bp_lo..=bp_hi));
        let t = office(clock, m0 + 9, rng);
        let salary = vary(rng, 700, 900);
        push(BankLine::new(Account::Icbc, t, -salary, BankKind::Salary).memo("代发工资", &format!("{month}月工资")));
        let t = office(clock, m0 + 14, rng);
        let si = vary(rng, 250, 300);
        push(
            BankLine::new(Account::Icbc, t, -si, BankKind::SocialInsurance)
                .party("杭州市社会保险管理服务中心".into(), "33001616727053000123", "中国建设银行股份有限公司杭州分行")
                .memo("社保费", "社会保险费"),
        );
        let vat = vary(rng, 130, 170);
        let treasury = ("国家金库杭州市西湖区支库", "270001234567", "国家金库杭州市西湖区支库");
        for (memo, amount) in [("增值税", vat), ("城市维护建设税", rate(vat, 700)), ("教育费附加", rate(vat, 300))]
        {
            push(
                BankLine::new(Account::Icbc, t + rng.random_range(1..600), -amount, BankKind::Tax)
                    .party(treasury.0.into(), treasury.1, treasury.2)
                    .memo("税费", memo),
            );
        }
        if matches!(month, 1 | 4 | 7 | 10) {
            push(
                BankLine::new(Account::Icbc, t + 900, -vary(rng, 150, 250), BankKind::Tax)
                    .party(treasury.0.into(), treasury.1, treasury.2)
                    .memo("税费", "企业所得税"),
            );
        }
        for _ in 0..rng.random_range(3..=6) {
            let s = pick(rng, &world.suppliers);
            let t = office(clock, m0 + rng.random_range(0..28), rng);
            push(
                BankLine::new(Account::Icbc, t, -vary(rng, 500, 1_100), BankKind::Supplier)
                    .party(s.name.clone(), &s.account, &s.bank)
                    .memo("货款", one(rng, &["采购款", "支付货款", ""])),
            );
            if chance(rng, 6_000) {
                push(
                    BankLine::new(Account::Icbc, t + 1, -rng.random_range(50..=1_500), BankKind::BankFee)
                        .memo("手续费", "跨行转账手续费"),
                );
            }
        }
        let t = office(clock, m0 + rng.random_range(3..8), rng);
        push(
            BankLine::new(Account::Icbc, t, -vary(rng, 300, 500), BankKind::Logistics)
                .party("中通快递股份有限公司".into(), "3301040160000987654", "中国工商银行股份有限公司上海分行")
                .memo("快递费", "月结运费"),
        );
        // Funds the smaller account for rent before it is due.
        let t = office(clock, m0, rng);
        let transfer = (rent + 12_000 * YUAN) / (1_000 * YUAN) * (1_000 * YUAN);
        push(
            BankLine::new(Account::Icbc, t, -transfer, BankKind::InternalTransfer)
                .party(COMPANY.into(), CMB_ACCOUNT, "招商银行股份有限公司杭州分行")
                .memo("内部调拨", "资金调拨"),
        );
        push(
            BankLine::new(Account::Cmb, t + rng.random_range(5..120), transfer, BankKind::InternalTransfer)
                .party(COMPANY.into(), ICBC_ACCOUNT, "中国工商银行股份有限公司杭州分行")
                .memo("转账", "资金调拨"),
        );
        let park = ("杭州西溪创意产业园管理有限公司", "571908765410201", "招商银行股份有限公司杭州分行");
        push(
            BankLine::new(Account::Cmb, office(clock, m0 + 4, rng), -rent, BankKind::Rent)
                .party(park.0.into(), park.1, park.2)
                .memo("房租", &format!("{month}月房租")),
        );
        push(
            BankLine::new(
                Account::Cmb,
                office(clock, m0 + 19, rng),
                -rng.random_range(1_500 * YUAN..4_000 * YUAN),
                BankKind::Utility,
            )
            .party(park.0.into(), park.1, park.2)
            .memo("物业水电", "物业费及水电费"),
        );
        push(
            BankLine::new(
                Account::Cmb,
                office(clock, m0 + 24, rng),
                -rng.random_range(300 * YUAN..900 * YUAN),
                BankKind::Utility,
            )
            .party("杭州云端网络科技有限公司".into(), "33050161234500000321", "中国农业银行股份有限公司杭州分行")
            .memo("网络服务费", "宽带及云服务"),
        );
        for acct in [Account::Icbc, Account::Cmb] {
            let t = clock.roll_to_workday(m0 + 20) * DAY + 16 * HOUR + rng.random_range(0..HOUR);
            push(
                BankLine::new(acct, t, -[5_000, 3_000][acct as usize], BankKind::BankFee)
                    .memo("账户管理费", "对公账户管理费"),
            );
        }
        if matches!(month, 3 | 6 | 9 | 12) {
            let d = clock.roll_to_workday(m0 + 20);
            let interest = rate(icbc_opening + monthly, 35) / 4;
            push(
                BankLine::new(Account::Icbc, d * DAY + 2 * HOUR, interest, BankKind::Interest)
                    .memo("结息", "活期存款利息"),
            );
            push(
                BankLine::new(Account::Cmb, d * DAY + 2 * HOUR, rate(rent, 20), BankKind::Interest)
                    .memo("利息", "活期结息"),
            );
        }
        if chance(rng, 5_000) {
            let s = pick(rng, &world.suppliers);
            let t = office(clock, m0 + rng.random_range(0..28), rng);
            push(
                BankLine::new(Account::Icbc, t, vary(rng, 5, 80), BankKind::SupplierRefund)
                    .party(s.bank_name(rng, noise.variant_tiers), &s.account, &s.bank)
                    .memo("退款", one(rng, &["退货款", "质量问题退款", "多付款退回"])),
            );
        }
    }
    if let Some(&m0) = month_starts.get(2) {
        push(
            BankLine::new(Account::Icbc, office(clock, m0 + 15, rng), 35_000 * YUAN, BankKind::Subsidy)
                .party("杭州市西湖区商务局".into(), "19033101040000456", "中国农业银行股份有限公司杭州分行")
                .memo("补贴", "电商发展专项补助资金"),
        );
    }
    let unknown =
        (payout_credits_n as u64 * u64::from(noise.unknown_credit_per_10k) / 10_000).max(noise.unknown_credit_min);
    for _ in 0..unknown {
        let decoy = !payout_lines.is_empty() && chance(rng, noise.decoy_per_10k);
        let (t, amount) = if decoy {
            let &(pt, amount) = pick(rng, &payout_lines);
            (office(clock, pt / DAY + rng.random_range(0..3), rng), amount)
        } else {
            (office(clock, rng.random_range(0..days), rng), rng.random_range(50 * YUAN..20_000 * YUAN))
        };
        let name = if chance(rng, 6_000) {
            person_name(rng)
        } else {
            pick(
                rng,
                &["杭州鼎盛商务咨询有限公司", "温州市瑞丰贸易商行", "上海恒越信息科技有限公司", "宁波海创电子有限公司"],
            )
            .to_string()
        };
        let summary = one(rng, &["转账", "往来款", "", "退款", "汇入汇款"]);
        push(
            BankLine::new(Account::Icbc, t, amount, BankKind::Unknown)
                .party(dirty(rng, &name, noise.dirty_per_10k), "", "")
                .memo(summary, ""),
        );
    }
}
