//! What the text UDFs compute, as plain functions: party names made comparable,
//! similarity scores, references found in free text, order ids made comparable.

use crate::values::halfwidth;

/// Region prefixes banks and clerks drop or add at will: 深圳市腾跃科技 = 腾跃科技.
const REGIONS: &[&str] = &[
    "北京",
    "上海",
    "天津",
    "重庆",
    "深圳",
    "广州",
    "杭州",
    "苏州",
    "南京",
    "成都",
    "武汉",
    "西安",
    "宁波",
    "厦门",
    "长沙",
    "青岛",
    "合肥",
    "郑州",
    "义乌",
    "东莞",
    "佛山",
    "温州",
    "中山",
    "南通",
    "永康",
    "慈溪",
    "无锡",
    "福州",
    "济南",
    "大连",
    "沈阳",
    "昆明",
    "南昌",
    "长春",
    "哈尔滨",
    "石家庄",
    "太原",
    "南宁",
    "贵阳",
    "兰州",
    "海口",
    "珠海",
    "嘉兴",
    "绍兴",
    "金华",
    "台州",
    "湖州",
    "常州",
    "徐州",
    "扬州",
    "泉州",
    "烟台",
    "潍坊",
    "浙江",
    "广东",
    "江苏",
    "福建",
    "山东",
    "河南",
    "河北",
    "湖南",
    "湖北",
    "四川",
    "安徽",
    "江西",
    "辽宁",
    "吉林",
    "黑龙江",
    "山西",
    "陕西",
    "云南",
    "贵州",
    "广西",
    "海南",
    "甘肃",
];

/// Legal-form endings, longest first.
const SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "公司",
    "集团",
    "corporation",
    "colimited",
    "company",
    "limited",
    "coltd",
    "corp",
    "ltd",
    "llc",
    "inc",
];

/// English names and their Chinese counterparts, so both compare equal.
const ALIASES: &[(&str, &str)] =
    &[("alipay", "支付宝"), ("tenpay", "财付通"), ("wechatpay", "微信支付"), ("jdcom", "京东"), ("douyin", "抖音")];

/// A company name reduced to what identifies it: half-width, lower case, no spaces or
/// punctuation, no bracketed region or account note (（中国）, （对公户）), no 客户备付金,
/// no legal-form suffix (有限公司, Co., Ltd.), no leading city or province.
pub fn normalize_party(raw: &str) -> String {
    let hw = halfwidth(raw).to_lowercase();
    // Short bracketed notes go: (中国), (北京), (对公户), (china).
    let mut s = String::with_capacity(hw.len());
    let mut depth = 0;
    let mut inside = String::new();
    for c in hw.chars() {
        match c {
            '(' | '[' | '【' => {
                depth += 1;
                inside.clear();
            }
            ')' | ']' | '】' if depth > 0 => {
                depth -= 1;
                if inside.chars().count() > 8 {
                    s.push_str(&inside);
                }
            }
            c if depth > 0 => inside.push(c),
            c => s.push(c),
        }
    }
    let mut s: String =
        s.replace("客户备付金", "").replace("备付金", "").chars().filter(|c| c.is_alphanumeric()).collect();
    loop {
        let before = s.len();
        for suffix in SUFFIXES {
            if s.len() > suffix.len()
                && let Some(stripped) = s.strip_suffix(suffix)
            {
                s = stripped.to_string();
                break;
            }
        }
        if s.len() == before {
            break;
        }
    }
    for region in REGIONS {
        if let Some(rest) = s.strip_prefix(region) {
            let rest = rest.trim_start_matches(['省', '市', '区']);
            if rest.chars().count() >= 2 {
                s = rest.to_string();
            }
            break;
        }
    }
    for (en, zh) in ALIASES {
        if s.contains(en) {
            s = s.replace(en, zh);
        }
    }
    s
}

pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    rapidfuzz::distance::jaro_winkler::similarity(a.chars(), b.chars())
}

