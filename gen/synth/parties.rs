//! Companies and how bank statements spell them: B2B customers, suppliers, the
//! platforms' paying companies, plus the stray whitespace of hand-exported cells.
//!
//! Company names are invented except the platforms' payment companies, whose real names
//! are what a bank prints; each has tame variants (abbreviations, half-width brackets)
//! seen in any statement, and wild ones used mostly with `--noise high`.

use rand::Rng;

use super::clock::push_num;
use super::draw::{GenRng, chance, one, pick, weighted};
use super::platform::Platform;

/// A company as the merchant's books know it, and the names a bank may print instead.
#[derive(Clone, Debug)]
pub struct Party {
    pub name: String,
    /// Abbreviations and spellings seen in any statement.
    pub tame: Vec<String>,
    /// Stranger spellings, used only with `--noise high`.
    pub wild: Vec<String>,
    pub account: String,
    pub bank: String,
    /// How a sales clerk types the company into an order (the legal name, without the
    /// city, the trade name, the city in brackets).
    pub typed: Vec<String>,
    /// A person who sometimes pays for the company from an account of their own (法人代付):
    /// name, account, bank.
    pub person: (String, String, String),
}

impl Party {
    /// The name printed on one bank line.
    pub fn bank_name(&self, rng: &mut GenRng, tiers: u8) -> String {
        let wild = tiers >= 2 && !self.wild.is_empty();
        let r = rng.random_range(0..100u32);
        let canonical = if wild { 40 } else { 60 };
        if r < canonical || self.tame.is_empty() {
            self.name.clone()
        } else if wild && r >= 80 {
            pick(rng, &self.wild).clone()
        } else {
            pick(rng, &self.tame).clone()
        }
    }

    /// The company as an order's 买家昵称 gives it: mostly the legal name, with `layout` 2
    /// (no 客户名称 column beside it) in any of the clerks' spellings.
    pub fn typed_name(&self, rng: &mut GenRng, layout: u8) -> String {
        let odds = if layout >= 2 { 5_000 } else { 2_500 };
        if self.typed.is_empty() || !chance(rng, odds) { self.name.clone() } else { pick(rng, &self.typed).clone() }
    }
}

const BANKS: &[&str] = &[
    "中国工商银行股份有限公司",
    "中国建设银行股份有限公司",
    "招商银行股份有限公司",
    "中国农业银行股份有限公司",
    "中国银行股份有限公司",
    "交通银行股份有限公司",
    "上海浦东发展银行股份有限公司",
    "兴业银行股份有限公司",
    "中信银行股份有限公司",
];

const BRANCH_CITIES: &[&str] = &["杭州", "深圳", "上海", "广州", "苏州", "南京", "宁波", "北京", "成都", "武汉"];

fn bank_account(rng: &mut GenRng) -> (String, String) {
    let mut acct = String::with_capacity(19);
    push_num(&mut acct, rng.random_range(1..10), 1);
    for _ in 0..rng.random_range(14..19) {
        acct.push((b'0' + rng.random_range(0..10u8)) as char);
    }
    let city = one(rng, BRANCH_CITIES);
    let bank = match rng.random_range(0..3) {
        0 => format!("{}{city}分行营业部", one(rng, BANKS)),
        1 => format!("{}{city}分行", one(rng, BANKS)),
        _ => format!("{}{city}{}支行", one(rng, BANKS), one(rng, &["城东", "高新", "滨江", "中山路", "西湖"])),
    };
    (acct, bank)
}

