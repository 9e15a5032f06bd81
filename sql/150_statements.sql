-- statement_lines: bank lines that carry a running balance, each beside the line before
-- it in its file (same account), and which way the file runs: most exports list oldest
-- first (each balance = the one before + amount), some newest first.
CREATE VIEW statement_lines AS
WITH l AS (
    SELECT account, import_id, source_file, source_line, txn_time, amount, balance,
        lag(balance) OVER w AS prev_balance,
        lag(amount) OVER w AS prev_amount,
        lag(source_line) OVER w AS prev_line
    FROM bank_txns
    WHERE balance IS NOT NULL
    WINDOW w AS (PARTITION BY import_id, account ORDER BY source_line)
),
orientation AS (
    SELECT import_id, account,
        sum(CASE WHEN balance = prev_balance + amount THEN 1 ELSE 0 END)
            >= sum(CASE WHEN prev_balance = balance + prev_amount THEN 1 ELSE 0 END) AS oldest_first
    FROM l
    GROUP BY import_id, account
)
SELECT l.*, o.oldest_first,
    CASE WHEN o.oldest_first THEN l.prev_balance + l.amount ELSE l.balance + l.prev_amount END AS expected,
    CASE WHEN o.oldest_first THEN l.balance ELSE l.prev_balance END AS stated
FROM l JOIN orientation o ON o.import_id = l.import_id AND (o.account IS NOT DISTINCT FROM l.account);

-- balance_breaks: places where a statement's running balance does not follow from the
-- line before: a line missing, out of order, or an amount misread. Each names the two
-- lines of the file around the break and what the balance should have been.
CREATE VIEW balance_breaks AS
SELECT account, import_id, source_file, prev_line, source_line, txn_time, expected, stated,
    stated - expected AS difference,
    'between lines ' || CAST(prev_line AS VARCHAR) || ' and ' || CAST(source_line AS VARCHAR) || ' of ' || source_file
        || ' the balance goes to ' || CAST(stated AS VARCHAR) || ' where the amounts give ' || CAST(expected AS VARCHAR)
        || ' (' || CAST(stated - expected AS VARCHAR) || ' unexplained: a line missing or out of order?)' AS explanation
FROM statement_lines
WHERE prev_balance IS NOT NULL AND stated <> expected;

-- statement_coverage: per account, what each import of its statement covers (first and
-- last day, lines), its opening and closing balance when the statement has one, and
-- how it joins the one before: the days no statement covers (gap_days), days two cover
-- (overlap_days: their shared lines were skipped as duplicates), and whether the
-- opening balance is the previous closing one (balance_gap: what is missing between).
CREATE VIEW statement_coverage AS
WITH spans AS (
    SELECT account, import_id, max(source_file) AS source_file, min(txn_time) AS first_at, max(txn_time) AS last_at,
        count(*) AS lines
    FROM bank_txns GROUP BY account, import_id
),
ends AS (
    SELECT account, import_id,
        max(CASE WHEN r_first = 1 THEN balance - amount END) AS opening_balance,
        max(CASE WHEN r_last = 1 THEN balance END) AS closing_balance
    FROM (
        SELECT account, import_id, balance, amount,
            row_number() OVER (PARTITION BY import_id, account
                ORDER BY CASE WHEN oldest_first THEN source_line ELSE -source_line END) AS r_first,
            row_number() OVER (PARTITION BY import_id, account
                ORDER BY CASE WHEN oldest_first THEN -source_line ELSE source_line END) AS r_last
        FROM statement_lines) x
    GROUP BY account, import_id
),
joined AS (
    SELECT s.*, e.opening_balance, e.closing_balance,
        lag(s.last_at) OVER chain AS prev_last_at,
        lag(e.closing_balance) OVER chain AS prev_closing
    FROM spans s LEFT JOIN ends e ON e.import_id = s.import_id AND (e.account IS NOT DISTINCT FROM s.account)
    -- A statement that names no account follows on from nothing.
    WINDOW chain AS (PARTITION BY coalesce(s.account, 'import ' || CAST(s.import_id AS VARCHAR))
        ORDER BY s.first_at, s.import_id)
)
SELECT account, import_id, source_file, CAST(first_at AS DATE) AS first_day, CAST(last_at AS DATE) AS last_day, lines,
    opening_balance, closing_balance,
    CASE WHEN prev_last_at IS NULL THEN NULL
         ELSE greatest(CAST(CAST(first_at AS DATE) - CAST(prev_last_at AS DATE) AS BIGINT) - 1, 0)
    END AS gap_days,
    CASE WHEN prev_last_at IS NULL THEN NULL WHEN first_at > prev_last_at THEN 0
         ELSE CAST(CAST(prev_last_at AS DATE) - CAST(first_at AS DATE) AS BIGINT) + 1
    END AS overlap_days,
    CASE WHEN prev_closing IS NOT NULL AND opening_balance IS NOT NULL THEN opening_balance - prev_closing END
        AS balance_gap
FROM joined;
