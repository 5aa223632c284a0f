package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/lineage"
)

// maxRequestBody bounds the body of a request-log write.
const maxRequestBody = 8 << 10

// requestEventBody is one fact about an access request as a responder
// records it; which fields belong to which type is accessrequest.Event's.
type requestEventBody struct {
	Type            string     `json:"type"`
	At              *time.Time `json:"at"`
	Channel         string     `json:"channel"`
	SubjectID       string     `json:"subject_id"`
	Method          string     `json:"method"`
	ExtensionMonths int        `json:"extension_months"`
	SubjectToldAt   *time.Time `json:"subject_told_at"`
	Reason          string     `json:"reason"`
	ReportHash      string     `json:"report_hash"`
	Format          string     `json:"format"`
	Language        string     `json:"language"`
	DeliveryChannel string     `json:"delivery_channel"`
}

// handleOpenRequest records a new access request as received and answers
// its id: "AR-", the year and 12 random characters.
func (s *Server) handleOpenRequest(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleResponder, RoleDPO) {
		return
	}
	body, ok := decodeRequestEvent(w, r)
	if !ok {
		return
	}
	if body.Type != "" && body.Type != string(accessrequest.Received) {
		writeParamError(w, invalid("type", "must be received (or absent) when a request is opened"))
		return
	}
	body.Type = string(accessrequest.Received)
	id := newPrefixedID("AR", s.now())
	s.recordRequestEvent(w, r, c, id, body, http.StatusCreated)
}

// handleRequestEvent records a further fact about an access request:
// identity checked, extended, answered or refused.
func (s *Server) handleRequestEvent(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := requestOf(w, r, c)
	if !ok {
		return
	}
	body, ok := decodeRequestEvent(w, r)
	if !ok {
		return
	}
	if body.Type == string(accessrequest.Received) {
		writeParamError(w, invalid("type", "must be identity_checked, extended, answered or refused: a request is received once, by POST /v1/requests"))
		return
	}
	s.recordRequestEvent(w, r, c, id, body, http.StatusAccepted)
}

// requestOf checks that c may use the request log and returns the request
// id of the path; it answers the error itself.
func requestOf(w http.ResponseWriter, r *http.Request, c caller) (string, bool) {
	if !allowed(w, c, RoleResponder, RoleDPO) {
		return "", false
	}
	id := r.PathValue("request_id")
	if !accessrequest.ValidRequestID(id) {
		writeParamError(w, invalid("request_id", ruleRequest))
		return "", false
	}
	return id, true
}

func decodeRequestEvent(w http.ResponseWriter, r *http.Request) (requestEventBody, bool) {
	var body requestEventBody
	ok := decodeBody(w, r, maxRequestBody, &body,
		"the body must be one JSON object of at most 8 KiB with the members of the event type (see openapi.yaml): ")
	return body, ok
}

// decodeBody decodes the request's body, one JSON object of at most max
// bytes with no unknown member, into v; otherwise it answers 400 with
// rule and what was wrong, and returns false.
func decodeBody(w http.ResponseWriter, r *http.Request, max int64, v any, rule string) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidParameter, rule+jsonProblem(err))
		return false
	}
	return true
}

// jsonProblem says what was wrong with a body without quoting it.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field + " has the wrong type"
	}
	if strings.HasPrefix(err.Error(), "json: unknown field") {
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "not valid JSON"
}

