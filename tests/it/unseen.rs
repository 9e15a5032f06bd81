//! Matching and order status on exports whose conventions recon did not choose — one
//! small hand-written merchant per class of variation seen in real data (issue:
//! "reconcile data recon did not write"), each with the answer stated here: references
//! with dashes or cut short in memos, parties in other columns and truncated names,
//! channels that name platforms, fees as columns, two bills of one wallet, public
//! holidays, equal round withdrawals and decoys, due dates from shipment. Then the
//! validation sets of ../shared, when they are there, against the bar.

use std::path::PathBuf;

use crate::common::{Ws, text};

/// A file written beside the workspace.
fn file(ws: &Ws, name: &str, body: &str) -> PathBuf {
    let p = ws.scratch(&format!("data/{name}"));
    std::fs::write(&p, body).unwrap();
    p
}

const ORDERS: &str =
    "订单编号,平台,店铺,下单时间,付款时间,发货时间,订单状态,订单金额,实付金额,买家昵称,收货人,联系手机,收货地址\n";
const BANK: &str = "交易日期,交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,用途\n";
const ALIPAY: &str = "#支付宝账务明细查询\n账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注\n";
const DOUYIN: &str = "动账时间,动帐流水号,动账方向,动账金额,动账账户,动账场景,计费类型,子订单号,订单号,售后编号,下单时间,订单实付应结,运费实付,平台服务费,佣金,备注\n";

/// Every pair in bank_matches as (payout or order, bank txn id, rule).
fn matches(ws: &Ws) -> Vec<Vec<String>> {
    ws.rows(
        "SELECT coalesce(m.payout_id, m.order_id), b.txn_id, m.rule FROM bank_matches m \
         JOIN bank_txns b ON b.line_id = m.line_id ORDER BY 2, 1",
    )
}

/// Ids run into Chinese text, carry dashes, or are cut to their last digits: each is
/// found because recon knows the id exists, not by a pattern.
#[test]
fn references_with_dashes_or_cut_short_name_their_order_or_payout() {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "orders.csv",
        &format!(
            "{ORDERS}\
             HT-2026-0315,线下,企业客户部,2026-09-01 10:00:00,,2026-09-02 10:00:00,已发货,12000.00,12000.00,江南机电科技有限公司,李工,13800000001,浙江省杭州市\n\
             SO20261001-07,线下,企业客户部,2026-09-03 10:00:00,,2026-09-04 10:00:00,已发货,8000.00,8000.00,北方贸易有限公司,赵经理,13800000002,北京市朝阳区\n\
             SO20261001-08,线下,企业客户部,2026-09-03 11:00:00,,2026-09-04 10:00:00,已发货,8000.00,8000.00,北方贸易有限公司,赵经理,13800000002,北京市朝阳区\n"
        ),
    ));
    ws.import(&file(
        &ws,
        "douyin.csv",
        &format!(
            "{DOUYIN}2026-09-16 18:00:00,7001,出账,5000.00,聚合账户,提现,提现,,,,,,,,,提现单号：TX202609161852960452 提现至对公账户(6499)\n\
             2026-09-16 19:00:00,7002,出账,5000.00,聚合账户,提现,提现,,,,,,,,,提现单号：TX202609160000000001 提现至对公账户(6499)\n"
        ),
    ));
    ws.import(&file(
        &ws,
        "bank.csv",
        &format!(
            "{BANK}2026-09-05,10:00:00,B1,,12000.00,1000000.00,王小明,6222000000000001,转账,转账 HT-2026-0315货款\n\
             2026-09-08,10:00:00,B2,,8000.00,1008000.00,北方贸易有限公司,6222000000000002,汇入,付SO20261001-07\n\
             2026-09-17,10:00:00,B3,,5000.00,1013000.00,抖音支付科技有限公司,6222000000000003,抖店提现,提现161852960452\n\
             2026-09-18,10:00:00,B4,,5000.00,1018000.00,抖音支付科技有限公司,6222000000000003,抖店提现,提现 6499\n"
        ),
    ));
    ws.ok(&["reconcile"]);
    let got = matches(&ws);
    // A person paying with the order id in the memo; an id with a dash glued to Chinese
    // text beside an order alike in all but its last digits; the last 12 digits of a
    // withdrawal serial; and by amount the other withdrawal (an account's last digits
    // name nothing).
    assert!(got.contains(&vec!["HT-2026-0315".into(), "B1".into(), "order_reference".into()]), "{got:?}");
    assert!(got.contains(&vec!["SO20261001-07".into(), "B2".into(), "order_reference".into()]), "{got:?}");
    assert!(got.contains(&vec!["7001".into(), "B3".into(), "reference".into()]), "{got:?}");
    assert!(got.contains(&vec!["7002".into(), "B4".into(), "amount".into()]), "{got:?}");
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(ws.value("SELECT status FROM order_settlement WHERE order_id = 'SO20261001-08'"), "unsettled");
}

