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

-- l2_payout_sequence: each platform's payouts the reference pass left, in time order,
-- numbered, with a running total: consecutive payouts first..last add up to
-- last.running - first.running + first.amount.
CREATE VIEW l2_payout_sequence AS
SELECT payout_id, platform, payout_time, amount,
    row_number() OVER (PARTITION BY platform ORDER BY payout_time, payout_id) AS seq,
    sum(amount) OVER (PARTITION BY platform ORDER BY payout_time, payout_id ROWS UNBOUNDED PRECEDING) AS running
FROM l2_open_payouts p
WHERE NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.payout_id = p.payout_id);

-- l2_run_solutions: a platform that batches its withdrawals sends two to eight
-- consecutive payouts as one bank credit, the last of them within the window before it.
-- Each credit the reference pass left, and that no single payout has exactly, with each
-- run of its platform's payouts that adds up to it to the cent. Runs come before pairing
-- equal amounts: a run adding up exactly is stronger evidence than first in, first out.
-- (Sets that add up less a bank fee are looked for among what the pairs leave.)
CREATE VIEW l2_run_solutions AS
WITH credits AS (
    SELECT c.line_id, c.txn_time, c.amount, cp.platform
    FROM l2_open_credits c
    JOIN credit_platforms cp ON cp.line_id = c.line_id
    WHERE NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l2_candidates x WHERE x.line_id = c.line_id AND x.rule = 'amount')
),
ends AS (
    -- The last payout of a run: within the window before the credit.
    SELECT c.line_id, c.amount, e.platform, e.seq, e.running
    FROM credits c
    JOIN l2_payout_sequence e ON e.platform = c.platform
    CROSS JOIN match_params mp
    WHERE e.payout_time <= c.txn_time + INTERVAL '1 day'
      AND working_days(e.payout_time, c.txn_time) BETWEEN 0 AND mp.window_days
      AND (c.txn_time >= e.payout_time OR c.txn_time = date_trunc('day', c.txn_time))
)
-- The run's first payout has before it exactly what the last has, less the credit.
SELECT x.line_id, x.platform, s.seq AS first_seq, x.seq AS last_seq, 'several_payouts' AS rule
FROM ends x
JOIN l2_payout_sequence s ON s.platform = x.platform AND s.running - s.amount = x.running - x.amount
WHERE s.seq BETWEEN x.seq - 7 AND x.seq - 1;

-- l2_run_members: the payouts of each credit's run, when the credit has only one, no
-- payout is in two credits' runs, and no member was unpaired from the credit by a person.
CREATE VIEW l2_run_members AS
WITH best AS (
    SELECT line_id, platform, first_seq, last_seq, rule FROM (
        SELECT r.*, count(*) OVER (PARTITION BY line_id) AS options FROM l2_run_solutions r
    )
    WHERE options = 1
),
members AS (
    SELECT b.line_id, q.payout_id, b.rule
    FROM best b
    JOIN l2_payout_sequence q ON q.platform = b.platform AND q.seq BETWEEN b.first_seq AND b.last_seq
),
doubtful AS (
    SELECT line_id FROM members m
    WHERE m.payout_id IN (SELECT payout_id FROM members GROUP BY payout_id HAVING count(*) > 1)
       OR EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = m.payout_id AND k.line_id = m.line_id)
)
SELECT m.line_id, m.payout_id, m.rule FROM members m
WHERE NOT EXISTS (SELECT 1 FROM doubtful d WHERE d.line_id = m.line_id);

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
      AND NOT EXISTS (SELECT 1 FROM l2_run_members x WHERE x.payout_id = c.payout_id)
      AND NOT EXISTS (SELECT 1 FROM l2_run_members x WHERE x.line_id = c.line_id)
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
