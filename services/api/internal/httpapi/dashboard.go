package httpapi

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/register"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/taxonomy"
	"github.com/balticom/lineage/services/chstore"
)

// The endpoints of the DPO's and the responders' web dashboard: who is
// signed in, the codes to label things with, the DPO's overview of a
// window and the events behind each of its numbers, and a subject's
// lineage as a graph.
const (
	routeMe             = "GET /v1/me"
	routeTaxonomy       = "GET /v1/taxonomy"
	routeOverview       = "GET /v1/overview"
	routeEventList      = "GET /v1/events"
	routeSubjectLineage = "GET /v1/subjects/{subject_id}/lineage"
)

var (
	overviewParams  = []string{"from", "to", "recipient_id", "source_system"}
	eventListParams = []string{"from", "to", "source_system", "recipient_id", "recipient_category", "legal_basis", "purpose",
		"data_category", "country", "kind", "transfer_mechanism", "limit", "cursor"}
	lineageParams = []string{"from", "to", "category", "purpose", "access_request", "include_restricted"}
)

// Bounds of the overview's window and lists.
const (
	overviewDefaultDays = 30
	overviewMaxDays     = 366
	maxOverviewRecips   = 1000
	defaultEventList    = 50
	eventListPartyKind  = "events"
	// countsEvents says what the overview's counts are: events, each once
	// however often it was stored, from the settled rollups.
	countsEvents = "events"
)

// handleMe answers who the caller is: the sign-in's first question. It
// names no subject, so it is not audited.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, c caller) {
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, codeUnknownParameter, "this endpoint takes no parameters")
		return
	}
	writeJSON(w, http.StatusOK, meResponse{Name: c.Name, Role: string(c.Role)})
}

type meResponse struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// handleTaxonomy answers the policy's codes with their English and Latvian
// names, which the dashboard labels everything with. Not audited.
func (s *Server) handleTaxonomy(w http.ResponseWriter, r *http.Request, c caller) {
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, codeUnknownParameter, "this endpoint takes no parameters")
		return
	}
	categories := make([]termView, 0, 40)
	for _, c := range taxonomy.Categories() {
		v := newTermView(c.Term)
		if c.Harm != "" {
			v.Harm = &c.Harm
		}
		categories = append(categories, v)
	}
	writeJSON(w, http.StatusOK, taxonomyResponse{
		DataCategories:      categories,
		Purposes:            termViews(taxonomy.Purposes()),
		LegalBases:          termViews(taxonomy.LegalBases()),
		RecipientCategories: termViews(taxonomy.RecipientCategories()),
		SourceSystems:       termViews(taxonomy.SourceSystems()),
		DataSources:         termViews(taxonomy.DataSources()),
	})
}

type taxonomyResponse struct {
	DataCategories      []termView `json:"data_categories"`
	Purposes            []termView `json:"purposes"`
	LegalBases          []termView `json:"legal_bases"`
	RecipientCategories []termView `json:"recipient_categories"`
	SourceSystems       []termView `json:"source_systems"`
	DataSources         []termView `json:"data_sources"`
}

// termView is a code and its names. Harm is set on the data categories
// whose breach points to particular harm, absent elsewhere.
type termView struct {
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	NameLV string  `json:"name_lv"`
	Cite   string  `json:"cite"`
	Harm   *string `json:"harm,omitempty"`
}

func newTermView(t taxonomy.Term) termView {
	return termView{Code: t.Code, Name: t.Name, NameLV: t.NameLV, Cite: t.Cite}
}

func termViews(ts []taxonomy.Term) []termView {
	out := make([]termView, len(ts))
	for i, t := range ts {
		out[i] = newTermView(t)
	}
	return out
}

// overviewRequest is a validated overview question.
type overviewRequest struct {
	from, to time.Time
	q        chstore.OverviewQuery
}