/// The company is in 买家昵称, the person in 收货人; the bank shows the company's name cut
/// short, a transfer fee less; another customer pays two orders with one transfer; a part
/// payment from a customer with one open order.
#[test]
fn a_company_pays_under_a_short_name_with_a_bank_fee_less() {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "orders.csv",
        &format!(
            "{ORDERS}\
             B-001,B2B,企业客户部,2026-09-03 12:00:00,,2026-09-04 06:00:00,已发货,36561.80,36561.80,厦门市东升办公用品有限公司,王明辉,13786550776,上海市杨浦区\n\
             B-002,B2B,企业客户部,2026-09-10 12:00:00,,2026-09-11 06:00:00,已发货,16449.20,16449.20,宁波市嘉禾电子有限公司,周一,13700000001,宁波市\n\
             B-003,B2B,企业客户部,2026-09-11 12:00:00,,2026-09-12 06:00:00,已发货,16449.20,16449.20,宁波市嘉禾电子有限公司,周一,13700000001,宁波市\n\
             B-004,B2B,企业客户部,2026-09-12 12:00:00,,2026-09-13 06:00:00,已发货,36352.00,36352.00,佛山市远航实业有限责任公司,侯晨泽,13700000002,佛山市\n"
        ),
    ));
    ws.import(&file(
        &ws,
        "bank.csv",
        &format!(
            "{BANK}2026-09-04,11:02:21,B1,,36560.56,1000000.00,东升办公用品,7246868547857250015,电子汇入,货款\n\
             2026-09-21,15:13:37,B2,,32898.40,1032898.40,宁波市嘉禾电子有限公司,3338079302127241477,电子汇入,货款\n\
             2026-09-25,14:12:54,B3,,15994.88,1048893.28,远航实业有限责任公司,5003045673141647528,汇入汇款,转账\n"
        ),
    ));
    ws.ok(&["reconcile"]);
    let got = matches(&ws);
    assert!(got.contains(&vec!["B-001".into(), "B1".into(), "order_amount".into()]), "{got:?}");
    assert!(got.contains(&vec!["B-002".into(), "B2".into(), "orders_combined".into()]), "{got:?}");
    assert!(got.contains(&vec!["B-003".into(), "B2".into(), "orders_combined".into()]), "{got:?}");
    assert!(got.contains(&vec!["B-004".into(), "B3".into(), "order_part_payment".into()]), "{got:?}");
    assert_eq!(
        ws.rows("SELECT order_id, status, fees, settled FROM order_settlement ORDER BY order_id"),
        [
            ["B-001", "settled", "1.24", "36560.56"],
            ["B-002", "settled", "0.00", "16449.20"],
            ["B-003", "settled", "0.00", "16449.20"],
            ["B-004", "partial", "0.00", "15994.88"],
        ]
    );
    // The person's name is masked for viewers; the company's is not personal.
    assert_eq!(ws.value("SELECT buyer_company FROM orders WHERE order_id = 'B-001'"), "");
    assert_eq!(ws.value("SELECT buyer_nick FROM orders WHERE order_id = 'B-001'"), "厦门市东升办公用品有限公司");
}

