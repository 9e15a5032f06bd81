-- direct_orders: orders paid straight into the bank (B2B customers, transfers), with no
-- platform wallet between: the amount due and the buyer's name normalised.
CREATE VIEW direct_orders AS
SELECT platform, shop, order_id, order_time, status, coalesce(paid_amount, order_amount) AS amount, buyer_name,
       normalize_party(buyer_name) AS party
FROM orders
WHERE (platform = 'b2b' OR platform IS NULL) AND (order_time IS NULL OR order_time <= as_of());

-- l3_open_credits: bank credits no payout explains and no person has decided.
CREATE VIEW l3_open_credits AS
SELECT * FROM l2_rest_credits
WHERE NOT EXISTS (SELECT 1 FROM l2_groups x WHERE x.line_id = l2_rest_credits.line_id)
  AND NOT EXISTS (SELECT 1 FROM l2_splits x WHERE x.line_id = l2_rest_credits.line_id);

-- l3_candidates: order ↔ bank credit pairs a pass may consider: the credit after the
-- order (a day early at most, within b2b_window_days) and either naming the order in its
-- memo (by_reference) or from its buyer (jaro_winkler of normalised names at least
-- name_threshold). score: 0.5 for the name and 0.5 for speed, plus 3 for a reference.
CREATE VIEW l3_candidates AS
WITH o AS (
    SELECT d.order_id, d.order_time, d.amount, d.party, mp.b2b_window_days, mp.name_threshold
    FROM direct_orders d
    CROSS JOIN match_params mp
    WHERE NOT EXISTS (SELECT 1 FROM manual_settled x WHERE x.ref = d.order_id AND x.side = 'order')
),
refs AS (
    SELECT DISTINCT line_id, ref FROM (SELECT line_id, unnest(extract_refs(memo)) AS ref FROM l3_open_credits)
),
pairs AS (
    -- Named in the memo.
    SELECT o.order_id, c.line_id, true AS by_reference
    FROM refs r
    JOIN o ON o.order_id = r.ref
    JOIN l3_open_credits c ON c.line_id = r.line_id
    WHERE c.amount <= o.amount
    UNION ALL
    -- From the buyer: every order with every credit not above it, names compared.
    SELECT o.order_id, c.line_id, false
    FROM o
    JOIN l3_open_credits c ON c.amount <= o.amount
    WHERE c.txn_time >= o.order_time - INTERVAL '1 day'
      AND date_part('day', c.txn_time - o.order_time) <= o.b2b_window_days
      AND jaro_winkler(o.party, c.party) >= o.name_threshold
),
found AS (
    SELECT order_id, line_id, bool_or(by_reference) AS by_reference FROM pairs GROUP BY order_id, line_id
),
scored AS (
    SELECT f.order_id, f.line_id, f.by_reference, o.amount AS order_amount, c.amount AS bank_amount, c.txn_time,
        jaro_winkler(o.party, c.party) AS name_score,
        date_part('day', c.txn_time - o.order_time) AS days,
        o.b2b_window_days
    FROM found f
    JOIN o ON o.order_id = f.order_id
    JOIN l3_open_credits c ON c.line_id = f.line_id
)
SELECT order_id, line_id, order_amount, bank_amount, txn_time, name_score, by_reference,
    CASE WHEN by_reference THEN 3.0 ELSE 0.0 END + 0.5 * name_score
        + 0.5 * (1.0 - CAST(days AS DOUBLE) / (b2b_window_days + 1)) AS score
FROM scored
WHERE days >= -1 AND days <= b2b_window_days
  AND NOT EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = scored.order_id AND k.line_id = scored.line_id);

-- l3_reference_links: credits whose memo names the order (one order only), as long as
-- together they do not exceed it: the order's instalments, each one line.
CREATE VIEW l3_reference_links AS
WITH named AS (
    SELECT c.*, count(*) OVER (PARTITION BY line_id) AS orders_named FROM l3_candidates c WHERE by_reference
)
SELECT order_id, line_id, 'order_reference' AS rule, score FROM (
    SELECT n.*, sum(bank_amount) OVER (PARTITION BY order_id) AS paid FROM named n WHERE orders_named = 1
)
WHERE paid <= order_amount;

