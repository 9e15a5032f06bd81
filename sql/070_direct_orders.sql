-- l3_open_credits: bank credits no payout explains and no person has decided.
CREATE VIEW l3_open_credits AS
SELECT * FROM l2_rest_credits
WHERE NOT EXISTS (SELECT 1 FROM l2_groups x WHERE x.line_id = l2_rest_credits.line_id)
  AND NOT EXISTS (SELECT 1 FROM l2_splits x WHERE x.line_id = l2_rest_credits.line_id);

-- l3_open_orders: orders paid straight into the bank that no person has decided, with the
-- customer each is from: the company it names, else its nickname, else its person
-- (normalize_party), which learned payers are kept by.
CREATE VIEW l3_open_orders AS
SELECT d.order_id, d.order_time, d.amount, d.currency,
    coalesce(nullif(normalize_party(d.buyer_company), ''), nullif(normalize_party(d.buyer_nick), ''),
             normalize_party(d.buyer_name)) AS customer
FROM direct_orders d
WHERE NOT EXISTS (SELECT 1 FROM manual_settled x WHERE x.ref = d.order_id AND x.side = 'order');

-- l3_candidates: order ↔ bank credit pairs a pass may consider: the same currency, the
-- credit after the order (a day early at most, within b2b_window_days), and either
-- naming the order in its memo (by_reference, ref_hits) or from one of the parties the
-- order names — company, nickname or person — at party_similarity name_threshold or
-- more (name_score, the best of them). A credit from a platform's payer is a payout's,
-- not a customer's: only its memo could name an order. score: 3 for a reference, 0.5
-- for the name, 0.5 for speed.
CREATE VIEW l3_candidates AS
WITH o AS (
    SELECT d.order_id, d.order_time, d.amount, d.currency, d.buyer_company, d.buyer_nick, d.buyer_name,
        mp.b2b_window_days, mp.name_threshold,
        -- The order's period: b2b_window_days + 2 days long, so that the orders a credit
        -- could pay (placed from window + 1 days before it to a day after) lie in at most
        -- two periods, the credit's first and last below.
        CAST(floor(date_part('epoch', d.order_time) / ((mp.b2b_window_days + 2) * 86400.0)) AS BIGINT) AS period
    FROM direct_orders d
    JOIN l3_open_orders x ON x.order_id = d.order_id
    CROSS JOIN match_params mp
),
parties AS (
    SELECT order_id, normalize_party(buyer_company) AS party FROM o
    UNION ALL SELECT order_id, normalize_party(buyer_nick) FROM o
    UNION ALL SELECT order_id, normalize_party(buyer_name) FROM o
),
credits AS (
    SELECT c.* FROM l3_open_credits c WHERE NOT EXISTS (SELECT 1 FROM credit_platforms cp WHERE cp.line_id = c.line_id)
),
-- How alike each name an order gives is to each payer's, computed once per pair of
-- distinct names (customers and payers recur: at 1M orders 17k names × 237 payers, where
-- pairing every order with every credit compared 20k × 20k rows), kept at name_threshold.
similar AS (
    SELECT n.order_party, n.credit_party, n.score FROM (
        SELECT op.party AS order_party, cp.party AS credit_party, party_similarity(op.party, cp.party) AS score
        FROM (SELECT DISTINCT party FROM parties WHERE party <> '') op
        CROSS JOIN (SELECT DISTINCT party FROM credits WHERE party IS NOT NULL) cp
    ) n CROSS JOIN match_params mp
    WHERE n.score >= mp.name_threshold
),
-- Each order's best likeness to each payer: one row per order and payer, so that the
-- pairs below are one per order and credit without grouping millions of them.
order_payers AS (
    SELECT p.order_id, n.credit_party, max(n.score) AS name_score
    FROM parties p JOIN similar n ON n.order_party = p.party
    GROUP BY p.order_id, n.credit_party
),
-- A credit is offered to the periods of the first and the last order time it could pay
-- (one period when both fall in it): a customer's credits meet its orders of those
-- periods only, not all its orders of the year (at 1M orders the largest customer has
-- 6,900 orders and as many credits).
offered AS (
    SELECT b.line_id, b.txn_time, b.amount, b.currency, b.party, b.first + step.n AS period
    FROM (
        SELECT c.line_id, c.txn_time, c.amount, c.currency, c.party,
            CAST(floor((date_part('epoch', c.txn_time) - (mp.b2b_window_days + 1) * 86400.0)
                / ((mp.b2b_window_days + 2) * 86400.0)) AS BIGINT) AS first,
            CAST(floor((date_part('epoch', c.txn_time) + 86400.0) / ((mp.b2b_window_days + 2) * 86400.0)) AS BIGINT)
                AS last
        FROM credits c CROSS JOIN match_params mp
    ) b
    CROSS JOIN (VALUES (0), (1)) AS step(n)
    WHERE b.first + step.n <= b.last
),
-- From a party the order names.
by_name AS (
    SELECT o.order_id, c.line_id, false AS by_reference, op.name_score, o.amount AS order_amount,
        c.amount AS bank_amount, c.txn_time, o.order_time, o.b2b_window_days
    FROM order_payers op
    JOIN o ON o.order_id = op.order_id
    JOIN offered c ON c.party = op.credit_party AND c.currency = o.currency AND c.period = o.period
    WHERE c.txn_time >= o.order_time - INTERVAL '1 day'
      AND date_part('day', c.txn_time - o.order_time) <= o.b2b_window_days
),
-- Named in the memo, with the name's likeness when the credit is from a party the order
-- names as well.
by_reference AS (
    SELECT DISTINCT o.order_id, c.line_id, c.party, cp.line_id IS NULL AS from_customer, o.amount AS order_amount,
        c.amount AS bank_amount, c.txn_time, o.order_time, o.b2b_window_days
    FROM ref_hits r
    JOIN o ON o.order_id = r.ref
    JOIN l3_open_credits c ON c.line_id = r.line_id AND c.currency = o.currency
    LEFT JOIN (SELECT DISTINCT line_id FROM credit_platforms) cp ON cp.line_id = c.line_id
    WHERE r.side = 'order'
),
found AS (
    SELECT r.order_id, r.line_id, true AS by_reference, coalesce(max(op.name_score), CAST(0 AS DOUBLE)) AS name_score,
        r.order_amount, r.bank_amount, r.txn_time, r.order_time, r.b2b_window_days
    FROM by_reference r
    LEFT JOIN order_payers op ON op.order_id = r.order_id AND op.credit_party = r.party AND r.from_customer
        AND r.txn_time >= r.order_time - INTERVAL '1 day'
        AND date_part('day', r.txn_time - r.order_time) <= r.b2b_window_days
    GROUP BY r.order_id, r.line_id, r.order_amount, r.bank_amount, r.txn_time, r.order_time, r.b2b_window_days
    UNION ALL
    SELECT n.* FROM by_name n
    WHERE NOT EXISTS (SELECT 1 FROM by_reference r WHERE r.order_id = n.order_id AND r.line_id = n.line_id)
),
scored AS (
    SELECT f.*, date_part('day', f.txn_time - f.order_time) AS days FROM found f
)
SELECT order_id, line_id, order_amount, bank_amount, txn_time, order_time, name_score, by_reference,
    CASE WHEN by_reference THEN 3.0 ELSE 0.0 END + 0.5 * name_score
        + 0.5 * (1.0 - CAST(greatest(days, 0) AS DOUBLE) / (b2b_window_days + 1)) AS score