/// A customer with more credits and open orders than candidate_limit in the window is
/// paired by amount only: the credit that pays an order whole and a deposit are still
/// found, an instalment set is not looked for (and `explain` says why); with the limit
/// at its default the same files find the instalments too.
#[test]
fn a_crowded_customer_is_paired_by_amount_past_the_candidate_limit() {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "orders.csv",
        &format!(
            "{ORDERS}\
             A-1,B2B,企业客户部,2026-09-01 12:00:00,,2026-09-02 06:00:00,已发货,1111.11,1111.11,宁波市嘉禾电子有限公司,周一,13700000001,宁波市\n\
             A-2,B2B,企业客户部,2026-09-02 12:00:00,,2026-09-03 06:00:00,已发货,2222.22,2222.22,宁波市嘉禾电子有限公司,周一,13700000001,宁波市\n\
             A-3,B2B,企业客户部,2026-09-03 12:00:00,,2026-09-04 06:00:00,已发货,3456.78,3456.78,宁波市嘉禾电子有限公司,周一,13700000001,宁波市\n\
             A-4,B2B,企业客户部,2026-09-04 12:00:00,,2026-09-05 06:00:00,已发货,4567.89,4567.89,宁波市嘉禾电子有限公司,周一,13700000001,宁波市\n"
        ),
    ));
    ws.import(&file(
        &ws,
        "bank.csv",
        &format!(
            "{BANK}2026-09-10,10:00:00,W1,,1111.11,1001111.11,宁波市嘉禾电子有限公司,3338079302127241477,电子汇入,货款\n\
             2026-09-11,10:00:00,I1,,1000.00,1002111.11,宁波市嘉禾电子有限公司,3338079302127241477,电子汇入,货款\n\
             2026-09-12,10:00:00,I2,,1222.22,1003333.33,宁波市嘉禾电子有限公司,3338079302127241477,电子汇入,货款\n\
             2026-09-13,10:00:00,D1,,913.58,1004246.91,宁波市嘉禾电子有限公司,3338079302127241477,电子汇入,定金\n"
        ),
    ));
    // Three credits left for three orders once W1 pays A-1: more than two on each side.
    std::fs::write(ws.root.join("settings.toml"), "[matching]\ncandidate_limit = 2\n").unwrap();
    ws.ok(&["reconcile"]);
    assert_eq!(
        matches(&ws),
        [
            vec!["A-4".to_string(), "D1".into(), "order_deposit".into()],
            vec!["A-1".into(), "W1".into(), "order_amount".into()],
        ]
    );
    assert_eq!(ws.value("SELECT status FROM order_settlement WHERE order_id = 'A-2'"), "unsettled");
    let why = ws.ok(&["explain", "A-2"]);
    assert!(why.contains("more than 2 credits") && why.contains("candidate_limit"), "{why}");
    // A-1, which one credit pays whole, is not of the crowded rest.
    assert!(!ws.ok(&["explain", "A-1"]).contains("candidate_limit"));

    std::fs::remove_file(ws.root.join("settings.toml")).unwrap();
    ws.ok(&["reconcile"]);
    assert_eq!(
        matches(&ws),
        [
            vec!["A-4".to_string(), "D1".into(), "order_deposit".into()],
            vec!["A-2".into(), "I1".into(), "order_instalments".into()],
            vec!["A-2".into(), "I2".into(), "order_instalments".into()],
            vec!["A-1".into(), "W1".into(), "order_amount".into()],
        ]
    );
    assert_eq!(ws.value("SELECT status FROM order_settlement WHERE order_id = 'A-2'"), "settled");
    assert!(!ws.ok(&["explain", "A-2"]).contains("candidate_limit"));
}

