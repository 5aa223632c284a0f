package httpingest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// handleLinks publishes {"links": [...]}, identity links, and answers 200
// with their number once Kafka acknowledged all of them. It takes the path
// of a batch of events: a source states links only as itself (403), one
// invalid link refuses them all (400), and Kafka's refusal is a 503 naming
// the links to send again. Only the configured link sources may state
// links (403 otherwise): a link decides whose data an identifier's events
// are.
func (s *Server) handleLinks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	source, release, ok := s.admit(w, r)
	if !ok {
		return
	}
	handedOff := false
	defer func() {
		if !handedOff {
			release()
		}
	}()

	if s.decoder.Keyer == nil {
		// Every link carries an identifier: say so before reading the body.
		writeError(w, http.StatusUnprocessableEntity, codeIdentifiersNotAccepted, "",
			"identity links are not accepted: the gateway has no identity key configured to hash their identifiers with")
		return
	}

	receivedAt := s.now().UTC().Truncate(time.Microsecond)
	links, err := s.decoder.DecodeLinks(http.MaxBytesReader(w, r.Body, s.maxBody), receivedAt, source)
	if err != nil {
		writeDecodeError(w, err, s.maxBody)
		return
	}
	if !slices.Contains(s.linkSources, source) {
		s.m.countLinks(ctx, source, outcomeRejected, len(links))
		writeError(w, http.StatusForbidden, codeForbiddenSource, "source_system",
			"the source "+source+" may not state identity links; only "+strings.Join(s.linkSources, ", ")+" may (GATEWAY_LINK_SOURCES)")
		return
	}
	k := s.linksKind(links)
	if !s.checkAll(w, r, source, k, receivedAt) {
		return
	}

	handedOff = true
	err = s.publish(ctx, release, func(ctx context.Context) error { return s.pub.PublishLinks(ctx, links) })
	if err != nil {
		s.publishFailed(w, r, source, k, err)
		return
	}
	s.m.countLinks(ctx, source, outcomePublished, len(links))
	writeJSON(w, http.StatusOK, linksResponse{Published: len(links)})
}

func (s *Server) linksKind(links []lineage.IdentityLink) batchKind {
	return batchKind{
		noun:    "links",
		n:       len(links),
		source:  func(i int) string { return links[i].SourceSystem },
		check:   func(i int, now time.Time) error { return links[i].Validate(now) },
		id:      func(int) string { return "" }, // a link has no id of its own
		path:    linkPath,
		count:   s.m.countLinks,
		write:   writeLinksError,
		invalid: writeInvalidLinks,
		again:   " (a link listed may have been stored too; stating a link again is harmless)",
	}
}

func writeInvalidLinks(w http.ResponseWriter, n, invalid int, problems []eventProblem) {
	first := problems[0]
	field := linkPath(first.Index, first.Field)
	detail := lineage.FieldError{Field: field, Rule: first.Rule, Value: first.Value}.Error()
	writeLinksError(w, http.StatusBadRequest, codeInvalidLink, field,
		fmt.Sprintf("%d of %d links are invalid, none was published; the first: %s", invalid, n, detail), problems)
}

// linkPath is the path of a link's field in the request body.
func linkPath(index int, field string) string {
	if field == "" {
		return fmt.Sprintf("links[%d]", index)
	}
	return fmt.Sprintf("links[%d].%s", index, field)
}
