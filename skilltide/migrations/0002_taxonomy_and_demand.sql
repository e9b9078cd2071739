-- Contract tables shared by several stages: the skill vocabulary (written by the onet stage,
-- read by ingest) and the monthly demand panels (written by ingest, read by forecast/reports).

-- One row per skill known to the warehouse.
CREATE TABLE skills (
    skill_id        VARCHAR PRIMARY KEY,  -- stable id, e.g. 'tech:microsoft-excel', 'onet:2.A.1.a', 'custom:python'
    name            VARCHAR NOT NULL,     -- display name, e.g. 'Microsoft Excel'
    kind            VARCHAR NOT NULL,     -- technology | skill | knowledge | ability | activity | custom
    category        VARCHAR,              -- e.g. O*NET commodity title 'Spreadsheet software'
    source          VARCHAR NOT NULL,     -- e.g. 'onet 30.1', 'file skills.csv'
    hot_technology  BOOLEAN,
    in_demand       BOOLEAN,
    ambiguous       BOOLEAN NOT NULL DEFAULT FALSE,  -- needs case/context to match in running text ('R', 'Go')
    run_id          VARCHAR NOT NULL
);

-- Surface forms matched in ads; every alias points at one skill.
CREATE TABLE skill_aliases (
    alias           VARCHAR NOT NULL,     -- as written, e.g. 'MS Excel'
    skill_id        VARCHAR NOT NULL,
    rule            VARCHAR NOT NULL,     -- which rule produced it: name | curated | strip_vendor | ...
    case_sensitive  BOOLEAN NOT NULL DEFAULT FALSE,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (alias, skill_id)
);

-- Monthly demand: ads mentioning each skill, per group, per month.
-- panel 'ads' is aggregated from the ads table; other panels are imported (ingest demand).
CREATE TABLE demand (
    panel           VARCHAR NOT NULL,     -- 'ads' or the name given to an imported panel
    granularity     VARCHAR NOT NULL,     -- market | region | major_group | occupation | company | (imported names)
    group_id        VARCHAR NOT NULL,     -- 'all' for the whole market
    skill_id        VARCHAR NOT NULL,
    month           DATE NOT NULL,        -- first day of the month
    count           DOUBLE NOT NULL,      -- ads mentioning the skill (first-posted month)
    total           DOUBLE,               -- ads in the group-month (NULL when unknown)
    share           DOUBLE,               -- count / total
    run_id          VARCHAR NOT NULL
    -- key (panel, granularity, group_id, skill_id, month): unique by construction (both writers
    -- aggregate with GROUP BY; tested), not declared: the ART index of a PRIMARY KEY cost ~22 s
    -- per million rows on insert + commit and most of the ingest run's memory.
);

-- Ads per group and month, including months where a skill has no mentions.
CREATE TABLE demand_totals (
    panel           VARCHAR NOT NULL,
    granularity     VARCHAR NOT NULL,
    group_id        VARCHAR NOT NULL,
    month           DATE NOT NULL,
    ads             DOUBLE NOT NULL,
    run_id          VARCHAR NOT NULL
    -- key (panel, granularity, group_id, month): unique by construction, not declared (as demand).
);