/// fuzzywuzzy's token_set_ratio, 0–100 (rapidfuzz's ratio on the token sets): the words two names share count fully, the
/// rest by edit distance, so word order and extra words matter little. Text without
/// spaces (Chinese) is one token, compared character by character.
pub fn token_set_ratio(a: &str, b: &str) -> f64 {
    let tokens = |s: &str| -> std::collections::BTreeSet<String> {
        s.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).collect()
    };
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let common: Vec<&String> = ta.intersection(&tb).collect();
    let only_a: Vec<&String> = ta.difference(&tb).collect();
    let only_b: Vec<&String> = tb.difference(&ta).collect();
    let join = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
    let base = join(&common);
    let with = |rest: &[&String]| {
        let r = join(rest);
        match (base.is_empty(), r.is_empty()) {
            (true, _) => r,
            (false, true) => base.clone(),
            (false, false) => format!("{base} {r}"),
        }
    };
    let (sa, sb) = (with(&only_a), with(&only_b));
    // fuzzywuzzy's ratio: 2 × matching characters / total (Indel similarity).
    let ratio = |x: &str, y: &str| rapidfuzz::fuzz::ratio(x.chars(), y.chars());
    let best = [ratio(&base, &sa), ratio(&base, &sb), ratio(&sa, &sb)]
        .into_iter()
        .filter(|r| r.is_finite())
        .fold(0.0, f64::max);
    (best * 100.0 * 100.0).round() / 100.0
}

/// How alike two company names are once normalised (normalize_party), 0 to 1: the same
/// name 1; one inside the other 0.95 when the shorter has four characters or more (a bank
/// cuts 厦门市东升办公用品有限公司 to 东升办公用品, a clerk writes 润禾科技); else
/// jaro_winkler.
pub fn party_similarity(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let (short, long) = if a.chars().count() <= b.chars().count() { (a, b) } else { (b, a) };
    if short.chars().count() >= 4 && long.contains(short) {
        return 0.95;
    }
    jaro_winkler(a, b)
}

/// References in free text, as written: runs of letters and digits, also across a single
/// `-`, `_`, `/` or `.` between them (`转账 HT-2026-0315货款` → `HT-2026-0315`, Amazon's
/// `112-3456789-1234567`, `SO20261001-07`, `#1001` → `1001`), with at least four letters
/// and digits of which three are digits; and the parts of such a run, six characters or
/// more, that are references on their own (`SO1001/SO1002` → both). Whether one is an id recon knows is for the
/// views to say (payout_keys, order_keys), compared by normalize_ref.
pub fn extract_refs(memo: &str) -> Vec<String> {
    let hw = halfwidth(memo);
    let chars: Vec<char> = hw.chars().collect();
    let is_ref = |t: &str| t.len() >= 4 && t.bytes().filter(u8::is_ascii_digit).count() >= 3;
    let mut out: Vec<String> = Vec::new();
    let push = |t: &str, out: &mut Vec<String>| {
        if is_ref(t) && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    };
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        // A run: letters and digits, with single joiners between them.
        let start = i;
        let mut parts = vec![start];
        while i < chars.len() {
            if chars[i].is_ascii_alphanumeric() {
                i += 1;
            } else if matches!(chars[i], '-' | '_' | '/' | '.')
                && i > start
                && chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric)
            {
                i += 1;
                parts.push(i);
            } else {
                break;
            }
        }
        let run: String = chars[start..i].iter().collect();
        push(&run, &mut out);
        if parts.len() > 1 {
            let ends = parts[1..].iter().map(|p| p - 1).chain(std::iter::once(i));
            // A part alone must look like an id, not a year or a number: six or more.
            for (from, to) in parts.iter().zip(ends) {
                if to - from >= 6 {
                    let part: String = chars[*from..to].iter().collect();
                    push(&part, &mut out);
                }
            }
        }
    }
    out
}

