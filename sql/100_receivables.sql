-- settlement_cycles: how many days each platform really takes from shipping an order to
-- settling it, learned from the data: the 95th percentile (rounded up to whole days) of
-- shipment → first settlement (a platform's sale line, or a bank credit for orders paid
-- straight into the bank) over the orders shipped in the half year before as_of() and at
-- least a month ago (younger ones have not all settled yet), with how many orders it is
-- from. A platform settles after confirmed delivery (T+7 … T+15 and more), not after
-- payment, and each has its habit.
CREATE VIEW settlement_cycles AS
WITH days AS (
    SELECT platform,
        CAST(date_part('epoch', first_settled_at) - date_part('epoch', ship_time) AS DOUBLE) / 86400.0 AS days
    FROM order_settlement
    WHERE ship_time IS NOT NULL AND first_settled_at IS NOT NULL AND first_settled_at >= ship_time
      AND ship_time >= as_of() - INTERVAL '180 days' AND ship_time <= as_of() - INTERVAL '30 days'
),
ranked AS (
    SELECT platform, days,
        row_number() OVER (PARTITION BY platform ORDER BY days) AS n,
        count(*) OVER (PARTITION BY platform) AS orders
    FROM days
)
SELECT platform, CAST(ceil(days) AS BIGINT) AS cycle_days, orders
FROM ranked
WHERE n = CAST(ceil(0.95 * orders) AS BIGINT);

-- receivable_terms: the days from shipment within which each platform should settle an
-- order, and where the figure comes from: settings.toml [receivables] cycle_days when the
-- merchant fixed it ('settings'), else settlement_cycles when 30 or more orders show it
-- ('learned'), else recon's default for the platform ('default', or the 'default' row).
CREATE VIEW receivable_terms AS
WITH fixed AS (
    SELECT substr(name, length('cycle_days.') + 1) AS platform, CAST(value AS BIGINT) AS cycle_days
    FROM recon_settings WHERE name LIKE 'cycle_days.%'
),
defaults AS (
    SELECT substr(name, length('default_cycle_days.') + 1) AS platform, CAST(value AS BIGINT) AS cycle_days
    FROM recon_settings WHERE name LIKE 'default_cycle_days.%'
),
learned AS (
    SELECT platform, cycle_days, orders FROM settlement_cycles WHERE orders >= 30
),
platforms AS (
    SELECT DISTINCT coalesce(platform, 'default') AS platform FROM orders
    UNION SELECT platform FROM fixed
    UNION SELECT platform FROM defaults
)
SELECT p.platform,
    coalesce(f.cycle_days, l.cycle_days, d.cycle_days, dd.cycle_days) AS cycle_days,
    CASE WHEN f.cycle_days IS NOT NULL THEN 'settings'
         WHEN l.cycle_days IS NOT NULL THEN 'learned'
         ELSE 'default' END AS source,
    l.orders AS learned_from_orders
FROM platforms p
LEFT JOIN fixed f ON f.platform = p.platform
LEFT JOIN learned l ON l.platform = p.platform
LEFT JOIN defaults d ON d.platform = p.platform
LEFT JOIN defaults dd ON dd.platform = 'default';

-- aging_buckets: the buckets of days overdue (settings.toml [receivables] aging_buckets),
-- in order: label, first and last day (NULL: no end).
CREATE VIEW aging_buckets AS
SELECT CAST(substr(name, length('aging_bucket.') + 1) AS BIGINT) AS bucket, value AS label,
    CASE WHEN value LIKE '%+' THEN CAST(rtrim(value, '+') AS BIGINT) + 1
         ELSE CAST(split_part(value, '-', 1) AS BIGINT) END AS first_day,
    CASE WHEN value LIKE '%+' THEN CAST(NULL AS BIGINT) ELSE CAST(split_part(value, '-', 2) AS BIGINT) END AS last_day
FROM recon_settings
WHERE name LIKE 'aging_bucket.%';

-- unshipped_platforms: the platforms whose order exports give no shipment times at all:
-- receivables count their terms from payment. A view of its own, kept with its size: as
-- a step of receivables, DataFusion could not tell it was a handful of rows and hashed
-- every order to look them up (880,000 rows, 290 MB at 1M orders).
CREATE VIEW unshipped_platforms AS
SELECT platform FROM orders GROUP BY platform HAVING count(ship_time) = 0;

