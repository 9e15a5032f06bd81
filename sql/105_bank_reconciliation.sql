-- payout_accounts: the bank account each payout goes to: the account of the bank line it
-- matched; for one not matched (yet), the account that shop's payouts usually reach, else
-- the account with the most lines.
CREATE VIEW payout_accounts AS
WITH matched AS (
    SELECT payout_id, min(account) AS account FROM bank_matches WHERE payout_id IS NOT NULL GROUP BY payout_id
),
usual AS (
    SELECT p.platform, p.shop, m.account,
           row_number() OVER (PARTITION BY p.platform, p.shop ORDER BY count(*) DESC, m.account) AS rk
    FROM payouts p JOIN matched m ON m.payout_id = p.payout_id
    GROUP BY p.platform, p.shop, m.account
),
busiest AS (
    SELECT account FROM bank_txns GROUP BY account ORDER BY count(*) DESC, account LIMIT 1
)
SELECT p.payout_id, p.platform, p.shop, p.payout_time, p.amount,
       coalesce(m.account, u.account, (SELECT account FROM busiest)) AS account
FROM payouts p
LEFT JOIN matched m ON m.payout_id = p.payout_id
LEFT JOIN usual u ON u.platform = p.platform AND (u.shop IS NOT DISTINCT FROM p.shop) AND u.rk = 1;

-- bank_reconciliation_items: what makes the bank's balance and the books' balance differ,
-- one row per item, signed as it adjusts its side: on the bank side, payouts the platforms
-- sent that the bank has not shown (in transit); on the books' side, bank credits no payout
-- or order explains, credits written off by hand, bank debits (recon keeps no payables),
-- payouts that arrived short (bank charges), and payouts written off.
CREATE VIEW bank_reconciliation_items AS
WITH written_off AS (
    SELECT side, ref FROM manual_links WHERE action = 'writeoff'
),
matched_lines AS (
    SELECT DISTINCT line_id FROM bank_matches
),
short_groups AS (
    SELECT m.account, m.match_group,
           sum(m.amount) AS booked
    FROM (
        SELECT DISTINCT b.account, b.match_group, b.payout_id, p.amount
        FROM bank_matches b JOIN payouts p ON p.payout_id = b.payout_id
    ) m
    GROUP BY m.account, m.match_group
),
received_groups AS (
    SELECT account, match_group, sum(bank_amount) AS received
    FROM (SELECT DISTINCT account, match_group, line_id, bank_amount FROM bank_matches WHERE payout_id IS NOT NULL) r
    GROUP BY account, match_group
)
SELECT a.account, 'bank' AS side, 'payout_in_transit' AS kind, u.payout_id AS reference, u.payout_time AS time,
       u.amount,
       '提现在途：平台已付、银行未到 Payout sent by ' || u.platform || ', not yet on the bank statement' AS explanation
FROM unmatched_payouts u JOIN payout_accounts a ON a.payout_id = u.payout_id
UNION ALL
SELECT c.account, 'book', 'bank_credit_not_booked', c.txn_id, c.txn_time, c.amount,
       '银行已收、账上无对应 Bank credit no payout or order explains'
FROM unmatched_bank c
UNION ALL
SELECT c.account, 'book', 'bank_credit_written_off', c.txn_id, c.txn_time, c.amount,
       '银行收款已人工核销 Bank credit written off by hand'
FROM bank_credits c
WHERE c.line_id IN (SELECT ref FROM written_off WHERE side = 'bank')
  AND c.line_id NOT IN (SELECT line_id FROM matched_lines)
UNION ALL
SELECT t.account, 'book', 'bank_debit_not_booked', t.txn_id, t.txn_time, t.amount,
       '银行付款（本系统不记应付）Bank debit: recon keeps no payables'
FROM bank_txns t
WHERE t.amount < 0 AND (t.txn_time IS NULL OR t.txn_time <= as_of())
UNION ALL
SELECT s.account, 'book', 'payout_received_short', s.match_group, CAST(NULL AS TIMESTAMP), r.received - s.booked,
       '到账少于提现（银行手续费等）Payout arrived short of its amount (bank charges)'
FROM short_groups s JOIN received_groups r ON r.account = s.account AND r.match_group = s.match_group
WHERE r.received <> s.booked
UNION ALL
SELECT a.account, 'book', 'payout_written_off', a.payout_id, a.payout_time, -a.amount,
       '提现已人工核销 Payout written off by hand'
FROM payout_accounts a
WHERE a.payout_id IN (SELECT ref FROM written_off WHERE side = 'payout')
  AND a.payout_id NOT IN (SELECT payout_id FROM bank_matches WHERE payout_id IS NOT NULL);