FROM scored
WHERE days >= -1 AND days <= b2b_window_days
  AND NOT EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = scored.order_id AND k.line_id = scored.line_id);

-- l3_reference_named: the candidates a credit's memo names, with how many orders the
-- credit names and what they add up to.
CREATE VIEW l3_reference_named AS
SELECT c.*, count(*) OVER (PARTITION BY line_id) AS orders_named,
    sum(order_amount) OVER (PARTITION BY line_id) AS named_total
FROM l3_candidates c WHERE by_reference;

-- l3_reference_rest: what a credit quoting too little leaves (rest), and the customer's
-- other orders that could make it up: candidates of the credit by name, named by no memo.
-- A view of its own, not a step of l3_reference_links: that one reads it five times
-- over, and each would scan every candidate pair again.
CREATE VIEW l3_reference_rest AS
WITH rest AS (
    SELECT DISTINCT n.line_id, n.bank_amount - n.named_total AS rest
    FROM l3_reference_named n CROSS JOIN match_params mp
    WHERE n.bank_amount > n.named_total + mp.transfer_fee_tolerance
)
SELECT r.line_id, r.rest, c.order_id, c.order_amount
FROM rest r
JOIN l3_candidates c ON c.line_id = r.line_id AND NOT c.by_reference
WHERE NOT EXISTS (SELECT 1 FROM l3_reference_named x WHERE x.order_id = c.order_id);

