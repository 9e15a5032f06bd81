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
    ('kuaishou', '快手'), ('xiaohongshu', '小红书'), ('xiaohongshu', '行吟'),
    ('amazon', 'amazon'), ('shopify', 'shopify'), ('paypal', 'paypal'), ('stripe', 'stripe'));

-- bank_credits: money into the company's bank accounts, each line with its counterparty
-- name normalised for comparing (normalize_party).
CREATE VIEW bank_credits AS
SELECT
    line_id, account, txn_id, txn_time, amount, coalesce(currency, 'CNY') AS currency, counterparty_name,
    counterparty_account, memo, normalize_party(counterparty_name) AS party
FROM bank_txns
WHERE amount > 0 AND (txn_time IS NULL OR txn_time <= as_of());

-- credit_platforms: which platform's wallet a bank credit can come from, judged by its
-- counterparty name.
CREATE VIEW credit_platforms AS
SELECT DISTINCT c.line_id, pp.platform
FROM bank_credits c
JOIN platform_parties pp ON strpos(c.party, pp.pattern) > 0;

-- direct_orders: orders paid straight into the bank (B2B customers, transfers), with no
-- platform wallet between: the amount due and every party the order names — the company
-- that pays (buyer_company), the platform nickname (buyer_nick, where exports put a
-- company customer) and the person (buyer_name).
CREATE VIEW direct_orders AS
SELECT platform, shop, order_id, order_time, ship_time, status, coalesce(paid_amount, order_amount) AS amount,
       coalesce(currency, 'CNY') AS currency, buyer_name, buyer_nick, buyer_company
FROM orders
WHERE (platform = 'b2b' OR platform IS NULL) AND (order_time IS NULL OR order_time <= as_of());

-- ref_hits: the payouts and direct orders a bank credit's memo names: one of their ids
-- whole (how = 'full'), or the beginning or end of one, ref_min_length characters or
-- more, as banks cut long serials (how = 'partial'). Found by what recon knows exists,
-- never by a pattern alone: a reference counts only when it names exactly one payout or
-- order, so a year, an account's last digits or a shared prefix names nothing.
CREATE VIEW ref_hits AS
WITH tokens AS (
    SELECT DISTINCT line_id, normalize_ref(ref) AS token
    FROM (SELECT line_id, unnest(extract_refs(memo)) AS ref FROM bank_credits)
),
known AS (
    SELECT 'payout' AS side, payout_id AS ref, key FROM payout_keys
    UNION ALL
    SELECT DISTINCT 'order', order_id, normalize_ref(order_id) FROM direct_orders WHERE normalize_ref(order_id) IS NOT NULL
),
fragments AS (
    SELECT k.side, k.ref, unnest(ref_fragments(k.key, mp.ref_min_length)) AS fragment
    FROM known k CROSS JOIN match_params mp
),
named AS (
    SELECT t.line_id, t.token, k.side, k.ref, 'full' AS how FROM tokens t JOIN known k ON k.key = t.token
    UNION ALL
    SELECT t.line_id, t.token, f.side, f.ref, 'partial' FROM tokens t JOIN fragments f ON f.fragment = t.token
),
-- A token that names an id whole is not also a piece of another.
best AS (
    SELECT n.* FROM named n
    WHERE n.how = 'full' OR NOT EXISTS (SELECT 1 FROM named x WHERE x.token = n.token AND x.how = 'full')
),
single AS (
    SELECT token FROM (SELECT DISTINCT token, side, ref FROM best) GROUP BY token HAVING count(*) = 1
)
SELECT DISTINCT b.line_id, b.side, b.ref, b.how
FROM best b JOIN single s ON s.token = b.token;
