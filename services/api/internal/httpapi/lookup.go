package httpapi

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/httpobserve"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/chstore"
)

// auditRetryAfter is the Retry-After (seconds) of a refused lookup.
const auditRetryAfter = "5"

// codeStoreUnavailable answers a lookup that could not reach ClickHouse
// (503), and storeRetryAfter is its Retry-After (seconds): about the time
// a restarted server takes to accept connections again.
const (
	codeStoreUnavailable = "store_unavailable"
	storeRetryAfter      = "5"
)

// keyError is the log key of an error's text; the others are httpobserve's.
const keyError = "error"

// authenticated wraps a handler: it answers 401 unless the request carries
// a configured bearer token, then 429 when the caller is over its rate
// (withinRate), and passes the caller's name and role on.
//
// A 401 closes the connection: callers send their token with every
// request, so a client without one has no use for a kept-alive connection,
// and would otherwise hold one of the server's (API_MAX_CONNS) until its
// idle timeout.
func (s *Server) authenticated(next func(w http.ResponseWriter, r *http.Request, c caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, err := s.tokens.Authenticate(r)
		if err != nil {
			w.Header().Set("Connection", "close")
			w.Header().Set("WWW-Authenticate", httpauth.Challenge(realm, err))
			msg := "an Authorization: Bearer <token> header is required"
			if errors.Is(err, httpauth.ErrBadCredential) {
				msg = "the bearer token is not valid"
			}
			writeError(w, http.StatusUnauthorized, codeUnauthorized, msg)
			return
		}
		httpobserve.SetCaller(r.Context(), name)
		c := caller{Name: name, Role: s.roles[name]}
		if !s.withinRate(w, c) {
			return
		}
		next(w, r, c)
	}
}

// handleRecipients answers who received the subject's data and why.
func (s *Server) handleRecipients(w http.ResponseWriter, r *http.Request, c caller) {
	l, ok := s.beginLookup(w, r, c, routeRecipients, recipientsParams)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	answer, err := s.store.Recipients(ctx, chstore.RecipientsQuery{
		SubjectID: l.SubjectID, From: l.From, To: l.To, Restricted: s.restricted(l),
	})
	if err != nil {
		s.storeFailed(w, r, "recipients", err)
		return
	}
	writeJSON(w, http.StatusOK, newRecipientsResponse(l, answer))
}

// handleEvents answers one page of the subject's timeline, newest first.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, c caller) {
	l, ok := s.beginLookup(w, r, c, routeEvents, eventsParams)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	page, err := s.store.Events(ctx, chstore.EventsQuery{
		SubjectID: l.SubjectID, From: l.From, To: l.To, Limit: l.Limit, After: l.After, Restricted: s.restricted(l),
	})
	if err != nil {
		s.storeFailed(w, r, "events", err)
		return
	}
	writeJSON(w, http.StatusOK, newEventsResponse(l, page))
}

// beginLookup does what every lookup of a subject does before it is
// answered: parse and validate the parameters, check that the caller's role
// may ask this (a responder names an open access request for this subject
// and never sees restricted lines), and write the audit record and the
// consultation event. It answers the error itself and returns false when
// the lookup may not go on.
func (s *Server) beginLookup(w http.ResponseWriter, r *http.Request, c caller, route string, params []string) (lookup, bool) {
	l, err := parseLookup(r.PathValue("subject_id"), r.URL.RawQuery, params)
	if err != nil {
		writeParamError(w, err)
		return lookup{}, false
	}
	if !allowed(w, c, RoleResponder, RoleDPO) {
		return lookup{}, false
	}
	if c.Role != RoleDPO && l.IncludeRestricted {
		writeError(w, http.StatusForbidden, codeForbidden, "only the dpo role may see restricted disclosures (include_restricted)")
		return lookup{}, false
	}
	if !s.forRequest(w, r, c, l.AccessRequest, l.SubjectID) {
		return lookup{}, false
	}
	return l, s.audit(w, r, c, route, l)
}

// restricted is the store's view of restricted disclosures for l.
func (s *Server) restricted(l lookup) chstore.Restricted {
	return chstore.Restricted{Include: l.IncludeRestricted, Now: s.now()}
}

// audit writes the lookup's audit record and reports whether the lookup may
// go on. When the write fails it answers 503: a lookup that is not on
// record is not answered.
func (s *Server) audit(w http.ResponseWriter, r *http.Request, c caller, route string, l lookup) bool {
	rec := s.auditRecord(r, c, route, l.AccessRequest)
	rec.SubjectID, rec.Cursor = l.SubjectID, l.Cursor
	if !l.From.IsZero() {
		rec.From = &l.From
	}
	if !l.To.IsZero() {
		rec.To = &l.To
	}
	if l.LimitSet {
		rec.Limit = &l.Limit
	}
	return s.writeAudit(w, r, rec)
}

// auditRecord starts the audit record of a request by c; the caller adds
// what was looked up.
func (s *Server) auditRecord(r *http.Request, c caller, route, accessRequest string) audit.Record {
	ctx := r.Context()
	rec := audit.Record{
		Time:          s.now().UTC(),
		Caller:        c.Name,
		Role:          string(c.Role),
		AccessRequest: accessRequest,
		Endpoint:      httpobserve.RouteLabel(route),
		RemoteAddr:    r.RemoteAddr,
		RequestID:     httpobserve.RequestID(ctx),
		Outcome:       audit.OutcomeRequested,
	}
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		rec.TraceID = sc.TraceID().String()
	}
	return rec
}