// parseOverview reads the window (whole UTC days, to exclusive; by default
// the 30 days before today) and the optional recipient or source system.
func parseOverview(rawQuery string, now time.Time) (overviewRequest, error) {
	values, err := queryValues(rawQuery, overviewParams)
	if err != nil {
		return overviewRequest{}, err
	}
	today := now.UTC().Truncate(24 * time.Hour)
	o := overviewRequest{to: today}
	day := func(name string) (time.Time, bool, error) {
		v, ok := values[name]
		if !ok {
			return time.Time{}, false, nil
		}
		t, err := time.Parse(time.DateOnly, v[0])
		if err != nil {
			return time.Time{}, false, invalid(name, "must be a date YYYY-MM-DD (UTC days; to is exclusive)")
		}
		return t, true, nil
	}
	to, toSet, err := day("to")
	if err != nil {
		return overviewRequest{}, err
	}
	if toSet {
		o.to = to
	}
	o.from = o.to.AddDate(0, 0, -overviewDefaultDays)
	from, fromSet, err := day("from")
	if err != nil {
		return overviewRequest{}, err
	}
	if fromSet {
		o.from = from
		if !toSet {
			o.to = from.AddDate(0, 0, overviewDefaultDays)
		}
	}
	switch {
	case !o.from.Before(o.to):
		return overviewRequest{}, invalid("from", ruleWindow)
	case o.to.Sub(o.from) > overviewMaxDays*24*time.Hour:
		return overviewRequest{}, invalid("to", "must be at most 366 days after from")
	}
	f, err := parseEventFilter(values)
	if err != nil {
		return overviewRequest{}, err
	}
	o.q = chstore.OverviewQuery{From: o.from, To: o.to, RecipientID: f.RecipientID, SourceSystem: f.SourceSystem}
	return o, nil
}

// eventKinds are the kinds of events the events list filters by.
var eventKinds = []string{string(lineage.Access), string(lineage.Transfer), string(lineage.ProcessorHandoff)}

// parseEventFilter validates each filter of the events list that values
// holds: codes against the taxonomy, as elsewhere, with a rule that names
// the field.
func parseEventFilter(values url.Values) (chstore.EventFilter, error) {
	var f chstore.EventFilter
	for _, p := range []struct {
		name, rule string
		to         *string
		known      func(string) bool
	}{
		{"recipient_id", "must be a recipient id: 1-128 characters of letters, digits and _ . : @ / -", &f.RecipientID, lineage.ValidRecipientID},
		{"source_system", "must be a source system code of the taxonomy, e.g. billing", &f.SourceSystem,
			func(c string) bool { _, ok := taxonomy.LookupSourceSystem(c); return ok }},
		{"recipient_category", "must be a recipient category code, e.g. processor", &f.RecipientCategory,
			func(c string) bool { _, ok := taxonomy.LookupRecipientCategory(c); return ok }},
		{"legal_basis", "must be a legal basis code of the policy (§6), e.g. contract", &f.LegalBasis,
			func(c string) bool { _, ok := taxonomy.LookupLegalBasis(c); return ok }},
		{"purpose", "must be a purpose code of the policy (§5), e.g. service_provision", &f.Purpose,
			func(c string) bool { _, ok := taxonomy.LookupPurpose(c); return ok }},
		{"data_category", "must be a data category code of the policy (annex 1), e.g. billing", &f.DataCategory,
			func(c string) bool { _, ok := taxonomy.LookupCategory(c); return ok }},
		{"country", "must be an ISO 3166-1 alpha-2 country code in upper case, e.g. IN", &f.Country,
			func(c string) bool { _, ok := taxonomy.LookupCountry(c); return ok }},
		{"kind", "must be access, transfer, processor_handoff or disclosure (either of the last two)", &f.Kind,
			func(c string) bool { return slices.Contains(eventKinds, c) || c == chstore.KindDisclosure }},
		{"transfer_mechanism", "must be a transfer mechanism code, e.g. standard_contractual_clauses, or none", &f.TransferMechanism,
			func(c string) bool {
				_, ok := taxonomy.LookupTransferMechanism(c)
				return ok || c == chstore.MechanismNone
			}},
	} {
		if v, ok := values[p.name]; ok {
			if !p.known(v[0]) {
				return chstore.EventFilter{}, invalid(p.name, p.rule)
			}
			*p.to = v[0]
		}
	}
	return f, nil
}

