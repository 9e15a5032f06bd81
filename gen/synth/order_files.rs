//! The five order exports, each in its platform's own layout, encoding and status words.

use std::path::Path;

use rand::Rng;

use super::book::OrderRec;
use super::book::{OrderRow, State, date_dash, export_stamp, push_order_id};
use super::catalogue::sku;
use super::clock::{Clock, push_num};
use super::draw::{GenRng, chance};
use super::model::{NoiseProfile, World};
use super::money::{push_cents, push_cents_grouped};
use super::names::{courier, nickname, person_name, push_address, push_mobile};
use super::parties::dirty;
use super::platform::Platform;
use super::write::{CsvOut, Enc, XlsxOut};
use super::{GenError, GeneratedFile};

pub const TMALL_ORDERS: &str = "orders/tmall_orders.csv";
pub const JD_ORDERS: &str = "orders/jd_orders.xlsx";
pub const DOUYIN_ORDERS: &str = "orders/douyin_orders.csv";
pub const PDD_ORDERS: &str = "orders/pdd_orders.csv";
pub const WECHAT_ORDERS: &str = "orders/wechat_orders.csv";
pub const B2B_ORDERS: &str = "orders/b2b_orders.csv";

pub const TMALL_HEADER: &[&str] = &[
    "平台",
    "店铺名称",
    "订单编号",
    "下单时间",
    "付款时间",
    "发货时间",
    "订单状态",
    "币种",
    "订单金额",
    "实付金额",
    "买家姓名",
    "联系电话",
    "收货地址",
    "物流单号",
    "快递公司",
    "商家编码",
    "宝贝总数量",
];
pub const JD_HEADER: &[&str] = &[
    "平台",
    "店铺",
    "订单号",
    "下单时间",
    "支付时间",
    "出库时间",
    "订单状态",
    "订单金额",
    "应付金额",
    "客户姓名",
    "客户电话",
    "客户地址",
    "运单号",
    "承运商",
    "商品编号",
    "订购数量",
];
pub const DOUYIN_HEADER: &[&str] = &[
    "平台",
    "店铺",
    "主订单编号",
    "订单提交时间",
    "支付完成时间",
    "发货时间",
    "订单状态",
    "订单应付金额",
    "实付款",
    "收件人",
    "收件人手机号",
    "详细地址",
    "快递单号",
    "快递公司",
    "商家编码",
    "商品数量",
];
pub const PDD_HEADER: &[&str] = &[
    "平台",
    "店铺",
    "订单号",
    "成交时间",
    "支付时间",
    "发货时间",
    "订单状态",
    "商品总价(元)",
    "用户实付金额(元)",
    "收货人",
    "手机",
    "收货地址",
    "快递单号",
    "快递公司",
    "商家编码-SKU维度",
    "商品数量(件)",
];
/// The same orders as an ERP (聚水潭, 旺店通 …) exports them: its own internal order
/// number beside the platform's, and its own names for every column.
pub const ERP_HEADER: &[&str] = &[
    "平台",
    "店铺名称",
    "线上订单号",
    "下单时间",
    "付款时间",
    "发货时间",
    "订单状态",
    "商品总额",
    "已付金额",
    "收件人",
    "手机",
    "地址",
    "物流单号",
    "快递公司",
    "商品编码",
    "数量",
    "内部订单号",
];
/// The mini-program shop system's export (有赞 / 微盟 style): the buyer's WeChat nickname
/// and the consignee in columns of their own.
pub const WECHAT_HEADER: &[&str] = &[
    "订单号",
    "平台",
    "店铺名称",
    "下单时间",
    "支付时间",
    "发货时间",
    "订单状态",
    "订单金额",
    "实付金额",
    "买家昵称",
    "收货人",
    "手机号",
    "收货地址",
    "快递公司",
    "快递单号",
    "商品编码",
    "数量",
];
pub const B2B_HEADER: &[&str] = &[
    "平台",
    "店铺",
    "订单编号",
    "下单时间",
    "订单状态",
    "订单金额",
    "客户名称",
    "联系电话",
    "收货地址",
    "商品编码",
    "数量",
];
/// The B2B export of an ERP whose sales clerks keep the customer as the buyer's
/// nickname (买家昵称, the company as typed) and the consignee (收货人); layout 1 keeps the
/// customer master's 客户名称 too, filled for most orders.
pub const B2B_HEADER_PARTIES: &[&str] = &[
    "平台",
    "店铺",
    "订单编号",
    "下单时间",
    "发货时间",
    "订单状态",
    "订单金额",
    "实付金额",
    "客户名称",
    "买家昵称",
    "收货人",
    "联系电话",
    "收货地址",
    "商品编码",
    "数量",
];

