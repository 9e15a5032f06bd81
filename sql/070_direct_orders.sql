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

-- l3_offered: the open credits not from a platform's payer (those are a payout's: only
-- a memo could name an order in them), each offered to the periods of the first and the
-- last order time it could pay (one period when both fall in it): a customer's credits
-- meet its orders of those periods only, not all its orders of the year.
CREATE VIEW l3_offered AS
SELECT b.line_id, b.txn_time, b.amount, b.currency, b.party, b.first + step.n AS period
FROM (
    SELECT c.line_id, c.txn_time, c.amount, c.currency, c.party,
        CAST(floor((date_part('epoch', c.txn_time) - (mp.b2b_window_days + 1) * 86400.0)
            / ((mp.b2b_window_days + 2) * 86400.0)) AS BIGINT) AS first,
        CAST(floor((date_part('epoch', c.txn_time) + 86400.0) / ((mp.b2b_window_days + 2) * 86400.0)) AS BIGINT)
            AS last
    FROM l3_open_credits c CROSS JOIN match_params mp
    WHERE NOT EXISTS (SELECT 1 FROM credit_platforms cp WHERE cp.line_id = c.line_id)
) b
CROSS JOIN (VALUES (0), (1)) AS step(n)
WHERE b.first + step.n <= b.last;

-- l3_payers: each open order paid straight into the bank with each payer of the bank
-- (a credit's counterparty) like one of the parties the order names — company, nickname
-- or person — at party_similarity name_threshold or more (name_score, the best of them);
-- with the order's period (b2b_window_days + 2 days long, so that the orders a credit
-- could pay, placed from window + 1 days before it to a day after, lie in at most two
-- periods) and amount bucket (transfer_fee_tolerance wide, at least 1).
CREATE VIEW l3_payers AS
WITH o AS (
    SELECT d.order_id, d.order_time, d.amount, d.currency, d.buyer_company, d.buyer_nick, d.buyer_name
    FROM direct_orders d
    JOIN l3_open_orders x ON x.order_id = d.order_id
),
parties AS (
    SELECT order_id, normalize_party(buyer_company) AS party FROM o
    UNION ALL SELECT order_id, normalize_party(buyer_nick) FROM o
    UNION ALL SELECT order_id, normalize_party(buyer_name) FROM o
),
-- How alike each name an order gives is to each payer's, computed once per pair of
-- distinct names (customers and payers recur: at 1M orders 17k names × 237 payers, where
-- pairing every order with every credit compared 20k × 20k rows), kept at name_threshold.
similar AS (
    SELECT n.order_party, n.credit_party, n.score FROM (
        SELECT op.party AS order_party, cp.party AS credit_party, party_similarity(op.party, cp.party) AS score
        FROM (SELECT DISTINCT party FROM parties WHERE party <> '') op
        CROSS JOIN (SELECT DISTINCT party FROM l3_offered WHERE party IS NOT NULL) cp
    ) n CROSS JOIN match_params mp
    WHERE n.score >= mp.name_threshold
),
-- Each order's best likeness to each payer: one row per order and payer, so that the
-- pairs are one per order and credit without grouping millions of them.
order_payers AS (
    SELECT p.order_id, n.credit_party, max(n.score) AS name_score
    FROM parties p JOIN similar n ON n.order_party = p.party
    GROUP BY p.order_id, n.credit_party
)
SELECT op.order_id, op.credit_party, op.name_score, o.amount, o.currency, o.order_time,
    CAST(floor(date_part('epoch', o.order_time) / ((mp.b2b_window_days + 2) * 86400.0)) AS BIGINT) AS period,
    CAST(floor(o.amount / greatest(mp.transfer_fee_tolerance, 1)) AS BIGINT) AS bucket
FROM order_payers op
JOIN o ON o.order_id = op.order_id
CROSS JOIN match_params mp;

