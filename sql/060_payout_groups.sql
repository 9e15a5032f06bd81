-- l2_rest_payouts, l2_rest_credits: what the one-to-one passes, the memos' groups and the
-- runs left.
CREATE VIEW l2_rest_payouts AS
SELECT * FROM l2_open_payouts
WHERE NOT EXISTS (SELECT 1 FROM l2_pairs x WHERE x.payout_id = l2_open_payouts.payout_id)
  AND NOT EXISTS (SELECT 1 FROM l2_reference_groups x WHERE x.payout_id = l2_open_payouts.payout_id)
  AND NOT EXISTS (SELECT 1 FROM l2_run_members x WHERE x.payout_id = l2_open_payouts.payout_id);

CREATE VIEW l2_rest_credits AS
SELECT * FROM l2_open_credits
WHERE NOT EXISTS (SELECT 1 FROM l2_pairs x WHERE x.line_id = l2_open_credits.line_id)
  AND NOT EXISTS (SELECT 1 FROM l2_reference_groups x WHERE x.line_id = l2_open_credits.line_id)
  AND NOT EXISTS (SELECT 1 FROM l2_run_members x WHERE x.line_id = l2_open_credits.line_id);

-- l2_rest_sequence: the payouts left, each platform's in time order, numbered, with a
-- running total (as l2_payout_sequence).
CREATE VIEW l2_rest_sequence AS
SELECT payout_id, platform, currency, payout_time, amount,
    row_number() OVER (PARTITION BY platform, currency ORDER BY payout_time, payout_id) AS seq,
    sum(amount) OVER (PARTITION BY platform, currency ORDER BY payout_time, payout_id ROWS UNBOUNDED PRECEDING)
        AS running
FROM l2_rest_payouts;

-- l2_fee_runs: among what is left, two to eight consecutive payouts of a credit's platform,
-- the last within the window before it, adding up to the credit plus a bank fee of up to
-- fee_tolerance; when the credit has only one such run and no payout is in two.
CREATE VIEW l2_fee_runs AS
WITH solutions AS (
    SELECT c.line_id, e.platform, e.currency, s.seq AS first_seq, e.seq AS last_seq
    FROM l2_rest_credits c
    JOIN credit_platforms cp ON cp.line_id = c.line_id
    JOIN l2_rest_sequence e ON e.platform = cp.platform AND e.currency = c.currency
    JOIN l2_rest_sequence s
      ON s.platform = e.platform AND s.currency = e.currency AND s.seq BETWEEN e.seq - 7 AND e.seq - 1
    CROSS JOIN match_params mp
    WHERE working_days(e.payout_time, c.txn_time) BETWEEN 0 AND mp.window_days
      AND (c.txn_time >= e.payout_time OR c.txn_time = date_trunc('day', c.txn_time))
      AND c.amount < e.running - s.running + s.amount
      AND c.amount >= e.running - s.running + s.amount - mp.fee_tolerance
),
members AS (
    SELECT b.line_id, q.payout_id
    FROM (SELECT x.*, count(*) OVER (PARTITION BY line_id) AS options FROM solutions x) b
    JOIN l2_rest_sequence q
      ON q.platform = b.platform AND q.currency = b.currency AND q.seq BETWEEN b.first_seq AND b.last_seq
    WHERE b.options = 1
),
doubtful AS (
    SELECT line_id FROM members m
    WHERE m.payout_id IN (SELECT payout_id FROM members GROUP BY payout_id HAVING count(*) > 1)
       OR EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = m.payout_id AND k.line_id = m.line_id)
)
SELECT m.line_id, m.payout_id, 'several_payouts_fee' AS rule FROM members m
WHERE NOT EXISTS (SELECT 1 FROM doubtful d WHERE d.line_id = m.line_id);

-- l2_group_solutions: for each bank credit no run explains, the one set of two or more
-- payouts of its platform, paid out within the window before it, that adds up to it
-- (subset_sum, bounded): exactly, or with a bank fee of up to fee_tolerance deducted.
-- NULL when there is no such set or more than one.
CREATE VIEW l2_group_solutions AS
SELECT
    c.line_id,
    subset_sum(p.payout_id, p.amount, c.amount) AS exact_ids,
    subset_sum(p.payout_id, p.amount, c.amount, mp.fee_tolerance) AS fee_ids