fn status_word(p: Platform, s: State, rng: &mut GenRng) -> &'static str {
    let words: [&str; 6] = match p {
        Platform::Tmall => ["等待买家付款", "买家已付款", "卖家已发货", "交易成功", "交易关闭", "退款成功"],
        Platform::Jd => ["等待付款", "等待出库", "等待确认收货", "完成", "已取消", "退款成功"],
        Platform::Douyin => ["待支付", "待发货", "已发货", "已完成", "已关闭", "售后完成"],
        Platform::Pdd => ["待支付", "待发货", "已发货待签收", "已签收", "已取消", "退款成功"],
        Platform::Wechat => ["待付款", "待发货", "已发货", "已完成", "已关闭", "退款成功"],
        Platform::B2b => ["待付款", "部分付款", "部分付款", "已完成", "已取消", "已取消"],
    };
    if p == Platform::Tmall && s == State::Closed && chance(rng, 3_000) {
        return "退款成功";
    }
    words[s as usize]
}

pub struct OrderFiles {
    tmall: CsvOut,
    jd: XlsxOut,
    douyin: CsvOut,
    pdd: CsvOut,
    wechat: CsvOut,
    b2b: CsvOut,
    /// The ERP's last internal order number (`Style::pdd_erp`).
    erp_seq: u64,
}

impl OrderFiles {
    pub fn create(out: &Path, clock: &Clock, world: &World) -> Result<Self, GenError> {
        let mut tmall = CsvOut::create(out, TMALL_ORDERS, Enc::Utf8Bom, true)?;
        tmall.header(TMALL_HEADER)?;
        let mut jd = XlsxOut::new(out, JD_ORDERS, "订单", export_stamp(clock))?;
        jd.preamble(Some("京东商家订单导出"))?;
        let export = format!("导出时间：{} 09:00:00", date_dash(clock));
        jd.preamble(Some(&export))?;
        jd.preamble(None)?;
        jd.header(
            JD_HEADER,
            &[8.0, 20.0, 16.0, 20.0, 20.0, 20.0, 12.0, 12.0, 12.0, 10.0, 14.0, 50.0, 18.0, 10.0, 12.0, 10.0],
        )?;
        let mut douyin = CsvOut::create(out, DOUYIN_ORDERS, Enc::Utf8, false)?;
        douyin.header(DOUYIN_HEADER)?;
        let mut pdd = CsvOut::create(out, PDD_ORDERS, Enc::Gb18030, true)?;
        pdd.header(if world.style.pdd_erp { ERP_HEADER } else { PDD_HEADER })?;
        let mut wechat = CsvOut::create(out, WECHAT_ORDERS, Enc::Utf8Bom, false)?;
        wechat.header(WECHAT_HEADER)?;
        let mut b2b = CsvOut::create(out, B2B_ORDERS, Enc::Utf8, false)?;
        match world.style.b2b_layout {
            0 => b2b.header(B2B_HEADER)?,
            1 => b2b.header(B2B_HEADER_PARTIES)?,
            _ => {
                let h: Vec<&str> = B2B_HEADER_PARTIES.iter().copied().filter(|c| *c != "客户名称").collect();
                b2b.header(&h)?
            }
        }
        Ok(OrderFiles { tmall, jd, douyin, pdd, wechat, b2b, erp_seq: 0 })
    }

