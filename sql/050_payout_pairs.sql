-- l2_reference_pairs: a payout whose own id (or a cut piece of it) is in a bank memo, one
-- to one, where the pair is each side's single best reference candidate. A tie matches
-- nothing: a person decides (match_candidates).
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

-- l2_reference_sets: credits whose memo names several payouts, or one payout that is only
-- part of the credit, with what the payouts named add up to. A payout two credits name is
-- doubtful and counts for neither.
CREATE VIEW l2_reference_sets AS
WITH named AS (
    SELECT n.* FROM l2_named n
    WHERE NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.line_id = n.line_id)
      AND NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.payout_id = n.payout_id)
),
claimed_twice AS (
    SELECT payout_id FROM named GROUP BY payout_id HAVING count(DISTINCT line_id) > 1
)
SELECT n.line_id, n.credit, n.currency, n.txn_time, n.platform, n.payout_id, n.amount,
    sum(n.amount) OVER (PARTITION BY n.line_id) AS named_sum,
    count(*) OVER (PARTITION BY n.line_id) AS named,
    count(DISTINCT n.platform) OVER (PARTITION BY n.line_id) AS platforms
FROM named n
WHERE n.payout_id NOT IN (SELECT payout_id FROM claimed_twice);

-- l2_reference_rest: for a credit whose memo names payouts of one platform adding up to
-- less than it, the rest, and each payout nobody's memo names that could make it up: of
-- that platform and currency, within the window before the credit, not a pair a person
-- broke.
CREATE VIEW l2_reference_rest AS
WITH sets AS (
    SELECT DISTINCT line_id, credit, currency, txn_time, platform, named_sum
    FROM l2_reference_sets WHERE platforms = 1 AND credit > named_sum
),
unnamed AS (
    SELECT p.* FROM l2_open_payouts p
    WHERE NOT EXISTS (SELECT 1 FROM l2_named n WHERE n.payout_id = p.payout_id)
      AND NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.payout_id = p.payout_id)
)
SELECT s.line_id, s.credit - s.named_sum AS rest, p.payout_id, p.amount
FROM sets s
JOIN unnamed p ON p.platform = s.platform AND p.currency = s.currency
CROSS JOIN match_params mp
WHERE working_days(p.payout_time, s.txn_time) BETWEEN 0 AND mp.window_days
  AND (s.txn_time >= p.payout_time OR s.txn_time = date_trunc('day', s.txn_time))
  AND NOT EXISTS (SELECT 1 FROM manual_blocked k WHERE k.payout_or_order = p.payout_id AND k.line_id = s.line_id);

-- l2_reference_members: each payout of a credit whose memo names several (N:1): the
-- payouts named add up to the credit (a bank fee less at most), or the credit's rest
-- (l2_reference_rest) is the one payout, or the one set of payouts, nobody's memo names
-- (subset_sum). A view of its own, kept: l2_reference_groups reads it three times, and
-- as steps of that view the rest's candidates were planned and run eighteen times.
CREATE VIEW l2_reference_members AS
WITH whole AS (
    SELECT DISTINCT s.line_id FROM l2_reference_sets s CROSS JOIN match_params mp
    WHERE s.platforms = 1 AND s.named >= 2 AND s.credit <= s.named_sum AND s.credit >= s.named_sum - mp.fee_tolerance
),
rest_single AS (
    SELECT line_id, min(payout_id) AS payout_id FROM (
        SELECT r.* FROM l2_reference_rest r CROSS JOIN match_params mp
        WHERE r.amount <= r.rest + mp.fee_tolerance AND r.amount >= r.rest
    )
    GROUP BY line_id HAVING count(*) = 1
),
rest_sets AS (
    SELECT r.line_id, subset_sum(r.payout_id, r.amount, r.rest, mp.fee_tolerance) AS ids
    FROM l2_reference_rest r CROSS JOIN match_params mp
    WHERE NOT EXISTS (SELECT 1 FROM rest_single x WHERE x.line_id = r.line_id)
    GROUP BY r.line_id, r.rest, mp.fee_tolerance
)
SELECT s.line_id, s.payout_id FROM l2_reference_sets s JOIN whole w ON w.line_id = s.line_id
UNION ALL
SELECT s.line_id, s.payout_id FROM l2_reference_sets s
WHERE s.line_id IN (SELECT line_id FROM rest_single) OR s.line_id IN (SELECT line_id FROM rest_sets WHERE ids IS NOT NULL)
UNION ALL
SELECT line_id, payout_id FROM rest_single
UNION ALL
SELECT line_id, unnest(ids) FROM rest_sets WHERE ids IS NOT NULL;

-- l2_reference_groups: several payouts in one bank credit whose memo names them (N:1),
-- l2_reference_members, save a payout two credits claim: neither credit is matched.
CREATE VIEW l2_reference_groups AS
WITH claimed_twice AS (
    SELECT payout_id FROM l2_reference_members GROUP BY payout_id HAVING count(DISTINCT line_id) > 1
)
SELECT DISTINCT m.line_id, m.payout_id, 'several_payouts_reference' AS rule
FROM l2_reference_members m
WHERE NOT EXISTS (
    SELECT 1 FROM l2_reference_members x JOIN claimed_twice t ON t.payout_id = x.payout_id WHERE x.line_id = m.line_id);

