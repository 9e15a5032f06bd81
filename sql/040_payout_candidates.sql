-- l2_open_payouts, l2_open_credits: what automatic matching of payouts may still use.
CREATE VIEW l2_open_payouts AS
SELECT * FROM payouts
WHERE NOT EXISTS (SELECT 1 FROM manual_settled x WHERE x.ref = payouts.payout_id AND x.side = 'payout');

CREATE VIEW l2_open_credits AS
SELECT * FROM bank_credits
WHERE NOT EXISTS (SELECT 1 FROM manual_settled x WHERE x.ref = bank_credits.line_id AND x.side = 'bank');

-- l2_candidates: every payout ↔ bank credit pair an automatic pass would accept, in the
-- same currency, with its rule and score (higher is better):
--   reference   the memo names the payout (ref_hits: an id whole or cut), the amount
--               equal or a fee less, within twice the window: 3 plus up to 0.1 for a
--               short lag;
--   amount      the same amount from a counterparty that is the payout's platform,
--               within window_days working days: 2 plus up to 0.9 for a short lag;
--   amount_fee  up to fee_tolerance less (a bank fee deducted), the platform's
--               counterparty, within the window: 1 plus up to 0.5 for a short lag and
--               up to 0.5 for a small fee.
-- Working days follow the calendar (calendar_days): money sent before 国庆 arrives after
-- it within the window. A credit is never earlier than its payout (on the same day, when
-- the statement gives times). Pairs a person broke are left out.
CREATE VIEW l2_candidates AS
WITH pairs AS (
    SELECT p.payout_id, c.line_id, 'reference' AS rule, p.amount AS payout_amount, c.amount AS bank_amount,
           working_days(p.payout_time, c.txn_time) AS lag, p.payout_time, c.txn_time
    FROM ref_hits r
    JOIN l2_open_payouts p ON p.payout_id = r.ref
    JOIN l2_open_credits c ON c.line_id = r.line_id AND c.currency = p.currency
    WHERE r.side = 'payout'
    UNION ALL
    SELECT p.payout_id, c.line_id, 'amount', p.amount, c.amount, working_days(p.payout_time, c.txn_time),
           p.payout_time, c.txn_time
    FROM l2_open_payouts p
    JOIN l2_open_credits c ON c.amount = p.amount AND c.currency = p.currency
    JOIN credit_platforms cp ON cp.line_id = c.line_id AND cp.platform = p.platform
    UNION ALL
    -- Each credit offered to the amount buckets of the payouts it may be a fee short of
    -- (its own, the next up, and one more each way should a division round across a
    -- boundary; a payout has one bucket, so a pair meets once): not every payout of a
    -- platform against every credit from it.
    SELECT p.payout_id, c.line_id, 'amount_fee', p.amount, c.amount, working_days(p.payout_time, c.txn_time),
           p.payout_time, c.txn_time
    FROM (
        SELECT p.*, CAST(floor(p.amount / greatest(mp.fee_tolerance, 1)) AS BIGINT) AS bucket
        FROM l2_open_payouts p CROSS JOIN match_params mp
    ) p
    JOIN (
        SELECT c.*, CAST(floor(c.amount / greatest(mp.fee_tolerance, 1)) AS BIGINT) + up.step AS bucket
        FROM l2_open_credits c CROSS JOIN match_params mp CROSS JOIN (VALUES (-1), (0), (1), (2)) AS up(step)
    ) c ON c.bucket = p.bucket AND c.currency = p.currency
    JOIN credit_platforms cp ON cp.line_id = c.line_id AND cp.platform = p.platform
    CROSS JOIN match_params mp
    WHERE c.amount < p.amount AND c.amount >= p.amount - mp.fee_tolerance
),
scored AS (
    SELECT
        x.payout_id, x.line_id, x.rule, x.payout_amount, x.bank_amount, x.lag,
        CASE x.rule
            WHEN 'reference' THEN 3.0 + 0.1 * (1.0 - CAST(x.lag AS DOUBLE) / (2 * mp.window_days + 1))
            WHEN 'amount' THEN 2.0 + 0.9 * (1.0 - CAST(x.lag AS DOUBLE) / (mp.window_days + 1))
            ELSE 1.0 + 0.5 * (1.0 - CAST(x.lag AS DOUBLE) / (mp.window_days + 1))
                 + 0.5 * (1.0 - CAST(x.payout_amount - x.bank_amount AS DOUBLE) / CAST(mp.fee_tolerance AS DOUBLE))
        END AS score
    FROM pairs x
    CROSS JOIN match_params mp
    WHERE x.lag >= 0
      -- Money arrives after it leaves, unless the statement gives dates only.
      AND (x.txn_time >= x.payout_time OR x.txn_time = date_trunc('day', x.txn_time))
      AND x.lag <= CASE WHEN x.rule = 'reference' THEN 2 * mp.window_days ELSE mp.window_days END
      AND x.bank_amount <= x.payout_amount
      AND x.bank_amount >= x.payout_amount - mp.fee_tolerance
      AND NOT EXISTS (
          SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = x.payout_id AND k.line_id = x.line_id)
)
-- A pair found by several rules keeps its best.
SELECT payout_id, line_id, rule, payout_amount, bank_amount, lag, score
FROM (
    SELECT s.*, row_number() OVER (PARTITION BY payout_id, line_id ORDER BY score DESC) AS n FROM scored s
)
WHERE n = 1;

-- l2_named: each payout a bank credit's memo names (ref_hits), in the same currency,
-- sent at most twice the window before it, with both amounts: the evidence the
-- reference passes start from, whatever the amounts.
CREATE VIEW l2_named AS
SELECT c.line_id, c.amount AS credit, c.currency, c.txn_time, p.payout_id, p.platform, p.amount, p.payout_time
FROM ref_hits r
JOIN l2_open_payouts p ON p.payout_id = r.ref
JOIN l2_open_credits c ON c.line_id = r.line_id AND c.currency = p.currency
CROSS JOIN match_params mp
WHERE r.side = 'payout'
  AND working_days(p.payout_time, c.txn_time) BETWEEN 0 AND 2 * mp.window_days
  AND (c.txn_time >= p.payout_time OR c.txn_time = date_trunc('day', c.txn_time))
  AND NOT EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = p.payout_id AND k.line_id = c.line_id);
