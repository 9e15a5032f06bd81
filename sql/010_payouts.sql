-- payouts: money leaving a platform wallet for the company's bank account: withdrawals
-- (提现) and platform payouts, one row each, with the id a bank credit can be matched
-- on and the amount as a positive number, as the bank will show it arriving. The id is
-- one a person finds in the file: the payout reference, else the wallet line's own id,
-- else its business id, order number (商户订单号) or the first id its memo quotes — when
-- no other withdrawal shares it; where the file shows no id at all, its file and line
-- (`结算明细.csv:14`).
-- Only what happened by as_of() counts, in this and every matching view, so figures as
-- of a past date can be reproduced.
CREATE VIEW payouts AS
WITH w AS (
    SELECT *, coalesce(trade_id, order_id, array_element(extract_refs(memo), 1)) AS shown
    FROM settlements
    WHERE kind = 'withdrawal' AND (txn_time IS NULL OR txn_time <= as_of())
)
SELECT
    platform,
    shop,
    coalesce(payout_ref, txn_id,
        CASE WHEN count(*) OVER (PARTITION BY shown) = 1 THEN shown END,
        CASE WHEN count(*) OVER (PARTITION BY source_file, source_line) = 1
             THEN source_file || ':' || CAST(source_line AS VARCHAR) END,
        line_id) AS payout_id,
    txn_time AS payout_time,
    -amount AS amount,
    coalesce(currency, 'CNY') AS currency,
    memo,
    txn_id,
    trade_id,
    payout_ref,
    line_id,
    source_file,
    source_line,
    import_id
FROM w;

-- payout_keys: every id a payout is known by, as references are compared (normalize_ref):
-- its payout id, its wallet line's id, its business id (业务流水号, 微信支付业务单号) and
-- ids its own memo quotes (抖店 提现单号：TX…). A bank memo quoting any of them, or the
-- beginning or end of one (ref_hits), names the payout.
CREATE VIEW payout_keys AS
SELECT DISTINCT payout_id, key FROM (
    SELECT payout_id, normalize_ref(payout_id) AS key FROM payouts
    UNION ALL SELECT payout_id, normalize_ref(txn_id) FROM payouts
    UNION ALL SELECT payout_id, normalize_ref(trade_id) FROM payouts
    UNION ALL SELECT payout_id, normalize_ref(payout_ref) FROM payouts
    UNION ALL SELECT payout_id, normalize_ref(ref) FROM (SELECT payout_id, unnest(extract_refs(memo)) AS ref FROM payouts)
)
WHERE key IS NOT NULL AND length(key) >= 4;