-- l3_whole: credits from a payer an order names that pay the order whole, exactly or a
-- transfer fee short, in its window. A credit is offered to its own amount bucket, the
-- next one up, and one more each way should a division round across a boundary: a pair
-- still meets in one bucket only.
CREATE VIEW l3_whole AS
SELECT n.order_id, c.line_id, n.name_score, n.amount AS order_amount, c.amount AS bank_amount, c.txn_time, n.order_time
FROM l3_payers n
JOIN (
    SELECT c.*, CAST(floor(c.amount / greatest(mp.transfer_fee_tolerance, 1)) AS BIGINT) + up.step AS bucket
    FROM l3_offered c CROSS JOIN match_params mp CROSS JOIN (VALUES (-1), (0), (1), (2)) AS up(step)
) c ON c.party = n.credit_party AND c.currency = n.currency AND c.period = n.period AND c.bucket = n.bucket
CROSS JOIN match_params mp
WHERE c.amount <= n.amount AND c.amount >= n.amount - mp.transfer_fee_tolerance
  AND c.txn_time >= n.order_time - INTERVAL '1 day'
  AND date_part('day', c.txn_time - n.order_time) <= mp.b2b_window_days;

-- l3_settled_whole: the one credit that pays an order whole when it pays no other order
-- whole: what l3_full will take, as good as certain.
CREATE VIEW l3_settled_whole AS
SELECT order_id, line_id FROM (
    SELECT order_id, line_id, count(*) OVER (PARTITION BY order_id) AS credits,
        count(*) OVER (PARTITION BY line_id) AS orders
    FROM l3_whole
) WHERE credits = 1 AND orders = 1;

-- l3_rest_payers (l3_rest_offered): l3_payers (l3_offered) but for those.
CREATE VIEW l3_rest_payers AS
SELECT n.* FROM l3_payers n WHERE NOT EXISTS (SELECT 1 FROM l3_settled_whole w WHERE w.order_id = n.order_id);

CREATE VIEW l3_rest_offered AS
SELECT c.* FROM l3_offered c WHERE NOT EXISTS (SELECT 1 FROM l3_settled_whole w WHERE w.line_id = c.line_id);

-- l3_reach: for each order (side 'order') and credit (side 'line') of the rest, how many
-- of the other side's it meets by name in its window (partners), counted without making
-- the pairs — each payer's orders and credits on one time line (epoch seconds), a
-- running count of each side read at the other's window ends — and whether that is at
-- most candidate_limit (complete: all of them are paired with it). An order meets the
-- credits from a day before it to b2b_window_days + 1 days after (not included); a
-- credit, the orders from b2b_window_days + 1 days before it (not included) to a day
-- after.
CREATE VIEW l3_reach AS
WITH credits AS (SELECT DISTINCT line_id, party, currency, txn_time FROM l3_rest_offered),
-- seq orders the events of one time: an order (0) is seen by a credit's end read at
-- the same time (1), a credit (2) is not seen by an order's.
events AS (
    SELECT credit_party AS party, currency, date_part('epoch', order_time) AS t, 0 AS seq,
        CAST(NULL AS VARCHAR) AS side, CAST(NULL AS VARCHAR) AS id, CAST(NULL AS VARCHAR) AS probe
    FROM l3_rest_payers
    UNION ALL
    SELECT party, currency, date_part('epoch', txn_time), 2, NULL, NULL, NULL FROM credits
    UNION ALL
    SELECT n.credit_party, n.currency, date_part('epoch', n.order_time) - 86400.0, 1, 'order', n.order_id, 'lo'
    FROM l3_rest_payers n
    UNION ALL
    SELECT n.credit_party, n.currency, date_part('epoch', n.order_time) + (mp.b2b_window_days + 1) * 86400.0, 1, 'order',
        n.order_id, 'hi'
    FROM l3_rest_payers n CROSS JOIN match_params mp
    UNION ALL
    SELECT c.party, c.currency, date_part('epoch', c.txn_time) - (mp.b2b_window_days + 1) * 86400.0, 1, 'line',
        c.line_id, 'lo'
    FROM credits c CROSS JOIN match_params mp
    UNION ALL
    SELECT party, currency, date_part('epoch', txn_time) + 86400.0, 1, 'line', line_id, 'hi' FROM credits
),
ends AS (
    SELECT side, id, probe,
        CASE WHEN side = 'order'
             THEN sum(CASE WHEN seq = 2 THEN 1 ELSE 0 END)
                 OVER (PARTITION BY party, currency ORDER BY t, seq ROWS UNBOUNDED PRECEDING)
             ELSE sum(CASE WHEN seq = 0 THEN 1 ELSE 0 END)
                 OVER (PARTITION BY party, currency ORDER BY t, seq ROWS UNBOUNDED PRECEDING) END AS seen
    FROM events
)
SELECT e.side, e.id, sum(CASE WHEN e.probe = 'hi' THEN e.seen ELSE -e.seen END) AS partners,
    sum(CASE WHEN e.probe = 'hi' THEN e.seen ELSE -e.seen END) <= max(mp.candidate_limit) AS complete
