-- Tables of the graph stage (see docs/architecture.md): one bipartite skill–occupation network
-- per `skilltide graph build` run, its projections, node measures, significance and the
-- WORKBank automation overlay. graph_id = the run_id of the build.

CREATE TABLE graphs (
    graph_id        VARCHAR PRIMARY KEY,
    run_id          VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,     -- onet | ads
    element         VARCHAR NOT NULL,     -- skills | knowledge | abilities | activities | technology
    weight          VARCHAR NOT NULL,     -- importance | level | rca | presence | count
    threshold       DOUBLE,               -- NULL: effective use (RCA > 1)
    params          VARCHAR NOT NULL,     -- JSON: seed, n_null, release, how betweenness/projections were computed
    n_skills        INTEGER NOT NULL,
    n_occupations   INTEGER NOT NULL,
    n_edges         BIGINT NOT NULL,
    created         TIMESTAMP NOT NULL
);

CREATE TABLE graph_nodes (
    graph_id        VARCHAR NOT NULL,
    node_id         VARCHAR NOT NULL,     -- skill_id / O*NET element id, or O*NET-SOC code
    bipartite       TINYINT NOT NULL,     -- 0 skill, 1 occupation
    name            VARCHAR,
    soc_major       VARCHAR,              -- occupations: e.g. '15-0000'
    community       INTEGER,              -- Louvain community of the weighted bipartite graph
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (graph_id, node_id)
);

CREATE TABLE graph_edges (
    graph_id        VARCHAR NOT NULL,
    layer           VARCHAR NOT NULL,     -- bipartite | skill_complementarity | occupation_similarity | skill_backbone | occupation_backbone
    source          VARCHAR NOT NULL,     -- bipartite: the skill
    target          VARCHAR NOT NULL,     -- bipartite: the occupation
    weight          DOUBLE NOT NULL,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (graph_id, layer, source, target)
);

-- Node measures (long): degree, strength, eigenvector, betweenness, clustering, complexity,
-- complexity_reflections, complementarity_community; rank-k neighbours go to graph_neighbours.
CREATE TABLE graph_metrics (
    graph_id        VARCHAR NOT NULL,
    node_id         VARCHAR NOT NULL,
    metric          VARCHAR NOT NULL,
    value           DOUBLE,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (graph_id, node_id, metric)
);

-- Most complementary skills (layer skill_complementarity) and closest occupations
-- (layer occupation_similarity) of every node, rank 1 = strongest.
CREATE TABLE graph_neighbours (
    graph_id        VARCHAR NOT NULL,
    layer           VARCHAR NOT NULL,
    node_id         VARCHAR NOT NULL,
    neighbour       VARCHAR NOT NULL,
    weight          DOUBLE NOT NULL,
    rank            INTEGER NOT NULL,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (graph_id, layer, node_id, rank)
);

-- Graph-level figures; statistics tested against degree-preserving randomisations carry
-- null_mean/null_sd/z_score (NULL otherwise, or when the null has no spread).
CREATE TABLE graph_summary (
    graph_id        VARCHAR NOT NULL,
    metric          VARCHAR NOT NULL,
    observed        DOUBLE,
    null_mean       DOUBLE,
    null_sd         DOUBLE,
    z_score         DOUBLE,
    p_value         DOUBLE,               -- two-sided empirical p against the randomisations
    n_null          INTEGER NOT NULL DEFAULT 0,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (graph_id, metric)
);

-- WORKBank overlay. level: occupation (node_id = O*NET-SOC code) | skill (node_id = skill)
-- | community (node_id = community number). Shares are of the occupation's WORKBank tasks
-- by zone; for skills and communities they are averages over the occupations, weighted by
-- `weighting` (employment | demand | equal) times the edge weight.
CREATE TABLE automation_exposure (
    graph_id              VARCHAR NOT NULL,
    level                 VARCHAR NOT NULL,
    node_id               VARCHAR NOT NULL,
    weighting             VARCHAR NOT NULL,
    n_occupations         INTEGER NOT NULL,   -- occupations with WORKBank data behind the row
    coverage              DOUBLE,             -- share of the row's weight that has WORKBank data
    share_green_light     DOUBLE,
    share_red_light       DOUBLE,
    share_rnd_opportunity DOUBLE,
    share_low_priority    DOUBLE,
    mean_worker_has       DOUBLE,             -- Human Agency Scale, workers (1 = full automation .. 5)
    mean_desire           DOUBLE,
    mean_capability       DOUBLE,
    run_id                VARCHAR NOT NULL,
    PRIMARY KEY (graph_id, level, node_id)
);
