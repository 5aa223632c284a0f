// Package incidents projects the breach record (the incidents topic:
// opened, counted, authority notified, closed) into ClickHouse, each event
// as it is read; an incident's state and clocks are folded from its events
// when they are asked for (package incident), so the order events arrive
// in does not matter. The loop is package sink's.
package incidents

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/sink"
)

// Store is where incident events go; *chstore.Store is one.
type Store interface {
	InsertIncidentEvents(ctx context.Context, events []chstore.StoredIncidentEvent) error
}

// New returns a sink of the incidents topic into store; its client must be
// made with its Options.
func New(cfg sink.Config, store Store, log *slog.Logger) (*sink.Sink[incident.Event, chstore.StoredIncidentEvent], error) {
	codec, err := wire.NewIncidentCodec()
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return sink.New(cfg, sink.Topic[incident.Event, chstore.StoredIncidentEvent]{
		Name:     "incident events",
		Decode:   codec.Decode,
		Validate: (*incident.Event).Validate,
		Row: func(e incident.Event, partition int32, offset int64) chstore.StoredIncidentEvent {
			return chstore.StoredIncidentEvent{Event: e, Partition: partition, Offset: offset}
		},
		Insert: store.InsertIncidentEvents,
	}, log)
}
