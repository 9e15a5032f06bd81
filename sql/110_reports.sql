-- collection_summary: by platform, shop, month of the order and currency (as of as_of()):
-- orders, sold (what buyers paid), refunds, fees, received, outstanding, and the collection
-- rate (received of what was expected after refunds). Money of different currencies is
-- never added: each currency is a row of its own.
CREATE VIEW collection_summary AS
SELECT s.platform, s.shop, date_trunc('month', s.order_time) AS month, s.currency,
    count(*) AS orders,
    sum(s.expected) AS sold,
    sum(s.refunded) AS refunds,
    sum(s.fees) AS fees,
    sum(r.received) AS received,
    sum(r.outstanding) AS outstanding,
    round(CAST(sum(r.received) AS DOUBLE) / nullif(CAST(sum(r.expected) AS DOUBLE), 0), 4) AS collection_rate
FROM order_settlement s
JOIN receivables r ON r.order_id = s.order_id AND (r.platform IS NOT DISTINCT FROM s.platform)
GROUP BY s.platform, s.shop, date_trunc('month', s.order_time), s.currency;

-- sales_vs_collections: by month and currency, what was sold (orders of the month)
-- against the money that reached the bank for payouts and orders (matched credits of the
-- month), each with its change on the month before in the same currency.
CREATE VIEW sales_vs_collections AS
WITH sales AS (
    SELECT date_trunc('month', order_time) AS month, currency, sum(expected) AS sales FROM order_settlement GROUP BY 1, 2
),
credits AS (
    SELECT DISTINCT line_id, txn_time, currency, bank_amount FROM bank_matches
),
collections AS (
    SELECT date_trunc('month', txn_time) AS month, currency, sum(bank_amount) AS collections FROM credits GROUP BY 1, 2
),
months AS (
    SELECT coalesce(s.month, c.month) AS month, coalesce(s.currency, c.currency) AS currency,
        coalesce(s.sales, 0) AS sales, coalesce(c.collections, 0) AS collections
    FROM sales s FULL JOIN collections c ON c.month = s.month AND c.currency IS NOT DISTINCT FROM s.currency
)
SELECT month, currency, sales,
    sales - lag(sales) OVER (PARTITION BY currency ORDER BY month) AS sales_change,
    collections,
    collections - lag(collections) OVER (PARTITION BY currency ORDER BY month) AS collections_change
FROM months;

-- fees_by_platform: each platform's fees by month and currency and the effective fee rate
-- (fees of sales), beside the platform's usual rate (the median month); departs is true
-- when a month's rate is off the usual by more than a fifth of it.
CREATE VIEW fees_by_platform AS
WITH monthly AS (
    SELECT platform, currency, date_trunc('month', order_time) AS month, sum(sold) AS sales, sum(fees) AS fees,
        CAST(sum(fees) AS DOUBLE) / nullif(CAST(sum(sold) AS DOUBLE), 0) AS fee_rate
    FROM order_settlement
    WHERE settled_via = 'platform' AND sold > 0
    GROUP BY 1, 2, 3
),
usual AS (
    SELECT platform, currency, median(fee_rate) AS usual_rate FROM monthly GROUP BY platform, currency
)
SELECT m.platform, m.month, m.currency, m.sales, m.fees, round(m.fee_rate, 4) AS fee_rate,
    round(u.usual_rate, 4) AS usual_rate,
    abs(m.fee_rate - u.usual_rate) > 0.2 * u.usual_rate AS departs
FROM monthly m JOIN usual u ON u.platform = m.platform AND u.currency IS NOT DISTINCT FROM m.currency;

-- discrepancies: orders whose settlement differs from what should have arrived (paid
-- less refunds and fees), with the difference, and settlement lines for orders no export
-- holds.
CREATE VIEW discrepancies AS
SELECT 'order settled differently' AS kind, platform, shop, order_id AS reference, order_time AS time, currency,
    net_expected AS expected, settled AS booked, difference
FROM order_settlement
WHERE status = 'discrepancy'
UNION ALL
SELECT 'settlement line of an unknown order', platform, shop, order_id, txn_time, currency,
    CAST(NULL AS DECIMAL(18, 2)), amount AS booked, amount AS difference
FROM unknown_order_lines;
