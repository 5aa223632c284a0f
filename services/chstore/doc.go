// Package chstore is the ClickHouse adapter of the lineage tracker, shared by
// the materializer (the write side: Batch and Insert) and the query API (the
// read side: Recipients and Events).
//
// One table, lineage_events, holds every event, ordered by (subject_id,
// occurred_us, event_id) so that a per-subject lookup reads a few granules
// per part instead of scanning. The table is a ReplacingMergeTree, which
// removes a retried or replayed event's copies only when it merges parts, at
// an unknown later time; every query in this package is therefore written
// to count an event id once whatever number of copies is stored (uniqExact,
// min/max, groupUniqArray, LIMIT 1 BY event_id), and none uses FINAL.
//
// The schema lives in versioned .sql files under migrations/, applied by
// Store.Migrate. The read queries live in .sql files under queries/, with
// @name placeholders that the driver fills in on the client: ClickHouse
// 18.16, the production server, has no server-side query parameters.
//
// Everything here must run on ClickHouse 18.16 (production) and on current
// ClickHouse: no LowCardinality, Map, DateTime64 or TTL, and the native
// protocol only.
package chstore
