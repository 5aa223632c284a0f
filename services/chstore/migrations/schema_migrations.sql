-- The record of applied migrations, created before any migration runs. Two
-- materializers starting together may both apply a migration and both record
-- it: a version may have several rows, and they must agree on the checksum.
CREATE TABLE IF NOT EXISTS schema_migrations
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime DEFAULT now()
)
ENGINE = MergeTree
ORDER BY version;
