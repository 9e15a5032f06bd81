-- order_settle_days: for each order a platform settled, the days from shipment (or
-- payment, when the export has no ship time) to its first sale line in the wallet.
CREATE VIEW order_settle_days AS
WITH first_sale AS (
    SELECT order_key, min(txn_time) AS settled_at FROM order_lines WHERE kind = 'sale' GROUP BY order_key
)
SELECT o.platform, o.shop, o.order_id, coalesce(o.ship_time, o.pay_time, o.order_time) AS shipped_at, f.settled_at,
    CAST(date_part('epoch', f.settled_at - coalesce(o.ship_time, o.pay_time, o.order_time)) AS DOUBLE) / 86400.0
        AS days,
    CAST(date_part('epoch', f.settled_at - coalesce(o.order_time, o.pay_time)) AS DOUBLE) / 86400.0 AS order_days
FROM orders o
JOIN first_sale f ON f.order_key = normalize_order_id(o.order_id)
WHERE o.order_time IS NULL OR o.order_time <= as_of();

-- trends: by platform, shop and month of the order: sales, refunds and the refund rate,
-- fees and the fee rate, the collection rate, and the days from shipment to settlement
-- (median and 90th percentile).
CREATE VIEW trends AS
WITH days AS (
    SELECT platform, shop, date_trunc('month', shipped_at) AS month,
        median(days) AS settle_days_median,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS settle_days_p90
    FROM order_settle_days GROUP BY 1, 2, 3
)
SELECT c.platform, c.shop, c.month, c.orders, c.sold AS sales, c.refunds,
    round(CAST(c.refunds AS DOUBLE) / nullif(CAST(c.sold AS DOUBLE), 0), 4) AS refund_rate,
    c.fees,
    round(CAST(c.fees AS DOUBLE) / nullif(CAST(c.sold AS DOUBLE), 0), 4) AS fee_rate,
    c.collection_rate,
    round(d.settle_days_median, 1) AS settle_days_median,
    round(d.settle_days_p90, 1) AS settle_days_p90
FROM collection_summary c
LEFT JOIN days d ON d.platform = c.platform AND (d.shop IS NOT DISTINCT FROM c.shop) AND d.month = c.month;

-- payout_lags: each matched payout's days from leaving the wallet to the bank credit.
CREATE VIEW payout_lags AS
SELECT p.platform, p.shop, p.payout_id, p.payout_time, min(m.txn_time) AS credited_at, p.amount,
    CAST(date_part('epoch', min(m.txn_time) - p.payout_time) AS DOUBLE) / 86400.0 AS days
FROM payouts p JOIN bank_matches m ON m.payout_id = p.payout_id
GROUP BY p.platform, p.shop, p.payout_id, p.payout_time, p.amount;

-- payout_lag_usual: each platform's usual days from wallet to bank (usual, the median),
-- the 90th percentile, so its habits (PDD pays several payouts at once) are not called
-- slow, and the days past which a payout is late (late_after): risks' slow_payout and
-- payout_not_arrived, and the payouts cash_forecast no longer expects.
CREATE VIEW payout_lag_usual AS
SELECT platform, median(days) AS usual, percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90,
    2 * greatest(percentile_cont(0.9) WITHIN GROUP (ORDER BY days), 1) + 3 AS late_after
FROM payout_lags GROUP BY platform;

