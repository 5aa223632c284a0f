package httpapi

import (
	"cmp"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/register"
	"github.com/balticom/lineage/pkg/taxonomy"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/api/internal/breachletter"
	"github.com/balticom/lineage/services/chstore"
)

// The DPO's questions after a breach at a recipient or in a source system:
// whose data it held in a window, which, and a letter to each subject.
const (
	routeRecipientSubjects = "GET /v1/recipients/{recipient_id}/subjects"
	routeSourceSubjects    = "GET /v1/sources/{source_system}/subjects"
	routeRecipientLetter   = "POST /v1/recipients/{recipient_id}/subjects/{subject_id}/letter"
	routeSourceLetter      = "POST /v1/sources/{source_system}/subjects/{subject_id}/letter"
)

// Party kinds as the API and the audit records name them.
const (
	partyRecipient    = "recipient"
	partySourceSystem = "source_system"
)

// Page sizes of the subjects list, and the page the CSV export reads at once.
const (
	defaultExposureLimit = 100
	csvExposurePage      = chstore.MaxExposedPage
)

var exposureParams = []string{"from", "to", "limit", "after", "format"}

// party is a validated party from the path.
type party struct {
	kind chstore.PartyKind
	name string // partyRecipient or partySourceSystem
	id   string
}

// parseParty validates the recipient id or source system code of the route.
func parseParty(r *http.Request, kind chstore.PartyKind) (party, error) {
	if kind == chstore.Recipient {
		id := r.PathValue("recipient_id")
		if !lineage.ValidRecipientID(id) {
			return party{}, invalid("recipient_id", "must be a recipient id: 1-128 characters of letters, digits and _ . : @ / -")
		}
		return party{kind: chstore.Recipient, name: partyRecipient, id: id}, nil
	}
	id := r.PathValue("source_system")
	if _, ok := taxonomy.LookupSourceSystem(id); !ok {
		return party{}, invalid("source_system", "must be a source system code of the taxonomy, e.g. billing")
	}
	return party{kind: chstore.SourceSystem, name: partySourceSystem, id: id}, nil
}

// exposureRequest is a validated question about a party.
type exposureRequest struct {
	party    party
	from, to time.Time
	limit    int
	limitSet bool
	after    string
	csv      bool
}

func parseExposure(r *http.Request, kind chstore.PartyKind) (exposureRequest, error) {
	p, err := parseParty(r, kind)
	if err != nil {
		return exposureRequest{}, err
	}
	values, err := queryValues(r.URL.RawQuery, exposureParams)
	if err != nil {
		return exposureRequest{}, err
	}
	e := exposureRequest{party: p, limit: defaultExposureLimit}
	if e.from, e.to, err = parseWindow(values); err != nil {
		return exposureRequest{}, err
	}
	if v, ok := values["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > chstore.MaxExposedPage {
			return exposureRequest{}, invalid("limit", "must be an integer from 1 to "+strconv.Itoa(chstore.MaxExposedPage))
		}
		e.limit, e.limitSet = n, true
	}
	if v, ok := values["after"]; ok {
		if !lineage.ValidSubjectID(v[0]) {
			return exposureRequest{}, invalid("after", "must be the next_after of the previous page: a customer id")
		}
		e.after = v[0]
	}
	if v, ok := values["format"]; ok {
		switch v[0] {
		case "json":
		case "csv":
			e.csv = true
		default:
			return exposureRequest{}, invalid("format", "must be json or csv")
		}
	}
	if e.csv && (e.limitSet || e.after != "") {
		return exposureRequest{}, invalid("format", "csv exports every subject: it takes no limit or after")
	}
	return e, nil
}

// query is the store's question; restrictions are judged now.
func (e exposureRequest) query(now time.Time) chstore.ExposureQuery {
	return chstore.ExposureQuery{Kind: e.party.kind, Party: e.party.id, From: e.from, To: e.to, Now: now}
}

