// Package requests projects the access request log (the requests topic)
// into ClickHouse: each event of a request (received, identity checked,
// extended, answered, refused) is stored as it is read; the state and the
// deadline of a request are folded from its events when they are asked
// for (accessrequest.Fold), so the order events arrive in does not matter.
// The loop is package sink's.
package requests

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/sink"
)

// Store is where request events go; *chstore.Store is one.
type Store interface {
	InsertRequestEvents(ctx context.Context, events []chstore.StoredRequestEvent) error
}

// Config of a Sink.
type Config = sink.Config

// Sink consumes the requests topic into a Store.
type Sink = sink.Sink[accessrequest.Event, chstore.StoredRequestEvent]

// New returns a sink; its client must be made with its Options.
func New(cfg Config, store Store, log *slog.Logger) (*Sink, error) {
	codec, err := wire.NewRequestCodec()
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	return sink.New(cfg, sink.Topic[accessrequest.Event, chstore.StoredRequestEvent]{
		Name:     "access request events",
		Decode:   codec.Decode,
		Validate: (*accessrequest.Event).Validate,
		Row: func(e accessrequest.Event, partition int32, offset int64) chstore.StoredRequestEvent {
			return chstore.StoredRequestEvent{Event: e, Partition: partition, Offset: offset}
		},
		Insert: store.InsertRequestEvents,
	}, log)
}