-- risks: what deserves a look, most serious first: kind, severity (high, medium, low),
-- platform, shop, reference, amount, and a plain explanation. Kinds: fee_rate (a month's
-- fee rate far from the platform's usual, by a robust z-score), slow_payout (a payout that
-- took much longer than the platform's usual), payout_not_arrived (no bank credit for a
-- payout long past the platform's usual lag), overdue (shipped, unpaid past the due
-- date), duplicate_credit (the same amount from the same payer twice within a day),
-- duplicate_payout (one payout id on two wallet lines), refund_over_order (refunded more
-- than the order), unknown_order (settlement lines for an order no export holds),
-- refund_spike (a shop's month with far more refunds than its usual), and unexplained
-- round-amount or weekend credits from unknown payers.
CREATE VIEW risks AS
WITH fee_months AS (
    SELECT platform, date_trunc('month', order_time) AS month,
        CAST(sum(fees) AS DOUBLE) / nullif(CAST(sum(sold) AS DOUBLE), 0) AS rate, sum(fees) AS fees
    FROM order_settlement WHERE settled_via = 'platform' AND sold > 0
    GROUP BY 1, 2
),
fee_usual AS (
    SELECT platform, median(rate) AS usual FROM fee_months GROUP BY platform
),
fee_spread AS (
    SELECT m.platform, u.usual, median(abs(m.rate - u.usual)) AS mad
    FROM fee_months m JOIN fee_usual u ON u.platform = m.platform GROUP BY m.platform, u.usual
),
fee_z AS (
    SELECT m.platform, m.month, m.rate, m.fees, s.usual,
        (m.rate - s.usual) / greatest(1.4826 * s.mad, 0.05 * s.usual, 0.0005) AS z
    FROM fee_months m JOIN fee_spread s ON s.platform = m.platform
),
refund_months AS (
    SELECT platform, shop, date_trunc('month', order_time) AS month, sum(refunded) AS refunded,
        count(*) FILTER (WHERE refunded > 0) AS refunds, count(*) AS orders,
        CAST(sum(refunded) AS DOUBLE) / nullif(CAST(sum(expected) AS DOUBLE), 0) AS rate
    FROM order_settlement WHERE settled_via = 'platform'
    GROUP BY 1, 2, 3
),
refund_usual AS (
    SELECT platform, shop, median(rate) AS usual, count(*) AS months FROM refund_months GROUP BY 1, 2
),
found AS (
    SELECT 'fee_rate' AS kind,
        CASE WHEN abs(z) >= 6 THEN 'high' ELSE 'medium' END AS severity,
        platform, CAST(NULL AS VARCHAR) AS shop, substr(CAST(month AS VARCHAR), 1, 7) AS reference, fees AS amount,
        abs(z) AS score,
        '费率异常 Fee rate ' || CAST(round(rate * 100, 2) AS VARCHAR) || '% in ' || substr(CAST(month AS VARCHAR), 1, 7)
            || ' against the usual ' || CAST(round(usual * 100, 2) AS VARCHAR) || '% (robust z ' || CAST(round(z, 1) AS VARCHAR) || ')'
            AS explanation
    FROM fee_z WHERE abs(z) >= 3.5
    UNION ALL
    SELECT 'slow_payout', CASE WHEN l.days > 3 * greatest(u.p90, 1) + 10 THEN 'high' ELSE 'medium' END,
        l.platform, l.shop, l.payout_id, l.amount, l.days / greatest(u.p90, 1),
        '回款慢 Payout took ' || CAST(round(l.days, 1) AS VARCHAR) || ' days to reach the bank; '
            || l.platform || ' usually takes ' || CAST(round(u.usual, 1) AS VARCHAR)
    FROM payout_lags l JOIN payout_lag_usual u ON u.platform = l.platform
    WHERE l.days > u.late_after
    UNION ALL
    SELECT 'payout_not_arrived',
        CASE WHEN d.age > 3 * greatest(u.p90, 1) + 10 THEN 'high' ELSE 'medium' END,
        d.platform, d.shop, d.payout_id, d.amount, d.age / greatest(u.p90, 1),
        '提现未到账 Payout left the ' || d.platform || ' wallet ' || CAST(round(d.age, 0) AS VARCHAR)
            || ' days ago and no bank credit matches it; ' || d.platform || ' usually takes '
            || CAST(round(u.usual, 1) AS VARCHAR) || ' days'
    FROM (SELECT platform, shop, payout_id, amount,
                 CAST(date_part('epoch', as_of() - payout_time) AS DOUBLE) / 86400.0 AS age
          FROM unmatched_payouts) d
    JOIN payout_lag_usual u ON u.platform = d.platform
    WHERE d.age > u.late_after
    UNION ALL
    SELECT 'overdue', CASE WHEN days_overdue > 60 THEN 'high' WHEN days_overdue > 30 THEN 'medium' ELSE 'low' END,
        platform, shop, order_id, outstanding, CAST(days_overdue AS DOUBLE) / 30.0,
        '逾期未回款 Shipped and unpaid ' || CAST(days_overdue AS VARCHAR) || ' days past the due date '
            || substr(CAST(due_date AS VARCHAR), 1, 10)
    FROM receivables WHERE status = 'overdue'
    UNION ALL
    SELECT 'duplicate_credit', 'high', CAST(NULL AS VARCHAR), a.account, a.txn_id || ' / ' || b.txn_id, a.amount, 10.0,
        '疑似重复付款 The same ' || CAST(a.amount AS VARCHAR) || ' from ' || coalesce(a.counterparty_name, '?')
            || ' twice within a day (' || a.txn_id || ', ' || b.txn_id || ')'
    FROM bank_credits a JOIN bank_credits b
      ON b.amount = a.amount AND (b.counterparty_name IS NOT DISTINCT FROM a.counterparty_name)
     AND (b.memo IS NOT DISTINCT FROM a.memo)
     AND (b.txn_time > a.txn_time OR (b.txn_time = a.txn_time AND b.line_id > a.line_id))
     AND b.txn_time <= a.txn_time + INTERVAL '1 day'
    UNION ALL
    SELECT 'duplicate_payout', 'high', platform, shop, payout_id, sum(amount), 10.0,
        '提现重复 Payout ' || payout_id || ' appears on ' || CAST(count(*) AS VARCHAR) || ' wallet lines'
    FROM payouts GROUP BY platform, shop, payout_id HAVING count(*) > 1
    UNION ALL
    SELECT 'refund_over_order', 'high', platform, shop, order_id, refunded - expected, 8.0,
        '退款超过订单 Refunded ' || CAST(refunded AS VARCHAR) || ' on an order of ' || CAST(expected AS VARCHAR)
    FROM order_settlement WHERE refunded > expected AND expected > 0
    UNION ALL
    SELECT 'unknown_order', 'medium', platform, shop, order_id, sum(amount), 2.0,
        '未知订单 ' || CAST(count(*) AS VARCHAR) || ' settlement lines for order ' || order_id || ', which no order export holds'
    FROM unknown_order_lines GROUP BY platform, shop, order_id
    UNION ALL
    SELECT 'refund_spike',
        CASE WHEN m.rate > 5 * greatest(u.usual, 0.02) AND m.refunds >= 10 THEN 'high' ELSE 'medium' END,
        m.platform, m.shop, substr(CAST(m.month AS VARCHAR), 1, 7), m.refunded, m.rate / greatest(u.usual, 0.02),
        '退款激增 Refunds ' || CAST(round(m.rate * 100, 1) AS VARCHAR) || '% of sales in '
            || substr(CAST(m.month AS VARCHAR), 1, 7) || '; this shop usually ' || CAST(round(u.usual * 100, 1) AS VARCHAR) || '%'
    FROM refund_months m JOIN refund_usual u ON u.platform = m.platform AND (u.shop IS NOT DISTINCT FROM m.shop)
    -- A handful of refunds in a quiet month is chance, not a spike.
    WHERE u.months >= 3 AND m.rate > 3 * greatest(u.usual, 0.02) AND m.rate > 0.1 AND m.refunds >= 5
    UNION ALL
    SELECT 'unexplained_credit', 'low', CAST(NULL AS VARCHAR), account, txn_id, amount, 1.0,
        '来源不明 ' || CASE WHEN amount % 1000 = 0 THEN 'A round ' ELSE 'A weekend ' END || CAST(amount AS VARCHAR)
            || ' from ' || coalesce(counterparty_name, 'an unnamed payer') || ' that no payout or order explains'
    FROM unmatched_bank
    WHERE (amount % 1000 = 0 OR date_part('dow', txn_time) IN (0, 6))
      AND NOT EXISTS (SELECT 1 FROM credit_platforms p WHERE p.line_id = unmatched_bank.line_id)
      -- Money moved between the company's own accounts is no one's payment.
      AND (counterparty_account IS NULL OR counterparty_account NOT IN (SELECT DISTINCT account FROM bank_txns WHERE account IS NOT NULL))
)
SELECT kind, severity, platform, shop, reference, amount, round(score, 2) AS score, explanation
FROM found
ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, score DESC, abs(amount) DESC;

-- opportunities: platforms and shops ranked by net margin after fees and refunds, and by
-- speed of collection (median days from shipment to settlement).
CREATE VIEW opportunities AS
WITH shops AS (
    SELECT platform, shop, sum(sold) AS sales, sum(refunds) AS refunds, sum(fees) AS fees,
        sum(received) AS received, sum(outstanding) AS outstanding
    FROM collection_summary GROUP BY platform, shop
),
speed AS (
    SELECT platform, shop, median(days) AS settle_days FROM order_settle_days GROUP BY platform, shop
)
SELECT s.platform, s.shop, s.sales, s.refunds, s.fees, s.sales - s.refunds - s.fees AS net,
    round(CAST(s.sales - s.refunds - s.fees AS DOUBLE) / nullif(CAST(s.sales AS DOUBLE), 0), 4) AS net_margin,
    round(p.settle_days, 1) AS settle_days,
    rank() OVER (ORDER BY CAST(s.sales - s.refunds - s.fees AS DOUBLE) / nullif(CAST(s.sales AS DOUBLE), 0) DESC)
        AS margin_rank,
    rank() OVER (ORDER BY p.settle_days NULLS LAST) AS speed_rank
FROM shops s LEFT JOIN speed p ON p.platform = s.platform AND (p.shop IS NOT DISTINCT FROM s.shop)
ORDER BY margin_rank;

-- forecast_fees: each platform's usual fee rate, what its money arrives net of.
CREATE VIEW forecast_fees AS
SELECT platform, CAST(sum(fees) AS DOUBLE) / nullif(CAST(sum(sold) AS DOUBLE), 0) AS rate
FROM order_settlement WHERE settled_via = 'platform' AND sold > 0 GROUP BY platform;

-- forecast_payout_days: per platform, the usual days from a payout leaving the wallet to
-- the bank (bank_days), and the merchant's usual days between two withdrawals of a shop
-- (gap_days): money settled waits in the wallet half of that, on average.
CREATE VIEW forecast_payout_days AS
WITH gaps AS (
    SELECT platform, CAST(date_part('epoch', payout_time - lag(payout_time) OVER (PARTITION BY platform, shop
        ORDER BY payout_time)) AS DOUBLE) / 86400.0 AS gap
    FROM payouts WHERE payout_time <= as_of()
),
lags AS (SELECT platform, median(days) AS days FROM payout_lags GROUP BY platform)
SELECT coalesce(g.platform, l.platform) AS platform, l.days AS bank_days, g.days AS gap_days
FROM (SELECT platform, median(gap) AS days FROM gaps WHERE gap IS NOT NULL GROUP BY platform) g
FULL JOIN lags l ON l.platform = g.platform;

-- forecast_wallet: platform money that is no order's any more but not in the bank yet, as
-- of as_of(): what the shops' wallets hold (settled, not withdrawn: the sum of their
-- wallet lines, withdrawals out) — reaching the bank within a withdrawal interval and the
-- bank's lag — and payouts withdrawn but not yet credited, within the bank's lag. A payout
-- long past the platform's usual lag (as risks' payout_not_arrived has it: more than twice
-- its 90th percentile and three days) is a question for the platform, not money expected.
CREATE VIEW forecast_wallet AS
WITH wallets AS (
    SELECT platform, greatest(sum(CAST(amount AS DOUBLE)), 0) AS amount
    FROM settlements WHERE txn_time <= as_of() GROUP BY platform, shop
),
transit AS (
    SELECT p.platform, CAST(p.amount AS DOUBLE) AS amount FROM payouts p
    LEFT JOIN payout_lag_usual u ON u.platform = p.platform
    WHERE p.payout_time <= as_of()
      AND CAST(date_part('epoch', as_of() - p.payout_time) AS DOUBLE) / 86400.0 <= coalesce(u.late_after, 5)
      AND NOT EXISTS (SELECT 1 FROM bank_matches m WHERE m.payout_id = p.payout_id AND m.txn_time <= as_of())
)
SELECT w.platform, w.amount, greatest(coalesce(d.gap_days, 7) + coalesce(d.bank_days, 2), 1) AS within_days
FROM wallets w LEFT JOIN forecast_payout_days d ON d.platform = w.platform
UNION ALL
SELECT t.platform, t.amount, greatest(coalesce(d.bank_days, 2), 1)
FROM transit t LEFT JOIN forecast_payout_days d ON d.platform = t.platform;

