-- match_params: the matching settings as one row: window_days (working days a payout
-- may take to reach the bank), fee_tolerance (the largest bank fee deducted on the
-- way), b2b_window_days (days after an order in which a business customer pays),
-- name_threshold (jaro_winkler of normalised names that counts as the same party).
-- Set them in the workspace's settings.toml.
CREATE VIEW match_params AS
SELECT
    coalesce(max(CASE WHEN name = 'window_days' THEN CAST(value AS BIGINT) END), 5) AS window_days,
    coalesce(max(CASE WHEN name = 'fee_tolerance' THEN CAST(value AS DECIMAL(18, 2)) END), CAST(5 AS DECIMAL(18, 2))) AS fee_tolerance,
    coalesce(max(CASE WHEN name = 'b2b_window_days' THEN CAST(value AS BIGINT) END), 60) AS b2b_window_days,
    coalesce(max(CASE WHEN name = 'name_threshold' THEN CAST(value AS DOUBLE) END), CAST(0.85 AS DOUBLE)) AS name_threshold
FROM recon_settings;