/// A reference as ids are compared: half-width letters and digits only, upper case
/// (`HT-2026-0315` and `ht20260315` are one).
pub fn normalize_ref(raw: &str) -> String {
    halfwidth(raw).chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// The beginnings and ends of a normalised id that a memo may quote instead of the whole
/// id (a withdrawal serial cut to its first or last digits), `min` characters or more,
/// shorter than the id.
pub fn ref_fragments(key: &str, min: usize) -> Vec<String> {
    let n = key.len();
    if !key.is_ascii() || n <= min.max(1) {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(2 * (n - min));
    for len in min.max(1)..n {
        out.push(key[..len].to_string());
        let tail = &key[n - len..];
        if tail != &key[..len] {
            out.push(tail.to_string());
        }
    }
    out
}

/// An order id as settlement files and order exports can agree on: no padding, no
/// Alipay `T200P` prefix.
pub fn normalize_order_id(raw: &str) -> std::borrow::Cow<'_, str> {
    // Most ids are clean already: no copy for them.
    let clean = |c: u8| c.is_ascii_graphic() && c != b'`';
    if raw.bytes().all(clean) && !raw.starts_with("T200P") {
        return std::borrow::Cow::Borrowed(raw);
    }
    let s = halfwidth(raw);
    let s = s.trim().trim_start_matches('`').trim();
    std::borrow::Cow::Owned(s.strip_prefix("T200P").unwrap_or(s).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_names_compare_after_normalizing() {
        let alipay = normalize_party("支付宝（中国）网络技术有限公司");
        assert_eq!(alipay, "支付宝网络技术");
        for variant in
            ["支付宝(中国)网络技术有限公司", "支付宝（中国）网络技术有限公司客户备付金", "支付宝中国网络技术有限公司"]
        {
            let n = normalize_party(variant);
            assert!(n == alipay || n == "支付宝中国网络技术", "{variant} → {n}");
        }
        assert!(normalize_party("ALIPAY(CHINA)NETWORK TECHNOLOGY CO.,LTD").starts_with("支付宝"));
        assert!(normalize_party("Alipay (China) Network Technology Co., Ltd.").starts_with("支付宝"));
        assert_eq!(normalize_party("深圳市腾跃科技有限公司"), "腾跃科技");
        assert_eq!(normalize_party("深圳腾跃科技有限公司"), "腾跃科技");
        assert_eq!(normalize_party(" 腾跃科技 "), "腾跃科技");
        assert_eq!(normalize_party("深圳市腾跃科技有限公司（对公户）"), "腾跃科技");
        assert_eq!(normalize_party("北京京东世纪贸易有限公司"), "京东世纪贸易");
        assert_eq!(normalize_party("JD.COM PAYMENT"), "京东payment");
        assert_eq!(normalize_party("中山市明辉照明有限公司"), "明辉照明");
        assert_eq!(normalize_party("中国移动"), "中国移动");
    }

    #[test]
    fn similarities() {
        assert!((jaro_winkler("腾跃科技", "腾跃科技") - 1.0).abs() < 1e-12);
        assert!(jaro_winkler("腾跃", "腾跃科技") > 0.85);
        assert!(jaro_winkler("腾跃科技", "华瑞电器") < 0.5);
        assert_eq!(token_set_ratio("Alipay China Network", "network alipay china co"), 100.0);
        assert!(token_set_ratio("acme trading", "acme trade") > 80.0);
        assert_eq!(token_set_ratio("", "x"), 0.0);
    }

    #[test]
    fn references_and_order_ids() {
        assert_eq!(extract_refs("提现 20261003200040011100650012345678"), ["20261003200040011100650012345678"]);
        assert_eq!(extract_refs("付B2B202608150001货款"), ["B2B202608150001"]);
        assert_eq!(extract_refs("提现单号 TX2026100312345678；重复 TX2026100312345678"), ["TX2026100312345678"]);
        assert_eq!(extract_refs("转账 HT-2026-0315货款"), ["HT-2026-0315"]);
        assert_eq!(extract_refs("Amazon 112-3456789-1234567")[0], "112-3456789-1234567");
        assert_eq!(extract_refs("订单号：SO20261001-07")[0], "SO20261001-07");
        assert_eq!(extract_refs("Shopify #1001 paid"), ["1001"]);
        assert_eq!(extract_refs("付０００２６"), ["00026"]);
        assert_eq!(extract_refs("货款 SO1001/SO1002"), ["SO1001/SO1002", "SO1001", "SO1002"]);
        assert!(extract_refs("9月房租 B2B 付款").is_empty());
        assert!(extract_refs("提现至对公账户(6499).").contains(&"6499".to_string()));
        assert_eq!(normalize_ref("HT-2026-0315"), "HT20260315");
        assert_eq!(normalize_ref("ｂ２ｂ-2026-000043"), "B2B2026000043");
        assert_eq!(ref_fragments("ABC123", 4), ["ABC1", "C123", "ABC12", "BC123"]);
        assert!(ref_fragments("AB12", 4).is_empty());
        assert_eq!(party_similarity("东升办公用品", "东升办公用品"), 1.0);
        assert_eq!(party_similarity("东升办公用品", "厦门东升办公用品"), 0.95);
        assert!(party_similarity("白鹭纺织品", "白鹭商贸") < 0.85);
        assert!(party_similarity("马红", "马红霞") < 0.95);
        assert_eq!(normalize_order_id("T200P3726320055102261241"), "3726320055102261241");
        assert_eq!(normalize_order_id(" `123\t"), "123");
    }
}
