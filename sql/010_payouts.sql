-- payouts: money leaving a platform wallet for the company's bank account: withdrawals
-- (提现) and platform payouts, one row each, with the id a bank credit can be matched
-- on (the payout reference, else the wallet line's own id) and the amount as a positive
-- number, as the bank will show it arriving. Only what happened by as_of() counts, in
-- this and every matching view, so figures as of a past date can be reproduced.
CREATE VIEW payouts AS
SELECT
    platform,
    shop,
    coalesce(payout_ref, txn_id, line_id) AS payout_id,
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
FROM settlements
WHERE kind = 'withdrawal' AND (txn_time IS NULL OR txn_time <= as_of());

-- payout_keys: every id a payout is known by, as references are compared (normalize_ref):
-- its payout id, its wallet line's id, its business id (业务流水号, 微信支付业务单号) and
-- ids its own memo quotes (抖店 提现单号：TX…). A bank memo quoting any of them, or the
-- beginning or end of one (ref_hits), names the payout.
-- (internal step)
CREATE VIEW payout_keys AS
SELECT DISTINCT payout_id, key FROM (
    SELECT payout_id, normalize_ref(payout_id) AS key FROM payouts
    UNION ALL SELECT payout_id, normalize_ref(txn_id) FROM payouts
    UNION ALL SELECT payout_id, normalize_ref(trade_id) FROM payouts
    UNION ALL SELECT payout_id, normalize_ref(payout_ref) FROM payouts
    UNION ALL SELECT payout_id, normalize_ref(ref) FROM (SELECT payout_id, unnest(extract_refs(memo)) AS ref FROM payouts)
)
WHERE key IS NOT NULL AND length(key) >= 4;
