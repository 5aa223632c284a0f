package httpapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/services/chstore"
)

// The breach record: an incident opened on a party and a window, counted
// at once (approximately) and then exactly, the authority notified within
// the two clocks, letters written from it, closed.
const (
	routeOpenIncident   = "POST /v1/incidents"
	routeListIncidents  = "GET /v1/incidents"
	routeGetIncident    = "GET /v1/incidents/{incident_id}"
	routeIncidentEvent  = "POST /v1/incidents/{incident_id}/events"
	routeIncidentLetter = "POST /v1/incidents/{incident_id}/subjects/{subject_id}/letter"
	maxIncidentBody     = 8 << 10
	// exactCountTimeout bounds the exact count that follows the opening:
	// an exposure of millions of events under phone numbers takes tens of
	// seconds (docs/PERFORMANCE.md).
	exactCountTimeout = 10 * time.Minute
)

// incidentBody opens an incident (party_kind, party, from, to, nature,
// detected_at) or records a further event of it (type and its members).
type incidentBody struct {
	Type       string     `json:"type"`
	DetectedAt *time.Time `json:"detected_at"`
	At         *time.Time `json:"at"`
	PartyKind  string     `json:"party_kind"`
	Party      string     `json:"party"`
	From       *time.Time `json:"from"`
	To         *time.Time `json:"to"`
	Nature     string     `json:"nature"`
	Authority  string     `json:"authority"`
	Reference  string     `json:"reference"`
	Reason     string     `json:"reason"`
}

func decodeIncident(w http.ResponseWriter, r *http.Request) (incidentBody, bool) {
	var b incidentBody
	ok := decodeBody(w, r, maxIncidentBody, &b, "the body must be one JSON object of at most 8 KiB with the members of the incident event (see openapi.yaml): ")
	return b, ok
}

// handleOpenIncident records a breach: the party whose disclosures it
// exposes, the window, when it was detected (the clocks run from then)
// and what happened. It counts the exposure at once approximately, and
// exactly in the background: both counts are recorded in the incident.
// Audited as a question about the party.
func (s *Server) handleOpenIncident(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	b, ok := decodeIncident(w, r)
	if !ok {
		return
	}
	if b.Type != "" && b.Type != string(incident.Opened) {
		writeParamError(w, invalid("type", "must be opened (or absent) when an incident is opened"))
		return
	}
	if err := b.onlyMembers(incident.Opened); err != nil {
		writeParamError(w, err)
		return
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	e := s.incidentEvent(newPrefixedID("IN", now), incident.Opened, c, now, b.DetectedAt)
	e.PartyKind, e.Party, e.Nature = incident.PartyKind(b.PartyKind), b.Party, b.Nature
	if b.From != nil {
		e.WindowFrom = b.From.UTC().Truncate(time.Microsecond)
	}
	// An open window ends now: a breach still going on is counted up to
	// the time it is recorded.
	e.WindowTo = now
	if b.To != nil {
		e.WindowTo = b.To.UTC().Truncate(time.Microsecond)
	}
	if !s.checkIncidentEvent(w, e, now) {
		return
	}
	p := incidentParty(e.PartyKind, e.Party)
	if !s.writeAudit(w, r, s.partyRecord(r, c, routeOpenIncident, p, e.WindowFrom, e.WindowTo)) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	// Estimated before anything is recorded: an estimate that fails leaves
	// no incident behind whose id nobody was told.
	q := chstore.ExposureQuery{Kind: p.kind, Party: p.id, From: e.WindowFrom, To: e.WindowTo, Now: now}
	subjects, events, err := s.store.EstimateExposure(ctx, q)
	if err != nil {
		s.storeFailed(w, r, "exposure estimate", err)
		return
	}
	if !s.recordIncident(ctx, w, e, "") {
		return
	}
	estimate := s.incidentEvent(e.IncidentID, incident.Counted, c, s.now(), nil)
	estimate.Subjects, estimate.Events, estimate.Approximate = int64(subjects), int64(events), true
	if !s.recordIncident(ctx, w, estimate, e.IncidentID) {
		return
	}
	s.countInBackground(r, e.IncidentID, c, q)
	writeJSON(w, http.StatusCreated, openedView{IncidentID: e.IncidentID, Approximate: countView{Subjects: estimate.Subjects, Events: estimate.Events, At: formatTime(estimate.At)}})
}

// countInBackground counts the exposure exactly and records the count,
// within exactCountTimeout. The count outlives the request: it is the
// incident's, not the caller's. A count cut short (the API stopped, the
// store failed) is logged and asked for again with an event of type
// counted.
func (s *Server) countInBackground(r *http.Request, id string, c caller, q chstore.ExposureQuery) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), exactCountTimeout)
		defer cancel()
		x, err := s.store.Exposure(ctx, q)
		if err == nil {
			e := s.incidentEvent(id, incident.Counted, c, s.now(), nil)
			e.Subjects, e.Events = int64(x.Subjects), int64(x.Events)
			err = s.requestLog.RecordIncident(ctx, e)
		}
		if err != nil {
			s.log.ErrorContext(ctx, "exact incident count failed", keyError, err.Error())
		}
	}()
}