// handleOverview answers the DPO's overview of a window from the daily
// rollups, and the open problems now. It names no subject: not audited.
func (s *Server) handleOverview(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	o, err := parseOverview(r.URL.RawQuery, s.now())
	if err != nil {
		writeParamError(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	var (
		wg       sync.WaitGroup
		overview chstore.Overview
		flags    []flagCountView
		flagsAt  time.Time
		ovErr    error
		flagsErr error
	)
	wg.Go(func() { overview, ovErr = s.store.Overview(ctx, o.q) })
	wg.Go(func() { flags, flagsAt, flagsErr = s.flagCounts.get(ctx, s.now, s.queryTimeout, s.countFlags) })
	wg.Wait()
	if err := cmp.Or(ovErr, flagsErr); err != nil {
		s.storeFailed(w, r, "overview", err)
		return
	}
	resp := newOverviewResponse(o, overview)
	resp.Flags, resp.FlagsAsOf = flags, formatTime(flagsAt)
	writeJSON(w, http.StatusOK, resp)
}

type overviewResponse struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Counts says what the counts are: events, each once, as of the
	// rollups' last settlement.
	Counts string `json:"counts"`
	// UnsettledDays is the days with events stored since the last
	// settlement, not counted yet (any window's).
	UnsettledDays        int                     `json:"unsettled_days"`
	Totals               overviewTotals          `json:"totals"`
	EventsPerDay         []dayView               `json:"events_per_day"`
	RecipientsByCategory []recipientCategoryView `json:"recipients_by_category"`
	DisclosuresByBasis   []basisView             `json:"disclosures_by_basis"`
	ThirdCountry         []thirdCountryView      `json:"third_country"`
	DataCategories       []categoryCountView     `json:"data_categories"`
	Recipients           []overviewRecipientView `json:"recipients"`
	// RecipientsTruncated says recipients holds only the first 1,000, by
	// events.
	RecipientsTruncated bool            `json:"recipients_truncated"`
	Flags               []flagCountView `json:"flags"`
	// FlagsAsOf is when the flags were counted: they are reused for
	// FlowsMaxAge.
	FlagsAsOf string `json:"flags_as_of"`
}

type overviewTotals struct {
	Events                  uint64 `json:"events"`
	Disclosures             uint64 `json:"disclosures"`
	ThirdCountryDisclosures uint64 `json:"third_country_disclosures"`
	SubjectsApprox          uint64 `json:"subjects_approx"`
}

type dayView struct {
	Day          string `json:"day"`
	SourceSystem string `json:"source_system"`
	Events       uint64 `json:"events"`
}

type recipientCategoryView struct {
	Category   string `json:"category"`
	Recipients int    `json:"recipients"`
	Events     uint64 `json:"events"`
}

type basisView struct {
	LegalBasis string `json:"legal_basis"`
	Purpose    string `json:"purpose"`
	Events     uint64 `json:"events"`
}

type thirdCountryView struct {
	Country           string  `json:"country"`
	TransferMechanism *string `json:"transfer_mechanism"`
	Recipients        int     `json:"recipients"`
	Events            uint64  `json:"events"`
}

type categoryCountView struct {
	Category string `json:"category"`
	Events   uint64 `json:"events"`
}

type overviewRecipientView struct {
	RecipientID       string  `json:"recipient_id"`
	Name              string  `json:"name"`
	Category          string  `json:"category"`
	Country           string  `json:"country"`
	TransferMechanism *string `json:"transfer_mechanism"`
	Events            uint64  `json:"events"`
	FirstAt           *string `json:"first_at"`
	LastAt            *string `json:"last_at"`
}

// disclosure reports whether events of kind reach a recipient.
func disclosure(kind string) bool {
	return kind == string(lineage.Transfer) || kind == string(lineage.ProcessorHandoff)
}

// thirdCountry reports whether a disclosure to country leaves the EU/EEA;
// an unknown code counts as leaving it, so that it is looked at.
func thirdCountry(country string) bool {
	c, ok := taxonomy.LookupCountry(country)
	return !ok || !c.EEA
}

// newOverviewResponse adds the rollups' flows up into the overview's
// breakdowns; each list is ordered by events, most first, then by code.
func newOverviewResponse(o overviewRequest, x chstore.Overview) overviewResponse {
	resp := overviewResponse{
		From: o.from.Format(time.DateOnly), To: o.to.Format(time.DateOnly), Counts: countsEvents, UnsettledDays: x.UnsettledDays,
		Totals:       overviewTotals{SubjectsApprox: x.SubjectsApprox},
		EventsPerDay: make([]dayView, len(x.Days)), DataCategories: make([]categoryCountView, len(x.Categories)),
		RecipientsByCategory: []recipientCategoryView{}, DisclosuresByBasis: []basisView{}, ThirdCountry: []thirdCountryView{},
		Recipients: []overviewRecipientView{},
	}
	for i, d := range x.Days {
		resp.EventsPerDay[i] = dayView{Day: d.Day.Format(time.DateOnly), SourceSystem: d.SourceSystem, Events: d.Events}
	}
	for i, c := range x.Categories {
		resp.DataCategories[i] = categoryCountView{Category: c.Category, Events: c.Events}
	}
	type recipientKey struct{ id, category, country, mechanism string }
	var (
		byCategory  = map[string]*recipientCategoryView{}
		catRecips   = map[string]map[string]bool{}
		byBasis     = map[[2]string]*basisView{}
		byCountry   = map[[2]string]*thirdCountryView{}
		countryRcps = map[[2]string]map[string]bool{}
		recipients  = map[recipientKey]*overviewRecipientView{}
	)
	for _, f := range x.Flows {
		resp.Totals.Events += f.Events
		if !disclosure(f.Kind) {
			continue
		}
		resp.Totals.Disclosures += f.Events
		cv := byCategory[f.RecipientCategory]
		if cv == nil {
			cv = &recipientCategoryView{Category: f.RecipientCategory}
			byCategory[f.RecipientCategory], catRecips[f.RecipientCategory] = cv, map[string]bool{}
		}
		cv.Events += f.Events
		catRecips[f.RecipientCategory][f.RecipientID] = true
		bk := [2]string{f.LegalBasis, f.Purpose}
		if byBasis[bk] == nil {
			byBasis[bk] = &basisView{LegalBasis: f.LegalBasis, Purpose: f.Purpose}
		}
		byBasis[bk].Events += f.Events
		if thirdCountry(f.Country) {
			resp.Totals.ThirdCountryDisclosures += f.Events
			ck := [2]string{f.Country, f.TransferMechanism}
			if byCountry[ck] == nil {
				byCountry[ck] = &thirdCountryView{Country: f.Country, TransferMechanism: lineage.Ptr(f.TransferMechanism)}
				countryRcps[ck] = map[string]bool{}
			}
			byCountry[ck].Events += f.Events
			countryRcps[ck][f.RecipientID] = true
		}
		rk := recipientKey{f.RecipientID, f.RecipientCategory, f.Country, f.TransferMechanism}
		rv := recipients[rk]
		if rv == nil {
			rv = &overviewRecipientView{RecipientID: f.RecipientID, Name: f.RecipientName, Category: f.RecipientCategory,
				Country: f.Country, TransferMechanism: lineage.Ptr(f.TransferMechanism)}
			if sp, ok := x.RecipientTimes[f.RecipientID]; ok {
				rv.FirstAt, rv.LastAt = optionalTime(sp.First), optionalTime(sp.Last)
			}
			recipients[rk] = rv
		}
		rv.Events += f.Events
	}
	for k, v := range byCategory {
		v.Recipients = len(catRecips[k])
		resp.RecipientsByCategory = append(resp.RecipientsByCategory, *v)
	}
	slices.SortFunc(resp.RecipientsByCategory, func(a, b recipientCategoryView) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Category, b.Category))
	})
	for _, v := range byBasis {
		resp.DisclosuresByBasis = append(resp.DisclosuresByBasis, *v)
	}
	slices.SortFunc(resp.DisclosuresByBasis, func(a, b basisView) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.LegalBasis, b.LegalBasis), cmp.Compare(a.Purpose, b.Purpose))
	})
	for k, v := range byCountry {
		v.Recipients = len(countryRcps[k])
		resp.ThirdCountry = append(resp.ThirdCountry, *v)
	}
	slices.SortFunc(resp.ThirdCountry, func(a, b thirdCountryView) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Country, b.Country),
			cmp.Compare(lineage.Deref(a.TransferMechanism), lineage.Deref(b.TransferMechanism)))
	})
	for _, v := range recipients {
		resp.Recipients = append(resp.Recipients, *v)
	}
	slices.SortFunc(resp.Recipients, func(a, b overviewRecipientView) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.RecipientID, b.RecipientID),
			cmp.Compare(a.Country, b.Country), cmp.Compare(a.Category, b.Category))
	})
	if len(resp.Recipients) > maxOverviewRecips {
		resp.Recipients, resp.RecipientsTruncated = resp.Recipients[:maxOverviewRecips], true
	}
	return resp
}

