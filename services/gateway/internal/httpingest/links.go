package httpingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// handleLinks publishes {"links": [...]}, identity links, and answers 200
// with their number once Kafka acknowledged all of them. It takes the path
// of a batch of events: a source states links only as itself (403), one
// invalid link refuses them all (400), and Kafka's refusal is a 503 naming
// the links to send again. Any source with a token may state links: what
// a link is worth is the store's and the auditor's to judge, by its
// source_system.
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
	if problems := spoofedLinks(links, source); len(problems) > 0 {
		s.m.countLinks(ctx, source, outcomeRejected, len(links))
		first := problems[0]
		field := linkPath(first.Index, first.Field)
		writeLinksError(w, http.StatusForbidden, codeForbiddenSource, field,
			fmt.Sprintf("%s: %s; nothing was published", field, first.Rule), problems)
		return
	}
	if problems, invalid := validateLinks(links, receivedAt); invalid > 0 {
		s.m.countLinks(ctx, source, outcomeRejected, len(links))
		writeInvalidLinks(w, len(links), invalid, problems)
		return
	}

	handedOff = true
	err = s.publish(ctx, release, func(ctx context.Context) error { return s.pub.PublishLinks(ctx, links) })
	if err != nil {
		s.publishLinksFailed(w, r, source, links, err)
		return
	}
	s.m.countLinks(ctx, source, outcomePublished, len(links))
	writeJSON(w, http.StatusOK, linksResponse{Published: len(links)})
}

// spoofedLinks lists the links whose source_system is not the
// authenticated source: a source states links only as itself, as it
// publishes events.
func spoofedLinks(links []lineage.IdentityLink, source string) []eventProblem {
	var out []eventProblem
	for i := range links {
		if links[i].SourceSystem != source {
			out = append(out, eventProblem{Index: i, Field: "source_system",
				Rule: fmt.Sprintf("must be %q, the source system of the credential", source), Value: links[i].SourceSystem})
		}
	}
	return out
}

// validateLinks checks every link and lists every broken rule, with the
// number of invalid links.
func validateLinks(links []lineage.IdentityLink, now time.Time) (problems []eventProblem, invalid int) {
	for i := range links {
		if err := links[i].Validate(now); err != nil {
			invalid++
			problems = append(problems, validationProblems(i, err)...)
		}
	}
	return problems, invalid
}

func writeInvalidLinks(w http.ResponseWriter, n, invalid int, problems []eventProblem) {
	first := problems[0]
	field := linkPath(first.Index, first.Field)
	detail := lineage.FieldError{Field: field, Rule: first.Rule, Value: first.Value}.Error()
	writeLinksError(w, http.StatusBadRequest, codeInvalidLink, field,
		fmt.Sprintf("%d of %d links are invalid, none was published; the first: %s", invalid, n, detail), problems)
}

// publishLinksFailed answers a publish error as publishFailed does for
// events: 400 for a link that became invalid meanwhile, else 503 listing
// the links to send again, by index only (a link has no id of its own).
func (s *Server) publishLinksFailed(w http.ResponseWriter, r *http.Request, source string, links []lineage.IdentityLink, err error) {
	ctx := r.Context()
	failed := eventErrors(err)
	if errors.Is(err, lineage.ErrInvalid) {
		var problems []eventProblem
		for _, f := range failed {
			problems = append(problems, validationProblems(f.Index, f.Err)...)
		}
		if len(problems) > 0 {
			s.m.countLinks(ctx, source, outcomeRejected, len(links))
			writeInvalidLinks(w, len(links), len(failed), problems)
			return
		}
	}
	problems := make([]eventProblem, 0, len(failed))
	for _, f := range failed {
		problems = append(problems, eventProblem{Index: f.Index})
	}
	if len(problems) == 0 { // no answer in time, or an error about no link in particular
		for i := range links {
			problems = append(problems, eventProblem{Index: i})
		}
	}
	s.m.countLinks(ctx, source, outcomeFailed, len(problems))
	s.m.countLinks(ctx, source, outcomePublished, len(links)-len(problems))
	// The cause, never the *producer.EventError: its ID is an identifier.
	cause := err
	if len(failed) > 0 {
		cause = failed[0].Err
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "publish failed",
		slog.String("source_system", source), slog.Int("links", len(links)),
		slog.Int("failed", len(problems)), slog.String("error", cause.Error()))

	msg := fmt.Sprintf("Kafka did not acknowledge %d of %d links", len(problems), len(links))
	if errors.Is(err, errNoAnswer) {
		msg += fmt.Sprintf(" within %s", s.publishTimeout)
	}
	msg += ": send the listed links again (a link listed may have been stored too; stating a link again is harmless)"
	w.Header().Set("Retry-After", retryAfterUnavailable)
	writeLinksError(w, http.StatusServiceUnavailable, codeKafkaUnavailable, "", msg, problems)
}

// linkPath is the path of a link's field in the request body.
func linkPath(index int, field string) string {
	if field == "" {
		return fmt.Sprintf("links[%d]", index)
	}
	return fmt.Sprintf("links[%d].%s", index, field)
}
