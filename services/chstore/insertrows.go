package chstore

import (
	"context"
	"fmt"
)

// insertRows stores rows into table in one INSERT with the explicit column
// list ClickHouse 18.16 needs; values gives one row's values in the order
// of columns. what names the rows in errors ("identity links"). The small
// tables (links, request events, facts, incidents) are written this way;
// the lineage events have their column-wise Batch.
func insertRows[T any](ctx context.Context, s *Store, what, table, columns string, rows []T, values func(*T) []any) error {
	if len(rows) == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+table+" "+columns)
	if err != nil {
		return fmt.Errorf("prepare insert of %d %s into %s: %w", len(rows), what, s.cfg.Database, err)
	}
	defer batch.Close()
	for i := range rows {
		if err := batch.Append(values(&rows[i])...); err != nil {
			return fmt.Errorf("append %s: %w", what, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert %d %s into %s: %w", len(rows), what, s.cfg.Database, err)
	}
	return nil
}