-- receivables: one row per order as of as_of(): expected (what should reach the wallet
-- or the bank: paid less refunds and fees), received (what did), outstanding, the due
-- date (the day of shipment plus the platform's cycle_days, receivable_terms; where a
-- platform's export gives no shipment times at all, the day of payment plus them; an
-- order not shipped has none yet), days_overdue and aging_bucket (for what is overdue;
-- 'not due' before or on the due date, '' when nothing is outstanding), and status:
-- order_settlement's, except that an order with nothing received after its due date is
-- 'overdue'.
CREATE VIEW receivables AS
WITH figures AS (
    SELECT s.platform, s.shop, s.order_id, s.order_time, s.settled_via, s.status AS settlement_status, s.currency,
        s.net_expected AS expected,
        s.settled AS received,
        CASE WHEN s.written_off IS NOT NULL OR s.status IN ('settled', 'refunded') THEN CAST(0 AS DECIMAL(18, 2))
             ELSE CAST(greatest(s.net_expected - s.settled, 0) AS DECIMAL(18, 2)) END AS outstanding,
        to_timestamp_micros(
            CAST(date_trunc('day', CASE WHEN s.ship_time IS NOT NULL THEN s.ship_time
                                        WHEN u.platform IS NOT NULL THEN s.paid_at END) AS BIGINT)
            + coalesce(t.cycle_days, d.cycle_days) * 86400000000) AS due_date,
        coalesce(t.cycle_days, d.cycle_days) AS cycle_days,
        CASE WHEN s.ship_time IS NOT NULL THEN 'shipment' WHEN u.platform IS NOT NULL THEN 'payment' END AS due_from,
        coalesce(t.source, d.source) AS terms_source,
        s.status_reason
    FROM order_settlement s
    LEFT JOIN receivable_terms t ON t.platform = coalesce(s.platform, 'default')
    LEFT JOIN receivable_terms d ON d.platform = 'default'
    LEFT JOIN unshipped_platforms u ON u.platform IS NOT DISTINCT FROM s.platform
),
open AS (
    SELECT f.*,
        CASE WHEN f.due_date < date_trunc('day', as_of())
             THEN CAST(date_part('day', date_trunc('day', as_of()) - f.due_date) AS BIGINT) ELSE 0 END AS days_overdue
    FROM figures f
    WHERE f.outstanding > 0
)
SELECT x.platform, x.shop, x.order_id, x.order_time, x.settled_via, x.currency, x.expected, x.received, x.outstanding,
    x.due_date, x.days_overdue,
    CASE WHEN x.days_overdue = 0 THEN 'not due' ELSE b.label END AS aging_bucket,
    CASE WHEN x.settlement_status = 'unsettled' AND x.days_overdue > 0 THEN 'overdue' ELSE x.settlement_status END
        AS status,
    CASE WHEN x.settlement_status = 'unsettled' AND x.days_overdue > 0 THEN
            'nothing arrived by the due date ' || CAST(CAST(x.due_date AS DATE) AS VARCHAR) || ' (' || x.due_from || ' + '
            || CAST(x.cycle_days AS VARCHAR) || ' days, ' || x.terms_source || ' terms): '
            || CAST(x.days_overdue AS VARCHAR) || ' days overdue'
         WHEN x.due_date IS NULL THEN x.status_reason || '; no due date yet (not shipped)'
         ELSE x.status_reason || '; due ' || CAST(CAST(x.due_date AS DATE) AS VARCHAR) || ' (' || x.due_from || ' + '
            || CAST(x.cycle_days AS VARCHAR) || ' days, ' || x.terms_source || ' terms)'
    END AS status_reason,
    as_of() AS as_of
FROM open x
LEFT JOIN aging_buckets b
  ON x.days_overdue >= b.first_day AND (b.last_day IS NULL OR x.days_overdue <= b.last_day)
UNION ALL
-- Nothing outstanding: no age.
SELECT platform, shop, order_id, order_time, settled_via, currency, expected, received, outstanding, due_date,
    CAST(0 AS BIGINT), '', settlement_status, status_reason, as_of()
FROM figures
WHERE outstanding = 0;

-- follow_up: orders to chase, as of as_of(): overdue ones, largest and oldest first,
-- with the platform and shop to ask.
CREATE VIEW follow_up AS
SELECT platform, shop, order_id, order_time, due_date, days_overdue, aging_bucket, currency, outstanding, settled_via
FROM receivables
WHERE status = 'overdue'
ORDER BY outstanding DESC, days_overdue DESC;

-- aging: what is outstanding by platform, shop, currency and aging bucket, as of as_of().
CREATE VIEW aging AS
SELECT platform, shop, currency, aging_bucket, count(*) AS orders, sum(outstanding) AS outstanding
FROM receivables
WHERE outstanding > 0
GROUP BY platform, shop, currency, aging_bucket;