-- l3_reference_links: credits whose memo names orders. A credit naming one order pays
-- (part of) it, as long as together such credits do not exceed it: the order's
-- instalments, each one line. A credit naming several orders pays them all when they
-- add up to it (a transfer fee less at most). A credit larger than what it names pays
-- the customer's further open orders too when exactly one of them, or one set of them,
-- makes up the rest (one transfer for several invoices, of which the memo quotes one).
CREATE VIEW l3_reference_links AS
WITH single AS (
    SELECT n.*, sum(bank_amount) OVER (PARTITION BY order_id) AS paid FROM l3_reference_named n WHERE orders_named = 1
),
rest_single AS (
    SELECT line_id, min(order_id) AS order_id FROM (
        SELECT r.* FROM l3_reference_rest r CROSS JOIN match_params mp
        WHERE r.order_amount >= r.rest AND r.order_amount <= r.rest + mp.transfer_fee_tolerance
    )
    GROUP BY line_id HAVING count(*) = 1
),
rest_sets AS (
    SELECT r.line_id, subset_sum(r.order_id, r.order_amount, r.rest, mp.transfer_fee_tolerance) AS ids
    FROM l3_reference_rest r CROSS JOIN match_params mp
    WHERE r.line_id NOT IN (SELECT line_id FROM rest_single)
    GROUP BY r.line_id, r.rest, mp.transfer_fee_tolerance
),
completed AS (
    SELECT line_id FROM rest_single UNION SELECT line_id FROM rest_sets WHERE ids IS NOT NULL
),
links AS (
    SELECT order_id, line_id, 'order_reference' AS rule, score FROM single
    WHERE paid <= order_amount
    UNION ALL
    SELECT n.order_id, n.line_id, 'orders_reference', n.score
    FROM l3_reference_named n CROSS JOIN match_params mp
    WHERE n.orders_named > 1 AND n.bank_amount <= n.named_total
      AND n.bank_amount >= n.named_total - mp.transfer_fee_tolerance
    UNION ALL
    SELECT n.order_id, n.line_id, 'orders_reference', n.score FROM l3_reference_named n JOIN completed x ON x.line_id = n.line_id
    UNION ALL
    SELECT r.order_id, r.line_id, 'orders_reference', c.score
    FROM rest_single r JOIN l3_candidates c ON c.order_id = r.order_id AND c.line_id = r.line_id
    UNION ALL
    SELECT x.order_id, x.line_id, 'orders_reference', c.score
    FROM (SELECT line_id, unnest(ids) AS order_id FROM rest_sets WHERE ids IS NOT NULL) x
    JOIN l3_candidates c ON c.order_id = x.order_id AND c.line_id = x.line_id
)
-- An order two credits complete is doubtful for both.
SELECT l.* FROM links l
WHERE l.rule = 'order_reference'
   OR NOT EXISTS (
       SELECT 1 FROM links x JOIN links y ON y.order_id = x.order_id AND y.line_id <> x.line_id
       WHERE x.line_id = l.line_id AND x.rule = 'orders_reference' AND y.rule = 'orders_reference');

-- l3_owed: each order with what the references leave owing.
CREATE VIEW l3_owed AS
SELECT o.order_id, o.amount, o.amount - coalesce(r.paid, 0) AS owing, r.paid IS NOT NULL AS touched
FROM direct_orders o
LEFT JOIN (
    SELECT l.order_id, sum(CASE WHEN l.rule = 'orders_reference' THEN o.amount ELSE b.amount END) AS paid
    FROM l3_reference_links l
    JOIN bank_credits b ON b.line_id = l.line_id
    JOIN direct_orders o ON o.order_id = l.order_id
    GROUP BY l.order_id
) r ON r.order_id = o.order_id;