/// `city` is written as in the legal name (深圳市, 上海); `stem` is the trade name.
fn company(rng: &mut GenRng, city: &str, stem: &str, trade: &str) -> Party {
    let name = format!("{city}{stem}{trade}有限公司");
    let city_bare = city.trim_end_matches('市');
    let mut tame = vec![format!("{stem}{trade}"), format!("{city}{stem}{trade}")];
    if city_bare != city {
        tame.push(format!("{city_bare}{stem}{trade}有限公司"));
    }
    // A bank that cuts the name at its field's length, a name with the city in brackets.
    let cut: String =
        name.chars().take(city.chars().count() + stem.chars().count() + trade.chars().count() + 1).collect();
    let wild = vec![
        format!("{stem}{trade}有限公司"),
        format!("{city}{stem}{trade}有限责任公司"),
        format!("{city_bare}{stem}"),
        format!("{name}（对公户）"),
        format!(" {name} "),
        format!("{stem}{trade}（{city_bare}）有限公司"),
        cut,
    ];
    let typed = vec![
        format!("{stem}{trade}有限公司"),
        format!("{stem}{trade}"),
        format!("{stem}{trade}（{city_bare}）有限公司"),
        format!("{city_bare}{stem}{trade}"),
    ];
    let (account, bank) = bank_account(rng);
    let person_name = super::names::person_name(rng);
    let (person_account, person_bank) = bank_account(rng);
    Party { name, tame, wild, account, bank, typed, person: (person_name, person_account, person_bank) }
}

/// The B2B channel's corporate customers; the first is the one every example names.
pub fn b2b_customers(rng: &mut GenRng) -> Vec<Party> {
    const C: &[(&str, &str, &str)] = &[
        ("深圳市", "腾跃", "科技"),
        ("上海", "锦程", "贸易"),
        ("广州市", "华瑞", "电器"),
        ("苏州", "优品", "家居用品"),
        ("南京", "恒信", "商贸"),
        ("成都", "天府优选", "供应链管理"),
        ("武汉市", "楚汇", "实业"),
        ("杭州", "之江", "酒店管理"),
        ("北京", "京华", "办公设备"),
        ("宁波市", "海曙", "礼品"),
        ("厦门", "鹭岛", "贸易"),
        ("长沙市", "湘江", "文化传媒"),
        ("青岛", "海纳", "商业连锁"),
        ("西安市", "长安", "百货"),
        ("合肥", "庐州", "电子"),
        ("郑州市", "中原", "物业服务"),
    ];
    C.iter().map(|(a, b, c)| company(rng, a, b, c)).collect()
}

pub fn suppliers(rng: &mut GenRng) -> Vec<Party> {
    const C: &[(&str, &str, &str)] = &[
        ("义乌市", "宏达", "日用品"),
        ("宁波", "美格", "电器"),
        ("东莞市", "恒丰", "塑胶制品"),
        ("佛山市", "顺美", "家具"),
        ("温州", "瓯信", "包装"),
        ("中山市", "明辉", "照明"),
        ("南通", "锦绣", "家纺"),
        ("永康市", "金工", "五金"),
        ("杭州", "云仓", "供应链"),
        ("慈溪市", "海宝", "小家电"),
    ];
    C.iter().map(|(a, b, c)| company(rng, a, b, c)).collect()
}

/// One spelling of a platform's paying company on a bank statement.
#[derive(Clone, Debug)]
pub struct PayerName {
    pub name: &'static str,
    /// 0 = canonical, 1 = common variant, 2 = only with `--noise high`.
    pub tier: u8,
    pub weight: u32,
    pub account: String,
    pub bank: &'static str,
}

