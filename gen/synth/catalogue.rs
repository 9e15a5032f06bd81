//! What the merchant sells and what a basket costs: catalogue prices, quantities and the
//! usual discounts (满减, coupons, 95折), all in integer cents; and what the warehouse
//! knows of each product: its SKU code (商家编码) and its weight.

use rand::Rng;

use super::draw::{GenRng, chance, pick, weighted};
use super::money::{Cents, YUAN, rate};

/// Products with prices in cents; cheap items are drawn more often.
pub const CATALOGUE: &[(&str, Cents, u32)] = &[
    ("云帆 硅胶厨房锅铲", 990, 60),
    ("云帆 不锈钢衣架10只装", 1590, 50),
    ("云帆 桌面收纳盒", 1990, 60),
    ("云帆 LED感应小夜灯", 2990, 55),
    ("云帆 陶瓷马克杯2只装", 3990, 45),
    ("云帆 304不锈钢保温杯500ml", 5900, 50),
    ("云帆 记忆棉U型枕", 6900, 30),
    ("云帆 电热水壶1.7L", 8900, 35),
    ("云帆 蓝牙音箱mini", 12900, 25),
    ("云帆 乳胶枕", 15900, 22),
    ("云帆 无线吸尘器V6", 19900, 14),
    ("云帆 空气炸锅4.5L", 29900, 16),
    ("云帆 纯棉四件套1.8m", 39900, 12),
    ("云帆 破壁料理机", 59900, 7),
    ("云帆 羽绒被冬季加厚", 89900, 5),
    ("云帆 人体工学椅", 129900, 4),
    ("云帆 智能门锁X3", 149900, 3),
    ("云帆 扫地机器人S7", 169900, 3),
];

/// Per product (same index as [`CATALOGUE`]): the SKU code the shops and the warehouse
/// use (商家编码 / 商品编码), and the weight of one unit packed, in grams (0.2 to 4.7 kg,
/// so that one unit with its carton stays under 5 kg).
pub const PRODUCTS: &[(&str, u32)] = &[
    ("YF-10213", 240),
    ("YF-10327", 620),
    ("YF-10415", 450),
    ("YF-20108", 200),
    ("YF-10532", 880),
    ("YF-10644", 420),
    ("YF-30116", 380),
    ("YF-20251", 1_350),
    ("YF-20376", 310),
    ("YF-30229", 1_180),
    ("YF-20483", 2_750),
    ("YF-20517", 4_350),
    ("YF-30341", 2_150),
    ("YF-20622", 4_050),
    ("YF-30458", 2_900),
    ("YF-40105", 4_700),
    ("YF-40217", 2_450),
    ("YF-20794", 3_800),
];

/// The SKU code of product `p`.
pub fn sku(p: u8) -> &'static str {
    PRODUCTS[p as usize % PRODUCTS.len()].0
}

/// The product name of product `p`.
pub fn product_name(p: u8) -> &'static str {
    CATALOGUE[p as usize % CATALOGUE.len()].0
}

/// The weight of one unit of product `p`, in grams.
pub fn unit_grams(p: u8) -> u32 {
    PRODUCTS[p as usize % PRODUCTS.len()].1
}

const MAX_ORDER: Cents = 3_000 * YUAN;

/// Most units of its product an order has.
pub const MAX_QTY: u8 = 3;

/// A basket: its (first) product, its amount, and how many units of that product it
/// holds (1 to [`MAX_QTY`]). A basket of one product costs exactly units × price; a
/// basket of several products (a third of them) is sold as its first product, at the
/// amount of all its lines.
pub fn basket(rng: &mut GenRng) -> (u8, Cents, u8) {
    let weights: Vec<u32> = CATALOGUE.iter().map(|c| c.2).collect();
    let lines = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3][rng.random_range(0..12)];
    let mut first = None;
    let mut amount = 0;
    let mut units: i64 = 0;
    for _ in 0..lines {
        let p = weighted(rng, &weights);
        let qty = if chance(rng, 1_000) { 2 } else { 1 };
        let add = CATALOGUE[p].1 * qty;
        if amount + add > MAX_ORDER {
            if amount == 0 {
                amount = CATALOGUE[p].1;
                first = Some(p);
                units = 1;
            }
            break;
        }
        amount += add;
        if *first.get_or_insert(p) == p {
            units += qty;
        }
    }
    (first.unwrap_or(0) as u8, amount, units.clamp(1, i64::from(MAX_QTY)) as u8)
}

pub fn discount(rng: &mut GenRng, amount: Cents) -> Cents {
    match rng.random_range(0..100) {
        0..40 => 0,
        40..70 => match amount {
            a if a >= 299 * YUAN => 30 * YUAN,
            a if a >= 199 * YUAN => 20 * YUAN,
            a if a >= 99 * YUAN => 10 * YUAN,
            a if a >= 49 * YUAN => 5 * YUAN,
            _ => 0,
        },
        70..90 => {
            let c = *pick(rng, &[3 * YUAN, 5 * YUAN, 10 * YUAN, 20 * YUAN]);
            if amount > 3 * c { c } else { 0 }
        }
        _ => rate(amount, 500),
    }
}
