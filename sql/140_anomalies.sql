-- closed_period_changes: imports made after a period was closed that bring rows dated
-- inside it, one row per import and period: the closed figures do not change, so a
-- person decides whether to reopen.
CREATE VIEW closed_period_changes AS
WITH dated AS (
    SELECT import_id, source_file, order_time AS at, paid_amount AS amount FROM orders
    UNION ALL SELECT import_id, source_file, txn_time, amount FROM settlements
    UNION ALL SELECT import_id, source_file, txn_time, amount FROM bank_txns
    UNION ALL SELECT import_id, source_file, ship_time, CAST(NULL AS DECIMAL(18, 2)) FROM shipments
    UNION ALL SELECT import_id, source_file, apply_time, refund_amount FROM returns
    UNION ALL SELECT import_id, source_file, ship_time, amount FROM courier_bills
    UNION ALL SELECT import_id, source_file, txn_time, CAST(NULL AS DECIMAL(18, 2)) FROM inventory
)
SELECT p.period, d.import_id, max(d.source_file) AS source_file, count(*) AS rows_dated_inside,
    sum(d.amount) AS amount, min(d.at) AS first_at, max(d.at) AS last_at
FROM dated d
JOIN periods p ON p.state = 'closed' AND d.import_id > p.last_import AND d.at >= p.period_start AND d.at < p.period_end
GROUP BY p.period, d.import_id;

-- anomalies: every disagreement found, one row each, with a stable anomaly_key (kind and
-- reference) that keeps its state across imports and runs: returns against courier bills
-- and stock (return_checks), orders against shipments and settlement (shipment_checks),
-- stock (inventory_checks), orders whose settlement disagrees with what was paid
-- (receivables), and imports into closed periods. state (open, in_progress, resolved,
-- ignored), assignee and note come from the `.anomaly` commands; age_days counts from
-- when it happened to as_of().
CREATE VIEW anomalies AS
WITH found AS (
    SELECT * FROM return_checks
    UNION ALL SELECT * FROM shipment_checks
    UNION ALL SELECT * FROM inventory_checks
    UNION ALL
    SELECT 'settlement_discrepancy', 'medium', platform, shop, order_id, expected - received, order_time,
        'order ' || order_id || ' was paid ' || CAST(expected AS VARCHAR) || ' net of refunds, but the platform settled '
            || CAST(received AS VARCHAR)
    FROM receivables WHERE status = 'discrepancy'
    UNION ALL
    SELECT 'closed_period_changed', 'high', NULL, NULL, period || '/import-' || CAST(import_id AS VARCHAR), amount,
        first_at,
        'import ' || CAST(import_id AS VARCHAR) || ' (' || source_file || ') brought ' || CAST(rows_dated_inside AS VARCHAR)
            || ' rows dated in ' || period || ', which was closed before it; the closed figures stand until it is reopened'
    FROM closed_period_changes
),
keyed AS (
    SELECT kind || ':' || reference
            || CASE WHEN kind = 'stock_count_differs' THEN '@' || CAST(CAST(happened_at AS DATE) AS VARCHAR) ELSE '' END
            AS anomaly_key,
        *
    FROM found
),
latest AS (
    SELECT anomaly_key, state, assignee, note, "user", time FROM (
        SELECT *, row_number() OVER (PARTITION BY anomaly_key ORDER BY seq DESC) AS n FROM anomaly_log) l
    WHERE n = 1
)
SELECT k.anomaly_key, k.kind, k.severity, coalesce(l.state, 'open') AS state, l.assignee, k.platform, k.shop,
    k.reference, CAST(k.amount AS DECIMAL(18, 2)) AS amount, k.happened_at,
    CAST(greatest(date_part('day', as_of() - k.happened_at), 0) AS BIGINT) AS age_days, k.explanation, nullif(l.note, '') AS note,
    l."user" AS updated_by, l.time AS updated_at
FROM keyed k LEFT JOIN latest l ON l.anomaly_key = k.anomaly_key;

-- open_anomalies: what is still to be worked (open or in progress), oldest first, with
-- an age bucket (0-7, 8-30, 31-60, 60+ days).
CREATE VIEW open_anomalies AS
SELECT CASE WHEN age_days <= 7 THEN '0-7' WHEN age_days <= 30 THEN '8-30' WHEN age_days <= 60 THEN '31-60'
            ELSE '60+' END AS age_bucket,
    age_days, kind, severity, state, assignee, platform, shop, reference, amount, explanation, anomaly_key
FROM anomalies
WHERE state IN ('open', 'in_progress');