pub fn platform_payers(p: Platform, rng: &mut GenRng) -> Vec<PayerName> {
    let list: &[(&str, u8, u32, &str)] = match p {
        Platform::Tmall => &[
            ("支付宝（中国）网络技术有限公司", 0, 50, "招商银行股份有限公司杭州分行"),
            ("支付宝(中国)网络技术有限公司", 1, 20, "招商银行股份有限公司杭州分行"),
            ("支付宝（中国）网络技术有限公司客户备付金", 1, 15, "网联清算有限公司"),
            ("支付宝", 2, 8, ""),
            ("ALIPAY(CHINA)NETWORK TECHNOLOGY CO.,LTD", 2, 5, ""),
            ("支付宝中国网络技术有限公司", 2, 5, "中国工商银行股份有限公司杭州分行"),
            ("Alipay (China) Network Technology Co., Ltd.", 2, 3, ""),
        ],
        Platform::Jd => &[
            ("网银在线（北京）科技有限公司", 0, 55, "中国银行股份有限公司北京分行"),
            ("网银在线(北京)科技有限公司", 1, 20, "中国银行股份有限公司北京分行"),
            ("京东", 1, 8, ""),
            ("网银在线（北京）科技有限公司客户备付金", 2, 8, "网联清算有限公司"),
            ("北京京东世纪贸易有限公司", 2, 6, "中国工商银行股份有限公司北京分行"),
            ("JD.COM PAYMENT", 2, 3, ""),
        ],
        Platform::Douyin => &[
            ("抖音支付科技有限公司", 0, 55, "招商银行股份有限公司北京分行"),
            ("北京字节跳动网络技术有限公司", 1, 12, "招商银行股份有限公司北京分行"),
            ("合众易宝科技（北京）有限公司", 1, 12, "中国民生银行股份有限公司北京分行"),
            ("抖音支付", 2, 8, ""),
            ("合众易宝", 2, 6, ""),
            ("DOUYIN PAYMENT TECHNOLOGY CO.,LTD", 2, 4, ""),
        ],
        Platform::Wechat => &[
            ("财付通支付科技有限公司", 0, 55, "招商银行股份有限公司深圳分行"),
            ("财付通支付科技有限公司客户备付金", 1, 20, "网联清算有限公司"),
            ("财付通", 1, 8, ""),
            ("微信支付", 2, 6, ""),
            ("TENPAY PAYMENT TECHNOLOGY CO.,LTD", 2, 4, ""),
        ],
        _ => &[
            ("上海寻梦信息技术有限公司", 0, 55, "中国建设银行股份有限公司上海分行"),
            ("上海付费通信息服务有限公司", 1, 18, "上海银行股份有限公司"),
            ("上海寻梦信息技术有限公司客户备付金", 1, 10, "网联清算有限公司"),
            ("寻梦信息", 2, 7, ""),
            ("付费通", 2, 6, ""),
            ("拼多多", 2, 4, ""),
        ],
    };
    list.iter()
        .map(|&(name, tier, weight, bank)| {
            let account = if bank.is_empty() { String::new() } else { bank_account(rng).0 };
            PayerName { name, tier, weight, account, bank }
        })
        .collect()
}

pub fn pick_payer<'a>(rng: &mut GenRng, payers: &'a [PayerName], tiers: u8) -> &'a PayerName {
    let weights: Vec<u32> = payers
        .iter()
        // Wild spellings still turn up now and then with tame noise.
        .map(|p| if p.tier <= tiers { p.weight } else { p.weight.div_ceil(4) })
        .collect();
    &payers[weighted(rng, &weights)]
}

/// The same text, sometimes with the stray whitespace that hand-exported files carry.
pub fn dirty(rng: &mut GenRng, s: &str, per_10k: u32) -> String {
    if !chance(rng, per_10k) || s.is_empty() {
        return s.to_string();
    }
    match rng.random_range(0..4) {
        0 => format!(" {s}"),
        1 => format!("{s} "),
        2 => format!(" {s}  "),
        _ => format!("{s}\t"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::draw::SeedTree;
    use super::*;

    #[test]
    fn customer_variants() {
        let mut rng = SeedTree::new(3).child();
        let c = b2b_customers(&mut rng);
        assert_eq!(c[0].name, "深圳市腾跃科技有限公司");
        assert!(c[0].tame.contains(&"腾跃科技".to_string()));
        assert!(c[0].tame.contains(&"深圳腾跃科技有限公司".to_string()));
        assert!(c[0].tame.contains(&"深圳市腾跃科技".to_string()));
        for p in [Platform::Tmall, Platform::Jd, Platform::Douyin, Platform::Pdd] {
            let payers = platform_payers(p, &mut rng);
            assert_eq!(payers[0].tier, 0);
            for _ in 0..50 {
                assert!(!pick_payer(&mut rng, &payers, 1).name.is_empty());
            }
        }
    }
}
