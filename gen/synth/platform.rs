//! The channels one merchant sells on, and how many there are.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Platform {
    Tmall,
    Jd,
    Douyin,
    Pdd,
    /// The merchant's WeChat mini-program shop, paid through WeChat Pay.
    Wechat,
    B2b,
}

/// How many platforms there are (arrays indexed by `Platform as usize`).
pub const PLATFORMS: usize = 6;

impl Platform {
    /// The canonical `platform` value of the SQL tables.
    pub fn code(self) -> &'static str {
        match self {
            Platform::Tmall => "tmall",
            Platform::Jd => "jd",
            Platform::Douyin => "douyin",
            Platform::Pdd => "pdd",
            Platform::Wechat => "wechat",
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
            Platform::Wechat => "微信小程序",
            Platform::B2b => "线下",
        }
    }
}