/// 微信小程序 is WeChat's; the fund bill's 业务凭证号 names the order; the trade bill beside
/// it counts no money, but says whose order a refund in the fund bill was.
#[test]
fn channels_and_the_two_bills_of_one_wallet() {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "orders.csv",
        &format!(
            "{ORDERS}\
             wx1001,微信小程序,禾屿商城小程序,2026-09-01 06:32:25,2026-09-01 06:34:11,2026-09-02 10:13:52,已完成,610.00,610.00,晴天宝宝,于欣阳,18937188792,河南省郑州市\n\
             wx1002,小程序商城,禾屿商城小程序,2026-09-01 07:26:28,2026-09-01 07:30:27,2026-09-02 10:13:52,已退款,94.05,94.05,小雨,李雨,18937188793,河南省郑州市\n"
        ),
    ));
    ws.import(&file(
        &ws,
        "wechat_trade.csv",
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n\
         `2026-09-01 06:34:11,`wx1,`1900001,`0,`,`4200001,`wx1001,`oU1,`JSAPI,`SUCCESS,`CMB_DEBIT,`CNY,`610.00,`0.00,`0,`0,`0.00,`0.00,`,`,`四件套,`,`3.66,`0.60%,`610.00,`0.00,`\n\
         `2026-09-01 07:30:27,`wx1,`1900001,`0,`,`4200002,`wx1002,`oU2,`JSAPI,`SUCCESS,`CMB_DEBIT,`CNY,`94.05,`0.00,`0,`0,`0.00,`0.00,`,`,`体脂秤,`,`0.56,`0.60%,`94.05,`0.00,`\n\
         `2026-09-03 08:00:00,`wx1,`1900001,`0,`,`4200002,`wx1002,`oU2,`JSAPI,`REFUND,`CMB_DEBIT,`CNY,`0.00,`0.00,`5030002,`TK1002,`94.05,`0.00,`ORIGINAL,`SUCCESS,`体脂秤,`,`-0.56,`0.60%,`0.00,`94.05,`\n\
         总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n\
         `3,`704.05,`94.05,`0.00,`3.66,`704.05,`94.05\n",
    ));
    ws.import(&file(
        &ws,
        "wechat_funds.csv",
        "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号\n\
         `2026-09-02 01:00:00,`4200001,`F1,`交易,`交易,`收入,`610.00,`610.00,`system,`,`wx1001\n\
         `2026-09-02 01:00:01,`4200001,`F2,`交易,`扣除交易手续费,`支出,`3.66,`606.34,`system,`,`wx1001\n\
         `2026-09-02 02:00:00,`4200002,`F3,`交易,`交易,`收入,`94.05,`700.39,`system,`,`wx1002\n\
         `2026-09-02 02:00:01,`4200002,`F4,`交易,`扣除交易手续费,`支出,`0.56,`699.83,`system,`,`wx1002\n\
         `2026-09-03 08:00:05,`5030002,`F5,`退款,`退款,`支出,`94.05,`605.78,`system,`,`TK1002\n\
         `2026-09-03 08:00:06,`5030002,`F6,`退款,`退还交易手续费,`收入,`0.56,`606.34,`system,`,`TK1002\n",
    ));
    assert_eq!(
        ws.rows("SELECT platform, channel FROM orders ORDER BY order_id"),
        [["wechat", "微信小程序"], ["wechat", "小程序商城"]]
    );
    // The trade bill's lines are in payments, not in the wallet's ledger.
    assert_eq!(ws.value("SELECT count(*) FROM settlements"), "6");
    assert_eq!(ws.value("SELECT count(*) FROM payments"), "6");
    assert_eq!(
        ws.rows("SELECT order_id, status, refunded, fees, settled FROM order_settlement ORDER BY order_id"),
        [["wx1001", "settled", "0.00", "3.66", "606.34"], ["wx1002", "refunded", "94.05", "0.00", "0.00"]]
    );
}

/// A Douyin line gives its gross and fees as columns beside the net: the fees are the
/// order's; a net the columns do not explain is a discrepancy; a sub-order settled while
/// another is still to come is partial.
#[test]
fn fees_given_as_columns_are_the_orders_fees() {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "orders.csv",
        &format!(
            "{ORDERS}\
             6907,抖音,抖音小店,2026-09-18 01:36:50,2026-09-18 01:45:11,2026-09-18 12:10:23,已完成,344.00,327.55,兔子同学,罗凯,131****9734,辽宁省沈阳市\n\
             6931,抖音,抖音小店,2026-09-01 17:14:37,2026-09-01 17:23:02,2026-09-01 21:46:06,已完成,259.00,239.00,兔子呀,姜华凯,136****6332,陕西省西安市\n\
             6936,抖音,抖音小店,2026-09-19 22:53:10,2026-09-19 22:55:35,2026-09-22 07:19:09,已发货,704.00,704.00,米粒,余东春,152****8771,山东省青岛市\n"
        ),
    ));
    let said = ws.import(&file(
        &ws,
        "douyin.csv",
        &format!(
            "{DOUYIN}2026-10-01 21:34:24,7572,入账,305.67,聚合账户,订单结算,货款,6914,6907,,2026-09-18 01:36:50,312.55,15.00,6.25,15.63,\n\
             2026-09-13 02:33:49,7998,入账,192.24,聚合账户,订单结算,货款,6923,6931,,2026-09-01 17:14:37,239.00,0.00,11.95,0.00,\n\
             2026-10-07 03:18:26,7909,入账,385.05,聚合账户,订单结算,货款,6962,6936,,2026-09-19 22:53:10,399.00,6.00,19.95,0.00,\n"
        ),
    ));
    // The report says how many table lines the rows became.
    let lines = ws.value("SELECT count(*) FROM settlements");
    assert!(said.contains(&format!("stored 3 rows ({lines} lines in settlements")), "{said}");
    assert_eq!(
        ws.rows("SELECT kind, amount, memo FROM settlements WHERE order_id = '6907' ORDER BY amount DESC"),
        [["sale", "327.55", ""], ["fee", "-6.25", "平台服务费"], ["commission", "-15.63", "佣金"]]
    );
    assert_eq!(
        ws.rows("SELECT order_id, status, fees, net_expected, settled FROM order_settlement ORDER BY order_id"),
        [
            ["6907", "settled", "21.88", "305.67", "305.67"],
            ["6931", "discrepancy", "11.95", "227.05", "192.24"],
            ["6936", "partial", "19.95", "684.05", "385.05"],
        ]
    );
    let why = ws.ok(&["explain", "6936"]);
    assert!(why.contains("sub-orders still to settle"), "{why}");
}