-- forecast_cdf: per platform (and 'b2b' for orders paid straight to the bank), the share
-- of an order's money in the bank within d days of the order, for d from 0 to 399 (f).
-- Platform money: the platform's observed days from order to settlement, plus
-- how long money waits in its wallets, plus the average days from withdrawal to the bank
-- (payout_lags, the last half year, by amount). The wait in the wallets is what they
-- held on average over the last twelve weeks (or the history there is) against what
-- came into them a day (Little's law): it counts the balance a merchant leaves behind
-- (round withdrawals, a float), not only half the interval between withdrawals. Money
-- paid straight to the bank: days from order to payment, by its share of the bank line
-- (order_bank_shares), over orders older than the window in which a payment is matched to
-- them (all their payments are in): some of it never comes, so shares are of what was owed;
-- while there are none, evenly within the terms.
CREATE VIEW forecast_cdf AS
WITH wallet_span AS (
    -- Seconds of wallet history averaged over: twelve weeks, or since the first line.
    SELECT platform, least(CAST(date_part('epoch', as_of() - min(txn_time)) AS DOUBLE), 84 * 86400.0) AS secs
    FROM settlements WHERE txn_time <= as_of() AND platform IS NOT NULL GROUP BY platform
),
wallet_flow AS (
    -- The time-weighted average balance over the span (the balance at its start, plus each
    -- line since for the part of the span it was there), and what came in a day.
    SELECT s.platform, max(s.secs) AS secs,
        sum(CASE WHEN x.txn_time <= to_timestamp_micros(CAST(as_of() AS BIGINT) - CAST(s.secs * 1000000 AS BIGINT))
                 THEN CAST(x.amount AS DOUBLE)
                 ELSE CAST(x.amount AS DOUBLE) * CAST(date_part('epoch', as_of() - x.txn_time) AS DOUBLE) / s.secs END)
            AS balance,
        sum(CASE WHEN x.kind NOT IN ('withdrawal', 'deposit')
                  AND x.txn_time > to_timestamp_micros(CAST(as_of() AS BIGINT) - CAST(s.secs * 1000000 AS BIGINT))
                 THEN CAST(x.amount AS DOUBLE) ELSE 0 END) * 86400.0 / s.secs AS per_day
    FROM settlements x JOIN wallet_span s ON s.platform = x.platform
    WHERE x.txn_time <= as_of() AND s.secs > 0
    GROUP BY s.platform, s.secs
),
wallet_wait AS (
    SELECT platform, greatest(balance, 0) / per_day AS days FROM wallet_flow WHERE per_day > 0
),
bank_wait AS (
    SELECT platform, sum(days * CAST(amount AS DOUBLE)) / nullif(sum(CAST(amount AS DOUBLE)), 0) AS days
    FROM payout_lags WHERE payout_time > to_timestamp_micros(CAST(as_of() AS BIGINT) - 182 * 86400000000)
    GROUP BY platform
),
platform_lags AS (
    SELECT s.platform, s.order_days + coalesce(b.days, p.bank_days, 2) + coalesce(w.days, p.gap_days / 2, 0) AS days
    FROM order_settle_days s
    LEFT JOIN forecast_payout_days p ON p.platform = s.platform
    LEFT JOIN wallet_wait w ON w.platform = s.platform
    LEFT JOIN bank_wait b ON b.platform = s.platform
),
direct_orders_seen AS (
    SELECT d.order_id, d.order_time, CAST(d.amount AS DOUBLE) AS owed FROM direct_orders d CROSS JOIN match_params mp
    WHERE d.order_time <= to_timestamp_micros(CAST(as_of() AS BIGINT) - mp.b2b_window_days * 86400000000)
),
-- Each payment by its share of the line: a line paying two invoices counted whole for
-- each would say more money comes than does.
direct_lags AS (
    SELECT 'b2b' AS platform, CAST(date_part('epoch', s.txn_time - o.order_time) AS DOUBLE) / 86400.0 AS days,
        CAST(s.amount AS DOUBLE) AS weight
    FROM order_bank_shares s
    JOIN direct_orders_seen o ON o.order_id = s.order_id
),
totals AS (
    SELECT platform, CAST(count(*) AS DOUBLE) AS total FROM platform_lags GROUP BY platform
    UNION ALL
    SELECT 'b2b', sum(owed) FROM direct_orders_seen
),
hist AS (
    SELECT platform, CAST(floor(greatest(days, 0)) AS BIGINT) AS d, CAST(count(*) AS DOUBLE) AS w
    FROM platform_lags GROUP BY 1, 2
    UNION ALL
    SELECT platform, CAST(floor(greatest(days, 0)) AS BIGINT), sum(weight) FROM direct_lags GROUP BY 1, 2
),
cdf AS (
    SELECT h.platform, h.d, sum(h.w) OVER (PARTITION BY h.platform ORDER BY h.d) / max(t.total) OVER (PARTITION BY h.platform) AS f
    FROM hist h JOIN totals t ON t.platform = h.platform
),
dense AS (
    SELECT p.platform, r.value AS d, coalesce(max(c.f), 0) AS f
    FROM (SELECT DISTINCT platform FROM hist) p
    CROSS JOIN range(0, 400) r
    LEFT JOIN cdf c ON c.platform = p.platform AND c.d <= r.value
    GROUP BY p.platform, r.value
),
-- A business too young for any order paid straight to the bank to be past the window
-- has no days to payment to learn from: its customers are taken to pay evenly within
-- their terms (receivable_terms), not never.
terms AS (
    SELECT coalesce(max(cycle_days) FILTER (WHERE platform = 'b2b'), max(cycle_days) FILTER (WHERE platform = 'default'))
        AS days
    FROM receivable_terms WHERE platform IN ('b2b', 'default')
),
young AS (
    SELECT 'b2b' AS platform, r.value AS d, least(CAST(r.value AS DOUBLE) / greatest(t.days, 1), 1.0) AS f
    FROM terms t CROSS JOIN range(0, 400) r
    WHERE t.days IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM hist WHERE platform = 'b2b')
      AND EXISTS (SELECT 1 FROM direct_orders)
)
SELECT platform, d, f FROM dense
UNION ALL
SELECT platform, d, f FROM young;

