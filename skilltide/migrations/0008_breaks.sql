-- Tables of the breaks stage (see docs/architecture.md).

-- Structural breaks found in demand series by `skilltide breaks detect` (one row per break).
-- A re-run for the same panel and granularity replaces that panel's earlier rows.
CREATE TABLE breaks (
    run_id          VARCHAR NOT NULL,
    panel           VARCHAR NOT NULL,     -- demand panel, e.g. 'ads'
    granularity     VARCHAR NOT NULL,     -- market | region | major_group | occupation | company | ...
    unique_id       VARCHAR NOT NULL,     -- '<group_id>/<skill_id>'
    group_id        VARCHAR NOT NULL,
    skill_id        VARCHAR NOT NULL,
    break_ds        DATE NOT NULL,        -- first month of the new regime
    kind            VARCHAR NOT NULL CHECK (kind IN ('level', 'trend')),
    size            DOUBLE NOT NULL,      -- level: jump in demand; trend: change of slope per month
    statistic       DOUBLE NOT NULL,      -- test statistic (sup-F, or OLS-CUSUM for method cusum)
    p_value         DOUBLE NOT NULL,
    scope           VARCHAR NOT NULL CHECK (scope IN ('series', 'market')),
    method          VARCHAR NOT NULL,     -- bai-perron | supf | cusum | chow (market event test)
    PRIMARY KEY (panel, granularity, unique_id, break_ds)
);
