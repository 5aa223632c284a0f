package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/retention"
	"github.com/balticom/lineage/pkg/taxonomy"
	"github.com/balticom/lineage/services/chstore"
)

// The DPO's retention questions: data held or disclosed past the policy's
// periods (§20–§23), per subject and across the store, and the yearly
// statistics of requests for retained data.
const (
	routeSubjectRetention = "GET /v1/subjects/{subject_id}/retention"
	routeRetention        = "GET /v1/retention"
	routeRetainedData     = "GET /v1/statistics/retained-data"
	dayLayout             = "2006-01-02"
)

var (
	subjectRetentionParams = []string{"from", "to"}
	retentionParams        = []string{"from", "to", "after", "limit"}
	retainedDataParams     = []string{"year"}
)

// handleSubjectRetention answers, for each category of the subject's data
// in the window and the rule that governs it, whether events show the data
// held or disclosed past the rule's period; categories whose rule states
// no period are listed as such. Restricted disclosures are included: the
// DPO only.
func (s *Server) handleSubjectRetention(w http.ResponseWriter, r *http.Request, c caller) {
	l, ok := s.subjectLookup(w, r, c, routeSubjectRetention, subjectRetentionParams)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	answer, err := s.store.Retention(ctx, chstore.RetentionQuery{Subject: l.SubjectID, From: l.From, To: l.To})
	if err != nil {
		s.storeFailed(w, r, "retention", err)
		return
	}
	writeJSON(w, http.StatusOK, retentionResponse{
		SubjectID: &l.SubjectID, From: optionalTime(l.From), To: optionalTime(l.To), AsOf: formatTime(s.now()),
		Lines: newRetentionLines(answer.Lines), Withheld: newWithheld(answer.Contested),
	})
}

// handleRetention lists, by subject, the data held or disclosed past a
// period in the window: only events that name the day their period runs
// from. One audit record, keyed flags:retention.
func (s *Server) handleRetention(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	values, err := queryValues(r.URL.RawQuery, retentionParams)
	if err != nil {
		writeParamError(w, err)
		return
	}
	q := chstore.RetentionQuery{}
	if q.From, q.To, err = parseWindow(values); err != nil {
		writeParamError(w, err)
		return
	}
	if v, ok := values["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > chstore.MaxRetentionSubjects {
			writeParamError(w, invalid("limit", "must be an integer from 1 to "+strconv.Itoa(chstore.MaxRetentionSubjects)))
			return
		}
		q.Limit = n
	}
	if v, ok := values["after"]; ok {
		if _, isKey := lineage.ParseIdentifierKey(v[0]); !isKey && !lineage.ValidSubjectID(v[0]) {
			writeParamError(w, invalid("after", "must be the next_after of the previous page: a customer id or an identifier's key"))
			return
		}
		q.After = v[0]
	}
	rec := s.auditRecord(r, c, routeRetention, "")
	rec.PartyKind, rec.Party = flagsPartyKind, "retention"
	rec.From, rec.To = timePtr(q.From), timePtr(q.To)
	if q.Limit > 0 {
		rec.Limit = &q.Limit
	}
	if q.After != "" {
		rec.Cursor = &q.After
	}
	if !s.writeAudit(w, r, rec) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	answer, err := s.store.Retention(ctx, q)
	if err != nil {
		s.storeFailed(w, r, "retention", err)
		return
	}
	writeJSON(w, http.StatusOK, retentionResponse{
		From: optionalTime(q.From), To: optionalTime(q.To), AsOf: formatTime(s.now()),
		Lines: newRetentionLines(answer.Lines), Withheld: []withheldView{}, NextAfter: lineage.Ptr(answer.Next),
	})
}