// partyRecord starts the audit record of a question about a party.
func (s *Server) partyRecord(r *http.Request, c caller, route string, p party, from, to time.Time) audit.Record {
	rec := s.auditRecord(r, c, route, "")
	rec.PartyKind, rec.Party = p.name, p.id
	if !from.IsZero() {
		rec.From = &from
	}
	if !to.IsZero() {
		rec.To = &to
	}
	return rec
}

// handleExposure answers which subjects a party holds data of in a window:
// on the first page the counts and the categories (those that point to
// particular harm first), then the subjects by customer id; or every
// subject as CSV. The DPO only: it lists many subjects at once.
func (s *Server) handleExposure(route string, kind chstore.PartyKind) func(w http.ResponseWriter, r *http.Request, c caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		if !allowed(w, c, RoleDPO) {
			return
		}
		e, err := parseExposure(r, kind)
		if err != nil {
			writeParamError(w, err)
			return
		}
		rec := s.partyRecord(r, c, route, e.party, e.from, e.to)
		if e.limitSet {
			rec.Limit = &e.limit
		}
		if e.after != "" {
			rec.Cursor = &e.after
		}
		if !s.writeAudit(w, r, rec) {
			return
		}
		now := s.now().UTC()
		q := e.query(now)
		ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
		defer cancel()
		if e.csv {
			s.exportExposure(ctx, w, r, q)
			return
		}
		resp := exposureResponse{Party: partyView{Kind: e.party.name, ID: e.party.id}, From: optionalTime(e.from), To: optionalTime(e.to), AsOf: formatTime(now)}
		if e.after == "" {
			x, err := s.store.Exposure(ctx, q)
			if err != nil {
				s.storeFailed(w, r, "exposure", err)
				return
			}
			resp.Party.Name = partyName(e.party, x.RecipientName, "en")
			resp.Exposure = newExposureView(x)
		}
		page, err := s.store.ExposedSubjects(ctx, q, e.after, e.limit)
		if err != nil {
			s.storeFailed(w, r, "exposed subjects", err)
			return
		}
		resp.Subjects = make([]exposedSubjectView, len(page))
		for i, x := range page {
			resp.Subjects[i] = newExposedSubjectView(x)
		}
		if len(page) == e.limit {
			resp.NextAfter = &page[len(page)-1].SubjectID
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

// exportExposure streams every subject of the exposure as CSV, a page of
// the store at a time. Once the first row is out a failure can only cut
// the file short: the last line is then an error line, not a subject.
func (s *Server) exportExposure(ctx context.Context, w http.ResponseWriter, r *http.Request, q chstore.ExposureQuery) {
	page, err := s.store.ExposedSubjects(ctx, q, "", csvExposurePage)
	if err != nil {
		s.storeFailed(w, r, "exposed subjects", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="exposure.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"subject_id", "first", "last", "events", "categories", "notifiable_categories", "letter_withheld_until"})
	for {
		for _, x := range page {
			v := newExposedSubjectView(x)
			_ = cw.Write([]string{v.SubjectID, v.First, v.Last, strconv.FormatUint(v.Events, 10),
				strings.Join(v.Categories, " "), strings.Join(v.NotifiableCategories, " "), lineage.Deref(v.LetterWithheldUntil)})
		}
		if len(page) < csvExposurePage {
			break
		}
		if page, err = s.store.ExposedSubjects(ctx, q, page[len(page)-1].SubjectID, csvExposurePage); err != nil {
			s.log.ErrorContext(ctx, "exposure export cut short", keyError, err.Error())
			_ = cw.Write([]string{"error: the export was cut short; run it again"})
			break
		}
	}
	cw.Flush()
}

// partyName is a recipient's name on its latest event, or a source
// system's name in the language.
func partyName(p party, recipientName, lang string) string {
	if p.kind == chstore.Recipient {
		return cmp.Or(recipientName, p.id)
	}
	t, _ := taxonomy.LookupSourceSystem(p.id)
	if lang == "lv" {
		return t.NameLV
	}
	return t.Name
}

type partyView struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Name is on the first page only.
	Name string `json:"name,omitempty"`
}

type exposureResponse struct {
	Party partyView `json:"party"`
	From  *string   `json:"from"`
	To    *string   `json:"to"`
	AsOf  string    `json:"as_of"`
	// Exposure is on the first page only (no after).
	Exposure  *exposureView        `json:"exposure,omitempty"`
	Subjects  []exposedSubjectView `json:"subjects"`
	NextAfter *string              `json:"next_after"`
}

type exposureView struct {
	Subjects              uint64                 `json:"subjects"`
	Events                uint64                 `json:"events"`
	First                 *string                `json:"first"`
	Last                  *string                `json:"last"`
	UnresolvedEvents      uint64                 `json:"unresolved_events"`
	ContestedEvents       uint64                 `json:"contested_events"`
	UnresolvedIdentifiers uint64                 `json:"unresolved_identifiers"`
	RestrictedEvents      uint64                 `json:"restricted_events"`
	Categories            []categoryExposureView `json:"categories"`
}

type categoryExposureView struct {
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	Harm     *string `json:"harm"`
	Subjects uint64  `json:"subjects"`
}

// newExposureView orders the categories that point to particular harm
// first, then by subjects, most first.
func newExposureView(x chstore.Exposure) *exposureView {
	v := &exposureView{
		Subjects: x.Subjects, Events: x.Events, UnresolvedEvents: x.UnresolvedEvents, ContestedEvents: x.ContestedEvents,
		UnresolvedIdentifiers: x.UnresolvedIdentifiers, RestrictedEvents: x.RestrictedEvents,
		Categories: make([]categoryExposureView, 0, len(x.Categories)),
	}
	if x.Events > 0 {
		v.First, v.Last = optionalTime(x.First), optionalTime(x.Last)
	}
	for _, c := range x.Categories {
		t, _ := taxonomy.LookupCategory(c.Category)
		cv := categoryExposureView{Code: c.Category, Name: t.Name, Subjects: c.Subjects}
		if t.Harm != "" {
			cv.Harm = &t.Harm
		}
		v.Categories = append(v.Categories, cv)
	}
	slices.SortStableFunc(v.Categories, func(a, b categoryExposureView) int {
		if (a.Harm == nil) != (b.Harm == nil) {
			if a.Harm != nil {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Subjects, a.Subjects), cmp.Compare(a.Code, b.Code))
	})
	return v
}

type exposedSubjectView struct {
	SubjectID            string   `json:"subject_id"`
	First                string   `json:"first"`
	Last                 string   `json:"last"`
	Events               uint64   `json:"events"`
	Categories           []string `json:"categories"`
	NotifiableCategories []string `json:"notifiable_categories"`
	// LetterWithheldUntil is set when every event is restricted: no letter
	// may name them before that date.
	LetterWithheldUntil *string `json:"letter_withheld_until"`
}

func newExposedSubjectView(x chstore.ExposedSubject) exposedSubjectView {
	v := exposedSubjectView{
		SubjectID: x.SubjectID, First: formatTime(x.First), Last: formatTime(x.Last), Events: x.Events,
		Categories: nonNil(x.Categories), NotifiableCategories: nonNil(x.Notifiable),
	}
	if len(x.Notifiable) == 0 {
		v.LetterWithheldUntil = optionalTime(x.ReviewAt)
	}
	return v
}

// letterBody is what the DPO writes into a breach letter.
type letterBody struct {
	Lang      string     `json:"lang"`
	From      *time.Time `json:"from"`
	To        *time.Time `json:"to"`
	Reference string     `json:"reference"`
	Nature    string     `json:"nature"`
	Measures  string     `json:"measures"`
}

// Bounds of a letter's texts.
const (
	maxLetterBody = 16 << 10
	maxLetterText = 4000
	maxReference  = 64
)

// check returns the first broken rule of the body.
func (b letterBody) check() error {
	switch {
	case !slices.Contains(breachletter.Languages(), b.Lang):
		return invalid("lang", "must be lv or en")
	case b.From != nil && b.To != nil && !b.From.Before(*b.To):
		return invalid("from", ruleWindow)
	case b.Reference == "" || len(b.Reference) > maxReference || !utf8.ValidString(b.Reference):
		return invalid("reference", "must be the incident's reference: 1-64 bytes of UTF-8")
	case strings.TrimSpace(b.Nature) == "" || len(b.Nature) > maxLetterText || !utf8.ValidString(b.Nature):
		return invalid("nature", "must say what happened, in the letter's language: 1-4000 bytes of UTF-8")
	case strings.TrimSpace(b.Measures) == "" || len(b.Measures) > maxLetterText || !utf8.ValidString(b.Measures):
		return invalid("measures", "must say what was done and what the subject can do, in the letter's language: 1-4000 bytes of UTF-8")
	}
	return nil
}

// handleLetter writes one subject's breach letter, as plain text, from the
// subject's line of the exposure: only categories the subject may be told
// of now. It is a lookup of the subject, audited as a consultation with
// the reason breach_notification.
func (s *Server) handleLetter(route string, kind chstore.PartyKind) func(w http.ResponseWriter, r *http.Request, c caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		if !allowed(w, c, RoleDPO) {
			return
		}
		p, err := parseParty(r, kind)
		if err != nil {
			writeParamError(w, err)
			return
		}
		subject := r.PathValue("subject_id")
		if !lineage.ValidSubjectID(subject) {
			writeParamError(w, invalid("subject_id", ruleSubjectID))
			return
		}
		var b letterBody
		if !decodeBody(w, r, maxLetterBody, &b,
			"the body must be one JSON object of at most 16 KiB with lang, reference, nature, measures and optionally from and to: ") {
			return
		}
		if err := b.check(); err != nil {
			writeParamError(w, err)
			return
		}
		var from, to time.Time
		if b.From != nil {
			from = b.From.UTC()
		}
		if b.To != nil {
			to = b.To.UTC()
		}
		s.writeLetter(w, r, c, route, p, subject, from, to, b)
	}
}

// writeLetter audits the letter as a lookup of the subject (reason
// breach_notification) and writes it from the subject's line of the
// party's exposure in [from, to), b being checked.
func (s *Server) writeLetter(w http.ResponseWriter, r *http.Request, c caller, route string, p party, subject string, from, to time.Time, b letterBody) {
	rec := s.partyRecord(r, c, route, p, from, to)
	rec.SubjectID, rec.Reason = subject, audit.ReasonBreachNotification
	if !s.writeAudit(w, r, rec) {
		return
	}
	now := s.now().UTC()
	q := chstore.ExposureQuery{Kind: p.kind, Party: p.id, From: from, To: to, Now: now}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	line, ok, err := s.store.ExposedSubject(ctx, q, subject)
	if err != nil {
		s.storeFailed(w, r, "exposed subject", err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, codeNotExposed, "the party holds no data of this customer in the window")
		return
	}
	if len(line.Notifiable) == 0 {
		writeError(w, http.StatusConflict, codeLetterWithheld,
			"every disclosure of this customer in the window is restricted until "+formatTime(line.ReviewAt)+"; no letter may name it before")
		return
	}
	reg, err := register.Declared()
	if err != nil {
		s.storeFailed(w, r, "register", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	err = breachletter.Write(w, breachletter.Letter{
		Lang: b.Lang, SubjectID: subject, Date: now, Reference: b.Reference,
		Party: partyName(p, line.RecipientName, b.Lang), Nature: b.Nature, Measures: b.Measures,
		First: line.First, Last: line.Last, Categories: line.Notifiable, DPOContact: reg.DPOContact,
	})
	if err != nil {
		s.log.ErrorContext(ctx, "letter not written", keyError, err.Error())
	}
}