// Kinds of the overview's flags, in the order the overview lists them.
const (
	flagConsentAfterWithdrawal = "consent_after_withdrawal"
	flagOptOutBreached         = "opt_out_breached"
	flagRetentionExceeded      = "retention_exceeded"
	flagErasureUnconfirmed     = "erasure_unconfirmed"
	flagUndeclaredRecipient    = "undeclared_recipient"
	flagUndeclaredCountry      = "undeclared_country"
	flagUndeclaredPurpose      = "undeclared_purpose"
	flagRequestOverdue         = "access_request_overdue"
)

// flagCountView is how many open problems of a kind there are now, and
// the endpoint that lists them. Approximate is set when the count is a
// lower bound: the list it comes from was cut at its page size.
type flagCountView struct {
	Kind        string `json:"kind"`
	Count       int    `json:"count"`
	Href        string `json:"href"`
	Approximate bool   `json:"approximate"`
}

// stale is a value kept for maxAge and then answered while it is made
// anew in the background, so that only the first caller waits: the
// overview's flags take seconds to count on a large store (6 s for 12
// million events, BenchmarkDashboard/flag_lists), the page 300 ms.
type stale[T any] struct {
	maxAge     time.Duration
	mu         sync.Mutex
	value      T
	at         time.Time
	refreshing bool
}

