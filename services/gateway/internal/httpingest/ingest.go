package httpingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/httpobserve"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/producer"
)

// errNoAnswer: Kafka did not answer within PublishTimeout.
var errNoAnswer = errors.New("kafka did not answer in time")

// handleEvent publishes one event and answers 201 with its id.
func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) { s.ingest(w, r, false) }

// handleBatch publishes {"events": [...]} and answers 200 with the ids in
// the order posted.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) { s.ingest(w, r, true) }

// admit runs the steps of every publishing request before its body is
// read: authentication (401), the content type (415), a declared length
// over the limit (413) and load shedding (429, when the gateway's slots or
// the source's share of them are taken). When ok is false it has answered;
// otherwise the caller owns release and calls it once, when the request no
// longer holds memory.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (source string, release func(), ok bool) {
	source, ok = s.authenticate(w, r)
	if !ok {
		return "", nil, false
	}
	if !jsonContent(r) {
		writeError(w, http.StatusUnsupportedMediaType, codeUnsupportedMediaType, "",
			"the body must be JSON: send Content-Type: application/json")
		return "", nil, false
	}
	if r.ContentLength > s.maxBody {
		writeDecodeError(w, &http.MaxBytesError{Limit: s.maxBody}, s.maxBody)
		return "", nil, false
	}
	release, why := s.slots.tryAcquire(source)
	if why != admitted {
		// The same answer for both refusals: either way the source is to
		// come back in a moment; the message says whose load it was.
		limit, msg := "gateway", fmt.Sprintf("the gateway is serving its maximum of %d requests: retry after %s s",
			s.slots.size(), retryAfterOverloaded)
		if why == sourceFull {
			limit, msg = "source", fmt.Sprintf("the gateway is serving %d requests of the source %s, its share of the %d it serves at once: retry after %s s",
				s.slots.share(), source, s.slots.size(), retryAfterOverloaded)
		}
		s.m.shed.Add(r.Context(), 1, metric.WithAttributes(
			attribute.String("lineage.source_system", source), attribute.String("limit", limit)))
		w.Header().Set("Retry-After", retryAfterOverloaded)
		writeError(w, http.StatusTooManyRequests, codeOverloaded, "", msg)
		return "", nil, false
	}
	return source, release, true
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request, batch bool) {
	ctx := r.Context()
	source, release, ok := s.admit(w, r)
	if !ok {
		return
	}
	// The slot is held until Kafka answered for the events: by this
	// handler until it hands the events to publish, by publish after.
	handedOff := false
	defer func() {
		if !handedOff {
			release()
		}
	}()

	receivedAt := s.now().UTC().Truncate(time.Microsecond)
	body := http.MaxBytesReader(w, r.Body, s.maxBody)
	var events []lineage.Event
	var err error
	if batch {
		events, err = s.decoder.DecodeBatch(body, receivedAt)
	} else {
		var e lineage.Event
		e, err = s.decoder.DecodeEvent(body, receivedAt)
		events = []lineage.Event{e}
	}
	if err != nil {
		writeDecodeError(w, err, s.maxBody)
		return
	}
	k := s.eventsKind(batch, events)
	if !s.checkAll(w, r, source, k, receivedAt) {
		return
	}

	handedOff = true
	err = s.publish(ctx, release, func(ctx context.Context) error { return s.pub.Publish(ctx, events) })
	if err != nil {
		s.publishFailed(w, r, source, k, err)
		return
	}
	s.m.countEvents(ctx, source, outcomePublished, len(events))
	if !batch {
		writeJSON(w, http.StatusCreated, eventResponse{EventID: events[0].ID})
		return
	}
	ids := make([]string, len(events))
	for i := range events {
		ids[i] = events[i].ID
	}
	writeJSON(w, http.StatusOK, batchResponse{EventIDs: ids})
}

// authenticate answers 401 unless the request carries a source system's
// token, and returns the source system. A 401 closes the connection: a
// source sends its token with every request, so a client without one has
// no use for a kept-alive connection, and would otherwise hold one of the
// server's connections (GATEWAY_MAX_CONNS) until its idle timeout.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	source, err := s.sources.Authenticate(r)
	if err != nil {
		w.Header().Set("Connection", "close")
		w.Header().Set("WWW-Authenticate", httpauth.Challenge(realm, err))
		msg := "an Authorization: Bearer <token> header is required"
		if errors.Is(err, httpauth.ErrBadCredential) {
			msg = "the bearer token is not valid"
		}
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "", msg)
		return "", false
	}
	httpobserve.SetCaller(r.Context(), source)
	return source, true
}