/// Money withdrawn the day before 国庆 reaches the bank on the second working day after
/// it: inside a five-working-day window by the published calendar, outside it by plain
/// weekdays.
#[test]
fn a_withdrawal_before_a_holiday_arrives_after_it() {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "alipay.csv",
        &format!(
            "{ALIPAY}20260930001,20260930110001,,提现,2026-09-30 16:00:00,1202***6499,,-8888.88,0.00,支付宝,提现,余额提现\n"
        ),
    ));
    ws.import(&file(
        &ws,
        "bank.csv",
        &format!("{BANK}2026-10-09,10:00:00,B1,,8888.88,1008888.88,支付宝（中国）网络技术有限公司,1,汇入汇款,提现\n"),
    ));
    ws.ok(&["reconcile"]);
    assert_eq!(matches(&ws), [["20260930001", "B1", "amount"]]);
    assert_eq!(ws.value("SELECT working_days(TIMESTAMP '2026-09-30 16:00:00', TIMESTAMP '2026-10-09 10:00:00')"), "2");
    assert_eq!(
        ws.value("SELECT count(*) FROM calendar_days WHERE reason LIKE '国庆%' AND day >= DATE '2026-10-01'"),
        "7"
    );
    // The merchant's bank works a day the State Council gave off.
    std::fs::write(ws.root.join("settings.toml"), "[calendar]\nworkdays = [\"2026-10-05\"]\n").unwrap();
    assert_eq!(ws.value("SELECT working_days(TIMESTAMP '2026-09-30 16:00:00', TIMESTAMP '2026-10-09 10:00:00')"), "3");
}

/// Equal round withdrawals on one day: two credits for two of them pair in time order
/// (any pairing books the same money); a third withdrawal makes it a real tie, left to a
/// person with its candidates; a credit of the same amount from a company that is no
/// platform's payer is never taken for one.
#[test]
fn equal_round_withdrawals_and_a_decoy() {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "alipay.csv",
        &format!(
            "{ALIPAY}P1,T1,,提现,2026-09-15 10:00:00,1202***6499,,-5000.00,0.00,支付宝,提现,余额提现\n\
             P2,T2,,提现,2026-09-15 14:00:00,1202***6499,,-5000.00,0.00,支付宝,提现,余额提现\n\
             P3,T3,,提现,2026-09-22 10:00:00,1202***6499,,-3000.00,0.00,支付宝,提现,余额提现\n\
             P4,T4,,提现,2026-09-22 14:00:00,1202***6499,,-3000.00,0.00,支付宝,提现,余额提现\n"
        ),
    ));
    ws.import(&file(
        &ws,
        "bank.csv",
        &format!(
            "{BANK}2026-09-16,10:00:00,B1,,5000.00,1005000.00,支付宝（中国）网络技术有限公司,1,汇入汇款,提现\n\
             2026-09-16,11:00:00,B9,,5000.00,1010000.00,佛山市长虹实业有限公司,2,转账,还款\n\
             2026-09-16,15:00:00,B2,,5000.00,1015000.00,ALIPAY,1,汇入汇款,提现\n\
             2026-09-23,10:00:00,B3,,3000.00,1018000.00,支付宝（中国）网络技术有限公司,1,汇入汇款,提现\n"
        ),
    ));
    ws.ok(&["reconcile"]);
    assert_eq!(matches(&ws), [["P1", "B1", "amount"], ["P2", "B2", "amount"]]);
    assert_eq!(
        ws.rows("SELECT payout_id, txn_id FROM match_candidates ORDER BY payout_id"),
        [["P3", "B3"], ["P4", "B3"]]
    );
    let why = ws.ok(&["explain", "P3"]);
    assert!(why.contains("a tie no rule settles"), "{why}");
    assert_eq!(ws.value("SELECT count(*) FROM unmatched_bank WHERE txn_id = 'B9'"), "1");
}

