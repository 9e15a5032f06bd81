-- direct_orders: orders paid straight into the bank (B2B customers, transfers), with no
-- platform wallet between: the amount due and the buyer's name normalised.
CREATE VIEW direct_orders AS
SELECT platform, shop, order_id, order_time, status, coalesce(paid_amount, order_amount) AS amount, buyer_name,
       normalize_party(buyer_name) AS party
FROM orders
WHERE platform = 'b2b' OR platform IS NULL;

-- l3_open_credits: bank credits no payout explains and no person has decided.
CREATE VIEW l3_open_credits AS
SELECT * FROM l2_rest_credits
WHERE line_id NOT IN (SELECT line_id FROM l2_groups)
  AND line_id NOT IN (SELECT line_id FROM l2_splits);

-- l3_candidates: order ↔ bank credit pairs, the credit after the order (within
-- b2b_window_days) and from its buyer (jaro_winkler of normalised names at least
-- name_threshold), each with its rule and score:
--   order_reference  the order id is in the bank memo: 3 plus up to 0.5;
--   order_amount     the whole amount: 2 plus up to 0.5 for the name and 0.5 for speed;
--   order_deposit    a tenth to nine tenths of it (定金, 首付款): 1 plus the same.
CREATE VIEW l3_candidates AS
WITH refs AS (
    SELECT line_id, unnest(extract_refs(memo)) AS ref FROM l3_open_credits
),
fractions AS (
    SELECT column1 AS tenths FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9))
),
pairs AS (
    SELECT o.order_id, c.line_id, 'order_reference' AS rule
    FROM direct_orders o JOIN refs r ON r.ref = o.order_id JOIN l3_open_credits c ON c.line_id = r.line_id
    UNION ALL
    SELECT o.order_id, c.line_id, 'order_amount'
    FROM direct_orders o JOIN l3_open_credits c ON c.amount = o.amount
    UNION ALL
    -- A deposit is rounded or cut to the cent, whichever the customer's accounts do.
    SELECT o.order_id, c.line_id, 'order_deposit'
    FROM direct_orders o CROSS JOIN fractions f
    JOIN l3_open_credits c
      ON c.amount = CAST(round(o.amount * f.tenths / 10, 2) AS DECIMAL(18, 2))
      OR c.amount = CAST(trunc(o.amount * f.tenths / 10, 2) AS DECIMAL(18, 2))
),
scored AS (
    SELECT
        x.order_id, x.line_id, x.rule, o.amount AS order_amount, c.amount AS bank_amount,
        jaro_winkler(o.party, c.party) AS name_score,
        date_part('day', c.txn_time - o.order_time) AS days,
        mp.b2b_window_days, mp.name_threshold
    FROM pairs x
    JOIN direct_orders o ON o.order_id = x.order_id
    JOIN l3_open_credits c ON c.line_id = x.line_id
    CROSS JOIN match_params mp
)
SELECT order_id, line_id, rule, order_amount, bank_amount, name_score,
    CASE rule WHEN 'order_reference' THEN 3.0 WHEN 'order_amount' THEN 2.0 ELSE 1.0 END
        + 0.5 * name_score + 0.5 * (1.0 - CAST(days AS DOUBLE) / (b2b_window_days + 1)) AS score
FROM scored
WHERE days >= -1 AND days <= b2b_window_days
  AND (rule = 'order_reference' OR name_score >= name_threshold)
  AND bank_amount <= order_amount
  AND NOT EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = scored.order_id AND k.line_id = scored.line_id)
  AND order_id NOT IN (SELECT ref FROM manual_settled WHERE side = 'order');

-- l3_first: one-to-one order matches, each side's single best candidate.
CREATE VIEW l3_first AS
SELECT order_id, line_id, rule, score FROM (
    SELECT c.*,
        rank() OVER (PARTITION BY order_id ORDER BY score DESC) AS order_rank,
        count(*) OVER (PARTITION BY order_id, score) AS order_ties,
        rank() OVER (PARTITION BY line_id ORDER BY score DESC) AS line_rank,
        count(*) OVER (PARTITION BY line_id, score) AS line_ties
    FROM l3_candidates c
)
WHERE order_rank = 1 AND order_ties = 1 AND line_rank = 1 AND line_ties = 1;

-- l3_balances: after a deposit, the credit that pays the rest of the order (尾款), from
-- the same buyer, after the deposit and within the window; only when it is the one.
CREATE VIEW l3_balances AS
SELECT order_id, line_id, 'order_balance' AS rule, score FROM (
    SELECT d.order_id, c.line_id, 2.0 + 0.5 * jaro_winkler(o.party, c.party) AS score,
        count(*) OVER (PARTITION BY d.order_id) AS order_options,
        count(*) OVER (PARTITION BY c.line_id) AS line_options
    FROM l3_first d
    JOIN bank_credits dc ON dc.line_id = d.line_id
    JOIN direct_orders o ON o.order_id = d.order_id
    JOIN l3_open_credits c ON c.amount = o.amount - dc.amount AND c.txn_time > dc.txn_time
    CROSS JOIN match_params mp
    WHERE d.rule = 'order_deposit'
      AND c.line_id NOT IN (SELECT line_id FROM l3_first)
      AND jaro_winkler(o.party, c.party) >= mp.name_threshold
      AND date_part('day', c.txn_time - o.order_time) <= mp.b2b_window_days
)
WHERE order_options = 1 AND line_options = 1;

-- l3_matches: orders paid straight into the bank.
CREATE VIEW l3_matches AS
SELECT order_id, line_id, rule, score FROM l3_first
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_balances;
