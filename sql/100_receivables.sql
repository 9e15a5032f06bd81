-- receivable_terms: days from payment until each platform should have settled an order
-- (settings.toml [receivables] cycle_days; the 'default' row for any other platform).
CREATE VIEW receivable_terms AS
SELECT substr(name, length('cycle_days.') + 1) AS platform, CAST(value AS BIGINT) AS cycle_days
FROM recon_settings
WHERE name LIKE 'cycle_days.%';

-- aging_buckets: the buckets of days overdue (settings.toml [receivables] aging_buckets),
-- in order: label, first and last day (NULL: no end).
CREATE VIEW aging_buckets AS
SELECT CAST(substr(name, length('aging_bucket.') + 1) AS BIGINT) AS bucket, value AS label,
    CASE WHEN value LIKE '%+' THEN CAST(rtrim(value, '+') AS BIGINT) + 1
         ELSE CAST(split_part(value, '-', 1) AS BIGINT) END AS first_day,
    CASE WHEN value LIKE '%+' THEN CAST(NULL AS BIGINT) ELSE CAST(split_part(value, '-', 2) AS BIGINT) END AS last_day
FROM recon_settings
WHERE name LIKE 'aging_bucket.%';

-- receivables: one row per order as of as_of(): expected (what the buyer paid, less what
-- was refunded), received (sale income booked, or money in the bank for orders paid
-- straight to it), outstanding, the due date (payment plus the platform's cycle_days),
-- days_overdue and aging_bucket (for what is overdue; 'not due' before the due date,
-- '' when nothing is outstanding), and status: order_settlement's, except that an
-- unsettled or part-paid order past its due date is 'overdue'.
CREATE VIEW receivables AS
WITH figures AS (
    SELECT s.platform, s.shop, s.order_id, s.order_time, s.settled_via, s.status AS settlement_status,
        CAST(s.expected - s.refunded AS DECIMAL(18, 2)) AS expected,
        CAST(s.sold - s.refunded AS DECIMAL(18, 2)) AS received,
        CASE WHEN s.written_off IS NOT NULL OR s.status IN ('settled', 'refunded') THEN CAST(0 AS DECIMAL(18, 2))
             ELSE CAST(greatest(s.expected - s.sold, 0) AS DECIMAL(18, 2)) END AS outstanding,
        to_timestamp_micros(CAST(s.paid_at AS BIGINT) + coalesce(t.cycle_days, d.cycle_days, 20) * 86400000000)
            AS due_date
    FROM order_settlement s
    LEFT JOIN receivable_terms t ON t.platform = s.platform
    LEFT JOIN receivable_terms d ON d.platform = 'default'
),
open AS (
    SELECT f.*,
        CASE WHEN f.due_date < as_of() THEN CAST(date_part('day', as_of() - f.due_date) AS BIGINT) ELSE 0 END
            AS days_overdue
    FROM figures f
    WHERE f.outstanding > 0
)
SELECT x.platform, x.shop, x.order_id, x.order_time, x.settled_via, x.expected, x.received, x.outstanding,
    x.due_date, x.days_overdue,
    CASE WHEN x.due_date IS NULL OR x.due_date >= as_of() THEN 'not due' ELSE b.label END AS aging_bucket,
    CASE WHEN x.settlement_status IN ('unsettled', 'partial') AND x.due_date < as_of()
         THEN 'overdue' ELSE x.settlement_status END AS status,
    as_of() AS as_of
FROM open x
LEFT JOIN aging_buckets b
  ON x.days_overdue >= b.first_day AND (b.last_day IS NULL OR x.days_overdue <= b.last_day)
UNION ALL
-- Nothing outstanding: no age.
SELECT platform, shop, order_id, order_time, settled_via, expected, received, outstanding, due_date,
    CAST(0 AS BIGINT), '', settlement_status, as_of()
FROM figures
WHERE outstanding = 0;

-- follow_up: orders to chase, as of as_of(): overdue ones, largest and oldest first,
-- with the platform and shop to ask.
CREATE VIEW follow_up AS
SELECT platform, shop, order_id, order_time, due_date, days_overdue, aging_bucket, outstanding, settled_via
FROM receivables
WHERE status = 'overdue'
ORDER BY outstanding DESC, days_overdue DESC;

-- aging: what is outstanding by platform, shop and aging bucket, as of as_of().
CREATE VIEW aging AS
SELECT platform, shop, aging_bucket, count(*) AS orders, sum(outstanding) AS outstanding
FROM receivables
WHERE outstanding > 0
GROUP BY platform, shop, aging_bucket;