/// An order is due the platform's cycle after it shipped: recon's default until 30
/// settled orders show the platform's own habit, the merchant's setting above both; an
/// order not shipped is not due; only an order with nothing received becomes overdue.
#[test]
fn due_dates_count_from_shipment() {
    let ws = Ws::new();
    ws.import(&file(
        &ws,
        "orders.csv",
        &format!(
            "{ORDERS}\
             T1,天猫,旗舰店,2026-09-01 10:00:00,2026-09-01 10:01:00,2026-09-03 10:00:00,卖家已发货,100.00,100.00,a,甲,13800000001,杭州市\n\
             T2,天猫,旗舰店,2026-10-20 10:00:00,2026-10-20 10:01:00,,买家已付款,100.00,100.00,b,乙,13800000002,杭州市\n"
        ),
    ));
    let at = "2026-10-31 23:59:59";
    assert_eq!(
        ws.rows_at(Some(at), "SELECT order_id, status, CAST(CAST(due_date AS DATE) AS VARCHAR), days_overdue FROM receivables ORDER BY order_id"),
        [["T1", "overdue", "2026-09-18", "43"], ["T2", "unsettled", "", "0"]]
    );
    assert_eq!(
        ws.rows_at(Some(at), "SELECT cycle_days, source FROM receivable_terms WHERE platform = 'tmall'"),
        [["15", "default"]]
    );
    std::fs::write(ws.root.join("settings.toml"), "[receivables]\ncycle_days = { tmall = 60 }\n").unwrap();
    assert_eq!(
        ws.rows_at(Some(at), "SELECT order_id, status FROM receivables ORDER BY order_id"),
        [["T1", "unsettled"], ["T2", "unsettled"]]
    );
    let why = ws.ok(&["--as-of", at, "explain", "T1"]);
    assert!(why.contains("shipment + 60 days, settings terms"), "{why}");
}

/// The validation sets beside the project: data recon did not generate, scored by their
/// own scorer against the bar of the issue. Skipped, saying so, without ../shared.
#[test]
fn validation_sets_meet_the_bar() {
    let Some(root) = crate::common::shared_or_skip("validation") else { return };
    for set in ["low", "high"] {
        let dir = root.join(set);
        let ws = Ws::new();
        let files: Vec<String> = std::fs::read_dir(dir.join("data"))
            .unwrap()
            .map(|e| e.unwrap().path().to_string_lossy().into_owned())
            .collect();
        let mut args = vec!["import", "--no-progress"];
        args.extend(files.iter().map(String::as_str));
        ws.ok(&args);
        let at = "2026-10-31 23:59:59";
        ws.ok(&["--as-of", at, "reconcile"]);
        let m = ws.scratch(&format!("{set}_matches.csv"));
        let r = ws.scratch(&format!("{set}_receivables.csv"));
        std::fs::write(&m, ws.ok(&["--as-of", at, "sql", "--format", "csv", "-c", "SELECT * FROM bank_matches"]))
            .unwrap();
        std::fs::write(&r, ws.ok(&["--as-of", at, "sql", "--format", "csv", "-c", "SELECT * FROM receivables"]))
            .unwrap();
        let out = std::process::Command::new("python3")
            .arg(root.join("score.py"))
            .arg("--truth")
            .arg(dir.join("truth"))
            .arg("--matches")
            .arg(&m)
            .arg("--receivables")
            .arg(&r)
            .output();
        let Ok(out) = out else {
            eprintln!("skipped: python3 is not there to run score.py");
            return;
        };
        let report = text(&out.stdout);
        println!("{set}:\n{report}");
        let figure = |line: &str, key: &str| -> f64 {
            let l = report.lines().find(|l| l.starts_with(line)).unwrap_or_else(|| panic!("{report}"));
            let at = l.find(&format!("{key}=")).unwrap_or_else(|| panic!("{key} in {l}")) + key.len() + 1;
            l[at..].split([' ', '|']).next().unwrap().parse().unwrap()
        };
        let (p, r, status) = (figure("bank_links", "P"), figure("bank_links", "R"), figure("bank_links", "status_acc"));
        let payout_p = figure("detail", "payout P");
        assert!(p >= 0.995 && r >= 0.97 && status >= 0.995 && payout_p >= 0.999, "{set}:\n{report}");
        let twice = ws.value(
            "SELECT count(*) FROM (SELECT line_id FROM bank_matches GROUP BY line_id HAVING count(DISTINCT match_group) > 1)",
        );
        assert_eq!(twice, "0", "{set}: a bank line in two matches");
    }
}