// jsonContent reports whether the request says its body is JSON, or says
// nothing.
func jsonContent(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// batchKind is what one request publishes, events or identity links: the
// gateway checks, publishes and answers both alike, and these are where
// they differ.
type batchKind struct {
	noun   string // "events" or "links", in messages
	n      int
	source func(i int) string // source_system of item i
	check  func(i int, now time.Time) error
	id     func(i int) string // what names item i in a 503: an event's id; nothing for a link
	path   func(i int, field string) string
	count  func(ctx context.Context, source, outcome string, n int)
	write  func(w http.ResponseWriter, status int, code, field, message string, problems []eventProblem)
	// invalid answers 400 for invalid of n items, problems listing them.
	invalid func(w http.ResponseWriter, n, invalid int, problems []eventProblem)
	// again is the advice of a 503, after "send the listed <noun> again".
	again string
}

func (s *Server) eventsKind(batch bool, events []lineage.Event) batchKind {
	return batchKind{
		noun:   "events",
		n:      len(events),
		source: func(i int) string { return events[i].SourceSystem },
		check:  func(i int, now time.Time) error { return events[i].Validate(now) },
		id:     func(i int) string { return events[i].ID },
		path:   func(i int, field string) string { return fieldPath(batch, i, field) },
		count:  s.m.countEvents,
		write:  writeEventsError,
		invalid: func(w http.ResponseWriter, n, invalid int, problems []eventProblem) {
			s.writeInvalid(w, batch, n, invalid, problems)
		},
		again: " with the same event_id (an event listed may have been stored too; its id makes the copy harmless)",
	}
}

// checkAll answers 403 if an item claims another source system than the
// credential's (a source publishes only as itself) and 400 if any item is
// invalid, listing every broken rule; it reports whether all is well.
func (s *Server) checkAll(w http.ResponseWriter, r *http.Request, source string, k batchKind, now time.Time) bool {
	var spoofed, problems []eventProblem
	invalid := 0
	for i := range k.n {
		if got := k.source(i); got != source {
			spoofed = append(spoofed, eventProblem{Index: i, Field: "source_system",
				Rule: fmt.Sprintf("must be %q, the source system of the credential", source), Value: got})
		}
	}
	if len(spoofed) > 0 {
		k.count(r.Context(), source, outcomeRejected, k.n)
		field := k.path(spoofed[0].Index, spoofed[0].Field)
		k.write(w, http.StatusForbidden, codeForbiddenSource, field,
			fmt.Sprintf("%s: %s; nothing was published", field, spoofed[0].Rule), spoofed)
		return false
	}
	for i := range k.n {
		if err := k.check(i, now); err != nil {
			invalid++
			problems = append(problems, validationProblems(i, err)...)
		}
	}
	if invalid > 0 {
		k.count(r.Context(), source, outcomeRejected, k.n)
		k.invalid(w, k.n, invalid, problems)
		return false
	}
	return true
}

func (s *Server) writeInvalid(w http.ResponseWriter, batch bool, n, invalid int, problems []eventProblem) {
	first := problems[0]
	field := fieldPath(batch, first.Index, first.Field)
	detail := lineage.FieldError{Field: field, Rule: first.Rule, Value: first.Value}.Error()
	msg := "the event is invalid: " + detail
	if batch {
		msg = fmt.Sprintf("%d of %d events are invalid, none was published; the first: %s", invalid, n, detail)
	}
	writeEventsError(w, http.StatusBadRequest, codeInvalidEvent, field, msg, problems)
}

// publish calls send (which hands events or links to the publisher) and
// waits for Kafka's answer, at most PublishTimeout. It owns release from
// its call on: the slot is given back when the publisher has an outcome
// for every record, which may be after publish returned errNoAnswer, so
// that what a timed-out request holds still counts against MaxInFlight.
func (s *Server) publish(ctx context.Context, release func(), send func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.publishTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := send(ctx)
		// The slot is free before the answer: a source that is answered
		// may send again at once and find its share as it left it.
		release()
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done:
			return err
		default:
		}
		return fmt.Errorf("%w: %w", errNoAnswer, ctx.Err())
	}
}

// publishFailed answers a publish error: 400 for an item that became
// invalid between our check and the SDK's (only a clock step does that),
// 503 naming the items to send again otherwise.
func (s *Server) publishFailed(w http.ResponseWriter, r *http.Request, source string, k batchKind, err error) {
	ctx := r.Context()
	failed := producer.EventErrors(err)
	if errors.Is(err, lineage.ErrInvalid) {
		var problems []eventProblem
		for _, f := range failed {
			problems = append(problems, validationProblems(f.Index, f.Err)...)
		}
		if len(problems) > 0 {
			k.count(ctx, source, outcomeRejected, k.n)
			k.invalid(w, k.n, len(failed), problems)
			return
		}
	}
	// Items are named by index and k.id, never by the error's ID: a
	// link's is its identifier.
	problems := make([]eventProblem, 0, len(failed))
	for _, f := range failed {
		problems = append(problems, eventProblem{Index: f.Index, EventID: k.id(f.Index)})
	}
	if len(problems) == 0 { // no answer in time, or an error about no item in particular
		for i := range k.n {
			problems = append(problems, eventProblem{Index: i, EventID: k.id(i)})
		}
	}
	k.count(ctx, source, outcomeFailed, len(problems))
	k.count(ctx, source, outcomePublished, k.n-len(problems))
	cause := err
	if len(failed) > 0 {
		cause = failed[0].Err
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "publish failed",
		slog.String("source_system", source), slog.Int(k.noun, k.n),
		slog.Int("failed", len(problems)), slog.String("error", cause.Error()))

	msg := fmt.Sprintf("Kafka did not acknowledge %d of %d %s", len(problems), k.n, k.noun)
	if errors.Is(err, errNoAnswer) {
		msg += fmt.Sprintf(" within %s", s.publishTimeout)
	}
	msg += ": send the listed " + k.noun + " again" + k.again
	w.Header().Set("Retry-After", retryAfterUnavailable)
	k.write(w, http.StatusServiceUnavailable, codeKafkaUnavailable, "", msg, problems)
}