-- l2_payout_sequence: each platform's payouts the reference passes left, in time order,
-- numbered, with a running total: consecutive payouts first..last add up to
-- last.running - first.running + first.amount.
CREATE VIEW l2_payout_sequence AS
SELECT payout_id, platform, currency, payout_time, amount,
    row_number() OVER (PARTITION BY platform, currency ORDER BY payout_time, payout_id) AS seq,
    sum(amount) OVER (PARTITION BY platform, currency ORDER BY payout_time, payout_id ROWS UNBOUNDED PRECEDING)
        AS running
FROM l2_open_payouts p
WHERE NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.payout_id = p.payout_id)
  AND NOT EXISTS (SELECT 1 FROM l2_reference_groups x WHERE x.payout_id = p.payout_id);

-- l2_run_solutions: a platform that batches its withdrawals sends two to eight
-- consecutive payouts as one bank credit, the last of them within the window before it.
-- Each credit the reference passes left, and that no single payout has exactly, with each
-- run of its platform's payouts that adds up to it to the cent. Runs come before pairing
-- equal amounts: a run adding up exactly is stronger evidence than first in, first out.
-- (Sets that add up less a bank fee are looked for among what the pairs leave.)
CREATE VIEW l2_run_solutions AS
WITH credits AS (
    SELECT c.line_id, c.txn_time, c.amount, c.currency, cp.platform
    FROM l2_open_credits c
    JOIN credit_platforms cp ON cp.line_id = c.line_id
    WHERE NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l2_reference_groups x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l2_candidates x WHERE x.line_id = c.line_id AND x.rule = 'amount')
),
ends AS (
    -- The last payout of a run: within the window before the credit.
    SELECT c.line_id, c.amount, e.platform, e.currency, e.seq, e.running
    FROM credits c
    JOIN l2_payout_sequence e ON e.platform = c.platform AND e.currency = c.currency
    CROSS JOIN match_params mp
    WHERE e.payout_time <= c.txn_time + INTERVAL '1 day'
      AND working_days(e.payout_time, c.txn_time) BETWEEN 0 AND mp.window_days
      AND (c.txn_time >= e.payout_time OR c.txn_time = date_trunc('day', c.txn_time))
)
-- The run's first payout has before it exactly what the last has, less the credit.
SELECT x.line_id, x.platform, x.currency, s.seq AS first_seq, x.seq AS last_seq, 'several_payouts' AS rule
FROM ends x
JOIN l2_payout_sequence s
  ON s.platform = x.platform AND s.currency = x.currency AND s.running - s.amount = x.running - x.amount
WHERE s.seq BETWEEN x.seq - 7 AND x.seq - 1;

-- l2_run_members: the payouts of each credit's run, when the credit has only one, no
-- payout is in two credits' runs, and no member was unpaired from the credit by a person.
CREATE VIEW l2_run_members AS
WITH best AS (
    SELECT line_id, platform, currency, first_seq, last_seq, rule FROM (
        SELECT r.*, count(*) OVER (PARTITION BY line_id) AS options FROM l2_run_solutions r
    )
    WHERE options = 1
),
members AS (
    SELECT b.line_id, q.payout_id, b.rule
    FROM best b
    JOIN l2_payout_sequence q
      ON q.platform = b.platform AND q.currency = b.currency AND q.seq BETWEEN b.first_seq AND b.last_seq
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
-- first in, first out. Payouts alike in fee and working day (next_working_day: a
-- weekend's or a holiday's count as the next working day's) could each be the one: when
-- as many credits could each be any of them, they are interchangeable and are paired in
-- time order; otherwise it is a tie, which waits for a person (match_candidates).
CREATE VIEW l2_amount_pairs AS
WITH open AS (
    SELECT c.payout_id, p.payout_time, next_working_day(p.payout_time) AS payout_day,
        c.line_id, b.txn_time, c.payout_amount - c.bank_amount AS fee
    FROM l2_candidates c
    JOIN payouts p ON p.payout_id = c.payout_id
    JOIN bank_credits b ON b.line_id = c.line_id
    WHERE c.rule IN ('amount', 'amount_fee')
      AND NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.payout_id = c.payout_id)
      AND NOT EXISTS (SELECT 1 FROM l2_reference_pairs x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l2_reference_groups x WHERE x.payout_id = c.payout_id)
      AND NOT EXISTS (SELECT 1 FROM l2_reference_groups x WHERE x.line_id = c.line_id)
      AND NOT EXISTS (SELECT 1 FROM l2_run_members x WHERE x.payout_id = c.payout_id)
      AND NOT EXISTS (SELECT 1 FROM l2_run_members x WHERE x.line_id = c.line_id)
),
chosen AS (
    SELECT unnest(fifo_match(payout_id, payout_time, line_id, txn_time, fee, payout_day)) AS pair FROM open
)
SELECT c.payout_id, c.line_id, c.rule, c.score
FROM chosen x
JOIN l2_candidates c ON c.payout_id = x.pair['left_id'] AND c.line_id = x.pair['right_id'];

-- l2_pairs: the one-to-one payout matches.
CREATE VIEW l2_pairs AS
SELECT payout_id, line_id, rule, score FROM l2_reference_pairs
UNION ALL
SELECT payout_id, line_id, rule, score FROM l2_amount_pairs;
