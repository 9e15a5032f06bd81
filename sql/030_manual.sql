-- manual_pairs: what people matched by hand (recon match): every payout or order of a
-- decision with every bank line of it, one match group per decision.
CREATE VIEW manual_pairs AS
SELECT
    CASE WHEN l.side = 'payout' THEN l.ref END AS payout_id,
    CASE WHEN l.side = 'order' THEN l.ref END AS order_id,
    b.ref AS line_id,
    'M' || CAST(l.action_id AS VARCHAR) AS match_group
FROM manual_links l
JOIN manual_links b ON b.action_id = l.action_id AND b.side = 'bank'
-- A bank line no longer imported is listed in manual_orphans instead.
JOIN bank_txns t ON t.line_id = b.ref AND (t.txn_time IS NULL OR t.txn_time <= as_of())
WHERE l.action = 'match' AND l.side IN ('payout', 'order');

-- manual_blocked: pairs people broke (recon unmatch), never matched automatically again.
CREATE VIEW manual_blocked AS
SELECT l.ref AS payout_or_order, b.ref AS line_id
FROM manual_links l
JOIN manual_links b ON b.action_id = l.action_id AND b.side = 'bank'
WHERE l.action = 'unmatch' AND l.side IN ('payout', 'order');

-- manual_settled: payouts, orders and bank lines a person has decided (matched by hand
-- or written off): automatic passes leave them alone.
CREATE VIEW manual_settled AS
SELECT DISTINCT side, ref FROM manual_links WHERE action IN ('match', 'writeoff');

-- manual_orphans: what a standing decision names that is no longer imported (an import
-- undone, a file re-exported differently). The decision is kept and applies again when
-- the rows come back; until then it is listed here.
CREATE VIEW manual_orphans AS
SELECT l.action_id, l.action, l.side, l.ref, a.reason, a.user, a.time
FROM manual_links l
JOIN manual_actions a ON a.action_id = l.action_id
WHERE (l.side = 'payout' AND NOT EXISTS (SELECT 1 FROM payouts x WHERE x.payout_id = l.ref))
   OR (l.side = 'order' AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.order_id = l.ref))
   OR (l.side = 'bank' AND NOT EXISTS (SELECT 1 FROM bank_txns x WHERE x.line_id = l.ref));
