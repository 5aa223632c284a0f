-- Rebuilding the projection from the Kafka log without downtime: the
-- statements run in this order, the first two before the replay starts and
-- the last two when it has caught up. Readers keep reading lineage_events
-- throughout; RENAME of several tables in one statement is done under one
-- lock, so a reader sees either the old table or the rebuilt one, never none.
-- The old table stays as lineage_events_previous until the next rebuild, for
-- comparison or rollback.
DROP TABLE IF EXISTS lineage_events_rebuild;
CREATE TABLE lineage_events_rebuild AS lineage_events;
DROP TABLE IF EXISTS lineage_events_previous;
RENAME TABLE lineage_events TO lineage_events_previous, lineage_events_rebuild TO lineage_events;
