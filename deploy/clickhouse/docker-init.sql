-- Run once by the ClickHouse image on an empty data volume: the database the
-- materializers migrate into (lineage_writer may use it but not create it).
CREATE DATABASE IF NOT EXISTS lineage;