-- l3_owed: each order with what the references leave owing.
CREATE VIEW l3_owed AS
SELECT o.order_id, o.amount, o.amount - coalesce(r.paid, 0) AS owing, r.paid IS NOT NULL AS touched
FROM direct_orders o
LEFT JOIN (
    SELECT l.order_id, sum(b.amount) AS paid
    FROM l3_reference_links l JOIN bank_credits b ON b.line_id = l.line_id
    GROUP BY l.order_id
) r ON r.order_id = o.order_id;

-- l3_left: the candidates the references left, with what the order still owes.
CREATE VIEW l3_left AS
SELECT c.*, w.owing, w.touched
FROM l3_candidates c
JOIN l3_owed w ON w.order_id = c.order_id
WHERE w.owing > 0
  AND NOT EXISTS (SELECT 1 FROM l3_reference_links x WHERE x.line_id = c.line_id)
  AND NOT c.by_reference;

-- l3_full: one credit paying all the order still owes, each side's single best.
CREATE VIEW l3_full AS
SELECT order_id, line_id, 'order_amount' AS rule, score + 2.0 AS score FROM (
    SELECT c.*,
        rank() OVER (PARTITION BY order_id ORDER BY score DESC) AS order_rank,
        count(*) OVER (PARTITION BY order_id, score) AS order_ties,
        rank() OVER (PARTITION BY line_id ORDER BY score DESC) AS line_rank,
        count(*) OVER (PARTITION BY line_id, score) AS line_ties
    FROM l3_left c
    WHERE c.bank_amount = c.owing
)
WHERE order_rank = 1 AND order_ties = 1 AND line_rank = 1 AND line_ties = 1;

-- l3_instalment_sets: for each order still owing, the one set of two or more credits from
-- its buyer within the window that pays it exactly (subset_sum, bounded).
CREATE VIEW l3_instalment_sets AS
SELECT c.order_id, subset_sum(c.line_id, c.bank_amount, c.owing) AS line_ids
FROM l3_left c
WHERE NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.order_id = c.order_id)
  AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.line_id = c.line_id)
  AND c.bank_amount < c.owing
GROUP BY c.order_id, c.owing;

-- l3_instalments: those sets, when no credit belongs to two of them.
CREATE VIEW l3_instalments AS
WITH members AS (
    SELECT order_id, unnest(line_ids) AS line_id FROM l3_instalment_sets WHERE line_ids IS NOT NULL
)
SELECT m.order_id, m.line_id, 'order_instalments' AS rule, 2.0 + c.score AS score
FROM members m
JOIN l3_candidates c ON c.order_id = m.order_id AND c.line_id = m.line_id
WHERE m.line_id IN (SELECT line_id FROM members GROUP BY line_id HAVING count(*) = 1);

-- l3_deposits: for an order nothing has paid yet, one credit from its buyer of a tenth
-- to nine tenths of it (定金, 首付款; rounded or cut to the cent), each side's only such.
CREATE VIEW l3_deposits AS
WITH fractions AS (
    SELECT column1 AS tenths FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9))
),
found AS (
    SELECT DISTINCT c.order_id, c.line_id, c.score
    FROM l3_left c
    CROSS JOIN fractions f
    WHERE NOT c.touched
      AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.order_id = c.order_id)
      AND NOT EXISTS (SELECT 1 FROM l3_instalments x WHERE x.order_id = c.order_id)
      AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l3_instalments x WHERE x.line_id = c.line_id)
      AND (c.bank_amount = CAST(round(c.order_amount * f.tenths / 10, 2) AS DECIMAL(18, 2))
           OR c.bank_amount = CAST(trunc(c.order_amount * f.tenths / 10, 2) AS DECIMAL(18, 2)))
)
SELECT order_id, line_id, 'order_deposit' AS rule, 1.0 + score AS score FROM (
    SELECT f.*,
        count(*) OVER (PARTITION BY order_id) AS order_options,
        count(*) OVER (PARTITION BY line_id) AS line_options
    FROM found f
)
WHERE order_options = 1 AND line_options = 1;

-- l3_matches: orders paid straight into the bank, one row per order and bank line.
CREATE VIEW l3_matches AS
SELECT order_id, line_id, rule, score FROM l3_reference_links
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_full
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_instalments
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_deposits;
