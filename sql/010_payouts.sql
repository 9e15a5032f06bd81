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
    memo,
    txn_id,
    line_id,
    source_file,
    source_line,
    import_id
FROM settlements
WHERE kind = 'withdrawal' AND (txn_time IS NULL OR txn_time <= as_of());
