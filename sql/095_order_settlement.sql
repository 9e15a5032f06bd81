-- order_lines: settlement lines that belong to an order (not withdrawals or deposits),
-- each with its order id normalised as order exports write it (normalize_order_id: no
-- T200P prefix, backtick or padding).
-- inlined: a filter over settlements, planned into each query that reads it.
CREATE VIEW order_lines AS
SELECT platform, shop, normalize_order_id(order_id) AS order_key, order_id, kind, amount, txn_id, line_id, txn_time,
       memo, source_file, source_line
FROM settlements
WHERE order_id IS NOT NULL AND kind NOT IN ('withdrawal', 'deposit') AND (txn_time IS NULL OR txn_time <= as_of());

-- order_totals: each order's settlement lines summed by kind, by normalised order id:
-- sold (sale income), refunded, fees (commission, service fees, shipping, promotion),
-- settled (all its lines), and how many lines.
CREATE VIEW order_totals AS
SELECT order_key,
    sum(CASE WHEN kind = 'sale' THEN amount ELSE 0 END) AS sold,
    -sum(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS refunded,
    -sum(CASE WHEN kind IN ('commission', 'fee', 'shipping', 'promotion') THEN amount ELSE 0 END) AS fees,
    sum(amount) AS settled,
    count(*) AS lines
FROM order_lines
GROUP BY order_key;

-- unknown_order_lines: settlement lines whose order is in no imported order export.
CREATE VIEW unknown_order_lines AS
WITH unknown AS (
    SELECT t.order_key
    FROM order_totals t
    LEFT JOIN (SELECT DISTINCT normalize_order_id(order_id) AS order_key FROM orders WHERE order_id IS NOT NULL) k
      ON k.order_key = t.order_key
    WHERE k.order_key IS NULL
)
SELECT l.*
FROM order_lines l
JOIN unknown u ON u.order_key = l.order_key;

-- order_bank_receipts: what reached the bank for each order paid straight into it. A
-- bank line a person matched to several orders is shared in proportion to what each owes.
CREATE VIEW order_bank_receipts AS
WITH links AS (
    SELECT DISTINCT order_id, line_id FROM bank_matches WHERE order_id IS NOT NULL
),
shares AS (
    SELECT l.order_id, b.amount AS bank_amount, o.amount AS owed,
        sum(o.amount) OVER (PARTITION BY l.line_id) AS owed_by_all,
        count(*) OVER (PARTITION BY l.line_id) AS sharing
    FROM links l
    JOIN bank_txns b ON b.line_id = l.line_id
    JOIN direct_orders o ON o.order_id = l.order_id
)
SELECT order_id,
    sum(CASE WHEN sharing = 1 THEN bank_amount
             ELSE CAST(round(bank_amount * owed / owed_by_all, 2) AS DECIMAL(18, 2)) END) AS received,
    count(*) AS bank_lines
FROM shares
GROUP BY order_id;

-- order_writeoffs: differences on orders a person wrote off (recon writeoff).
CREATE VIEW order_writeoffs AS
SELECT l.ref AS order_id, sum(a.amount) AS written_off, string_agg(a.reason, '; ') AS reason
FROM manual_links l
JOIN manual_actions a ON a.action_id = l.action_id
WHERE l.action = 'writeoff' AND l.side = 'order'
GROUP BY l.ref;

-- order_settlement: level 1, one row per order. For platform orders, all settlement
-- lines of the order summed by kind: expected (what the buyer paid), sold (the sale
-- income booked), refunded, fees (commission, service fees, shipping, promotion), settled
-- (what the order left in the wallet, all its lines), difference = sold - expected. For
-- orders paid straight into the bank (settled_via = 'bank'), sold and settled are what
-- arrived there. status:
--   unsettled    nothing booked yet (refunded if the order was closed or cancelled);
--   refunded     refunds reach the sale;
--   discrepancy  sold (or received) differs from expected;
--   partial      part refunded, or part of a bank-paid order received;
--   settled      sold as expected, or a difference written off (written_off).
CREATE VIEW order_settlement AS
WITH o AS (
    SELECT platform, shop, order_id, normalize_order_id(order_id) AS order_key, order_time,
        coalesce(pay_time, order_time) AS paid_at, status AS order_status,
        coalesce(paid_amount, order_amount) AS expected,
        coalesce(platform = 'b2b', true) AS direct
    FROM orders
    WHERE order_time IS NULL OR order_time <= as_of()
),
figures AS (
    SELECT o.platform, o.shop, o.order_id, o.order_time, o.paid_at, o.order_status, o.direct,
        CAST(o.expected AS DECIMAL(18, 2)) AS expected,
        CAST(CASE WHEN o.direct THEN coalesce(r.received, 0) ELSE coalesce(l.sold, 0) END AS DECIMAL(18, 2)) AS sold,
        CAST(CASE WHEN o.direct THEN 0 ELSE coalesce(l.refunded, 0) END AS DECIMAL(18, 2)) AS refunded,
        CAST(CASE WHEN o.direct THEN 0 ELSE coalesce(l.fees, 0) END AS DECIMAL(18, 2)) AS fees,
        CAST(CASE WHEN o.direct THEN coalesce(r.received, 0) ELSE coalesce(l.settled, 0) END AS DECIMAL(18, 2)) AS settled,
        CASE WHEN o.direct THEN coalesce(r.bank_lines, 0) ELSE coalesce(l.lines, 0) END AS lines,
        CAST(w.written_off AS DECIMAL(18, 2)) AS written_off
    FROM o
    LEFT JOIN order_totals l ON NOT o.direct AND l.order_key = o.order_key
    LEFT JOIN order_bank_receipts r ON o.direct AND r.order_id = o.order_id
    LEFT JOIN order_writeoffs w ON w.order_id = o.order_id
)
SELECT platform, shop, order_id, order_time, paid_at, order_status, expected, sold, refunded, fees, settled,
    CAST(sold - expected AS DECIMAL(18, 2)) AS difference,
    written_off,
    CASE WHEN direct THEN 'bank' ELSE 'platform' END AS settled_via,
    lines,
    CASE
        WHEN written_off IS NOT NULL THEN 'settled'
        WHEN sold = 0 AND refunded = 0 THEN
            CASE WHEN order_status LIKE '%关闭%' OR order_status LIKE '%取消%' OR order_status LIKE '%退款%'
                      OR order_status LIKE '%售后完成%'
                      OR lower(order_status) IN ('closed', 'cancelled', 'canceled', 'refunded', 'voided')
                 THEN 'refunded' ELSE 'unsettled' END
        WHEN refunded >= sold AND NOT direct THEN 'refunded'
        WHEN direct AND sold < expected THEN 'partial'
        WHEN sold <> expected THEN 'discrepancy'
        WHEN refunded > 0 THEN 'partial'
        ELSE 'settled'
    END AS status
FROM figures;
