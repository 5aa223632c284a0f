package httpapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/chstore"
)

// The DPO's record of a subject's rights (consent, opt-out, erasure) and
// the flags it gives against the events.
const (
	routeRecordFact    = "POST /v1/facts"
	routeSubjectErase  = "GET /v1/subjects/{subject_id}/erasure"
	routeSubjectFlags  = "GET /v1/subjects/{subject_id}/flags"
	routeFlags         = "GET /v1/flags"
	routeErasures      = "GET /v1/erasures"
	flagsPartyKind     = "flags"
	maxFactBody        = 8 << 10
	defaultErasureList = 1000
)

var (
	subjectFlagsParams = []string{"from", "to"}
	flagsParams        = []string{"kind", "from", "to"}
	erasuresParams     = []string{"all"}
)

// factBody is one subject fact as the DPO records it; which fields belong
// to which type is subjectfact.Fact's.
type factBody struct {
	Type        string     `json:"type"`
	At          *time.Time `json:"at"`
	SubjectID   string     `json:"subject_id"`
	Purpose     string     `json:"purpose"`
	Channel     string     `json:"channel"`
	RecipientID string     `json:"recipient_id"`
	Reference   string     `json:"reference"`
	Reason      string     `json:"reason"`
}

// handleRecordFact records a subject fact in the facts topic, as the
// tracker itself records it (source lineage_tracker, the caller as the
// actor). Systems that record consents themselves write to the topic.
func (s *Server) handleRecordFact(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	var b factBody
	if !decodeBody(w, r, maxFactBody, &b, "the body must be one JSON object of at most 8 KiB with the members of the fact type (see openapi.yaml): ") {
		return
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	f := subjectfact.Fact{
		ID: lineage.NewID(), Type: subjectfact.Type(b.Type), At: now, RecordedAt: now,
		SourceSystem: audit.ConsultationSource, Actor: c.Name, SubjectID: b.SubjectID,
		Purpose: b.Purpose, Channel: subjectfact.Channel(b.Channel), RecipientID: b.RecipientID,
		Reference: b.Reference, Reason: b.Reason,
	}
	if b.At != nil {
		f.At = b.At.UTC().Truncate(time.Microsecond)
		if f.At.After(now) {
			writeParamError(w, invalid("at", "must not be in the future: a fact is recorded once it happened"))
			return
		}
	}
	if err := f.Validate(now); err != nil {
		var ve *subjectfact.ValidationError
		if errors.As(err, &ve) && len(ve.Fields) > 0 {
			writeParamError(w, invalid(ve.Fields[0].Field, ve.Fields[0].Rule))
			return
		}
		writeParamError(w, invalid("body", err.Error()))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	if err := s.requestLog.RecordFact(ctx, f); err != nil {
		s.log.ErrorContext(ctx, "facts write failed", keyError, err.Error())
		w.Header().Set("Retry-After", auditRetryAfter)
		writeError(w, http.StatusServiceUnavailable, codeAuditUnavailable, "the fact could not be written to the facts log; try again later")
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"fact_id": f.ID})
}

// subjectLookup starts a DPO-only lookup of one subject: the parameters
// checked and the lookup audited.
func (s *Server) subjectLookup(w http.ResponseWriter, r *http.Request, c caller, route string, params []string) (lookup, bool) {
	if !allowed(w, c, RoleDPO) {
		return lookup{}, false
	}
	return s.beginLookup(w, r, c, route, params)
}

// handleSubjectErasure answers where the subject's latest erasure stands
// with every recipient that actually received its data (GDPR Art. 17(2),
// Art. 19), restricted disclosures included: the DPO must tell those
// recipients too.
func (s *Server) handleSubjectErasure(w http.ResponseWriter, r *http.Request, c caller) {
	l, ok := s.subjectLookup(w, r, c, routeSubjectErase, nil)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	e, found, err := s.erasureOf(ctx, l.SubjectID)
	if err != nil {
		s.storeFailed(w, r, "erasure", err)
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, codeNoErasure, "no erasure request is recorded for the customer")
		return
	}
	writeJSON(w, http.StatusOK, newErasureView(e, s.now()))
}

