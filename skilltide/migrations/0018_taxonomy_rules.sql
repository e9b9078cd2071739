-- How the stored taxonomy was derived (skilltide.onet.taxonomy.RULES): an older derivation is
-- rebuilt from the stored O*NET tables and custom skills at the next onet load or ingest, as a
-- changed O*NET file rebuilds it. A warehouse whose taxonomy was built before this table holds
-- rules 1; one with no skills gets its row from its first rebuild.
CREATE TABLE taxonomy_builds (
    rules INTEGER NOT NULL,
    run_id VARCHAR
);
INSERT INTO taxonomy_builds SELECT 1, min(run_id) FROM skills HAVING count(*) > 0;