FROM ends e CROSS JOIN match_params mp
WHERE e.probe IS NOT NULL
GROUP BY e.side, e.id;

-- l3_candidates: order ↔ bank credit pairs a pass may consider: the same currency, the
-- credit after the order (a day early at most, within b2b_window_days), and either
-- naming the order in its memo (by_reference, ref_hits) or from one of the parties the
-- order names (l3_payers). score: 3 for a reference, 0.5 for the name, 0.5 for speed.
-- By name, a customer who orders and pays every day would make orders × credits pairs
-- (a billion at 10M orders). So: the credits that pay an order whole (l3_whole); among
-- the rest, every pair where the order or the credit meets at most candidate_limit of
-- the other side (l3_reach); where both meet more, only a deposit
-- of a tenth to nine tenths. order_complete (line_complete): the side is of the rest
-- and all its partners there are among its pairs; the passes that weigh all of a side's
-- pairs at once (instalments, combined payments, part payments, a memo's rest) need it.
CREATE VIEW l3_candidates AS
WITH order_reach AS (SELECT id AS order_id, complete AS order_complete FROM l3_reach WHERE side = 'order'),
line_reach AS (SELECT id AS line_id, complete AS line_complete FROM l3_reach WHERE side = 'line'),
rest_pairs AS (
    SELECT n.order_id, n.name_score, n.amount, n.order_time, c.line_id, c.amount AS bank_amount, c.txn_time,
        fo.order_complete, fl.line_complete
    FROM l3_rest_payers n
    JOIN order_reach fo ON fo.order_id = n.order_id
    JOIN l3_rest_offered c ON c.party = n.credit_party AND c.currency = n.currency AND c.period = n.period
    JOIN line_reach fl ON fl.line_id = c.line_id
    WHERE fo.order_complete
    UNION ALL
    SELECT n.order_id, n.name_score, n.amount, n.order_time, c.line_id, c.amount, c.txn_time,
        fo.order_complete, fl.line_complete
    FROM l3_rest_offered c
    JOIN line_reach fl ON fl.line_id = c.line_id
    JOIN l3_rest_payers n ON n.credit_party = c.party AND n.currency = c.currency AND n.period = c.period
    JOIN order_reach fo ON fo.order_id = n.order_id
    WHERE fl.line_complete AND NOT fo.order_complete
),
-- A deposit of a tenth to nine tenths of an order, rounded or cut to the cent, for the
-- orders not all of whose pairs are made above. Where rounded and cut agree the pair
-- comes twice: made distinct once joined to the credits (at 10M orders 171,000 pairs),
-- not before (5.9 million amounts held at once: 0.6 GB and a second of level 3).
deposits AS (
    SELECT DISTINCT n.order_id, n.name_score, n.amount, n.order_time, c.line_id, c.amount AS bank_amount, c.txn_time
    FROM (
        SELECT order_id, credit_party, currency, period, name_score, amount, order_time, deposit
        FROM (
            SELECT n.*, CAST(round(n.amount * t.k / 10, 2) AS DECIMAL(18, 2)) AS deposit
            FROM l3_payers n CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t(k)
            UNION ALL
            SELECT n.*, CAST(trunc(n.amount * t.k / 10, 2) AS DECIMAL(18, 2))
            FROM l3_payers n CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t(k)
        ) d
        WHERE d.amount >= 0.2
          AND NOT EXISTS (SELECT 1 FROM order_reach f WHERE f.order_id = d.order_id AND f.order_complete)
    ) n
    JOIN l3_offered c ON c.party = n.credit_party AND c.currency = n.currency AND c.period = n.period
        AND c.amount = n.deposit
    CROSS JOIN match_params mp
    WHERE c.amount < n.amount - mp.transfer_fee_tolerance
),
-- From a party the order names: the whole payments, the rest's other pairs (but for
-- the deposits a crowded order is given on its own), the deposits.
by_name AS (
    SELECT w.order_id, w.line_id, false AS by_reference, w.name_score, w.order_amount, w.bank_amount, w.txn_time,
        w.order_time, coalesce(fo.order_complete, false) AS order_complete,
        coalesce(fl.line_complete, false) AS line_complete
    FROM l3_whole w
    LEFT JOIN order_reach fo ON fo.order_id = w.order_id
    LEFT JOIN line_reach fl ON fl.line_id = w.line_id
    UNION ALL
    SELECT p.order_id, p.line_id, false, p.name_score, p.amount, p.bank_amount, p.txn_time, p.order_time,
        p.order_complete, p.line_complete
    FROM rest_pairs p CROSS JOIN match_params mp
    WHERE p.txn_time >= p.order_time - INTERVAL '1 day'
      AND date_part('day', p.txn_time - p.order_time) <= mp.b2b_window_days
      AND NOT (p.bank_amount <= p.amount AND p.bank_amount >= p.amount - mp.transfer_fee_tolerance)
      AND (p.order_complete OR NOT (
          p.amount >= 0.2 AND p.bank_amount < p.amount - mp.transfer_fee_tolerance
          AND CAST(round(p.bank_amount * 10 / p.amount) AS BIGINT) BETWEEN 1 AND 9
          AND (p.bank_amount = CAST(round(p.amount * CAST(round(p.bank_amount * 10 / p.amount) AS BIGINT) / 10, 2)
                   AS DECIMAL(18, 2))
               OR p.bank_amount = CAST(trunc(p.amount * CAST(round(p.bank_amount * 10 / p.amount) AS BIGINT) / 10, 2)
                   AS DECIMAL(18, 2)))))
    UNION ALL
    SELECT d.order_id, d.line_id, false, d.name_score, d.amount, d.bank_amount, d.txn_time, d.order_time,
        false, coalesce(fl.line_complete, false)
    FROM deposits d
    LEFT JOIN line_reach fl ON fl.line_id = d.line_id
    CROSS JOIN match_params mp
    WHERE d.txn_time >= d.order_time - INTERVAL '1 day'
      AND date_part('day', d.txn_time - d.order_time) <= mp.b2b_window_days
),
-- Named in the memo, with the name's likeness when the credit is from a party the order
-- names as well.
by_reference AS (
    SELECT DISTINCT o.order_id, c.line_id, c.party, cp.line_id IS NULL AS from_customer, o.amount AS order_amount,
        c.amount AS bank_amount, c.txn_time, o.order_time,
        wo.order_id IS NULL AND coalesce(fo.order_complete, true) AS order_complete,
        wl.line_id IS NULL AND coalesce(fl.line_complete, true) AS line_complete
    FROM ref_hits r
    JOIN direct_orders o ON o.order_id = r.ref
    JOIN l3_open_orders x ON x.order_id = o.order_id
    JOIN l3_open_credits c ON c.line_id = r.line_id AND c.currency = o.currency
    LEFT JOIN (SELECT DISTINCT line_id FROM credit_platforms) cp ON cp.line_id = c.line_id
    LEFT JOIN order_reach fo ON fo.order_id = o.order_id
    LEFT JOIN line_reach fl ON fl.line_id = c.line_id
    LEFT JOIN l3_settled_whole wo ON wo.order_id = o.order_id
    LEFT JOIN l3_settled_whole wl ON wl.line_id = c.line_id
    WHERE r.side = 'order'
),
found AS (
    SELECT r.order_id, r.line_id, true AS by_reference, coalesce(max(op.name_score), CAST(0 AS DOUBLE)) AS name_score,
        r.order_amount, r.bank_amount, r.txn_time, r.order_time, r.order_complete, r.line_complete
    FROM by_reference r
    CROSS JOIN match_params mp
    LEFT JOIN l3_payers op ON op.order_id = r.order_id AND op.credit_party = r.party AND r.from_customer
        AND r.txn_time >= r.order_time - INTERVAL '1 day'
        AND date_part('day', r.txn_time - r.order_time) <= mp.b2b_window_days
    GROUP BY r.order_id, r.line_id, r.order_amount, r.bank_amount, r.txn_time, r.order_time,
        r.order_complete, r.line_complete
    UNION ALL
    SELECT n.* FROM by_name n
    WHERE NOT EXISTS (SELECT 1 FROM by_reference r WHERE r.order_id = n.order_id AND r.line_id = n.line_id)
),
scored AS (
    SELECT f.*, date_part('day', f.txn_time - f.order_time) AS days, mp.b2b_window_days
    FROM found f CROSS JOIN match_params mp
)
SELECT order_id, line_id, order_amount, bank_amount, txn_time, order_time, name_score, by_reference,
    CASE WHEN by_reference THEN 3.0 ELSE 0.0 END + 0.5 * name_score
        + 0.5 * (1.0 - CAST(greatest(days, 0) AS DOUBLE) / (b2b_window_days + 1)) AS score,
    order_complete, line_complete
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
    WHERE n.bank_amount > n.named_total + mp.transfer_fee_tolerance AND n.line_complete
)
SELECT r.line_id, r.rest, c.order_id, c.order_amount
FROM rest r
JOIN l3_candidates c ON c.line_id = r.line_id AND NOT c.by_reference
WHERE NOT EXISTS (SELECT 1 FROM l3_reference_named x WHERE x.order_id = c.order_id);