    pub fn write(
        &mut self,
        world: &World,
        clock: &Clock,
        noise: &NoiseProfile,
        rng: &mut GenRng,
        rec: &OrderRec,
        row: &mut OrderRow,
    ) -> Result<(), GenError> {
        let shop = &world.shops[row.shop as usize];
        let p = shop.platform;
        let dirt = noise.dirty_per_10k;
        let mut id = std::mem::take(&mut row.scratch);
        id.clear();
        push_order_id(&mut id, clock, p, rec);
        let style = &world.style;
        let label = style.labels[row.shop as usize];
        if p == Platform::Wechat {
            return self.write_wechat(world, clock, rng, rec, row, id, label);
        }
        let c = &mut row.cells;
        c.clear();
        c.push(label);
        c.push(shop.name);
        c.push(&id);
        clock.push_datetime(c.cell(), row.order_t);
        if p == Platform::B2b {
            let layout = style.b2b_layout;
            if layout > 0 {
                clock.push_datetime_or_blank(c.cell(), row.ship_t);
            }
            c.push(status_word(p, row.state, rng));
            for k in 0..if layout > 0 { 2 } else { 1 } {
                let cell = c.cell();
                if k == 0 && chance(rng, dirt * 5) {
                    push_cents_grouped(cell, row.amount);
                } else {
                    push_cents(cell, row.amount);
                }
            }
            let cust = &world.customers[row.customer];
            match layout {
                0 => c.push(&cust.name),
                _ => {
                    // The customer master's name for most orders; the clerk's spelling of
                    // the company as the buyer; the person who receives the goods.
                    if layout == 1 {
                        if chance(rng, 8_000) {
                            c.push(&cust.name);
                        } else {
                            c.cell();
                        }
                    }
                    c.push(&cust.typed_name(rng, layout));
                    c.push(&person_name(rng));
                }
            }
            let cell = c.cell();
            if layout == 0 {
                cell.push_str(["0755-", "021-", "020-", "0512-", "025-", "028-"][rng.random_range(0..6)]);
                push_num(cell, rng.random_range(20_000_000..90_000_000), 8);
            } else {
                push_mobile(cell, rng);
            }
            push_address(c.cell(), rng, false);
            c.push(sku(rec.product));
            push_num(c.cell(), u64::from(row.qty), 1);
            row.scratch = id;
            return self.b2b.row(&row.cells);
        }
        clock.push_datetime_or_blank(c.cell(), row.pay_t);
        clock.push_datetime_or_blank(c.cell(), row.ship_t);
        c.push(status_word(p, row.state, rng));
        if p == Platform::Tmall {
            c.push("CNY");
        }
        let (amount_col, payable_col) = (c.len(), c.len() + 1);
        push_cents(c.cell(), row.amount);
        push_cents(c.cell(), row.payable);
        let name = person_name(rng);
        c.push(&dirty(rng, &name, dirt));
        push_mobile(c.cell(), rng);
        let mut addr = String::with_capacity(96);
        push_address(&mut addr, rng, p == Platform::Tmall);
        c.push(&dirty(rng, &addr, dirt));
        if row.draw_courier {
            // Drawn as before, the warehouse's is written.
            row.drawn.clear();
            courier(rng, p, &mut row.drawn);
        }
        c.push(&row.tracking);
        c.push(row.courier);
        c.push(sku(rec.product));
        push_num(c.cell(), u64::from(row.qty), 1);
        row.scratch = id;
        match p {
            Platform::Tmall => self.tmall.row(&row.cells),
            Platform::Douyin => self.douyin.row(&row.cells),
            Platform::Pdd => {
                if world.style.pdd_erp {
                    // The ERP numbers orders as they reach it.
                    self.erp_seq += 1;
                    push_num(row.cells.cell(), 3_000_000 + self.erp_seq, 7);
                }
                self.pdd.row(&row.cells)
            }
            _ => {
                // JD: amounts as numeric cells, everything else as text.
                for (col, cell) in row.cells.cells().iter().enumerate() {
                    if col == amount_col {
                        self.jd.money(col as u16, row.amount)?;
                    } else if col == payable_col {
                        self.jd.money(col as u16, row.payable)?;
                    } else {
                        self.jd.text(col as u16, cell)?;
                    }
                }
                self.jd.end_row();
                Ok(())
            }
        }
    }

    /// A row of the mini-program shop's export: the channel per order where the shop
    /// system says it, the buyer's nickname and the consignee.
    #[allow(clippy::too_many_arguments)]
    fn write_wechat(
        &mut self,
        world: &World,
        clock: &Clock,
        rng: &mut GenRng,
        rec: &OrderRec,
        row: &mut OrderRow,
        id: String,
        label: &'static str,
    ) -> Result<(), GenError> {
        let c = &mut row.cells;
        c.clear();
        c.push(&id);
        let label = if world.style.wechat_mixed && chance(rng, 2_500) {
            *super::draw::pick(rng, &["微信小程序", "小程序商城", "视频号小店"])
        } else {
            label
        };
        c.push(label);
        c.push(world.shops[row.shop as usize].name);
        clock.push_datetime(c.cell(), row.order_t);
        clock.push_datetime_or_blank(c.cell(), row.pay_t);
        clock.push_datetime_or_blank(c.cell(), row.ship_t);
        c.push(status_word(Platform::Wechat, row.state, rng));
        push_cents(c.cell(), row.amount);
        push_cents(c.cell(), row.payable);
        c.push(&nickname(rng));
        c.push(&person_name(rng));
        push_mobile(c.cell(), rng);
        push_address(c.cell(), rng, true);
        c.push(row.courier);
        c.push(&row.tracking);
        c.push(sku(rec.product));
        push_num(c.cell(), u64::from(row.qty), 1);
        row.scratch = id;
        self.wechat.row(&row.cells)
    }

    pub fn finish(self) -> Result<Vec<GeneratedFile>, GenError> {
        let mut files = vec![self.tmall.finish("orders")?];
        files.extend(self.jd.finish("orders")?);
        files.extend([
            self.douyin.finish("orders")?,
            self.pdd.finish("orders")?,
            self.wechat.finish("orders")?,
            self.b2b.finish("orders")?,
        ]);
        Ok(files)
    }
}
