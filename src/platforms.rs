//! Which platform a channel's name stands for. Order exports name where an order came
//! from in their own words (微信小程序, 小程序商城, 视频号小店, 抖店, 抖音小店, 淘宝 …);
//! recon stores the platform whose bill settles it (wechat, douyin, tmall …) and keeps the
//! words as the order's `channel`. Built-in names, then words found inside a longer name,
//! and the merchant's own names in settings.toml, which win:
//!
//! ```toml
//! [platforms]
//! aliases = { "有赞商城" = "youzan", "企业团购" = "b2b" }
//! ```
//!
//! The whole table is the `platform_aliases` table in SQL.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::values::halfwidth;

/// Names that are a platform, or a channel settled by one.
const BUILTIN: &[(&str, &str)] = &[
    ("天猫", "tmall"),
    ("淘宝", "tmall"),
    ("天猫商城", "tmall"),
    ("天猫旗舰店", "tmall"),
    ("淘宝店", "tmall"),
    ("tmall", "tmall"),
    ("taobao", "tmall"),
    ("京东", "jd"),
    ("京东商城", "jd"),
    ("京东自营", "jd"),
    ("jd", "jd"),
    ("jingdong", "jd"),
    ("抖音", "douyin"),
    ("抖店", "douyin"),
    ("抖音小店", "douyin"),
    ("抖音电商", "douyin"),
    ("抖音商城", "douyin"),
    ("douyin", "douyin"),
    ("tiktok", "douyin"),
    ("拼多多", "pdd"),
    ("pdd", "pdd"),
    ("pinduoduo", "pdd"),
    ("微信", "wechat"),
    ("微信支付", "wechat"),
    ("微信小程序", "wechat"),
    ("小程序", "wechat"),
    ("小程序商城", "wechat"),
    ("微信商城", "wechat"),
    ("微信小店", "wechat"),
    ("视频号", "wechat"),
    ("视频号小店", "wechat"),
    ("wechat", "wechat"),
    ("weixin", "wechat"),
    ("wechatpay", "wechat"),
    ("支付宝", "alipay"),
    ("alipay", "alipay"),
    ("快手", "kuaishou"),
    ("快手小店", "kuaishou"),
    ("kuaishou", "kuaishou"),
    ("小红书", "xiaohongshu"),
    ("xiaohongshu", "xiaohongshu"),
    ("得物", "dewu"),
    ("亚马逊", "amazon"),
    ("amazon", "amazon"),
    ("shopify", "shopify"),
    ("线下", "b2b"),
    ("b2b", "b2b"),
    ("offline", "b2b"),
    ("对公", "b2b"),
    ("企业客户", "b2b"),
    ("企业客户部", "b2b"),
    ("经销商", "b2b"),
    ("分销", "b2b"),
];

/// Words that name a platform inside a longer channel name (`禾屿抖音旗舰店`,
/// `微信小程序-会员商城`), the more specific first: a Douyin mini program is Douyin's.
const WORDS: &[(&str, &str)] = &[
    ("抖音", "douyin"),
    ("抖店", "douyin"),
    ("快手", "kuaishou"),
    ("小红书", "xiaohongshu"),
    ("得物", "dewu"),
    ("天猫", "tmall"),
    ("淘宝", "tmall"),
    ("京东", "jd"),
    ("拼多多", "pdd"),
    ("支付宝", "alipay"),
    ("亚马逊", "amazon"),
    ("视频号", "wechat"),
    ("微信", "wechat"),
    ("小程序", "wechat"),
];

