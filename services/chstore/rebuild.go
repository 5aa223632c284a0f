package chstore

import (
	"context"
	_ "embed"
	"fmt"
)

// Tables of a rebuild. EventsTable is the one every answer comes from.
const (
	EventsTable   = "lineage_events"
	RebuildTable  = "lineage_events_rebuild"
	PreviousTable = "lineage_events_previous"
)

//go:embed queries/rebuild.sql
var rebuildSQL string

// rebuildSteps are the statements of queries/rebuild.sql: two to prepare,
// two to swap.
var rebuildSteps = splitStatements(rebuildSQL)

// PrepareRebuild creates RebuildTable empty, with the structure and engine of
// the events table, dropping what a failed rebuild left. Fill it with
// InsertInto, then SwapRebuild.
func (s *Store) PrepareRebuild(ctx context.Context) error {
	return s.rebuildStep(ctx, rebuildSteps[:2])
}

// SwapRebuild makes the rebuilt table the events table in one RENAME; the
// old one becomes PreviousTable (replacing an older one).
func (s *Store) SwapRebuild(ctx context.Context) error {
	return s.rebuildStep(ctx, rebuildSteps[2:])
}

func (s *Store) rebuildStep(ctx context.Context, stmts []string) error {
	for _, stmt := range stmts {
		if err := s.conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("rebuild in %s: %s: %w", s.cfg.Database, stmt, err)
		}
	}
	return nil
}
