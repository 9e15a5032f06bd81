//! Made-up buyers: names, mobile phones, delivery addresses, couriers and tracking numbers.
//!
//! Buyers are random combinations of common surnames and given-name characters with
//! random numbers, so they look real without being anyone.

use rand::Rng;

use super::clock::push_num;
use super::draw::{GenRng, chance, one, pick, weighted};
use super::platform::Platform;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
    "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "莫",
    "孔", "汤", "欧阳", "司马", "诸葛",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平",
    "刚", "英", "华", "文", "辉", "鹏", "飞", "斌", "凯", "健", "倩", "颖", "慧", "莉", "萍", "燕", "兰", "亮", "成",
    "东", "林", "阳", "宁", "航", "睿", "泽", "诗", "琪", "瑶", "然", "昊", "天", "家", "新", "子", "梓", "浩", "宇",
    "轩", "欣", "怡", "雨", "晨", "思", "嘉", "俊", "佳", "博", "一", "涵", "婷", "雪", "琳", "晓", "海", "建", "国",
    "志", "红", "玉", "丹", "玲", "秀", "桂", "春", "晶", "薇", "璐", "鑫", "磊", "帆", "峰", "晴", "悦", "彤", "可",
    "心",
];

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182", "183", "184", "185",
    "186", "187", "188", "189", "191", "193", "195", "198", "199",
];

/// Province, city, districts: the 省 市 区 part of an address.
const REGIONS: &[(&str, &str, &[&str])] = &[
    ("浙江省", "杭州市", &["西湖区", "上城区", "拱墅区", "滨江区", "余杭区", "萧山区", "临平区"]),
    ("浙江省", "宁波市", &["鄞州区", "海曙区", "江北区", "北仑区"]),
    ("浙江省", "温州市", &["鹿城区", "瓯海区", "龙湾区"]),
    ("江苏省", "南京市", &["鼓楼区", "玄武区", "秦淮区", "建邺区", "江宁区"]),
    ("江苏省", "苏州市", &["姑苏区", "吴中区", "相城区", "虎丘区"]),
    ("上海市", "上海市", &["浦东新区", "闵行区", "徐汇区", "静安区", "杨浦区", "宝山区"]),
    ("北京市", "北京市", &["朝阳区", "海淀区", "丰台区", "东城区", "西城区", "昌平区"]),
    ("天津市", "天津市", &["南开区", "河西区", "和平区"]),
    ("重庆市", "重庆市", &["渝北区", "江北区", "渝中区", "沙坪坝区"]),
    ("广东省", "广州市", &["天河区", "越秀区", "海珠区", "白云区", "番禺区"]),
    ("广东省", "深圳市", &["南山区", "福田区", "宝安区", "龙岗区", "罗湖区"]),
    ("广东省", "佛山市", &["禅城区", "南海区", "顺德区"]),
    ("四川省", "成都市", &["武侯区", "锦江区", "青羊区", "金牛区", "成华区"]),
    ("湖北省", "武汉市", &["武昌区", "洪山区", "江汉区", "汉阳区"]),
    ("湖南省", "长沙市", &["岳麓区", "芙蓉区", "天心区", "开福区"]),
    ("山东省", "济南市", &["历下区", "市中区", "槐荫区"]),
    ("山东省", "青岛市", &["市南区", "市北区", "崂山区", "黄岛区"]),
    ("河南省", "郑州市", &["金水区", "中原区", "二七区", "管城回族区"]),
    ("福建省", "福州市", &["鼓楼区", "台江区", "仓山区"]),
    ("福建省", "厦门市", &["思明区", "湖里区", "集美区"]),
    ("陕西省", "西安市", &["雁塔区", "碑林区", "未央区", "长安区"]),
    ("安徽省", "合肥市", &["蜀山区", "包河区", "庐阳区"]),
    ("江西省", "南昌市", &["东湖区", "西湖区", "青山湖区"]),
    ("辽宁省", "沈阳市", &["和平区", "沈河区", "皇姑区"]),
    ("河北省", "石家庄市", &["长安区", "桥西区", "裕华区"]),
    ("云南省", "昆明市", &["五华区", "盘龙区", "官渡区"]),
    ("广西壮族自治区", "南宁市", &["青秀区", "兴宁区", "西乡塘区"]),
];

const ROAD_STEMS: &[&str] = &[
    "人民",
    "建设",
    "解放",
    "中山",
    "文化",
    "学院",
    "长江",
    "黄河",
    "和平",
    "新华",
    "青年",
    "光明",
    "幸福",
    "东风",
    "科技",
    "创新",
    "花园",
    "滨江",
    "望江",
    "朝阳",
    "金沙",
    "锦绣",
    "延安",
    "江南",
    "文一",
    "天目山",
    "莫干山",
    "古墩",
    "丰潭",
    "教工",
    "体育场",
    "凤起",
    "庆春",
    "秋涛",
];
const ROAD_ENDS: &[&str] = &["路", "大道", "街", "东路", "西路", "南路", "北路", "中路"];
const STREET_STEMS: &[&str] = &[
    "文新",
    "翠苑",
    "古荡",
    "蒋村",
    "西溪",
    "长庆",
    "湖滨",
    "清波",
    "南星",
    "紫阳",
    "东新",
    "米市巷",
    "北干",
    "城厢",
    "新塘",
    "五常",
    "仓前",
    "闲林",
    "良渚",
    "星桥",
    "南苑",
    "东湖",
    "华阳",
    "龙华",
];
const ESTATE_STEMS: &[&str] = &[
    "阳光", "绿苑", "金色", "御景", "世纪", "翠湖", "华府", "和园", "锦园", "紫金", "星河", "蓝湾", "春江", "桂花",
    "枫林", "东方", "新城", "嘉园", "丽都", "名仕",
];
const ESTATE_ENDS: &[&str] = &["花园", "家园", "小区", "公寓", "新村", "名苑", "府"];

