package chstore

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/balticom/lineage/pkg/register"
)

//go:embed queries/flows.sql
var flowsSQL string

// Flows returns every flow the stored events show (see queries/flows.sql),
// in a stable order: what the declared record of processing is compared
// with. Safe for concurrent use.
func (s *Store) Flows(ctx context.Context) ([]register.Flow, error) {
	rows, err := s.conn.Query(ctx, flowsSQL)
	if err != nil {
		return nil, fmt.Errorf("query flows in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var out []register.Flow
	for rows.Next() {
		var (
			f           register.Flow
			first, last int64
		)
		if err := rows.Scan(&f.SourceSystem, &f.Purpose, &f.LegalBasis, &f.RecipientID, &f.RecipientCategory,
			&f.Country, &f.TransferMechanism, &f.Events, &first, &last); err != nil {
			return nil, fmt.Errorf("scan flows in %s: %w", s.cfg.Database, err)
		}
		f.First, f.Last = fromMicros(first), fromMicros(last)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read flows in %s: %w", s.cfg.Database, err)
	}
	return out, nil
}