// erasureOf folds a subject's facts and recipients into its erasure.
func (s *Server) erasureOf(ctx context.Context, subject string) (subjectfact.Erasure, bool, error) {
	facts, err := s.store.SubjectFacts(ctx, subject)
	if err != nil {
		return subjectfact.Erasure{}, false, err
	}
	if !slices.ContainsFunc(facts, func(f subjectfact.Fact) bool { return f.Type == subjectfact.ErasureRequested }) {
		return subjectfact.Erasure{}, false, nil
	}
	answer, err := s.store.Recipients(ctx, chstore.RecipientsQuery{SubjectID: subject, Restricted: chstore.Restricted{Include: true, Now: s.now()}})
	if err != nil {
		return subjectfact.Erasure{}, false, err
	}
	e, ok := subjectfact.ErasureOf(subject, facts, received(answer.Recipients), s.now())
	return e, ok, nil
}

// received merges the recipient summaries of one subject per recipient:
// a recipient seen in two countries is one recipient to tell.
func received(rs []chstore.RecipientSummary) []subjectfact.Received {
	var out []subjectfact.Received
	at := map[string]int{}
	for _, r := range rs {
		i, ok := at[r.ID]
		if !ok {
			at[r.ID] = len(out)
			out = append(out, subjectfact.Received{RecipientID: r.ID, Name: r.Name, First: r.First, Last: r.Last})
			i = len(out) - 1
		}
		x := &out[i]
		for _, c := range r.DataCategories {
			if !slices.Contains(x.Categories, c) {
				x.Categories = append(x.Categories, c)
			}
		}
		if r.First.Before(x.First) {
			x.First = r.First
		}
		if r.Last.After(x.Last) {
			x.Last, x.Name = r.Last, r.Name
		}
		x.Events += r.Events
	}
	for i := range out {
		slices.Sort(out[i].Categories)
	}
	return out
}

// handleSubjectFlags answers the subject's events in the window that came
// after a withdrawal of the consent they relied on or after an opt-out.
func (s *Server) handleSubjectFlags(w http.ResponseWriter, r *http.Request, c caller) {
	l, ok := s.subjectLookup(w, r, c, routeSubjectFlags, subjectFlagsParams)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	facts, err := s.store.SubjectFacts(ctx, l.SubjectID)
	if err != nil {
		s.storeFailed(w, r, "subject facts", err)
		return
	}
	var flags []subjectfact.Flag
	if slices.ContainsFunc(facts, func(f subjectfact.Fact) bool {
		return f.Type == subjectfact.ConsentWithdrawn || f.Type == subjectfact.OptedOut
	}) {
		page, err := s.store.AllEvents(ctx, chstore.EventsQuery{SubjectID: l.SubjectID, From: l.From, To: l.To})
		if err != nil {
			s.storeFailed(w, r, "events", err)
			return
		}
		uses := make([]subjectfact.Use, len(page.Events))
		for i, e := range page.Events {
			uses[i] = subjectfact.Use{EventID: e.ID, OccurredAt: e.OccurredAt, Kind: e.Kind, Purpose: e.Purpose, LegalBasis: e.LegalBasis}
		}
		flags = subjectfact.Flags(l.SubjectID, facts, uses)
	}
	writeJSON(w, http.StatusOK, flagsResponse{
		SubjectID: &l.SubjectID, Kind: flagsConsent, From: optionalTime(l.From), To: optionalTime(l.To),
		AsOf: formatTime(s.now()), Flags: newFlagViews(flags),
	})
}

// Kinds of the DPO's flag lists.
const flagsConsent = "consent"

// handleFlags lists the flags of every subject in a window: the DPO's
// open questions. One audit record, keyed flags:<kind>, with no subjects.
func (s *Server) handleFlags(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	values, err := queryValues(r.URL.RawQuery, flagsParams)
	if err != nil {
		writeParamError(w, err)
		return
	}
	from, to, err := parseWindow(values)
	if err != nil {
		writeParamError(w, err)
		return
	}
	kind := flagsConsent
	if v, ok := values["kind"]; ok {
		kind = v[0]
	}
	if kind != flagsConsent {
		writeParamError(w, invalid("kind", "must be consent"))
		return
	}
	rec := s.auditRecord(r, c, routeFlags, "")
	rec.PartyKind, rec.Party = flagsPartyKind, kind
	rec.From, rec.To = timePtr(from), timePtr(to)
	if !s.writeAudit(w, r, rec) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	flags, err := s.store.ConsentFlags(ctx, from, to)
	if err != nil {
		s.storeFailed(w, r, "consent flags", err)
		return
	}
	writeJSON(w, http.StatusOK, flagsResponse{Kind: kind, From: optionalTime(from), To: optionalTime(to), AsOf: formatTime(s.now()), Flags: newFlagViews(flags)})
}

