-- match_params: the matching settings as one row (settings.toml [matching]; every value
-- has its default there): window_days (working days a payout may take to reach the
-- bank), fee_tolerance (the largest bank fee deducted from a payout on its way),
-- transfer_fee_tolerance (the largest fee a customer's bank takes from a transfer: the
-- shortfall is the order's fee, not money owed), b2b_window_days (days after an order
-- in which a business customer pays), name_threshold (party_similarity of normalised
-- names that counts as the same party), ref_min_length (the fewest characters of a cut
-- serial that still name a payout or order, when they name only one), candidate_limit
-- (the most credits an order, or orders a credit, is paired with by name alone: beyond,
-- only credits of its amount, l3_candidates).
CREATE VIEW match_params AS
SELECT
    max(CASE WHEN name = 'window_days' THEN CAST(value AS BIGINT) END) AS window_days,
    max(CASE WHEN name = 'fee_tolerance' THEN CAST(value AS DECIMAL(18, 2)) END) AS fee_tolerance,
    max(CASE WHEN name = 'transfer_fee_tolerance' THEN CAST(value AS DECIMAL(18, 2)) END) AS transfer_fee_tolerance,
    max(CASE WHEN name = 'b2b_window_days' THEN CAST(value AS BIGINT) END) AS b2b_window_days,
    max(CASE WHEN name = 'name_threshold' THEN CAST(value AS DOUBLE) END) AS name_threshold,
    max(CASE WHEN name = 'ref_min_length' THEN CAST(value AS BIGINT) END) AS ref_min_length,
    max(CASE WHEN name = 'candidate_limit' THEN CAST(value AS BIGINT) END) AS candidate_limit
FROM recon_settings;
