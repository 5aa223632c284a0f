package chstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
)

// Tables of a rebuild. EventsTable is the one every answer comes from.
const (
	EventsTable   = "lineage_events"
	RebuildTable  = "lineage_events_rebuild"
	PreviousTable = "lineage_events_previous"
)

//go:embed queries/rebuild.sql
var rebuildSQL string

// The statements of queries/rebuild.sql before its swap line prepare, the
// rest swap.
var prepareSteps, swapSteps = func() ([]string, []string) {
	prepare, swap, ok := strings.Cut(rebuildSQL, "\n-- swap\n")
	if !ok {
		panic("queries/rebuild.sql has no swap line")
	}
	return splitStatements(prepare), splitStatements(swap)
}()

// PrepareRebuild creates RebuildTable empty, with the structure and engine of
// the events table, and the rebuilt copy of the disclosures table that
// inserts into it fill, dropping what a failed rebuild left. Fill it with
// InsertInto, then SwapRebuild.
func (s *Store) PrepareRebuild(ctx context.Context) error {
	return s.rebuildStep(ctx, prepareSteps)
}

// SwapRebuild makes the rebuilt tables the events and disclosures tables in
// one RENAME; the old ones become PreviousTable and its disclosures
// counterpart (replacing older ones).
func (s *Store) SwapRebuild(ctx context.Context) error {
	return s.rebuildStep(ctx, swapSteps)
}

func (s *Store) rebuildStep(ctx context.Context, stmts []string) error {
	if s.cfg.Cluster != "" {
		// queries/rebuild.sql creates, renames and drops single-node
		// tables; a cluster's Replicated and Distributed pairs would need
		// each step ON CLUSTER and a ZooKeeper path per generation.
		return fmt.Errorf("rebuild in %s on cluster %s: %w", s.cfg.Database, s.cfg.Cluster, errors.ErrUnsupported)
	}
	for _, stmt := range stmts {
		if err := s.conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("rebuild in %s: %s: %w", s.cfg.Database, stmt, err)
		}
	}
	return nil
}
