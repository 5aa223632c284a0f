// Package links projects the identity links topic into ClickHouse: which
// customer held which phone number, IP address, contract or device, and
// when. The store resolves identified lineage events through these rows at
// lookup time, so this loop only has to store every link once it is read;
// the order links and events arrive in does not matter. The loop is
// package sink's.
package links

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/sink"
)

// Store is where links go; *chstore.Store is one.
type Store interface {
	InsertLinks(ctx context.Context, links []chstore.StoredLink) error
}

// Config of a Sink.
type Config = sink.Config

// Sink consumes the links topic into a Store.
type Sink = sink.Sink[lineage.IdentityLink, chstore.StoredLink]

// New returns a sink; its client must be made with its Options.
func New(cfg Config, store Store, log *slog.Logger) (*Sink, error) {
	codec, err := wire.NewLinkCodec()
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	return sink.New(cfg, sink.Topic[lineage.IdentityLink, chstore.StoredLink]{
		Name:     "identity links",
		Decode:   codec.Decode,
		Validate: (*lineage.IdentityLink).Validate,
		Row: func(l lineage.IdentityLink, partition int32, offset int64) chstore.StoredLink {
			return chstore.StoredLink{IdentityLink: l, Partition: partition, Offset: offset}
		},
		Insert: store.InsertLinks,
	}, log)
}