-- l3_left: the candidates the references left, with what the order still owes.
CREATE VIEW l3_left AS
SELECT c.*, w.owing, w.touched
-- The credits the references took are taken out of the candidates first: against the
-- candidates as stored, DataFusion knows which side is small and hashes the references
-- (10,000 rows at 1M orders); after the join with l3_owed it hashed the 6.7 million
-- candidate pairs instead (885 MB).
FROM (
    SELECT * FROM l3_candidates c
    WHERE NOT c.by_reference AND NOT EXISTS (SELECT 1 FROM l3_reference_links x WHERE x.line_id = c.line_id)
) c
JOIN l3_owed w ON w.order_id = c.order_id
WHERE w.owing > 0;

-- l3_full: one credit from the customer paying all an order still owes, exactly or short
-- by a transfer fee (transfer_fee_tolerance). A customer who orders the same amount twice
-- is paid oldest order first (fifo_match over the order dates); candidates alike in both
-- wait for a person.
CREATE VIEW l3_full AS
WITH open AS (
    SELECT c.order_id, c.order_time, c.line_id, c.txn_time, c.owing - c.bank_amount AS shortfall
    FROM l3_left c CROSS JOIN match_params mp
    WHERE c.bank_amount <= c.owing AND c.bank_amount >= c.owing - mp.transfer_fee_tolerance
),
chosen AS (
    SELECT unnest(fifo_match(order_id, order_time, line_id, txn_time, shortfall)) AS pair FROM open
)
SELECT c.order_id, c.line_id, 'order_amount' AS rule, c.score + 2.0 AS score
FROM chosen x
JOIN l3_left c ON c.order_id = x.pair['left_id'] AND c.line_id = x.pair['right_id'];

-- l3_instalment_sets: for each order still owing, the one set of two or more credits from
-- its customer within the window that pays it, exactly or short by a transfer fee
-- (subset_sum, bounded).
CREATE VIEW l3_instalment_sets AS
SELECT c.order_id,
    subset_sum(c.line_id, c.bank_amount, c.owing - mp.transfer_fee_tolerance, mp.transfer_fee_tolerance) AS line_ids
FROM l3_left c
CROSS JOIN match_params mp
WHERE NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.order_id = c.order_id)
  AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.line_id = c.line_id)
  AND c.bank_amount < c.owing
GROUP BY c.order_id, c.owing, mp.transfer_fee_tolerance;

-- l3_instalments: those sets, when no credit belongs to two of them.
CREATE VIEW l3_instalments AS
WITH members AS (
    SELECT order_id, unnest(line_ids) AS line_id FROM l3_instalment_sets WHERE line_ids IS NOT NULL
)
SELECT m.order_id, m.line_id, 'order_instalments' AS rule, 2.0 + c.score AS score
FROM members m
JOIN l3_candidates c ON c.order_id = m.order_id AND c.line_id = m.line_id
WHERE m.line_id IN (SELECT line_id FROM members GROUP BY line_id HAVING count(*) = 1);

-- l3_combined: one credit from a customer paying several of its orders at once (N:1): the
-- one set of two or more of the orders it could pay whose amounts add up to it, exactly
-- or short by a transfer fee; when no order is in two such sets.
CREATE VIEW l3_combined AS
WITH open AS (
    SELECT c.* FROM l3_left c
    WHERE NOT c.touched
      -- One test per key: an OR inside NOT EXISTS cannot be a hash anti-join, and as a
      -- nested loop it took 30 s at 1M orders.
      AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.order_id = c.order_id)
      AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l3_instalments x WHERE x.order_id = c.order_id)
      AND NOT EXISTS (SELECT 1 FROM l3_instalments x WHERE x.line_id = c.line_id)
      AND c.bank_amount > c.owing
),
sets AS (
    SELECT o.line_id, subset_sum(o.order_id, o.owing, o.bank_amount, mp.transfer_fee_tolerance) AS order_ids
    FROM open o CROSS JOIN match_params mp
    GROUP BY o.line_id, o.bank_amount, mp.transfer_fee_tolerance
),
members AS (
    SELECT line_id, unnest(order_ids) AS order_id FROM sets WHERE order_ids IS NOT NULL
)
SELECT m.order_id, m.line_id, 'orders_combined' AS rule, 2.0 + c.score AS score
FROM members m
JOIN l3_candidates c ON c.order_id = m.order_id AND c.line_id = m.line_id
WHERE m.order_id IN (SELECT order_id FROM members GROUP BY order_id HAVING count(*) = 1);