// handleErasures lists the erasures not yet confirmed by every recipient
// (all=true: every erasure), the latest request first. One audit record,
// keyed flags:erasure.
func (s *Server) handleErasures(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	values, err := queryValues(r.URL.RawQuery, erasuresParams)
	if err != nil {
		writeParamError(w, err)
		return
	}
	all := false
	if v, ok := values["all"]; ok {
		if v[0] != "true" && v[0] != "false" {
			writeParamError(w, invalid("all", "must be true or false"))
			return
		}
		all = v[0] == "true"
	}
	rec := s.auditRecord(r, c, routeErasures, "")
	rec.PartyKind, rec.Party = flagsPartyKind, "erasure"
	if !s.writeAudit(w, r, rec) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	requests, err := s.store.Erasures(ctx, defaultErasureList)
	if err != nil {
		s.storeFailed(w, r, "erasures", err)
		return
	}
	resp := erasuresResponse{AsOf: formatTime(s.now()), Erasures: []erasureView{}}
	for _, q := range requests {
		e, found, err := s.erasureOf(ctx, q.SubjectID)
		if err != nil {
			s.storeFailed(w, r, "erasure", err)
			return
		}
		if found && (all || e.Unconfirmed > 0) {
			resp.Erasures = append(resp.Erasures, newErasureView(e, s.now()))
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

type flagsResponse struct {
	// SubjectID is set on one subject's flags.
	SubjectID *string    `json:"subject_id,omitempty"`
	Kind      string     `json:"kind"`
	From      *string    `json:"from"`
	To        *string    `json:"to"`
	AsOf      string     `json:"as_of"`
	Flags     []flagView `json:"flags"`
}

type flagView struct {
	Kind       string  `json:"kind"`
	SubjectID  string  `json:"subject_id"`
	EventID    string  `json:"event_id"`
	OccurredAt string  `json:"occurred_at"`
	Purpose    string  `json:"purpose"`
	LegalBasis string  `json:"legal_basis"`
	FactID     string  `json:"fact_id"`
	Since      string  `json:"since"`
	AfterHours float64 `json:"after_hours"`
}

func newFlagViews(flags []subjectfact.Flag) []flagView {
	out := make([]flagView, len(flags))
	for i, f := range flags {
		out[i] = flagView{Kind: string(f.Kind), SubjectID: f.SubjectID, EventID: f.EventID, OccurredAt: formatTime(f.OccurredAt),
			Purpose: f.Purpose, LegalBasis: f.LegalBasis, FactID: f.FactID, Since: formatTime(f.Since), AfterHours: f.After.Hours()}
	}
	return out
}

type erasuresResponse struct {
	AsOf     string        `json:"as_of"`
	Erasures []erasureView `json:"erasures"`
}

type erasureView struct {
	SubjectID   string                 `json:"subject_id"`
	FactID      string                 `json:"fact_id"`
	RequestedAt string                 `json:"requested_at"`
	Reference   *string                `json:"reference"`
	AsOf        string                 `json:"as_of"`
	Unconfirmed int                    `json:"unconfirmed"`
	Recipients  []recipientErasureView `json:"recipients"`
}

type recipientErasureView struct {
	RecipientID  string   `json:"recipient_id"`
	Name         string   `json:"name"`
	Categories   []string `json:"categories"`
	First        *string  `json:"first"`
	Last         *string  `json:"last"`
	Events       uint64   `json:"events"`
	State        string   `json:"state"`
	NotifiedAt   *string  `json:"notified_at"`
	ConfirmedAt  *string  `json:"confirmed_at"`
	DaysWaited   int      `json:"days_waited"`
	AfterRequest bool     `json:"received_after_request"`
}

func newErasureView(e subjectfact.Erasure, now time.Time) erasureView {
	v := erasureView{SubjectID: e.SubjectID, FactID: e.FactID, RequestedAt: formatTime(e.RequestedAt), Reference: lineage.Ptr(e.Reference),
		AsOf: formatTime(now), Unconfirmed: e.Unconfirmed, Recipients: make([]recipientErasureView, len(e.Recipients))}
	for i, r := range e.Recipients {
		v.Recipients[i] = recipientErasureView{RecipientID: r.RecipientID, Name: r.Name, Categories: nonNil(r.Categories),
			First: optionalTime(r.First), Last: optionalTime(r.Last), Events: r.Events, State: string(r.State),
			NotifiedAt: optionalTime(r.NotifiedAt), ConfirmedAt: optionalTime(r.ConfirmedAt), DaysWaited: r.DaysWaited, AfterRequest: r.AfterRequest}
	}
	return v
}

// timePtr is t as an optional time of an audit record: nil when zero.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
