// Package links projects the identity links topic into ClickHouse: which
// customer held which phone number, IP address, contract or device, and
// when. The store resolves identified lineage events through these rows at
// lookup time, so this loop only has to store every link once it is read;
// the order links and events arrive in does not matter. The loop is
// package sink's.
package links

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

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

// New returns a sink; its client must be made with its Options. Links
// from a source system not in sources are dead-lettered as invalid: a link
// decides whose data an identifier's events are, so only the systems that
// assign identifiers (CRM) may state one.
func New(cfg Config, sources []string, store Store, log *slog.Logger) (*Sink, error) {
	if len(sources) == 0 {
		return nil, errors.New("links: no source system may state links")
	}
	codec, err := wire.NewLinkCodec()
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	return sink.New(cfg, sink.Topic[lineage.IdentityLink, chstore.StoredLink]{
		Name:   "identity links",
		Decode: codec.Decode,
		Validate: func(l *lineage.IdentityLink, now time.Time) error {
			if err := l.Validate(now); err != nil {
				return err
			}
			if !slices.Contains(sources, l.SourceSystem) {
				var r lineage.Rules
				r.Fail("source_system", "may not state identity links: only "+strings.Join(sources, ", ")+" may (MATERIALIZER_LINK_SOURCES)", l.SourceSystem)
				return r.Err("identity link", lineage.ErrInvalid)
			}
			return nil
		},
		Row: func(l lineage.IdentityLink, partition int32, offset int64) chstore.StoredLink {
			return chstore.StoredLink{IdentityLink: l, Partition: partition, Offset: offset}
		},
		Insert: store.InsertLinks,
	}, log)
}
