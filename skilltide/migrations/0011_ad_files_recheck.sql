-- The ingest manifest remembers when an unchanged file must be read again: the earliest
-- posting date among its rows quarantined as future_date. Once a run's time reaches it (less
-- the one day validation allows), the file is re-read and its rows replaced, so those ads are
-- stored instead of staying in quarantine for as long as the file is unchanged.
ALTER TABLE ad_files ADD COLUMN earliest_future TIMESTAMP;  -- UTC; NULL: no future-dated rows

-- Files ingested before this column existed: their future_date rows' dates are only kept as
-- text (quarantine.detail), so such files are read again at the next ingest, which records
-- the date.
UPDATE ad_files SET earliest_future = TIMESTAMP '1990-01-01'
WHERE file_id IN (SELECT file_id FROM quarantine WHERE reason = 'future_date');