-- l3_reference_found: what l3_reference_links chooses from, before an order two credits
-- complete is taken back from both; kept, since that test reads it three times (as a
-- step, the rest's candidates were planned and run a dozen times over).
CREATE VIEW l3_reference_found AS
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
)
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
JOIN l3_candidates c ON c.order_id = x.order_id AND c.line_id = x.line_id;

-- l3_reference_links: credits whose memo names orders. A credit naming one order pays
-- (part of) it, as long as together such credits do not exceed it: the order's
-- instalments, each one line. A credit naming several orders pays them all when they
-- add up to it (a transfer fee less at most). A credit larger than what it names pays
-- the customer's further open orders too when exactly one of them, or one set of them,
-- makes up the rest (one transfer for several invoices, of which the memo quotes one).
-- An order two credits complete is doubtful for both.
CREATE VIEW l3_reference_links AS
SELECT l.* FROM l3_reference_found l
WHERE l.rule = 'order_reference'
   OR NOT EXISTS (
       SELECT 1 FROM l3_reference_found x JOIN l3_reference_found y ON y.order_id = x.order_id AND y.line_id <> x.line_id
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
-- (subset_sum, bounded), when all those credits are among its pairs (order_complete).
CREATE VIEW l3_instalment_sets AS
SELECT c.order_id,
    subset_sum(c.line_id, c.bank_amount, c.owing - mp.transfer_fee_tolerance, mp.transfer_fee_tolerance) AS line_ids
FROM l3_left c
CROSS JOIN match_params mp
WHERE NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.order_id = c.order_id)
  AND NOT EXISTS (SELECT 1 FROM l3_full x WHERE x.line_id = c.line_id)
  AND c.bank_amount < c.owing AND c.order_complete
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
-- or short by a transfer fee; when no order is in two such sets, and all the orders the
-- credit could pay are among its pairs (line_complete).
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
      AND c.bank_amount > c.owing AND c.line_complete
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
-- order: nothing else it could be (which only both sides' complete pairs can tell).
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
    WHERE c.bank_amount < c.owing - mp.transfer_fee_tolerance AND c.order_complete AND c.line_complete
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