// handleRetainedData answers the year's statistics of requests for
// retained data: counts only, no subject.
func (s *Server) handleRetainedData(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	values, err := queryValues(r.URL.RawQuery, retainedDataParams)
	if err != nil {
		writeParamError(w, err)
		return
	}
	v := firstOf(values["year"])
	year, err := strconv.Atoi(v)
	if len(v) != 4 || err != nil || year < 2000 {
		writeParamError(w, invalid("year", "required: the calendar year, 2000 to 9999"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	st, err := s.store.RetainedDataStatistics(ctx, year)
	if err != nil {
		s.storeFailed(w, r, "retained data statistics", err)
		return
	}
	resp := retainedDataResponse{
		Year: st.Year, Requests: st.Requests, WithoutReference: st.WithoutReference, Disclosures: st.Disclosures,
		Subjects: st.Subjects, ElapsedUnknown: st.ElapsedUnknown, Unmet: st.Unmet,
		Elapsed: make([]elapsedView, len(st.Elapsed)), Authorities: make([]authorityView, len(st.Authorities)),
	}
	for i, b := range st.Elapsed {
		resp.Elapsed[i] = elapsedView{Months: b.Label(), Requests: b.Requests}
	}
	for i, a := range st.Authorities {
		resp.Authorities[i] = authorityView{RecipientID: a.RecipientID, Name: a.Name, Requests: a.Requests, Unmet: a.Unmet}
	}
	writeJSON(w, http.StatusOK, resp)
}

func firstOf(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

type retentionResponse struct {
	// SubjectID is set on one subject's lines.
	SubjectID *string             `json:"subject_id,omitempty"`
	From      *string             `json:"from"`
	To        *string             `json:"to"`
	AsOf      string              `json:"as_of"`
	Lines     []retentionLineView `json:"lines"`
	// Withheld are one subject's identifier windows left out as contested.
	Withheld []withheldView `json:"withheld"`
	// NextAfter is the after of the list's next page; null on the last
	// page and for one subject.
	NextAfter *string `json:"next_after"`
}

type retentionLineView struct {
	SubjectID string         `json:"subject_id"`
	Category  string         `json:"category"`
	Rule      string         `json:"rule"`
	Cite      string         `json:"cite"`
	Status    string         `json:"status"`
	Events    int            `json:"events"`
	Past      int            `json:"past"`
	Undated   int            `json:"undated"`
	First     string         `json:"first"`
	Last      string         `json:"last"`
	FirstPast *pastEventView `json:"first_past"`
}

type pastEventView struct {
	EventID       string `json:"event_id"`
	OccurredAt    string `json:"occurred_at"`
	RetentionFrom string `json:"retention_from"`
	PeriodEnd     string `json:"period_end"`
}

func newRetentionLines(lines []retention.Line) []retentionLineView {
	out := make([]retentionLineView, len(lines))
	for i, l := range lines {
		rule, _ := taxonomy.LookupRetentionRule(l.Rule)
		out[i] = retentionLineView{SubjectID: l.SubjectID, Category: l.Category, Rule: l.Rule, Cite: rule.Cite, Status: string(l.Status),
			Events: l.Events, Past: l.Past, Undated: l.Undated, First: formatTime(l.First), Last: formatTime(l.Last)}
		if p := l.FirstPast; p != nil {
			out[i].FirstPast = &pastEventView{EventID: p.EventID, OccurredAt: formatTime(p.OccurredAt),
				RetentionFrom: p.RetentionFrom.Format(dayLayout), PeriodEnd: p.PeriodEnd.Format(dayLayout)}
		}
	}
	return out
}

type retainedDataResponse struct {
	Year             int             `json:"year"`
	Requests         uint64          `json:"requests"`
	WithoutReference uint64          `json:"without_reference"`
	Disclosures      uint64          `json:"disclosures"`
	Subjects         uint64          `json:"subjects"`
	Elapsed          []elapsedView   `json:"elapsed"`
	ElapsedUnknown   uint64          `json:"elapsed_unknown"`
	Unmet            uint64          `json:"unmet"`
	Authorities      []authorityView `json:"authorities"`
}

type elapsedView struct {
	Months   string `json:"months"`
	Requests uint64 `json:"requests"`
}

type authorityView struct {
	RecipientID string `json:"recipient_id"`
	Name        string `json:"name"`
	Requests    uint64 `json:"requests"`
	Unmet       uint64 `json:"unmet"`
}
