-- bank_matches: every bank credit matched, one row per linked pair: a payout
-- (payout_id) or an order paid straight into the bank (order_id) with the bank line, the
-- rule that matched them and its score, a match_group shared by the rows of one N:1 or
-- 1:N match, and manual = true for what a person decided (recon match), which always
-- wins over the automatic passes.
CREATE VIEW bank_matches AS
WITH links AS (
    SELECT payout_id, CAST(NULL AS VARCHAR) AS order_id, line_id, rule, score, line_id AS match_group, false AS manual
    FROM l2_pairs
    UNION ALL
    SELECT payout_id, NULL AS order_id, line_id, rule, 1.0 AS score, line_id AS match_group, false AS manual FROM l2_groups
    UNION ALL
    SELECT payout_id, NULL AS order_id, line_id, rule, 1.0 AS score, payout_id AS match_group, false AS manual FROM l2_splits
    UNION ALL
    -- An order's instalments share the order's group; orders one credit pays, the credit's.
    SELECT NULL AS payout_id, order_id, line_id, rule, score,
        CASE WHEN count(*) OVER (PARTITION BY line_id) > 1 THEN line_id ELSE order_id END AS match_group,
        false AS manual
    FROM l3_matches
    UNION ALL
    SELECT payout_id, order_id, line_id, 'manual' AS rule, 1.0 AS score, match_group, true AS manual FROM manual_pairs
)
SELECT
    coalesce(p.platform, o.platform) AS platform,
    l.payout_id,
    l.order_id,
    b.txn_id,
    l.line_id,
    b.account,
    b.txn_time,
    b.currency,
    b.amount AS bank_amount,
    coalesce(p.amount, o.amount) AS matched_amount,
    l.rule,
    l.score,
    l.match_group,
    l.manual
FROM links l
LEFT JOIN bank_txns b ON b.line_id = l.line_id
LEFT JOIN payouts p ON p.payout_id = l.payout_id
LEFT JOIN direct_orders o ON o.order_id = l.order_id;

-- unmatched_payouts: payouts no bank credit has been found for, nor written off.
CREATE VIEW unmatched_payouts AS
SELECT p.*
FROM payouts p
WHERE NOT EXISTS (SELECT 1 FROM bank_matches x WHERE x.payout_id = p.payout_id)
  AND NOT EXISTS (SELECT 1 FROM manual_settled x WHERE x.ref = p.payout_id AND x.side = 'payout');

-- unmatched_bank: money into the bank no payout or order explains, nor written off.
CREATE VIEW unmatched_bank AS
SELECT c.*
FROM bank_credits c
WHERE NOT EXISTS (SELECT 1 FROM bank_matches x WHERE x.line_id = c.line_id)
  AND NOT EXISTS (SELECT 1 FROM manual_settled x WHERE x.ref = c.line_id AND x.side = 'bank');

-- l3_unmatched_candidates: level 3's candidate pairs on bank lines left unmatched, with
-- what the review list shows of the line. A view of its own so that its size is known
-- when match_candidates looks up the orders matched already: joined there, DataFusion
-- could not size the pairs and hashed them (at 10M orders, a hundred million pairs and
-- 13 GB) to look up 180 000 matches; kept, the matches are the side it hashes.
CREATE VIEW l3_unmatched_candidates AS
SELECT c.order_id, c.line_id, c.by_reference, c.score, b.txn_id, b.txn_time, b.amount, b.counterparty_name
FROM l3_candidates c JOIN unmatched_bank b ON b.line_id = c.line_id;

-- match_candidates: for payouts and orders left unmatched, the bank lines that could be
-- theirs, best first, with rule and score: ties and near-ties a person decides with
-- recon match.
CREATE VIEW match_candidates AS
SELECT * FROM (
    SELECT c.payout_id, CAST(NULL AS VARCHAR) AS order_id, c.line_id, b.txn_id, b.txn_time, b.amount, b.counterparty_name,
           c.rule, c.score
    FROM l2_candidates c JOIN bank_credits b ON b.line_id = c.line_id
    WHERE c.payout_id IN (SELECT payout_id FROM unmatched_payouts)
      AND c.line_id IN (SELECT line_id FROM unmatched_bank)
    UNION ALL
    SELECT NULL, c.order_id, c.line_id, c.txn_id, c.txn_time, c.amount, c.counterparty_name,
           CASE WHEN c.by_reference THEN 'order_reference' ELSE 'order_buyer' END, c.score
    FROM l3_unmatched_candidates c
    WHERE NOT EXISTS (SELECT 1 FROM bank_matches x WHERE x.order_id = c.order_id)
);
