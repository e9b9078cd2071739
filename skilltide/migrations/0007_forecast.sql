-- Tables of the forecast stage (see docs/architecture.md).

-- Point forecasts with conformal intervals, one row per series, cutoff, month and model.
CREATE TABLE forecasts (
    run_id          VARCHAR NOT NULL,
    panel           VARCHAR NOT NULL,     -- demand panel, e.g. 'ads'
    granularity     VARCHAR NOT NULL,     -- market | region | major_group | occupation | company | ...
    unique_id       VARCHAR NOT NULL,     -- '<group_id>/<skill_id>'
    group_id        VARCHAR NOT NULL,
    skill_id        VARCHAR NOT NULL,
    cutoff          DATE NOT NULL,        -- last month of data the forecast used
    ds              DATE NOT NULL,        -- forecast month (first day)
    model           VARCHAR NOT NULL,     -- model that produced yhat (for auto: the chosen one)
    yhat            DOUBLE NOT NULL,      -- never negative
    lo_80           DOUBLE,
    hi_80           DOUBLE,
    lo_95           DOUBLE,
    hi_95           DOUBLE,
    PRIMARY KEY (run_id, panel, granularity, unique_id, cutoff, ds, model)
);

-- Rolling-origin backtest accuracy per model, step and scenario (series subset).
CREATE TABLE backtests (
    run_id          VARCHAR NOT NULL,
    panel           VARCHAR NOT NULL,
    granularity     VARCHAR NOT NULL,
    model           VARCHAR NOT NULL,
    horizon         INTEGER NOT NULL,     -- forecast step 1..H; 0 = all steps pooled
    scenario        VARCHAR NOT NULL,     -- all | low_volume | intermittent | break
    metric          VARCHAR NOT NULL,     -- mae | rmse | smape | smape_jobsdf | rrmse_jobsdf | coverage_80 | coverage_95
    value           DOUBLE,
    n_series        BIGINT NOT NULL,
    PRIMARY KEY (run_id, panel, granularity, model, horizon, scenario, metric)
);