// recordRequestEvent validates the fact, writes it to the request log and
// answers status with the request and event ids.
func (s *Server) recordRequestEvent(w http.ResponseWriter, r *http.Request, c caller, id string, b requestEventBody, status int) {
	now := s.now().UTC().Truncate(time.Microsecond)
	e := accessrequest.Event{
		EventID: lineage.NewID(), RequestID: id, Type: accessrequest.Type(b.Type),
		At: now, RecordedAt: now, Actor: c.Name,
		Channel: accessrequest.Channel(b.Channel), SubjectID: b.SubjectID, Method: accessrequest.IdentityMethod(b.Method),
		ExtensionMonths: b.ExtensionMonths, Reason: b.Reason,
		ReportHash: b.ReportHash, Format: accessrequest.Format(b.Format), Language: accessrequest.Language(b.Language),
		DeliveryChannel: accessrequest.DeliveryChannel(b.DeliveryChannel),
	}
	if b.At != nil {
		e.At = b.At.UTC().Truncate(time.Microsecond)
	}
	if b.SubjectToldAt != nil {
		e.SubjectToldAt = b.SubjectToldAt.UTC().Truncate(time.Microsecond)
	}
	if err := e.Validate(now); err != nil {
		var ve *accessrequest.ValidationError
		if errors.As(err, &ve) && len(ve.Fields) > 0 {
			writeParamError(w, invalid(bodyMember(ve.Fields[0].Field), ve.Fields[0].Rule))
			return
		}
		writeParamError(w, invalid("body", err.Error()))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	if err := s.requestLog.RecordRequest(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "request log write failed", keyError, err.Error())
		w.Header().Set("Retry-After", auditRetryAfter)
		writeError(w, http.StatusServiceUnavailable, codeAuditUnavailable, "the fact could not be written to the request log; try again later")
		return
	}
	writeJSON(w, status, map[string]string{"request_id": id, "event_id": e.EventID})
}

// bodyMember is the body's name of a field of accessrequest.Event: the
// same, but for the identity method, which the body calls method.
func bodyMember(field string) string {
	if field == "identity_method" {
		return "method"
	}
	return field
}

// newPrefixedID makes an id of the request log or the breach record:
// prefix ("AR", "IN"), the year, and 12 random characters of an
// unambiguous alphabet.
func newPrefixedID(prefix string, now time.Time) string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return fmt.Sprintf("%s-%d-%s", prefix, now.Year(), b)
}

// requestView is an access request as the request log shows it. SubjectID
// is left out of the list for a responder, who sees one subject at a time.
type requestView struct {
	RequestID        string     `json:"request_id"`
	Status           string     `json:"status"`
	Received         time.Time  `json:"received"`
	Channel          string     `json:"channel"`
	SubjectID        string     `json:"subject_id,omitempty"`
	IdentityMethod   string     `json:"identity_method,omitempty"`
	Deadline         string     `json:"deadline"`
	Extended         bool       `json:"extended"`
	ExtendedDeadline string     `json:"extended_deadline,omitempty"`
	ExtensionReason  string     `json:"extension_reason,omitempty"`
	Due              string     `json:"due"`
	DaysLeft         int        `json:"days_left"`
	Overdue          bool       `json:"overdue"`
	AnsweredAt       *time.Time `json:"answered_at,omitempty"`
	ReportHash       string     `json:"report_hash,omitempty"`
	RefusedAt        *time.Time `json:"refused_at,omitempty"`
	RefusalReason    string     `json:"refusal_reason,omitempty"`
	Problems         []string   `json:"problems"`
}

func newRequestView(q accessrequest.Request, now time.Time, withSubject bool) requestView {
	v := requestView{
		RequestID: q.ID, Status: string(q.Status), Received: q.Received, Channel: string(q.Channel),
		Deadline: q.Deadline.String(), Extended: q.Extended, ExtensionReason: q.ExtensionReason,
		Due: q.Due().String(), DaysLeft: q.DaysLeft(now), Overdue: q.Overdue(now), Problems: q.Problems,
	}
	if v.Problems == nil {
		v.Problems = []string{}
	}
	if q.Extended {
		v.ExtendedDeadline = q.ExtendedDeadline.String()
	}
	if withSubject {
		v.SubjectID, v.IdentityMethod = q.SubjectID, string(q.IdentityMethod)
	}
	if a := q.Answer; a != nil {
		v.AnsweredAt, v.ReportHash = &a.At, a.ReportHash
	}
	if f := q.Refusal; f != nil {
		v.RefusedAt, v.RefusalReason = &f.At, f.Reason
	}
	return v
}