pub fn person_name(rng: &mut GenRng) -> String {
    // The first twenty surnames cover about half of China; weight them up.
    let i = if chance(rng, 5_000) { rng.random_range(0..20) } else { rng.random_range(0..SURNAMES.len()) };
    let mut s = String::with_capacity(12);
    s.push_str(SURNAMES[i]);
    s.push_str(one(rng, GIVEN));
    if chance(rng, 6_500) {
        s.push_str(one(rng, GIVEN));
    }
    s
}

/// A WeChat nickname as a shop system shows it: made-up words, a pet name, letters and
/// digits; sometimes the person's name.
pub fn nickname(rng: &mut GenRng) -> String {
    const A: &[&str] =
        &["晴天", "橘子", "小鹿", "柠檬", "阿狸", "奶茶", "星星", "木木", "糖果", "西瓜", "月亮", "土豆"];
    const B: &[&str] = &["酱", "不加糖", "的日常", "妈妈", "同学", "呀", "🌙", "爱生活", "Lucky", "_wx"];
    match rng.random_range(0..10) {
        0..5 => format!("{}{}", one(rng, A), one(rng, B)),
        5..7 => format!("阿{}", one(rng, GIVEN)),
        7 => {
            let mut s = String::from(*pick(rng, &["Lucky", "Sunny", "Coco", "Amy", "Leo"]));
            push_num(&mut s, rng.random_range(0..10_000), 1);
            s
        }
        _ => person_name(rng),
    }
}

/// A mainland mobile number, `1[3-9]` and nine more digits.
pub fn push_mobile(out: &mut String, rng: &mut GenRng) {
    out.push_str(one(rng, MOBILE_PREFIXES));
    push_num(out, rng.random_range(0..100_000_000), 8);
}

/// A full delivery address: 省 市 区 街道 road and number, often an estate and flat.
/// `spaced` puts spaces between the administrative parts, as Tmall does.
pub fn push_address(out: &mut String, rng: &mut GenRng, spaced: bool) {
    let (province, city, districts) = pick(rng, REGIONS);
    let sep = if spaced { " " } else { "" };
    out.push_str(province);
    // Municipalities print the city twice only in some exports.
    if province != city || spaced {
        out.push_str(sep);
        out.push_str(city);
    }
    out.push_str(sep);
    out.push_str(one(rng, districts));
    out.push_str(sep);
    out.push_str(one(rng, STREET_STEMS));
    out.push_str("街道");
    out.push_str(sep);
    out.push_str(one(rng, ROAD_STEMS));
    out.push_str(one(rng, ROAD_ENDS));
    push_num(out, rng.random_range(1..1_200), 1);
    out.push('号');
    if chance(rng, 7_000) {
        out.push_str(one(rng, ESTATE_STEMS));
        out.push_str(one(rng, ESTATE_ENDS));
        push_num(out, rng.random_range(1..40), 1);
        out.push('幢');
        push_num(out, rng.random_range(1..6), 1);
        out.push_str("单元");
        push_num(out, rng.random_range(1..33), 1);
        push_num(out, rng.random_range(1..5), 2);
        out.push('室');
    }
}

/// A courier for the platform, with a tracking number in that courier's format.
pub fn courier(rng: &mut GenRng, platform: Platform, tracking: &mut String) -> &'static str {
    const GENERAL: &[(&str, &str, usize, u32)] = &[
        ("中通快递", "78", 13, 30),
        ("圆通速递", "YT", 13, 22),
        ("韵达快递", "43", 13, 16),
        ("申通快递", "77", 13, 10),
        ("极兔速递", "JT", 13, 10),
        ("顺丰速运", "SF", 13, 8),
        ("邮政EMS", "98", 11, 4),
    ];
    const JD: &[(&str, &str, usize, u32)] = &[("京东快递", "JDVA", 11, 90), ("顺丰速运", "SF", 13, 10)];
    let table = if platform == Platform::Jd { JD } else { GENERAL };
    let weights: Vec<u32> = table.iter().map(|c| c.3).collect();
    let (name, prefix, digits, _) = table[weighted(rng, &weights)];
    tracking.push_str(prefix);
    for _ in 0..digits {
        tracking.push((b'0' + rng.random_range(0..10u8)) as char);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::super::draw::SeedTree;
    use super::*;

    #[test]
    fn people_look_right() {
        let mut rng = SeedTree::new(3).child();
        for _ in 0..500 {
            let mut m = String::new();
            push_mobile(&mut m, &mut rng);
            assert_eq!(m.len(), 11);
            assert!(m.starts_with('1'));
            assert!((b'3'..=b'9').contains(&m.as_bytes()[1]));
            assert!(m.bytes().all(|b| b.is_ascii_digit()));
            let n = person_name(&mut rng);
            assert!((2..=4).contains(&n.chars().count()));
            let mut a = String::new();
            push_address(&mut a, &mut rng, true);
            assert!(a.contains("区") && a.contains("街道") && a.contains('号'), "{a}");
        }
    }
}