// writeAudit stores rec and reports whether the request may go on; when the
// write fails it answers 503.
func (s *Server) writeAudit(w http.ResponseWriter, r *http.Request, rec audit.Record) bool {
	ctx := r.Context()
	if err := s.auditor.Audit(ctx, rec); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "audit write failed, lookup refused",
			slog.String(httpobserve.KeyRoute, rec.Endpoint), slog.String(httpobserve.KeyRequestID, rec.RequestID), slog.String(keyError, err.Error()))
		w.Header().Set("Retry-After", auditRetryAfter)
		writeError(w, http.StatusServiceUnavailable, codeAuditUnavailable,
			"the lookup could not be recorded in the audit log, so it was not answered; try again later")
		return false
	}
	return true
}

// storeFailed maps a Store error to an answer and logs it. The error text
// names the operation and database, never the subject.
func (s *Server) storeFailed(w http.ResponseWriter, r *http.Request, op string, err error) {
	ctx := r.Context()
	status, code, msg := http.StatusInternalServerError, codeInternal, "the lookup failed; try again later"
	switch {
	case errors.Is(err, chstore.ErrTooManyEvents):
		status, code, msg = http.StatusUnprocessableEntity, codeTooManyEvents, fmt.Sprintf(
			"the customer has more than %d events in the range, more than one report holds; narrow it with from and to",
			chstore.MaxReportEvents)
	case errors.Is(err, chstore.ErrTooManyConsentUses):
		status, code, msg = http.StatusUnprocessableEntity, codeTooManyEvents, fmt.Sprintf(
			"more than %d consent and marketing events in the window, more than one answer judges; narrow it with from and to",
			chstore.MaxConsentUses)
	case errors.Is(err, chstore.ErrInvalidQuery):
		status, code, msg = http.StatusBadRequest, codeInvalidParameter, "the lookup cannot be answered as asked"
	case errors.Is(err, chstore.ErrTooManyIdentifierWindows):
		status, code, msg = http.StatusUnprocessableEntity, codeTooManyWindows, fmt.Sprintf(
			"the customer held more than %d identifier windows (phone numbers, IP addresses, contracts, devices) in the range; narrow it with from and to",
			chstore.MaxIdentityWindows)
	case ctx.Err() != nil:
		// The caller went away; nobody reads the answer.
		status, code, msg = http.StatusServiceUnavailable, codeCancelled, "the request was cancelled"
	case storeUnreachable(err):
		// Before the deadline case: the pool's "acquire conn timeout"
		// is a context deadline too, but it says the server did not
		// take a connection, not that the query was slow.
		status, code, msg = http.StatusServiceUnavailable, codeStoreUnavailable,
			"the lineage store cannot be reached; try again after Retry-After seconds"
		w.Header().Set("Retry-After", storeRetryAfter)
	case errors.Is(err, context.DeadlineExceeded):
		status, code, msg = http.StatusGatewayTimeout, codeTimeout, "the lookup took too long; narrow the window with from and to"
	}
	s.log.LogAttrs(ctx, slog.LevelError, "store query failed",
		slog.String("op", op), slog.Int(httpobserve.KeyStatus, status), slog.String(keyError, err.Error()))
	writeError(w, status, code, msg)
}

// storeUnreachable reports whether err says the store could not be reached
// or dropped the connection, rather than that it refused the query: a
// ClickHouse that is stopped, restarting or out of connections. The API
// answers those 503 with Retry-After, since the same lookup will succeed
// once the server is back, and a 500 would say the API is broken.
//
// clickhouse-go (native protocol) returns the net package's errors as they
// are: a refused or failed dial is a *net.OpError with Op "dial" (wrapping
// ECONNREFUSED, a timeout, an unknown host), a connection that the server
// closed gives io.EOF (or io.ErrUnexpectedEOF mid-packet), ECONNRESET or
// EPIPE; the pool says clickhouse.ErrAcquireConnTimeout when no connection
// could be had within the dial timeout, and clickhouse.ErrConnectionClosed
// once it is closed. database/sql callers would see driver.ErrBadConn. An
// exception from the server (a syntax error, an unknown table, a memory
// limit) is none of these and stays a 500.
func storeUnreachable(err error) bool {
	for _, target := range []error{
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
		syscall.EHOSTUNREACH, syscall.ENETUNREACH, io.EOF, io.ErrUnexpectedEOF, driver.ErrBadConn,
		clickhouse.ErrAcquireConnTimeout, clickhouse.ErrConnectionClosed,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// handleNotFound answers every path and method that no route matches.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	msg := "no such endpoint"
	if strings.HasPrefix(r.URL.Path, "/v1/") && r.Method != http.MethodGet && r.Method != http.MethodHead {
		msg = "no such endpoint, or not with this method (openapi.yaml lists them)"
	}
	writeError(w, http.StatusNotFound, codeNotFound, msg)
}