-- forecast_open: what is open now, by platform: each open receivable's amount net of the
-- platform's usual fee (none on money paid straight to the bank), its age in days, and
-- the days until it is due (0 once due).
CREATE VIEW forecast_open AS
SELECT r.platform, r.order_id,
    greatest(least(CAST(floor(CAST(date_part('epoch', as_of() - coalesce(o.order_time, o.pay_time)) AS DOUBLE)
        / 86400.0) AS BIGINT), 369), 0) AS age,
    CAST(r.outstanding AS DOUBLE) * (1 - CASE WHEN r.settled_via = 'bank' THEN 0.0 ELSE coalesce(f.rate, 0.0) END)
        AS amount,
    greatest(CAST(ceil(CAST(date_part('epoch', r.due_date - as_of()) AS DOUBLE) / 86400.0) AS BIGINT), 0) AS due_in
FROM receivables r
JOIN orders o ON o.order_id = r.order_id AND (o.platform IS NOT DISTINCT FROM r.platform)
LEFT JOIN forecast_fees f ON f.platform = r.platform
WHERE r.outstanding > 0;

-- forecast_weeks: platform sales as ordered (what the buyers paid, before cancellations,
-- refunds and fees: forecast_rates' yield takes those off) and orders, per platform and
-- week back from as_of(), over the last half year (week 0 is the last seven days); and the
-- orders paid straight to the bank of that half year, net of refunds, the history new B2B
-- business is drawn from.
CREATE VIEW forecast_weeks AS
SELECT coalesce(platform, 'b2b') AS platform,
    CAST(floor(CAST(date_part('epoch', as_of() - order_time) AS DOUBLE) / 604800.0) AS BIGINT) AS week,
    sum(CAST(CASE WHEN platform IS NULL THEN expected - refunded ELSE expected END AS DOUBLE)) AS sales,
    count(*) AS orders
FROM order_settlement
WHERE order_time > to_timestamp_micros(CAST(as_of() AS BIGINT) - 182 * 86400000000) AND order_time <= as_of()
GROUP BY 1, 2;

-- forecast_history: the days of the last half year the workspace has orders for (a young
-- business's half year is shorter): what averages over "the last half year" divide by.
CREATE VIEW forecast_history AS
SELECT least(greatest(CAST(date_part('epoch', as_of() - min(order_time)) AS DOUBLE) / 86400.0, 1.0), 182.0) AS days
FROM order_settlement WHERE order_time <= as_of();

-- forecast_rates: what a day's new sales will add to the wallets: for a platform, the
-- median week's orders of the last twelve (a promotion week does not set the pace of the
-- next month) at the twelve weeks' average order, times the share of what buyers pay that
-- reaches the wallet (its yield: after cancellations, refunds and fees, over the orders of
-- the last half year at least 45 days old, whose money and refunds are in; the usual fee
-- rate's complement while there are none); for B2B, whose orders are few and large, the
-- average day of the last half year (or of the history there is).
CREATE VIEW forecast_rates AS
WITH yield AS (
    SELECT platform, sum(CAST(settled AS DOUBLE)) / nullif(sum(CAST(expected AS DOUBLE)), 0) AS share
    FROM order_settlement
    WHERE settled_via = 'platform'
      AND order_time > to_timestamp_micros(CAST(as_of() AS BIGINT) - 182 * 86400000000)
      AND order_time <= to_timestamp_micros(CAST(as_of() AS BIGINT) - 45 * 86400000000)
    GROUP BY platform
)
SELECT w.platform,
    CASE WHEN w.platform = 'b2b' THEN sum(w.sales) / max(h.days)
         ELSE median(w.orders) FILTER (WHERE w.week < 12) / 7.0
             * sum(w.sales) FILTER (WHERE w.week < 12) / nullif(sum(w.orders) FILTER (WHERE w.week < 12), 0)
             * coalesce(max(y.share), 1 - coalesce(max(f.rate), 0.0)) END AS per_day
FROM forecast_weeks w LEFT JOIN forecast_fees f ON f.platform = w.platform
LEFT JOIN yield y ON y.platform = w.platform
CROSS JOIN forecast_history h
GROUP BY w.platform;

-- forecast_season: how each of the next 30 days' platform sales (k: 1 is the day after
-- as_of()) compare with the pace forecast_rates measures, learned from the same dates a
-- year before (promotions keep their dates): last year's sales in the week centred on
-- that date (a week has each weekday once), against last year's pace measured as
-- forecast_rates measures it now (the median of the twelve weeks before, or of the whole
-- weeks there are). A promotion (618, 11.11), a holiday, or the quiet weeks after a
-- promotion then shape the coming month as they shaped last year's, and last year's pace
-- carries the same bias as this year's, so the ratio corrects it. Only platforms with
-- orders from a year and four weeks back: for the others (and for orders paid straight
-- to the bank) the factor is 1.
CREATE VIEW forecast_season AS
WITH bounds AS (
    SELECT CAST(as_of() - INTERVAL '12 months' AS BIGINT) AS then_us,
        CAST(date_trunc('day', as_of() - INTERVAL '12 months') AS BIGINT) AS day0_us
),
-- The whole weeks of history before last year's date (twelve at most, four at least).
covered AS (
    SELECT platform, least(CAST(floor(CAST(then_us - first_us AS DOUBLE) / 604800000000.0) AS BIGINT), 12) AS weeks
    FROM (
        SELECT o.platform, CAST(min(o.order_time) AS BIGINT) AS first_us, max(b.then_us) AS then_us
        FROM order_settlement o CROSS JOIN bounds b
        WHERE coalesce(o.platform, 'b2b') <> 'b2b'
        GROUP BY o.platform
    ) f
    WHERE first_us <= then_us - 28 * 86400000000
),
last_year AS (
    SELECT o.platform, CAST(o.expected AS DOUBLE) AS sales, CAST(o.order_time AS BIGINT) AS t, b.then_us, b.day0_us
    FROM order_settlement o JOIN covered c ON c.platform = o.platform CROSS JOIN bounds b
    WHERE o.order_time > to_timestamp_micros(b.then_us - 84 * 86400000000)
      AND o.order_time < to_timestamp_micros(b.day0_us + 35 * 86400000000)
),
pace_weeks AS (
    SELECT platform, CAST(floor(CAST(then_us - t AS DOUBLE) / 604800000000.0) AS BIGINT) AS week,
        sum(sales) AS sales, count(*) AS orders
    FROM last_year WHERE t <= then_us GROUP BY 1, 2
),
pace AS (
    SELECT w.platform, median(w.orders) / 7.0 * sum(w.sales) / nullif(sum(w.orders), 0) AS per_day
    FROM pace_weeks w JOIN covered c ON c.platform = w.platform
    WHERE w.week < c.weeks GROUP BY w.platform
),
sale_days AS (
    SELECT platform, CAST(floor(CAST(t - day0_us AS DOUBLE) / 86400000000.0) AS BIGINT) AS k, sum(sales) AS sales
    FROM last_year GROUP BY 1, 2
),
around AS (
    SELECT c.platform, r.value AS k, coalesce(sum(d.sales), 0) / 7.0 AS per_day
    FROM covered c CROSS JOIN range(1, 31) r
    LEFT JOIN sale_days d ON d.platform = c.platform AND d.k BETWEEN r.value - 3 AND r.value + 3
    GROUP BY c.platform, r.value
)
SELECT a.platform, a.k, a.per_day / p.per_day AS factor
FROM around a JOIN pace p ON p.platform = a.platform
WHERE p.per_day > 0;

-- forecast_new_sales: what the next 30 days' new sales will have brought into the bank
-- by the end of each day n, per platform (and 'b2b'): each day k's sales (forecast_rates'
-- pace times forecast_season's factor) by the share of its money in within n − k days
-- (forecast_cdf; a day's sales spread over the day, so the mean of that day's share and
-- the day before's).
CREATE VIEW forecast_new_sales AS
WITH spread AS (
    SELECT platform, d, (f + coalesce(lag(f) OVER (PARTITION BY platform ORDER BY d), 0)) / 2 AS share
    FROM forecast_cdf WHERE d < 30
),
days AS (
    SELECT n.value AS n, k.value AS k, n.value - k.value AS age FROM range(1, 31) n JOIN range(1, 31) k ON k.value <= n.value
)
SELECT r.platform, x.n, sum(r.per_day * coalesce(s.factor, 1.0) * g.share) AS amount
FROM forecast_rates r
CROSS JOIN days x
JOIN spread g ON g.platform = r.platform AND g.d = x.age
LEFT JOIN forecast_season s ON s.platform = r.platform AND s.k = x.k
GROUP BY r.platform, x.n;

-- cash_forecast: money expected into the bank on each of the next 30 days after as_of(),
-- by where it comes from. Platform money: what the wallets hold and payouts in transit
-- (forecast_wallet) arrive, open orders settle, and new sales (at the pace of
-- forecast_rates, shaped by last year's season: forecast_new_sales) follow, by the
-- platform's forecast_cdf. Orders paid straight to the bank (B2B invoices): each open one
-- by the distribution of days from order to payment, given how long it has been open
-- (one older than nearly all of it: by its due date while not yet due, not at all once
-- overdue); new ones at the last half year's daily average. The range around these
-- figures is cash_forecast_range's.
CREATE VIEW cash_forecast AS
WITH days AS (
    SELECT value AS n, to_timestamp_micros(CAST(date_trunc('day', as_of()) AS BIGINT) + value * 86400000000) AS day
    FROM range(0, 31)
),
open_groups AS (
    SELECT platform, age, CASE WHEN platform = 'b2b' THEN due_in END AS due_in, sum(amount) AS amount
    FROM forecast_open GROUP BY 1, 2, 3
),
open_cumulative AS (
    -- Arrived by day n, given not arrived by now: (F(age + n) − F(age)) / (1 − F(age)); a
    -- platform order later than nearly all history is expected over the coming week; a
    -- B2B invoice that late evenly until its due date while it is not yet due (customers
    -- pay within their terms), and once overdue not at all (history says such money
    -- rarely comes).
    SELECT d.n, g.platform = 'b2b' AS b2b, sum(CASE
                         WHEN now.f >= 0.95 AND g.platform = 'b2b' AND g.due_in > 0
                             THEN g.amount * least(CAST(d.n AS DOUBLE) / g.due_in, 1.0)
                         WHEN now.f >= 0.95 AND g.platform = 'b2b' THEN 0.0
                         WHEN now.f >= 0.95 THEN g.amount * least(d.n, 7) / 7.0
                         ELSE g.amount * least(greatest((later.f - now.f) / (1 - now.f), 0.0), 1.0) END) AS amount
    FROM days d
    CROSS JOIN open_groups g
    JOIN forecast_cdf now ON now.platform = g.platform AND now.d = g.age
    JOIN forecast_cdf later ON later.platform = g.platform AND later.d = g.age + d.n
    GROUP BY 1, 2
),
new_cumulative AS (
    SELECT n, platform = 'b2b' AS b2b, sum(amount) AS amount FROM forecast_new_sales GROUP BY 1, 2
),
-- Wallets and payouts in transit arrive evenly over their days.
wallet_cumulative AS (
    SELECT d.n, sum(w.amount * least(d.n / w.within_days, 1.0)) AS amount
    FROM days d CROSS JOIN forecast_wallet w GROUP BY d.n
),
cumulative AS (
    SELECT d.n, d.day,
        coalesce(max(o.amount) FILTER (WHERE NOT o.b2b), 0) + coalesce(max(v.amount), 0) AS open_orders,
        coalesce(max(w.amount) FILTER (WHERE NOT w.b2b), 0) AS new_sales,
        coalesce(max(o.amount) FILTER (WHERE o.b2b), 0) AS open_b2b,
        coalesce(max(w.amount) FILTER (WHERE w.b2b), 0) AS new_b2b
    FROM days d LEFT JOIN open_cumulative o ON o.n = d.n LEFT JOIN new_cumulative w ON w.n = d.n
    LEFT JOIN wallet_cumulative v ON v.n = d.n
    GROUP BY d.n, d.day
),
daily AS (
    SELECT n, day,
        open_orders - lag(open_orders) OVER (ORDER BY n) AS open_orders,
        new_sales - lag(new_sales) OVER (ORDER BY n) AS new_sales,
        open_b2b - lag(open_b2b) OVER (ORDER BY n) AS open_b2b,
        new_b2b - lag(new_b2b) OVER (ORDER BY n) AS new_b2b
    FROM cumulative
)
SELECT day,
    CAST(open_orders AS DECIMAL(18, 2)) AS from_open_orders,
    CAST(new_sales AS DECIMAL(18, 2)) AS from_new_sales,
    CAST(open_b2b AS DECIMAL(18, 2)) AS from_b2b_invoices,
    CAST(new_b2b AS DECIMAL(18, 2)) AS from_new_b2b,
    CAST(open_orders + new_sales + open_b2b + new_b2b AS DECIMAL(18, 2)) AS expected_amount
FROM daily
WHERE n >= 1
ORDER BY day;

-- cash_forecast_range: how far the next 30 days' money may fall from cash_forecast's
-- figures: for each day, the money expected by the end of that day since as_of() (to
-- date), by source and in total, with an 80% range (p10, p90) from 500 simulated months.
-- Each simulation draws (with draw(), so the figures reproduce): whether each open B2B
-- invoice is paid, and on which day, from the distribution of days to payment given its
-- age (one older than nearly all of it but not yet due: a day before its due date); new
-- B2B business as the orders of one 30 days of the last half year, taken whole
-- and each paid after a lag drawn from the same distribution;
-- and the pace of new platform sales as four weeks drawn from the last twelve, relative to
-- their average. Open platform orders are many and small: their money is taken as
-- expected. The 30-day range is the last day's row.
CREATE VIEW cash_forecast_range AS
WITH sims AS (SELECT value AS sim FROM range(0, 500)),
days AS (
    SELECT value AS n, to_timestamp_micros(CAST(date_trunc('day', as_of()) AS BIGINT) + value * 86400000000) AS day
    FROM range(1, 31)
),
-- The inverse of each distribution: the first day by which a share k / 1000 has arrived.
quantiles AS (
    SELECT platform, k.value AS k, min(d) AS d
    FROM forecast_cdf CROSS JOIN range(0, 1001) k WHERE f >= k.value / 1000.0
    GROUP BY platform, k.value
),
invoices AS (
    SELECT row_number() OVER (ORDER BY o.order_id, o.age, o.amount) AS item, o.amount, o.age, o.due_in, c.f AS now_f
    FROM forecast_open o JOIN forecast_cdf c ON c.platform = o.platform AND c.d = o.age
    WHERE o.platform = 'b2b' AND (c.f < 0.95 OR o.due_in > 0)
),
-- An invoice is paid on the day its drawn share of what is still to come is reached; a
-- share beyond what ever arrives means it is not paid at all. One later than nearly all
-- history but not yet due is paid on a day drawn evenly until its due date.
invoice_days AS (
    SELECT s.sim, i.amount, greatest(q.d - i.age, 1) AS n
    FROM sims s CROSS JOIN invoices i
    JOIN quantiles q ON q.platform = 'b2b'
        AND q.k = CAST(ceil((i.now_f + draw(s.sim, i.item, 1) * (1 - i.now_f)) * 1000) AS BIGINT)
    WHERE i.now_f < 0.95
    UNION ALL
    SELECT s.sim, i.amount, 1 + CAST(floor(draw(s.sim, i.item, 1) * i.due_in) AS BIGINT)
    FROM sims s CROSS JOIN invoices i
    WHERE i.now_f >= 0.95
),
history AS (
    SELECT row_number() OVER (ORDER BY o.order_id) AS item, CAST(o.expected - o.refunded AS DOUBLE) AS amount,
        y.days - CAST(date_part('epoch', as_of() - o.order_time) AS DOUBLE) / 86400.0 AS day, y.days AS span
    FROM order_settlement o CROSS JOIN forecast_history y
    WHERE coalesce(o.platform, 'b2b') = 'b2b'
      AND o.order_time > to_timestamp_micros(CAST(as_of() AS BIGINT) - 182 * 86400000000) AND o.order_time <= as_of()
),
-- A simulation's new B2B business is the orders of one 30 days of the history, taken
-- whole (starting anywhere, wrapping round its end), each on its day of those 30 and
-- paid after a lag drawn from the distribution: customers' orders come in clusters and
-- months differ more than orders drawn one by one would say. A history shorter than 30
-- days counts as often as 30 days hold it.
starts AS (
    SELECT s.sim, draw(s.sim, 0, 5) * y.days AS start FROM sims s CROSS JOIN forecast_history y
),
new_b2b_days AS (
    SELECT w.sim, w.amount * 30.0 / least(w.span, 30.0) AS amount, 1 + CAST(floor(w.offset) AS BIGINT) + q.d AS n
    FROM (
        SELECT st.sim, h.item, h.amount, h.span,
            CASE WHEN h.day >= st.start THEN h.day - st.start ELSE h.day - st.start + h.span END AS offset
        FROM starts st CROSS JOIN history h
    ) w
    JOIN quantiles q ON q.platform = 'b2b' AND q.k = CAST(ceil(draw(w.sim, w.item, 4) * 1000) AS BIGINT)
    WHERE w.offset < 30
),
-- Each platform's pace in a simulation: four of its last twelve weeks, drawn, against the
-- twelve's average.
weeks AS (
    SELECT platform, row_number() OVER (PARTITION BY platform ORDER BY week) AS pick, sales,
        count(*) OVER (PARTITION BY platform) AS many, avg(sales) OVER (PARTITION BY platform) AS usual
    FROM forecast_weeks WHERE week < 12 AND platform <> 'b2b'
),
pace AS (
    SELECT s.sim, w.platform, avg(w.sales) / nullif(max(w.usual), 0) AS ratio
    FROM sims s CROSS JOIN range(0, 4) t
    JOIN (SELECT DISTINCT platform, many FROM weeks) p ON TRUE
    JOIN weeks w ON w.platform = p.platform
        AND w.pick = 1 + CAST(floor(draw(s.sim, t.value, 10 + length(p.platform)) * p.many) AS BIGINT)
    GROUP BY s.sim, w.platform
),
-- The parts taken as expected, to date, from cash_forecast; new platform sales per platform.
expected AS (
    SELECT day, sum(from_open_orders) OVER (ORDER BY day) AS open_orders,
        sum(from_new_sales) OVER (ORDER BY day) AS new_sales,
        sum(from_b2b_invoices) OVER (ORDER BY day) AS b2b_invoices,
        sum(from_new_b2b) OVER (ORDER BY day) AS new_b2b
    FROM cash_forecast
),
platform_sales AS (
    SELECT n, platform, amount FROM forecast_new_sales WHERE platform <> 'b2b'
),
arrivals AS (
    SELECT sim, n, sum(amount) AS b2b_invoices, 0.0 AS new_b2b FROM invoice_days WHERE n <= 30 GROUP BY sim, n
    UNION ALL
    SELECT sim, n, 0.0, sum(amount) FROM new_b2b_days WHERE n <= 30 GROUP BY sim, n
),
sales_paced AS (
    SELECT s.sim, p.n, sum(p.amount * coalesce(x.ratio, 1.0)) AS new_sales
    FROM sims s CROSS JOIN platform_sales p LEFT JOIN pace x ON x.sim = s.sim AND x.platform = p.platform
    GROUP BY s.sim, p.n
),
simulated AS (
    SELECT g.sim, g.day, coalesce(p.new_sales, 0) AS new_sales,
        sum(coalesce(a.b2b_invoices, 0)) OVER (PARTITION BY g.sim ORDER BY g.n) AS b2b_invoices,
        sum(coalesce(a.new_b2b, 0)) OVER (PARTITION BY g.sim ORDER BY g.n) AS new_b2b
    FROM (SELECT sim, n, day FROM sims CROSS JOIN days) g
    LEFT JOIN (SELECT sim, n, sum(b2b_invoices) AS b2b_invoices, sum(new_b2b) AS new_b2b FROM arrivals GROUP BY sim, n) a
        ON a.sim = g.sim AND a.n = g.n
    LEFT JOIN sales_paced p ON p.sim = g.sim AND p.n = g.n
),
ranges AS (
    SELECT day,
        percentile_cont(new_sales, 0.1) AS new_sales_p10, percentile_cont(new_sales, 0.9) AS new_sales_p90,
        percentile_cont(b2b_invoices, 0.1) AS invoices_p10, percentile_cont(b2b_invoices, 0.9) AS invoices_p90,
        percentile_cont(new_b2b, 0.1) AS new_b2b_p10, percentile_cont(new_b2b, 0.9) AS new_b2b_p90,
        percentile_cont(new_sales + b2b_invoices + new_b2b, 0.1) AS rest_p10,
        percentile_cont(new_sales + b2b_invoices + new_b2b, 0.9) AS rest_p90
    FROM simulated GROUP BY day
)
SELECT day, source, expected, p10, p90 FROM (
SELECT e.day, 'open_orders' AS source, CAST(e.open_orders AS DECIMAL(18, 2)) AS expected,
    CAST(e.open_orders AS DECIMAL(18, 2)) AS p10, CAST(e.open_orders AS DECIMAL(18, 2)) AS p90, 1 AS k
FROM expected e
UNION ALL
SELECT e.day, 'new_sales', CAST(e.new_sales AS DECIMAL(18, 2)), CAST(r.new_sales_p10 AS DECIMAL(18, 2)),
    CAST(r.new_sales_p90 AS DECIMAL(18, 2)), 2
FROM expected e JOIN ranges r ON r.day = e.day
UNION ALL
SELECT e.day, 'b2b_invoices', CAST(e.b2b_invoices AS DECIMAL(18, 2)), CAST(r.invoices_p10 AS DECIMAL(18, 2)),
    CAST(r.invoices_p90 AS DECIMAL(18, 2)), 3
FROM expected e JOIN ranges r ON r.day = e.day
UNION ALL
SELECT e.day, 'new_b2b', CAST(e.new_b2b AS DECIMAL(18, 2)), CAST(r.new_b2b_p10 AS DECIMAL(18, 2)),
    CAST(r.new_b2b_p90 AS DECIMAL(18, 2)), 4
FROM expected e JOIN ranges r ON r.day = e.day
UNION ALL
SELECT e.day, 'total', CAST(e.open_orders + e.new_sales + e.b2b_invoices + e.new_b2b AS DECIMAL(18, 2)),
    CAST(CAST(e.open_orders AS DOUBLE) + r.rest_p10 AS DECIMAL(18, 2)),
    CAST(CAST(e.open_orders AS DOUBLE) + r.rest_p90 AS DECIMAL(18, 2)), 5
FROM expected e JOIN ranges r ON r.day = e.day
) r
ORDER BY day, k;
