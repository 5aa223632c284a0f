// Package facts projects the subject facts (the facts topic: consent given
// and withdrawn, opt-outs, erasure requested, told and confirmed, unmet
// lawful requests) into ClickHouse, each fact as it is read; the flags are
// worked out from them when they are asked for (package subjectfact), so
// the order facts arrive in does not matter. The loop is package sink's.
package facts

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/sink"
)

// Store is where facts go; *chstore.Store is one.
type Store interface {
	InsertFacts(ctx context.Context, facts []chstore.StoredFact) error
}

// New returns a sink of the facts topic into store; its client must be
// made with its Options.
func New(cfg sink.Config, store Store, log *slog.Logger) (*sink.Sink[subjectfact.Fact, chstore.StoredFact], error) {
	codec, err := wire.NewFactCodec()
	if err != nil {
		return nil, fmt.Errorf("facts: %w", err)
	}
	return sink.New(cfg, sink.Topic[subjectfact.Fact, chstore.StoredFact]{
		Name:     "subject facts",
		Decode:   codec.Decode,
		Validate: (*subjectfact.Fact).Validate,
		Row: func(f subjectfact.Fact, partition int32, offset int64) chstore.StoredFact {
			return chstore.StoredFact{Fact: f, Partition: partition, Offset: offset}
		},
		Insert: store.InsertFacts,
	}, log)
}