// handleIncidentEvent records a further event of an incident: the
// authority notified, the incident closed, or counted (exactly, now: the
// numbers are the store's, never the caller's).
func (s *Server) handleIncidentEvent(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	b, ok := decodeIncident(w, r)
	if !ok {
		return
	}
	typ := incident.Type(b.Type)
	if !slices.Contains([]incident.Type{incident.AuthorityNotified, incident.Closed, incident.Counted}, typ) {
		writeParamError(w, invalid("type", "must be authority_notified, closed or counted: an incident is opened once, by POST /v1/incidents"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	st, ok := s.incidentOf(ctx, w, r)
	if !ok {
		return
	}
	id := st.ID
	now := s.now().UTC().Truncate(time.Microsecond)
	if err := b.onlyMembers(typ); err != nil {
		writeParamError(w, err)
		return
	}
	if typ == incident.Counted {
		p := incidentParty(st.PartyKind, st.Party)
		if !s.writeAudit(w, r, s.partyRecord(r, c, routeIncidentEvent, p, st.WindowFrom, st.WindowTo)) {
			return
		}
		s.countInBackground(r, id, c, chstore.ExposureQuery{Kind: p.kind, Party: p.id, From: st.WindowFrom, To: st.WindowTo, Now: now})
		writeJSON(w, http.StatusAccepted, map[string]string{"incident_id": id})
		return
	}
	e := s.incidentEvent(id, typ, c, now, b.At)
	e.Authority, e.Reference, e.Reason = b.Authority, b.Reference, b.Reason
	if !s.checkIncidentEvent(w, e, now) || !s.recordIncident(ctx, w, e, "") {
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"incident_id": id, "event_id": e.EventID})
}

// handleGetIncident answers one incident's state and clocks.
func (s *Server) handleGetIncident(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	if st, ok := s.incidentOf(ctx, w, r); ok {
		writeJSON(w, http.StatusOK, newIncidentView(st, s.now()))
	}
}

// handleListIncidents answers the incidents not closed, the first due
// clock first.
func (s *Server) handleListIncidents(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	if _, err := queryValues(r.URL.RawQuery, nil); err != nil {
		writeParamError(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	open, err := s.store.OpenIncidentEvents(ctx)
	if err != nil {
		s.storeFailed(w, r, "open incidents", err)
		return
	}
	now := s.now()
	resp := incidentsResponse{AsOf: formatTime(now), Incidents: []incidentView{}}
	for _, events := range open {
		st, err := incident.Fold(events, now)
		if err != nil {
			continue // events of an incident whose opening is not stored yet
		}
		resp.Incidents = append(resp.Incidents, newIncidentView(st, now))
	}
	// One layout in UTC: the text sorts as the time.
	slices.SortFunc(resp.Incidents, func(a, b incidentView) int { return strings.Compare(a.DetectedAt, b.DetectedAt) })
	writeJSON(w, http.StatusOK, resp)
}

// incidentLetterBody is what the DPO adds to a letter written from an
// incident: the language, the measures and, optionally, the nature in
// that language (default: the incident's own words).
type incidentLetterBody struct {
	Lang     string `json:"lang"`
	Nature   string `json:"nature"`
	Measures string `json:"measures"`
}

// handleIncidentLetter writes one subject's letter from the incident: its
// party, window, nature and id as the reference.
func (s *Server) handleIncidentLetter(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	subject := r.PathValue("subject_id")
	if !lineage.ValidSubjectID(subject) {
		writeParamError(w, invalid("subject_id", ruleSubjectID))
		return
	}
	var ib incidentLetterBody
	if !decodeBody(w, r, maxLetterBody, &ib, "the body must be one JSON object of at most 16 KiB with lang, measures and optionally nature: ") {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	st, ok := s.incidentOf(ctx, w, r)
	if !ok {
		return
	}
	b := letterBody{Lang: ib.Lang, Reference: st.ID, Nature: ib.Nature, Measures: ib.Measures}
	if b.Nature == "" {
		b.Nature = st.Nature
	}
	if err := b.check(); err != nil {
		writeParamError(w, err)
		return
	}
	p := incidentParty(st.PartyKind, st.Party)
	s.writeLetter(w, r, c, routeIncidentLetter, p, subject, st.WindowFrom, st.WindowTo, b)
}

// ruleIncident is the rule of an incident id.
const ruleIncident = "must be an incident id: IN- and 8 to 32 letters, digits and hyphens"

// incidentOf folds the stored events of the path's incident. It answers
// the error itself (400 for a malformed id, 404 while none or no opening
// is stored) and then returns false.
func (s *Server) incidentOf(ctx context.Context, w http.ResponseWriter, r *http.Request) (incident.State, bool) {
	id := r.PathValue("incident_id")
	if !incident.ValidIncidentID(id) {
		writeParamError(w, invalid("incident_id", ruleIncident))
		return incident.State{}, false
	}
	events, err := s.store.IncidentEvents(ctx, id)
	if err != nil {
		s.storeFailed(w, r, "incident", err)
		return incident.State{}, false
	}
	st, err := incident.Fold(events, s.now())
	switch {
	case errors.Is(err, incident.ErrNotOpened):
		writeError(w, http.StatusNotFound, codeNotFound, "no incident with this id is on record (one just opened takes a moment to appear)")
		return incident.State{}, false
	case err != nil:
		s.storeFailed(w, r, "incident", err)
		return incident.State{}, false
	}
	return st, true
}

// incidentEvent starts an event of the incident recorded by c now; at,
// when given, is when it happened.
func (s *Server) incidentEvent(id string, typ incident.Type, c caller, now time.Time, at *time.Time) incident.Event {
	now = now.UTC().Truncate(time.Microsecond)
	e := incident.Event{EventID: lineage.NewID(), IncidentID: id, Type: typ, At: now, RecordedAt: now, Actor: c.Name}
	if at != nil {
		e.At = at.UTC().Truncate(time.Microsecond)
	}
	return e
}

// checkIncidentEvent answers 400 naming the first broken rule of e.
func (s *Server) checkIncidentEvent(w http.ResponseWriter, e incident.Event, now time.Time) bool {
	if e.At.After(now) {
		field := "at"
		if e.Type == incident.Opened {
			field = "detected_at"
		}
		writeParamError(w, invalid(field, "must not be in the future"))
		return false
	}
	err := e.Validate(now)
	if err == nil {
		return true
	}
	var ve *incident.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		writeParamError(w, invalid(incidentMember(e.Type, ve.Fields[0].Field), ve.Fields[0].Rule))
		return false
	}
	writeParamError(w, invalid("body", err.Error()))
	return false
}

// incidentMember is the body's name of a field of an incident.Event of
// type typ.
func incidentMember(typ incident.Type, field string) string {
	switch {
	case field == "window_from":
		return "from"
	case field == "window_to":
		return "to"
	case field == "at" && typ == incident.Opened:
		return "detected_at"
	}
	return field
}

// recordIncident writes e to the breach record; it answers 503 when that
// fails. opened, when set, is the incident just opened whose first count
// this is: the answer names it, so that nobody opens it twice.
func (s *Server) recordIncident(ctx context.Context, w http.ResponseWriter, e incident.Event, opened string) bool {
	err := s.requestLog.RecordIncident(ctx, e)
	if err == nil {
		return true
	}
	s.log.ErrorContext(ctx, "incident write failed", keyError, err.Error())
	w.Header().Set("Retry-After", auditRetryAfter)
	msg := "the incident could not be written to the breach record; try again later"
	if opened != "" {
		msg = "the incident " + opened + " was opened, but its first count could not be written to the breach record; " +
			"ask for a count with an event of type counted"
	}
	writeError(w, http.StatusServiceUnavailable, codeAuditUnavailable, msg)
	return false
}

// onlyMembers refuses the members of the body that an event of type typ
// does not take: a member given for nothing is a mistake somewhere.
func (b incidentBody) onlyMembers(typ incident.Type) error {
	for _, m := range []struct {
		name  string
		set   bool
		types []incident.Type
	}{
		{"detected_at", b.DetectedAt != nil, []incident.Type{incident.Opened}},
		{"party_kind", b.PartyKind != "", []incident.Type{incident.Opened}},
		{"party", b.Party != "", []incident.Type{incident.Opened}},
		{"from", b.From != nil, []incident.Type{incident.Opened}},
		{"to", b.To != nil, []incident.Type{incident.Opened}},
		{"nature", b.Nature != "", []incident.Type{incident.Opened}},
		{"at", b.At != nil, []incident.Type{incident.AuthorityNotified, incident.Closed}},
		{"authority", b.Authority != "", []incident.Type{incident.AuthorityNotified}},
		{"reference", b.Reference != "", []incident.Type{incident.AuthorityNotified}},
		{"reason", b.Reason != "", []incident.Type{incident.Closed}},
	} {
		if m.set && !slices.Contains(m.types, typ) {
			return invalid(m.name, "not for an event of type "+string(typ))
		}
	}
	return nil
}

// incidentParty is an incident's party as the exposure endpoints name it.
func incidentParty(kind incident.PartyKind, id string) party {
	if kind == incident.SourceSystem {
		return party{kind: chstore.SourceSystem, name: partySourceSystem, id: id}
	}
	return party{kind: chstore.Recipient, name: partyRecipient, id: id}
}

type openedView struct {
	IncidentID  string    `json:"incident_id"`
	Approximate countView `json:"approximate"`
}

type countView struct {
	Subjects int64  `json:"subjects"`
	Events   int64  `json:"events"`
	At       string `json:"at"`
}

type incidentsResponse struct {
	AsOf      string         `json:"as_of"`
	Incidents []incidentView `json:"incidents"`
}

type incidentView struct {
	IncidentID  string        `json:"incident_id"`
	DetectedAt  string        `json:"detected_at"`
	Party       partyView     `json:"party"`
	From        string        `json:"from"`
	To          string        `json:"to"`
	Nature      string        `json:"nature"`
	Approximate *countView    `json:"approximate"`
	Exact       *countView    `json:"exact"`
	Notified    *notifiedView `json:"notified"`
	Closed      *closedView   `json:"closed"`
	Clocks      []clockView   `json:"clocks"`
	Problems    []string      `json:"problems"`
	AsOf        string        `json:"as_of"`
}

type notifiedView struct {
	At        string  `json:"at"`
	Authority string  `json:"authority"`
	Reference *string `json:"reference"`
}

type closedView struct {
	At     string `json:"at"`
	Reason string `json:"reason"`
}

type clockView struct {
	Name      string  `json:"name"`
	Law       string  `json:"law"`
	Hours     int     `json:"hours"`
	Due       string  `json:"due"`
	Status    string  `json:"status"`
	HoursLeft float64 `json:"hours_left"`
}

func newIncidentView(st incident.State, now time.Time) incidentView {
	v := incidentView{
		IncidentID: st.ID, DetectedAt: formatTime(st.DetectedAt),
		Party: partyView{Kind: string(st.PartyKind), ID: st.Party},
		From:  formatTime(st.WindowFrom), To: formatTime(st.WindowTo), Nature: st.Nature,
		Problems: nonNil(st.Problems), AsOf: formatTime(now), Clocks: make([]clockView, len(st.Clocks)),
	}
	count := func(c *incident.Count) *countView {
		if c == nil {
			return nil
		}
		return &countView{Subjects: c.Subjects, Events: c.Events, At: formatTime(c.At)}
	}
	v.Approximate, v.Exact = count(st.Approximate), count(st.Exact)
	if n := st.Notified; n != nil {
		v.Notified = &notifiedView{At: formatTime(n.At), Authority: n.Authority, Reference: lineage.Ptr(n.Reference)}
	}
	if cl := st.Closed; cl != nil {
		v.Closed = &closedView{At: formatTime(cl.At), Reason: cl.Reason}
	}
	for i, c := range st.Clocks {
		v.Clocks[i] = clockView{Name: c.Name, Law: c.Law, Hours: c.Hours, Due: formatTime(c.Due), Status: string(c.Status), HoursLeft: c.HoursLeft}
	}
	return v
}