/// A name as aliases are compared: half-width, trimmed, lower case, no inner spaces.
fn key(name: &str) -> String {
    halfwidth(name).chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// The built-in names as [`key`] makes them, made once: this runs for every row.
fn builtin_keys() -> &'static [(String, &'static str)] {
    static KEYS: std::sync::LazyLock<Vec<(String, &'static str)>> =
        std::sync::LazyLock::new(|| BUILTIN.iter().map(|(name, p)| (key(name), *p)).collect());
    &KEYS
}

/// The aliases in force: the merchant's, then the built-in ones.
#[derive(Clone, Debug, Default)]
pub struct Aliases {
    own: BTreeMap<String, String>,
}

impl Aliases {
    /// With the merchant's own names (settings `[platforms] aliases`).
    pub fn new(own: &BTreeMap<String, String>) -> Aliases {
        Aliases { own: own.iter().map(|(k, v)| (key(k), v.trim().to_lowercase())).collect() }
    }

    /// The platform `raw` stands for: an alias, a platform word inside it, or `raw` itself
    /// in lower case (a platform recon does not know keeps its own name).
    pub fn platform<'a>(&self, raw: &'a str) -> Cow<'a, str> {
        let k = key(raw);
        if let Some(p) = self.own.get(&k) {
            return Cow::Owned(p.clone());
        }
        if let Some((_, p)) = builtin_keys().iter().find(|(name, _)| *name == k) {
            return Cow::Borrowed(p);
        }
        if let Some((_, p)) = WORDS.iter().find(|(w, _)| k.contains(w)) {
            return Cow::Borrowed(p);
        }
        Cow::Owned(raw.trim().to_lowercase())
    }

    /// Every alias as (alias, platform, where it comes from), the merchant's first.
    pub fn table(&self) -> Vec<(String, String, &'static str)> {
        let mut out: Vec<(String, String, &'static str)> =
            self.own.iter().map(|(k, v)| (k.clone(), v.clone(), "settings")).collect();
        for (name, p) in BUILTIN {
            if !self.own.contains_key(&key(name)) {
                out.push((name.to_string(), p.to_string(), "built-in"));
            }
        }
        for (word, p) in WORDS {
            out.push((format!("*{word}*"), p.to_string(), "built-in, inside a longer name"));
        }
        out
    }
}

/// A platform a text names somewhere inside it (a file's name, `快手小店资金流水.xlsx`,
/// `xiaohongshu_settlement.csv`): the Chinese words, then Latin names long enough not to
/// turn up by chance inside other words.
pub fn named_in(text: &str) -> Option<&'static str> {
    const LATIN: [(&str, &str); 14] = [
        ("xiaohongshu", "xiaohongshu"),
        ("kuaishou", "kuaishou"),
        ("pinduoduo", "pdd"),
        ("jingdong", "jd"),
        ("douyin", "douyin"),
        ("tiktok", "douyin"),
        ("taobao", "tmall"),
        ("tmall", "tmall"),
        ("alipay", "alipay"),
        ("wechat", "wechat"),
        ("weixin", "wechat"),
        ("amazon", "amazon"),
        ("shopify", "shopify"),
        ("dewu", "dewu"),
    ];
    let k = key(text);
    WORDS.iter().chain(LATIN.iter()).find(|(w, _)| k.contains(w)).map(|(_, p)| *p)
}

/// The platform `raw` stands for by the built-in names alone (`--platform`, a file's
/// title lines).
pub fn builtin(raw: &str) -> Cow<'_, str> {
    static NONE: std::sync::OnceLock<Aliases> = std::sync::OnceLock::new();
    NONE.get_or_init(Aliases::default).platform(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_name_the_platform_that_settles_them() {
        let a = Aliases::default();
        for (raw, want) in [
            ("天猫", "tmall"),
            ("淘宝", "tmall"),
            ("微信小程序", "wechat"),
            ("小程序商城", "wechat"),
            ("视频号小店", "wechat"),
            ("抖店", "douyin"),
            ("抖音小店", "douyin"),
            ("快手小店", "kuaishou"),
            ("B2B", "b2b"),
            ("Tmall", "tmall"),
            (" 京东 ", "jd"),
            ("木子良品抖音旗舰店", "douyin"),
            ("抖音小程序", "douyin"),
            ("会员商城小程序", "wechat"),
            ("Etsy", "etsy"),
        ] {
            assert_eq!(a.platform(raw), want, "{raw}");
        }
    }

    #[test]
    fn the_merchants_own_names_win() {
        let own = BTreeMap::from([("有赞商城".to_string(), "youzan".to_string()), ("小程序".into(), "Youzan".into())]);
        let a = Aliases::new(&own);
        assert_eq!(a.platform("有赞商城"), "youzan");
        assert_eq!(a.platform("小程序"), "youzan");
        assert_eq!(a.platform("微信小程序"), "wechat");
        let table = a.table();
        assert_eq!(table[0].2, "settings");
        assert!(!table.iter().any(|(k, _, src)| k == "小程序" && *src == "built-in"));
    }
}