-- bank_reconciliation: the bank reconciliation statement (银行存款余额调节表) per account as
-- of as_of(): the balance per bank statement plus payouts in transit, against the balance
-- per books (opening balance plus payouts and direct order receipts) adjusted by the items
-- of bank_reconciliation_items; the last line, their difference, is 0 when every movement
-- is accounted for (a missing or reordered statement line shows there). Each item's
-- amount is signed as it adjusts its side's balance.
CREATE VIEW bank_reconciliation AS
WITH lines AS (
    SELECT account, amount, balance,
           row_number() OVER (PARTITION BY account ORDER BY txn_time, import_id, source_line) AS first_rk,
           row_number() OVER (PARTITION BY account ORDER BY txn_time DESC, import_id DESC, source_line DESC) AS last_rk
    FROM bank_txns
    WHERE txn_time IS NULL OR txn_time <= as_of()
),
accounts AS (
    SELECT account,
           coalesce(max(CASE WHEN first_rk = 1 THEN balance - amount END), 0) AS opening,
           sum(amount) AS movement,
           max(CASE WHEN last_rk = 1 THEN balance END) AS closing
    FROM lines GROUP BY account
),
items AS (
    SELECT account, kind, count(*) AS n, sum(amount) AS amount FROM bank_reconciliation_items GROUP BY account, kind
),
booked AS (
    SELECT account, sum(amount) AS amount, count(*) AS n FROM payout_accounts GROUP BY account
),
direct AS (
    SELECT account, sum(bank_amount) AS amount, count(*) AS n
    FROM (SELECT DISTINCT account, line_id, bank_amount FROM bank_matches WHERE payout_id IS NULL AND order_id IS NOT NULL) d
    GROUP BY account
),
figures AS (
    SELECT a.account,
           coalesce(a.closing, a.opening + a.movement) AS statement,
           a.opening + coalesce(b.amount, 0) + coalesce(d.amount, 0) AS books,
           coalesce(b.n, 0) + coalesce(d.n, 0) AS booked_n
    FROM accounts a
    LEFT JOIN booked b ON b.account IS NOT DISTINCT FROM a.account
    LEFT JOIN direct d ON d.account IS NOT DISTINCT FROM a.account
),
item AS (
    -- Each reconciling kind has its line of the statement, shown even when it is empty.
    SELECT f.account, k.line, k.kind, k.label, coalesce(i.n, 0) AS n, coalesce(i.amount, 0) AS amount
    FROM figures f
    CROSS JOIN (VALUES
        (2, 'payout_in_transit', '在途提现（平台已付、银行未到）Payouts in transit'),
        (5, 'bank_credit_not_booked', '银行已收、账上无对应 Bank credits not in the books'),
        (6, 'bank_credit_written_off', '已核销的银行收款 Bank credits written off'),
        (7, 'bank_debit_not_booked', '银行付款（不记应付）Bank debits'),
        (8, 'payout_received_short', '到账差额（手续费等）Payouts received short'),
        (9, 'payout_written_off', '已核销的提现 Payouts written off')) AS k(line, kind, label)
    LEFT JOIN items i ON (i.account IS NOT DISTINCT FROM f.account) AND i.kind = k.kind
),
adjusted AS (
    SELECT f.account,
           f.statement + sum(CASE WHEN i.kind = 'payout_in_transit' THEN i.amount ELSE 0 END) AS bank,
           f.books + sum(CASE WHEN i.kind <> 'payout_in_transit' THEN i.amount ELSE 0 END) AS books
    FROM figures f JOIN item i ON i.account IS NOT DISTINCT FROM f.account
    GROUP BY f.account, f.statement, f.books
)
SELECT account, line, item, items, amount FROM (
    SELECT account, 1 AS line, '银行对账单余额 Balance per bank statement' AS item, CAST(NULL AS BIGINT) AS items,
           statement AS amount
    FROM figures
    UNION ALL
    SELECT account, line, label, n, amount FROM item
    UNION ALL
    SELECT account, 3, '调节后银行余额 Adjusted bank balance', NULL, bank FROM adjusted
    UNION ALL
    SELECT account, 4, '企业账面余额（期初＋提现＋直接回款）Balance per books', booked_n, books FROM figures
    UNION ALL
    SELECT account, 10, '调节后账面余额 Adjusted book balance', NULL, books FROM adjusted
    UNION ALL
    SELECT account, 11, '差额（应为 0）Difference (0 when reconciled)', NULL, bank - books FROM adjusted
) statement
ORDER BY account, line;