// get returns the value and when it was made: made now if there is none
// yet, else the one there is, starting a refresh (bounded by timeout, not
// by the request) when it is older than maxAge. A failed refresh leaves
// the old value, to be tried again by the next caller.
func (c *stale[T]) get(ctx context.Context, now func() time.Time, timeout time.Duration, fetch func(context.Context) (T, error)) (T, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		v, err := fetch(ctx)
		if err != nil {
			return v, time.Time{}, err
		}
		c.value, c.at = v, now()
		return c.value, c.at, nil
	}
	if now().Sub(c.at) >= c.maxAge && !c.refreshing {
		c.refreshing = true
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
			defer cancel()
			v, err := fetch(ctx)
			c.mu.Lock()
			defer c.mu.Unlock()
			if err == nil {
				c.value, c.at = v, now()
			}
			c.refreshing = false
		}()
	}
	return c.value, c.at, nil
}

// CountFlags counts the overview's flags in the background, as the first
// overview would: called at start, so that the first DPO to open the
// overview after a start does not wait the seconds the count takes.
func (s *Server) CountFlags(ctx context.Context) {
	go func() {
		ctx, cancel := context.WithTimeout(ctx, s.queryTimeout)
		defer cancel()
		if _, _, err := s.flagCounts.get(ctx, s.now, s.queryTimeout, s.countFlags); err != nil {
			s.log.Warn("counting the overview's flags at start", "err", err)
		}
	}()
}

