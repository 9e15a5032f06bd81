-- l2_reference_pairs: a payout whose own id is in a bank memo, one to one, where the
-- pair is each side's single best reference candidate. A tie matches nothing: a person
-- decides (match_candidates).
CREATE VIEW l2_reference_pairs AS
SELECT payout_id, line_id, rule, score FROM (
    SELECT c.*,
        rank() OVER (PARTITION BY payout_id ORDER BY score DESC) AS payout_rank,
        count(*) OVER (PARTITION BY payout_id, score) AS payout_ties,
        rank() OVER (PARTITION BY line_id ORDER BY score DESC) AS line_rank,
        count(*) OVER (PARTITION BY line_id, score) AS line_ties
    FROM l2_candidates c
    WHERE rule = 'reference'
)
WHERE payout_rank = 1 AND payout_ties = 1 AND line_rank = 1 AND line_ties = 1;

-- l2_amount_pairs: the same amount, or up to fee_tolerance less (a bank fee deducted),
-- from the payout's platform within the window. Each credit, earliest first, takes the
-- payout with the smallest fee (the exact amount first) and of those the one of the
-- earliest working day still open (fifo_match), as an accountant pairs equal amounts
-- first in, first out. Payouts alike in fee and working day (a weekend's count as the
-- Monday's) could each be the one: a tie, which waits for a person.
CREATE VIEW l2_amount_pairs AS
WITH open AS (
    SELECT c.payout_id,
        date_trunc('day', p.payout_time) + CASE date_part('dow', p.payout_time)
            WHEN 6 THEN INTERVAL '2 days' WHEN 0 THEN INTERVAL '1 day' ELSE INTERVAL '0 days' END AS payout_day,
        c.line_id, b.txn_time, c.payout_amount - c.bank_amount AS fee
    FROM l2_candidates c
    JOIN payouts p ON p.payout_id = c.payout_id
    JOIN bank_credits b ON b.line_id = c.line_id
    WHERE c.rule IN ('amount', 'amount_fee')
      AND NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.payout_id = c.payout_id)
      AND NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.line_id = c.line_id)
),
chosen AS (
    SELECT unnest(fifo_match(payout_id, payout_day, line_id, txn_time, fee)) AS pair FROM open
)
SELECT c.payout_id, c.line_id, c.rule, c.score
FROM chosen x
JOIN l2_candidates c ON c.payout_id = x.pair['left_id'] AND c.line_id = x.pair['right_id'];

-- l2_pairs: the one-to-one payout matches.
CREATE VIEW l2_pairs AS
SELECT payout_id, line_id, rule, score FROM l2_reference_pairs
UNION ALL
SELECT payout_id, line_id, rule, score FROM l2_amount_pairs;