-- l3_deposits: for an order nothing has paid yet, one credit from its customer of a tenth
-- to nine tenths of it (定金, 首付款; rounded or cut to the cent), each side's only such.
CREATE VIEW l3_deposits AS
WITH found AS (
    -- The one number of tenths a credit could be of the order: a tenth of an order is
    -- more than a cent's rounding apart from the next (orders of 0.20 and more).
    SELECT DISTINCT c.order_id, c.line_id, c.score
    FROM (
        SELECT c.*, CAST(round(c.bank_amount * 10 / c.order_amount) AS BIGINT) AS tenths
        FROM l3_left c
        WHERE NOT c.touched AND c.order_amount >= 0.2 AND c.bank_amount < c.order_amount
    ) c
    WHERE c.tenths BETWEEN 1 AND 9
      AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.order_id = c.order_id)
      AND NOT EXISTS (SELECT 1 FROM l3_instalments x WHERE x.order_id = c.order_id)
      AND NOT EXISTS (SELECT 1 FROM l3_combined x WHERE x.order_id = c.order_id)
      AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l3_instalments x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l3_combined x WHERE x.line_id = c.line_id)
      AND (c.bank_amount = CAST(round(c.order_amount * c.tenths / 10, 2) AS DECIMAL(18, 2))
           OR c.bank_amount = CAST(trunc(c.order_amount * c.tenths / 10, 2) AS DECIMAL(18, 2)))
)
SELECT order_id, line_id, 'order_deposit' AS rule, 1.0 + score AS score FROM (
    SELECT f.*,
        count(*) OVER (PARTITION BY order_id) AS order_options,
        count(*) OVER (PARTITION BY line_id) AS line_options
    FROM found f
)
WHERE order_options = 1 AND line_options = 1;

-- l3_part_payments: a credit from a customer that pays part of an order (an advance, a
-- first instalment) when the customer has no other open order it could be for, and the
-- order is paid no more than it owes. One order, one customer, the money less than the
-- order: nothing else it could be.
CREATE VIEW l3_part_payments AS
WITH taken AS (
    SELECT order_id, line_id FROM l3_full
    UNION ALL SELECT order_id, line_id FROM l3_instalments
    UNION ALL SELECT order_id, line_id FROM l3_combined
    UNION ALL SELECT order_id, line_id FROM l3_deposits
),
-- NOT EXISTS, not NOT IN (the same here: no id is NULL): NOT IN is a null-aware anti
-- join, which DataFusion cannot turn round, so it hashed the millions of candidate pairs
-- of l3_left to look up the few taken (200 MB at 1M orders) instead of the other way.
open AS (
    SELECT c.* FROM l3_left c CROSS JOIN match_params mp
    WHERE c.bank_amount < c.owing - mp.transfer_fee_tolerance
      AND NOT EXISTS (SELECT 1 FROM taken t WHERE t.order_id = c.order_id)
      AND NOT EXISTS (SELECT 1 FROM taken t WHERE t.line_id = c.line_id)
),
possible AS (
    -- Every open order of the customer the credit could be for, whatever its amount.
    SELECT c.line_id, count(*) AS orders_possible FROM l3_left c
    WHERE NOT EXISTS (SELECT 1 FROM taken t WHERE t.order_id = c.order_id)
    GROUP BY c.line_id
),
only AS (
    SELECT o.*, p.orders_possible, sum(o.bank_amount) OVER (PARTITION BY o.order_id) AS paid
    FROM open o JOIN possible p ON p.line_id = o.line_id
)
SELECT order_id, line_id, 'order_part_payment' AS rule, 1.0 + score AS score
FROM only
WHERE orders_possible = 1 AND paid <= owing;