// countFlags counts the open problems now, whatever the window, from the
// lists behind them, read concurrently. The consent flags and the
// retention list read the whole store's consent and dated events, the
// differences every flow, so the server keeps the counts (flagCounts).
func (s *Server) countFlags(ctx context.Context) ([]flagCountView, error) {
	out := []flagCountView{
		{Kind: flagConsentAfterWithdrawal, Href: "/v1/flags?kind=" + flagsConsent},
		{Kind: flagOptOutBreached, Href: "/v1/flags?kind=" + flagsConsent},
		{Kind: flagRetentionExceeded, Href: "/v1/retention"},
		{Kind: flagErasureUnconfirmed, Href: "/v1/erasures"},
		{Kind: flagUndeclaredRecipient, Href: "/v1/register/differences"},
		{Kind: flagUndeclaredCountry, Href: "/v1/register/differences"},
		{Kind: flagUndeclaredPurpose, Href: "/v1/register/differences"},
		{Kind: flagRequestOverdue, Href: "/v1/requests"},
	}
	// Each kind's element is found before the counts start: the counts
	// run concurrently, and each writes only its own elements.
	byKind := make(map[string]*flagCountView, len(out))
	for i := range out {
		byKind[out[i].Kind] = &out[i]
	}
	at := func(kind string) *flagCountView { return byKind[kind] }
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	run := func(f func() error) {
		wg.Go(func() {
			if err := f(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	run(func() error {
		flags, err := s.store.ConsentFlags(ctx, time.Time{}, time.Time{})
		for _, f := range flags {
			switch f.Kind {
			case subjectfact.ConsentAfterWithdrawal:
				at(flagConsentAfterWithdrawal).Count++
			case subjectfact.OptOutViolation:
				at(flagOptOutBreached).Count++
			}
		}
		return err
	})
	run(func() error {
		answer, err := s.store.Retention(ctx, chstore.RetentionQuery{Limit: chstore.MaxRetentionSubjects})
		f := at(flagRetentionExceeded)
		f.Count, f.Approximate = len(answer.Lines), answer.Next != ""
		return err
	})
	run(func() error {
		requests, err := s.store.Erasures(ctx, defaultErasureList)
		if err != nil {
			return err
		}
		f := at(flagErasureUnconfirmed)
		f.Approximate = len(requests) == defaultErasureList
		for _, q := range requests {
			e, found, err := s.erasureOf(ctx, q.SubjectID)
			if err != nil {
				return err
			}
			if found && e.Unconfirmed > 0 {
				f.Count++
			}
		}
		return nil
	})
	run(func() error {
		reg, err := register.Declared()
		if err != nil {
			return err
		}
		flows, _, err := s.flows.get(ctx, s.now, s.store.Flows)
		d := reg.Compare(flows)
		at(flagUndeclaredRecipient).Count = len(d.UndeclaredRecipients)
		at(flagUndeclaredCountry).Count = len(d.UndeclaredTransfers)
		at(flagUndeclaredPurpose).Count = len(d.UndeclaredPurposes)
		return err
	})
	run(func() error {
		open, err := s.store.OpenRequestEvents(ctx)
		for _, events := range open {
			if q, err := accessrequest.Fold(events); err == nil && q.Overdue(s.now()) {
				at(flagRequestOverdue).Count++
			}
		}
		return err
	})
	wg.Wait()
	return out, errors.Join(errs...)
}

// eventListRequest is a validated question for the events behind a number.
type eventListRequest struct {
	q        chstore.EventListQuery
	filter   string // the filter as a query string, for the audit record
	limitSet bool
	cursor   *string
}

func parseEventList(rawQuery string) (eventListRequest, error) {
	values, err := queryValues(rawQuery, eventListParams)
	if err != nil {
		return eventListRequest{}, err
	}
	e := eventListRequest{q: chstore.EventListQuery{Limit: defaultEventList}}
	if e.q.From, e.q.To, err = parseWindow(values); err != nil {
		return eventListRequest{}, err
	}
	if e.q.Filter, err = parseEventFilter(values); err != nil {
		return eventListRequest{}, err
	}
	if v, ok := values["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > MaxLimit {
			return eventListRequest{}, invalid("limit", ruleLimit)
		}
		e.q.Limit, e.limitSet = n, true
	}
	if v, ok := values["cursor"]; ok {
		c, err := decodeCursor(v[0])
		if err != nil {
			return eventListRequest{}, invalid("cursor", ruleCursor)
		}
		e.q.After, e.cursor = &c, &v[0]
	}
	filter := url.Values{}
	for name, v := range values {
		if name != "from" && name != "to" && name != "limit" && name != "cursor" {
			filter[name] = v
		}
	}
	e.filter = cmp.Or(filter.Encode(), "all")
	return e, nil
}

// handleEventList answers one page of the events behind a number of the
// overview, each with its subject. It lists subjects, so it is audited as
// one record of the list (party kind events, the filter as the party),
// like a breach list, not as a lookup of each subject.
func (s *Server) handleEventList(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	e, err := parseEventList(r.URL.RawQuery)
	if err != nil {
		writeParamError(w, err)
		return
	}
	rec := s.auditRecord(r, c, routeEventList, "")
	rec.PartyKind, rec.Party = eventListPartyKind, e.filter
	rec.From, rec.To, rec.Cursor = timePtr(e.q.From), timePtr(e.q.To), e.cursor
	if e.limitSet {
		rec.Limit = &e.q.Limit
	}
	if !s.writeAudit(w, r, rec) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	page, err := s.store.EventList(ctx, e.q)
	if err != nil {
		s.storeFailed(w, r, "event list", err)
		return
	}
	resp := eventListResponse{Events: make([]listedEventView, len(page.Events))}
	for i := range page.Events {
		ev := &page.Events[i].Event
		resp.Events[i] = listedEventView{SubjectID: ev.SubjectID, eventView: newEventView(ev)}
	}
	if page.Next != nil {
		c := encodeCursor(*page.Next)
		resp.NextCursor = &c
	}
	writeJSON(w, http.StatusOK, resp)
}

type eventListResponse struct {
	Events     []listedEventView `json:"events"`
	NextCursor *string           `json:"next_cursor"`
}

// listedEventView is an event as a subject's timeline shows it, with its
// subject as stored: a customer id, or an identifier's key (kind:hmac) for
// an event its source knew only by an identifier.
type listedEventView struct {
	SubjectID string `json:"subject_id"`
	eventView
}

// Columns and placeholders of a lineage graph.
const (
	columnSource    = "source"
	columnSystem    = "system"
	columnRecipient = "recipient"
	sourceNotStated = "not_stated"
)

// handleSubjectLineage answers a subject's lineage as a graph of three
// columns: where the data came from (the policy §16 source an event
// states), the operator's systems, and the recipients. A lookup of the
// subject like /recipients: the responder's access request, restricted
// disclosures and the withheld windows as there.
func (s *Server) handleSubjectLineage(w http.ResponseWriter, r *http.Request, c caller) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err == nil {
		if v, ok := values["category"]; ok && len(v) == 1 {
			if _, known := taxonomy.LookupCategory(v[0]); !known {
				err = invalid("category", "must be a data category code of the policy (annex 1), e.g. billing")
			}
		}
		if v, ok := values["purpose"]; ok && len(v) == 1 {
			if _, known := taxonomy.LookupPurpose(v[0]); !known {
				err = invalid("purpose", "must be a purpose code of the policy (§5), e.g. service_provision")
			}
		}
	}
	if err != nil {
		writeParamError(w, err)
		return
	}
	l, ok := s.beginLookup(w, r, c, routeSubjectLineage, lineageParams)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	answer, err := s.store.Lineage(ctx, chstore.LineageQuery{
		SubjectID: l.SubjectID, From: l.From, To: l.To, Category: values.Get("category"), Purpose: values.Get("purpose"),
		Restricted: s.restricted(l),
	})
	if err != nil {
		s.storeFailed(w, r, "lineage", err)
		return
	}
	resp := newLineageResponse(l.SubjectID, answer.Flows)
	resp.Withheld = newWithheld(answer.Contested)
	writeJSON(w, http.StatusOK, resp)
}

type lineageResponse struct {
	SubjectID string         `json:"subject_id"`
	Nodes     []nodeView     `json:"nodes"`
	Edges     []edgeView     `json:"edges"`
	Withheld  []withheldView `json:"withheld"`
}

// nodeView is a node of the graph. The recipient's members are null on
// the other columns' nodes; Name is the taxonomy's English name of a
// source or system, a recipient's name on its latest event.
type nodeView struct {
	ID                string  `json:"id"`
	Column            string  `json:"column"`
	Code              string  `json:"code"`
	Name              string  `json:"name"`
	Category          *string `json:"category"`
	Country           *string `json:"country"`
	TransferMechanism *string `json:"transfer_mechanism"`
	Restricted        *bool   `json:"restricted"`
}

type edgeView struct {
	From           string   `json:"from"`
	To             string   `json:"to"`
	Events         uint64   `json:"events"`
	DataCategories []string `json:"data_categories"`
	Purposes       []string `json:"purposes"`
	LegalBases     []string `json:"legal_bases"`
	FirstAt        string   `json:"first_at"`
	LastAt         string   `json:"last_at"`
}

// newLineageResponse folds the store's flows into nodes (sources, then
// systems, then recipients, each by code) and edges (source to system,
// system to recipient); an event is in one flow, so the edges' counts add
// up exactly.
func newLineageResponse(subject string, flows []chstore.LineageFlow) lineageResponse {
	resp := lineageResponse{SubjectID: subject, Nodes: []nodeView{}, Edges: []edgeView{}}
	nodes := map[string]*nodeView{}
	edges := map[[2]string]*edgeView{}
	node := func(column, code, name string) string {
		id := column + ":" + code
		if nodes[id] == nil {
			nodes[id] = &nodeView{ID: id, Column: column, Code: code, Name: name}
		}
		return id
	}
	edge := func(from, to string, f chstore.LineageFlow) {
		e := edges[[2]string{from, to}]
		if e == nil {
			e = &edgeView{From: from, To: to, FirstAt: formatTime(f.First), LastAt: formatTime(f.Last)}
			edges[[2]string{from, to}] = e
		}
		e.Events += f.Events
		e.DataCategories = sortedSet(append(e.DataCategories, f.DataCategories...))
		e.Purposes = sortedSet(append(e.Purposes, f.Purposes...))
		e.LegalBases = sortedSet(append(e.LegalBases, f.LegalBases...))
		e.FirstAt, e.LastAt = min(e.FirstAt, formatTime(f.First)), max(e.LastAt, formatTime(f.Last))
	}
	for _, f := range flows {
		source := cmp.Or(f.DataSource, sourceNotStated)
		sourceName := "Not stated"
		if t, ok := taxonomy.LookupDataSource(source); ok {
			sourceName = t.Name
		}
		systemName := f.SourceSystem
		if t, ok := taxonomy.LookupSourceSystem(f.SourceSystem); ok {
			systemName = t.Name
		}
		from, via := node(columnSource, source, sourceName), node(columnSystem, f.SourceSystem, systemName)
		edge(from, via, f)
		if f.RecipientID == "" {
			continue
		}
		to := node(columnRecipient, f.RecipientID, f.RecipientName)
		n := nodes[to]
		if n.Category == nil {
			n.Category, n.Country, n.TransferMechanism = &f.RecipientCategory, &f.Country, lineage.Ptr(f.TransferMechanism)
			n.Restricted = new(bool)
		}
		*n.Restricted = *n.Restricted || f.Restricted
		edge(via, to, f)
	}
	rank := map[string]int{columnSource: 0, columnSystem: 1, columnRecipient: 2}
	for _, n := range nodes {
		resp.Nodes = append(resp.Nodes, *n)
	}
	slices.SortFunc(resp.Nodes, func(a, b nodeView) int {
		return cmp.Or(cmp.Compare(rank[a.Column], rank[b.Column]), strings.Compare(a.Code, b.Code))
	})
	for _, e := range edges {
		resp.Edges = append(resp.Edges, *e)
	}
	slices.SortFunc(resp.Edges, func(a, b edgeView) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To))
	})
	return resp
}