FROM l2_rest_credits c
JOIN credit_platforms cp ON cp.line_id = c.line_id
JOIN l2_rest_payouts p ON p.platform = cp.platform AND p.currency = c.currency
CROSS JOIN match_params mp
WHERE working_days(p.payout_time, c.txn_time) BETWEEN 0 AND mp.window_days
  AND (c.txn_time >= p.payout_time OR c.txn_time = date_trunc('day', c.txn_time))
  AND NOT EXISTS (SELECT 1 FROM l2_fee_runs x WHERE x.line_id = c.line_id)
  AND NOT EXISTS (SELECT 1 FROM l2_fee_runs x WHERE x.payout_id = p.payout_id)
  AND NOT EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = p.payout_id AND k.line_id = c.line_id)
GROUP BY c.line_id, c.amount, mp.fee_tolerance;

-- l2_group_members: each payout of a found run or set, with its credit.
CREATE VIEW l2_group_members AS
SELECT line_id, payout_id, rule FROM l2_reference_groups
UNION ALL
SELECT line_id, payout_id, rule FROM l2_run_members
UNION ALL
SELECT line_id, payout_id, rule FROM l2_fee_runs
UNION ALL
SELECT line_id, payout_id, rule FROM (
    SELECT line_id, unnest(exact_ids) AS payout_id, 'several_payouts' AS rule
    FROM l2_group_solutions WHERE exact_ids IS NOT NULL
    UNION ALL
    SELECT line_id, unnest(fee_ids), 'several_payouts_fee'
    FROM l2_group_solutions WHERE exact_ids IS NULL AND fee_ids IS NOT NULL
);

-- l2_groups: several payouts in one bank credit (N:1). A payout that two credits'
-- sets both claim makes both sets doubtful: neither is taken.
CREATE VIEW l2_groups AS
WITH claimed_twice AS (
    SELECT payout_id FROM l2_group_members GROUP BY payout_id HAVING count(DISTINCT line_id) > 1
),
doubtful AS (
    SELECT DISTINCT m.line_id FROM l2_group_members m JOIN claimed_twice t ON t.payout_id = m.payout_id
)
SELECT g.line_id, g.payout_id, g.rule FROM l2_group_members g
WHERE NOT EXISTS (SELECT 1 FROM doubtful d WHERE d.line_id = g.line_id);

-- l2_split_solutions: for each payout left, the one set of two or more bank credits from
-- its platform within the window that adds up to it (one payout split on its way, 1:N).
CREATE VIEW l2_split_solutions AS
SELECT p.payout_id, subset_sum(c.line_id, c.amount, p.amount) AS line_ids
FROM l2_rest_payouts p
JOIN credit_platforms cp ON cp.platform = p.platform
JOIN l2_rest_credits c ON c.line_id = cp.line_id AND c.currency = p.currency
CROSS JOIN match_params mp
WHERE working_days(p.payout_time, c.txn_time) BETWEEN 0 AND mp.window_days
  AND (c.txn_time >= p.payout_time OR c.txn_time = date_trunc('day', c.txn_time))
  AND NOT EXISTS (SELECT 1 FROM l2_groups x WHERE x.payout_id = p.payout_id)
  AND NOT EXISTS (SELECT 1 FROM l2_groups x WHERE x.line_id = c.line_id)
GROUP BY p.payout_id, p.amount;

-- l2_splits: one payout arriving as several bank credits (1:N), when no credit is
-- claimed twice.
CREATE VIEW l2_splits AS
SELECT payout_id, line_id, 'split_payout' AS rule FROM (
    SELECT payout_id, unnest(line_ids) AS line_id FROM l2_split_solutions WHERE line_ids IS NOT NULL
) s
WHERE line_id IN (
    SELECT line_id FROM (SELECT unnest(line_ids) AS line_id FROM l2_split_solutions WHERE line_ids IS NOT NULL)
    GROUP BY line_id HAVING count(*) = 1);
