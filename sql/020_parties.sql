-- platform_parties: the names a platform's money arrives under in the bank, as parts of
-- a normalised counterparty name (normalize_party): Tmall and Alipay pay out through
-- 支付宝, JD through 网银在线, Douyin through 抖音支付 / 字节跳动 / 合众易宝, Pinduoduo
-- through 寻梦 / 付费通, WeChat through 财付通.
CREATE VIEW platform_parties AS
SELECT column1 AS platform, column2 AS pattern
FROM (VALUES
    ('tmall', '支付宝'), ('alipay', '支付宝'),
    ('jd', '网银在线'), ('jd', '京东'),
    ('douyin', '抖音'), ('douyin', '字节跳动'), ('douyin', '合众易宝'),
    ('pdd', '寻梦'), ('pdd', '付费通'), ('pdd', '拼多多'),
    ('wechat', '财付通'), ('wechat', '微信'),
    ('amazon', 'amazon'), ('shopify', 'shopify'));

-- bank_credits: money into the company's bank accounts, each line with its counterparty
-- name normalised for comparing (normalize_party).
CREATE VIEW bank_credits AS
SELECT
    line_id, account, txn_id, txn_time, amount, counterparty_name, counterparty_account, memo,
    normalize_party(counterparty_name) AS party
FROM bank_txns
WHERE amount > 0 AND (txn_time IS NULL OR txn_time <= as_of());

-- credit_platforms: which platform's wallet a bank credit can come from, judged by its
-- counterparty name.
CREATE VIEW credit_platforms AS
SELECT DISTINCT c.line_id, pp.platform
FROM bank_credits c
JOIN platform_parties pp ON strpos(c.party, pp.pattern) > 0;