-- l3_named_links: what the memos and the customers' names found.
CREATE VIEW l3_named_links AS
SELECT order_id, line_id, rule, score FROM l3_reference_links
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_full
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_instalments
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_combined
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_deposits
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_part_payments;

-- l3_payer_accounts: bank accounts known to pay for a customer: an account that paid one
-- of its orders (found above, or matched by hand) pays for it again, whatever name the
-- bank shows (a director paying for the company, 法人代付). An account that paid for two
-- customers says nothing.
CREATE VIEW l3_payer_accounts AS
WITH paid AS (
    SELECT DISTINCT b.counterparty_account AS account, o.customer
    FROM (
        SELECT order_id, line_id FROM l3_named_links
        UNION ALL
        SELECT order_id, line_id FROM manual_pairs WHERE order_id IS NOT NULL
    ) l
    JOIN bank_txns b ON b.line_id = l.line_id
    JOIN l3_open_orders o ON o.order_id = l.order_id
    WHERE b.counterparty_account IS NOT NULL AND o.customer <> ''
)
SELECT account, min(customer) AS customer FROM paid GROUP BY account HAVING count(*) = 1;

-- l3_account_links: one credit from a customer's known payer account paying all an order
-- of that customer still owes (exactly or short by a transfer fee), when the credit
-- could pay only that order and the order take only that credit.
CREATE VIEW l3_account_links AS
WITH used AS (SELECT order_id, line_id FROM l3_named_links),
-- A customer's credits against all its open orders would be every credit times every
-- order (30 million pairs at a million orders) before the amount cuts them down: both
-- sides get an amount bucket as wide as the transfer-fee tolerance (at least 1), and a
-- credit, which may fall short of what is owed by up to the tolerance, is offered to its
-- own bucket and the next one up (and one more each way, should a division round across
-- a boundary: a pair still meets in one bucket only); the join is on customer, currency
-- and bucket.
owed AS (
    SELECT o.order_id, o.customer, o.currency, o.order_time, w.owing,
        CAST(floor(w.owing / greatest(mp.transfer_fee_tolerance, 1)) AS BIGINT) AS bucket
    FROM l3_open_orders o
    JOIN l3_owed w ON w.order_id = o.order_id
    CROSS JOIN match_params mp
    WHERE o.order_id NOT IN (SELECT order_id FROM used)
),
offered AS (
    SELECT c.line_id, c.txn_time, c.amount, c.currency, a.customer,
        CAST(floor(c.amount / greatest(mp.transfer_fee_tolerance, 1)) AS BIGINT) + up.step AS bucket
    FROM l3_open_credits c
    JOIN l3_payer_accounts a ON a.account = c.counterparty_account
    CROSS JOIN match_params mp
    CROSS JOIN (VALUES (-1), (0), (1), (2)) AS up(step)
    WHERE c.line_id NOT IN (SELECT line_id FROM used)
),
pairs AS (
    SELECT o.order_id, c.line_id, o.order_time, c.txn_time, o.owing - c.amount AS shortfall
    FROM offered c
    JOIN owed o ON o.customer = c.customer AND o.currency = c.currency AND o.bucket = c.bucket
    CROSS JOIN match_params mp
    WHERE c.amount <= o.owing AND c.amount >= o.owing - mp.transfer_fee_tolerance
      AND c.txn_time >= o.order_time - INTERVAL '1 day'
      AND date_part('day', c.txn_time - o.order_time) <= mp.b2b_window_days
      AND NOT EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = o.order_id AND k.line_id = c.line_id)
),
chosen AS (
    SELECT unnest(fifo_match(order_id, order_time, line_id, txn_time, shortfall)) AS pair FROM pairs
)
SELECT x.pair['left_id'] AS order_id, x.pair['right_id'] AS line_id, 'order_payer_account' AS rule, 1.5 AS score
FROM chosen x;

-- l3_matches: orders paid straight into the bank, one row per order and bank line.
CREATE VIEW l3_matches AS
SELECT order_id, line_id, rule, score FROM l3_named_links
UNION ALL
SELECT order_id, line_id, rule, score FROM l3_account_links;
