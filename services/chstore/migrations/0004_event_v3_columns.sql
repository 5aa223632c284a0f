-- Version 3 of the event schema: the staff number of the person who acted
-- (for the DPO; access reports show the role, never this), and restricted
-- disclosures, which a subject's answers leave out until the review time.
-- An empty basis and 0 mean no restriction; rows stored before version 3
-- read as such from the defaults, so no rewrite of old parts is needed.
--
-- One column per statement: ClickHouse 18.16 has no ADD COLUMN IF NOT
-- EXISTS, so Migrate counts "column already exists" from a concurrent or
-- interrupted run as done, statement by statement.
ALTER TABLE lineage_events ADD COLUMN actor_employee String DEFAULT '';
ALTER TABLE lineage_events ADD COLUMN restriction_basis String DEFAULT '';
ALTER TABLE lineage_events ADD COLUMN restriction_review_us Int64 DEFAULT 0;