// handleListRequests answers the open access requests, fewest days left
// first, overdue ones flagged. The DPO sees their subjects; a responder
// opens one request at a time for that.
func (s *Server) handleListRequests(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleResponder, RoleDPO) {
		return
	}
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, codeUnknownParameter, "this endpoint takes no parameters")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	open, err := s.store.OpenRequestEvents(ctx)
	if err != nil {
		s.storeFailed(w, r, "open requests", err)
		return
	}
	now := s.now()
	views := make([]requestView, 0, len(open))
	// A request with facts but no receipt has no deadline: it is listed
	// apart, for someone to record when it arrived.
	incomplete := []string{}
	for _, events := range open {
		q, err := accessrequest.Fold(events)
		switch {
		case errors.Is(err, accessrequest.ErrNotReceived):
			incomplete = append(incomplete, q.ID)
		case err != nil:
			s.storeFailed(w, r, "fold request", err)
			return
		default:
			views = append(views, newRequestView(q, now, c.Role == RoleDPO))
		}
	}
	slices.SortStableFunc(views, func(a, b requestView) int {
		if a.DaysLeft != b.DaysLeft {
			return a.DaysLeft - b.DaysLeft
		}
		return strings.Compare(a.RequestID, b.RequestID)
	})
	overdue := 0
	for _, v := range views {
		if v.Overdue {
			overdue++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"requests": views, "open": len(views), "overdue": overdue, "without_receipt": incomplete,
	})
}

// handleGetRequest answers one access request, its subject included.
func (s *Server) handleGetRequest(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := requestOf(w, r, c)
	if !ok {
		return
	}
	q, ok := s.loadRequest(w, r, id)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, newRequestView(q, s.now(), true))
}

// loadRequest folds the request's events; it answers 404 for a request
// that is not on record.
func (s *Server) loadRequest(w http.ResponseWriter, r *http.Request, id string) (accessrequest.Request, bool) {
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	events, err := s.store.RequestEvents(ctx, id)
	if err != nil {
		s.storeFailed(w, r, "request events", err)
		return accessrequest.Request{}, false
	}
	if len(events) == 0 {
		writeError(w, http.StatusNotFound, codeNotFound, "no access request with this id is on record (a request just recorded takes a moment to appear)")
		return accessrequest.Request{}, false
	}
	q, err := accessrequest.Fold(events)
	if err != nil && !errors.Is(err, accessrequest.ErrNotReceived) {
		s.storeFailed(w, r, "fold request", err)
		return accessrequest.Request{}, false
	}
	return q, true
}

// forRequest checks that a lookup may be made for the access request named:
// a responder must name one, open, whose identity check names subjectID
// ("" for a search, which comes before the check). The DPO may name none.
// It answers the error itself and returns false when the lookup may not
// go on.
func (s *Server) forRequest(w http.ResponseWriter, r *http.Request, c caller, id, subjectID string) bool {
	if id == "" {
		if c.Role == RoleDPO {
			return true
		}
		writeParamError(w, invalid("access_request", "is required for the access_responder role: every lookup answers an access request"))
		return false
	}
	q, ok := s.loadRequest(w, r, id)
	if !ok {
		return false
	}
	switch {
	case q.Received.IsZero():
		writeError(w, http.StatusForbidden, codeForbidden, "the access request has no receipt on record")
	case q.Status != accessrequest.StatusOpen:
		writeError(w, http.StatusForbidden, codeForbidden, fmt.Sprintf("the access request is %s: lookups are for open requests", q.Status))
	case subjectID != "" && q.SubjectID != subjectID:
		writeError(w, http.StatusForbidden, codeForbidden,
			"the access request's identity check does not name this customer: record identity_checked for the customer first")
	default:
		return true
	}
	return false
}
