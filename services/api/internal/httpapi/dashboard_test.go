package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/register"
	"github.com/balticom/lineage/pkg/taxonomy"
	"github.com/balticom/lineage/services/chstore"
)

// decode decodes a 200 answer into v.
func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
}

// TestMeAndTaxonomy: any role, not audited, names and codes as the
// taxonomy has them.
func TestMeAndTaxonomy(t *testing.T) {
	a := &recordingAuditor{}
	s := newTestServer(t, fixtureStore(), a, &bytes.Buffer{})
	for token, want := range map[string]meResponse{dpoToken: {"dpo", "dpo"}, deskToken: {"dsar-desk", "access_responder"}} {
		rec := get(s, "/v1/me", bearer(token, "me"))
		var me meResponse
		decode(t, rec, &me)
		if me != want {
			t.Errorf("me = %+v, want %+v", me, want)
		}
	}
	rec := get(s, "/v1/taxonomy", bearer(deskToken, "tx"))
	var tx taxonomyResponse
	decode(t, rec, &tx)
	if len(tx.DataCategories) != len(taxonomy.Categories()) || len(tx.DataSources) != len(taxonomy.DataSources()) ||
		len(tx.Purposes) == 0 || len(tx.LegalBases) == 0 || len(tx.RecipientCategories) == 0 || len(tx.SourceSystems) == 0 {
		t.Fatalf("taxonomy %+v", tx)
	}
	harm := 0
	for _, c := range tx.DataCategories {
		if c.NameLV == "" || c.Cite == "" {
			t.Errorf("category %+v lacks a name or cite", c)
		}
		if c.Harm != nil {
			harm++
		}
	}
	if harm == 0 || tx.Purposes[0].Harm != nil {
		t.Errorf("harm on %d categories, on a purpose %v", harm, tx.Purposes[0].Harm)
	}
	if rec := get(s, "/v1/me?x=1", bearer(dpoToken, "bad")); rec.Code != http.StatusBadRequest {
		t.Errorf("/v1/me?x=1: %d", rec.Code)
	}
	if len(a.records) != 0 {
		t.Errorf("audited %+v", a.records)
	}
}

// dashboardEvents are the events of the dashboard's real store: two
// transfers to the bank (one stored twice), a hand-off to the vendor in
// India, an access with its data source stated, a CDR under a phone number
// that customer 7 held, and a restricted disclosure to the police of
// customer 7.
func dashboardEvents(msisdn lineage.Identifier) []chstore.StoredEvent {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	stated := lineagetest.Access(lineagetest.UUID(4), lineagetest.Subject(1), at)
	stated.Attributes = map[string]string{chstore.AttrDataSource: "customer"}
	restricted := lineagetest.CDR(lineagetest.UUID(6), msisdn, at.Add(2*time.Hour))
	restricted.SubjectIdentifier, restricted.SubjectID = nil, lineagetest.Subject(7)
	restricted.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums, 375. pants", ReviewAt: at.AddDate(1, 0, 0)}
	var events []chstore.StoredEvent
	for _, e := range []lineage.Event{
		lineagetest.Transfer(lineagetest.UUID(1), lineagetest.Subject(1), at),
		lineagetest.Transfer(lineagetest.UUID(2), lineagetest.Subject(2), at.Add(time.Hour)),
		lineagetest.Handoff(lineagetest.UUID(3), lineagetest.Subject(1), at.AddDate(0, 0, 1)),
		stated,
		lineagetest.CDR(lineagetest.UUID(5), msisdn, at.Add(time.Hour)),
		restricted,
	} {
		events = append(events, chstore.StoredEvent{Event: e, Offset: int64(len(events))})
	}
	// The retry: the first transfer stored again.
	return append(events, chstore.StoredEvent{Event: events[0].Event, Offset: 100})
}

// dashboardRequest is an open access request whose identity check names
// customer 7, in the real store's request log.
const dashboardRequest = "AR-2026-DASHB2345678"

func dashboardServer(t *testing.T) (*Server, *recordingAuditor, lineage.Identifier) {
	t.Helper()
	msisdn := lineagetest.Identifier(lineage.MSISDN, 29123456)
	link := lineagetest.Link(lineagetest.Subject(7), msisdn, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{})
	store := newClickhouseStore(t, dashboardEvents(msisdn), chstore.StoredLink{IdentityLink: link})
	at := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	if err := store.InsertRequestEvents(t.Context(), []chstore.StoredRequestEvent{
		{Event: accessrequest.Event{EventID: lineagetest.UUID(900), RequestID: dashboardRequest, Type: accessrequest.Received,
			At: at, RecordedAt: at, Actor: "dsar-desk", Channel: accessrequest.Channel("e_signed_email")}},
		{Event: accessrequest.Event{EventID: lineagetest.UUID(901), RequestID: dashboardRequest, Type: accessrequest.IdentityChecked,
			At: at, RecordedAt: at, Actor: "dsar-desk", SubjectID: lineagetest.Subject(7), Method: accessrequest.IdentityMethod("secure_e_signature")},
			Offset: 1},
	}); err != nil {
		t.Fatal(err)
	}
	a := &recordingAuditor{}
	return newTestServer(t, store, a, &bytes.Buffer{}), a, msisdn
}

// TestOverviewEndpoint: the overview on the real store, whole and for one
// recipient, and what it refuses.
func TestOverviewEndpoint(t *testing.T) {
	s, a, _ := dashboardServer(t)
	rec := get(s, "/v1/overview?from=2026-03-01&to=2026-04-01", bearer(dpoToken, "o"))
	var o overviewResponse
	decode(t, rec, &o)
	// Six events in seven stored rows: the retried transfer counts once,
	// and nothing is waiting to be counted.
	if o.From != "2026-03-01" || o.To != "2026-04-01" || o.Counts != countsEvents || o.UnsettledDays != 0 ||
		o.Totals != (overviewTotals{Events: 6, Disclosures: 5, ThirdCountryDisclosures: 1, SubjectsApprox: 4}) {
		t.Errorf("overview %s %s %s totals %+v", o.From, o.To, o.Counts, o.Totals)
	}
	var perDay uint64
	for _, d := range o.EventsPerDay {
		perDay += d.Events
	}
	if perDay != 6 || len(o.EventsPerDay) != 4 || o.EventsPerDay[0].Day != "2026-03-02" {
		t.Errorf("events per day %+v", o.EventsPerDay)
	}
	if want := []thirdCountryView{{Country: "IN", TransferMechanism: lineage.Ptr("standard_contractual_clauses"), Recipients: 1, Events: 1}}; !reflect.DeepEqual(o.ThirdCountry, want) {
		t.Errorf("third country %+v", o.ThirdCountry)
	}
	if len(o.RecipientsByCategory) != 3 || o.RecipientsByCategory[0] != (recipientCategoryView{Category: "bank", Recipients: 1, Events: 2}) {
		t.Errorf("by category %+v", o.RecipientsByCategory)
	}
	if len(o.DisclosuresByBasis) != 3 || o.DisclosuresByBasis[0] != (basisView{LegalBasis: "contract", Purpose: "service_provision", Events: 2}) {
		t.Errorf("by basis %+v", o.DisclosuresByBasis)
	}
	bank := o.Recipients[0]
	if bank.RecipientID != "rcp-bank-swedbank" || bank.Name != "Swedbank AS" || bank.Events != 2 || bank.TransferMechanism != nil ||
		bank.FirstAt == nil || *bank.FirstAt != "2026-03-02T09:00:00.000000Z" || *bank.LastAt != "2026-03-02T10:00:00.000000Z" {
		t.Errorf("bank %+v", bank)
	}
	var kinds []string
	for _, f := range o.Flags {
		kinds = append(kinds, f.Kind)
		if f.Href == "" || f.Count < 0 {
			t.Errorf("flag %+v", f)
		}
	}
	if want := []string{flagConsentAfterWithdrawal, flagOptOutBreached, flagRetentionExceeded, flagErasureUnconfirmed,
		flagUndeclaredRecipient, flagUndeclaredCountry, flagUndeclaredPurpose, flagRequestOverdue}; !slices.Equal(kinds, want) {
		t.Errorf("flag kinds %v, want %v", kinds, want)
	}

	rec = get(s, "/v1/overview?from=2026-03-01&recipient_id=rcp-bank-swedbank", bearer(dpoToken, "o2"))
	var one overviewResponse
	decode(t, rec, &one)
	if one.To != "2026-03-31" || one.Totals.Events != 2 || one.Totals.SubjectsApprox != 2 || len(one.Recipients) != 1 {
		t.Errorf("the bank alone: %+v", one)
	}
	rec = get(s, "/v1/overview", bearer(dpoToken, "o3"))
	var def overviewResponse
	decode(t, rec, &def)
	if def.From != "2026-02-08" || def.To != "2026-03-10" {
		t.Errorf("default window %s..%s, want the 30 days before 2026-03-10", def.From, def.To)
	}
	for target, field := range map[string]string{
		"/v1/overview?from=2026-13-01":                          "from",
		"/v1/overview?from=2026-03-01T00:00:00Z":                "from",
		"/v1/overview?from=2025-01-01&to=2026-03-01":            "to",
		"/v1/overview?from=2026-03-02&to=2026-03-01":            "from",
		"/v1/overview?source_system=mainframe":                  "source_system",
		"/v1/overview?recipient_id=" + strings.Repeat("r", 200): "recipient_id",
		"/v1/overview?limit=5":                                  "limit",
	} {
		rec := get(s, target, bearer(dpoToken, "bad"))
		if e := errorOf(t, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || e.Field != field || e.Message == "" {
			t.Errorf("%s: %d %+v, want 400 naming %s", target, rec.Code, e, field)
		}
	}
	if rec := get(s, "/v1/overview", bearer(deskToken, "r")); rec.Code != http.StatusForbidden {
		t.Errorf("a responder: %d, want 403", rec.Code)
	}
	if len(a.records) != 0 {
		t.Errorf("the overview was audited: %+v", a.records)
	}
}

// TestEventListEndpoint: the events behind the bank's number, each once
// though one was stored twice, paged; one audit record of the list per
// page, with the filter.
func TestEventListEndpoint(t *testing.T) {
	s, a, msisdn := dashboardServer(t)
	target := "/v1/events?recipient_id=rcp-bank-swedbank&from=2026-03-01&limit=1"
	var got []string
	for range 5 {
		rec := get(s, target, bearer(dpoToken, "ev"))
		var page eventListResponse
		decode(t, rec, &page)
		for _, e := range page.Events {
			got = append(got, e.SubjectID+"/"+e.EventID)
		}
		if page.NextCursor == nil {
			break
		}
		target = "/v1/events?recipient_id=rcp-bank-swedbank&from=2026-03-01&limit=1&cursor=" + *page.NextCursor
	}
	want := []string{lineagetest.Subject(2) + "/" + lineagetest.UUID(2), lineagetest.Subject(1) + "/" + lineagetest.UUID(1)}
	if !slices.Equal(got, want) {
		t.Errorf("bank events %v, want %v (newest first, the retried one once)", got, want)
	}
	rec := a.last()
	if rec.PartyKind != eventListPartyKind || rec.Party != "recipient_id=rcp-bank-swedbank" || rec.SubjectID != "" ||
		rec.Cursor == nil || rec.From == nil || rec.Limit == nil || *rec.Limit != 1 || rec.Key() != "events:recipient_id=rcp-bank-swedbank" {
		t.Errorf("audit record %+v", rec)
	}

	r := get(s, "/v1/events?data_category=traffic_data&kind=transfer", bearer(dpoToken, "cdr"))
	var cdr eventListResponse
	decode(t, r, &cdr)
	if len(cdr.Events) != 2 || cdr.Events[0].SubjectID != lineagetest.Subject(7) || cdr.Events[1].SubjectID != msisdn.Key() ||
		cdr.Events[1].Recipient == nil || a.last().Party != "data_category=traffic_data&kind=transfer" {
		t.Errorf("the police's events %+v, record %+v", cdr.Events, a.last())
	}
	r = get(s, "/v1/events", bearer(dpoToken, "all"))
	var all eventListResponse
	decode(t, r, &all)
	if len(all.Events) != 6 || all.NextCursor != nil || a.last().Party != "all" {
		t.Errorf("every event: %d, next %v, party %q", len(all.Events), all.NextCursor, a.last().Party)
	}
	before := len(a.records)
	for target, field := range map[string]string{
		"/v1/events?country=India":           "country",
		"/v1/events?kind=copy":               "kind",
		"/v1/events?data_category=dna":       "data_category",
		"/v1/events?legal_basis=whim":        "legal_basis",
		"/v1/events?purpose=fun":             "purpose",
		"/v1/events?recipient_category=pals": "recipient_category",
		"/v1/events?limit=1001":              "limit",
		"/v1/events?cursor=abc":              "cursor",
		"/v1/events?subject_id=C1234567":     "subject_id",
	} {
		rec := get(s, target, bearer(dpoToken, "bad"))
		if e := errorOf(t, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || e.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", target, rec.Code, e, field)
		}
	}
	if rec := get(s, "/v1/events", bearer(deskToken, "r")); rec.Code != http.StatusForbidden {
		t.Errorf("a responder: %d, want 403", rec.Code)
	}
	if len(a.records) != before {
		t.Errorf("refused requests were audited")
	}
}

// TestLineageEndpoint: a customer known only by its phone number's
// events, a stated data source, and a restricted disclosure that a
// responder never sees and the DPO sees when asking for it.
func TestLineageEndpoint(t *testing.T) {
	s, a, _ := dashboardServer(t)
	lineageOf := func(t *testing.T, target, token string) lineageResponse {
		t.Helper()
		rec := get(s, target, bearer(token, "l"))
		var l lineageResponse
		decode(t, rec, &l)
		return l
	}
	request := dashboardRequest
	base := "/v1/subjects/" + lineagetest.Subject(7) + "/lineage"
	desk := lineageOf(t, base+"?access_request="+request, deskToken)
	if len(desk.Nodes) != 3 || desk.Nodes[0].ID != "source:not_stated" || desk.Nodes[1].ID != "system:cdr_mediation" ||
		desk.Nodes[2].ID != "recipient:rcp-state-police" || *desk.Nodes[2].Restricted || desk.Nodes[0].Category != nil {
		t.Errorf("the responder's nodes %+v", desk.Nodes)
	}
	if len(desk.Edges) != 2 || desk.Edges[0].Events != 1 || desk.Edges[1].Events != 1 ||
		!slices.Equal(desk.Edges[1].DataCategories, []string{"location", "traffic_data"}) {
		t.Errorf("the responder's edges %+v: want the CDR alone, through the number", desk.Edges)
	}
	if rec := a.last(); rec.SubjectID != lineagetest.Subject(7) || rec.AccessRequest != request || rec.Endpoint != "/v1/subjects/{subject_id}/lineage" {
		t.Errorf("audit record %+v", rec)
	}
	dpo := lineageOf(t, base+"?include_restricted=true", dpoToken)
	if len(dpo.Edges) != 2 || dpo.Edges[1].Events != 2 || !*dpo.Nodes[2].Restricted {
		t.Errorf("the DPO's lineage %+v", dpo)
	}
	if plain := lineageOf(t, base, dpoToken); plain.Edges[1].Events != 1 || *plain.Nodes[2].Restricted {
		t.Errorf("the DPO without include_restricted sees %+v", plain.Edges)
	}
	if rec := get(s, base+"?access_request="+request+"&include_restricted=true", bearer(deskToken, "x")); rec.Code != http.StatusForbidden {
		t.Errorf("a responder asking for restricted lines: %d", rec.Code)
	}

	one := lineageOf(t, "/v1/subjects/"+lineagetest.Subject(1)+"/lineage", dpoToken)
	var ids []string
	for _, n := range one.Nodes {
		ids = append(ids, n.ID)
	}
	want := []string{"source:customer", "source:not_stated", "system:billing", "system:crm", "system:third_country_processor",
		"recipient:rcp-bank-swedbank", "recipient:rcp-vendor-acme-in"}
	if !slices.Equal(ids, want) || one.Nodes[0].Name == "" || one.Edges[0].From != "source:customer" || one.Edges[0].To != "system:crm" {
		t.Errorf("customer 1's nodes %v, want %v; edges %+v", ids, want, one.Edges)
	}
	for _, e := range one.Edges {
		if e.To == "recipient:rcp-bank-swedbank" && e.Events != 1 {
			t.Errorf("the retried transfer counts %d times", e.Events)
		}
	}
	billing := lineageOf(t, "/v1/subjects/"+lineagetest.Subject(1)+"/lineage?category=billing", dpoToken)
	if len(billing.Edges) != 2 {
		t.Errorf("billing data only: %+v", billing.Edges)
	}
	for target, field := range map[string]string{
		base + "?category=dna":          "category",
		base + "?purpose=fun":           "purpose",
		base + "?from=yesterday":        "from",
		"/v1/subjects/29123456/lineage": "subject_id",
	} {
		rec := get(s, target, bearer(dpoToken, "bad"))
		if e := errorOf(t, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || e.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", target, rec.Code, e, field)
		}
	}
}

// TestRegisterFilter: the JSON answer and the CSV export hold exactly the
// filtered activities; a bad code names its field.
func TestRegisterFilter(t *testing.T) {
	s := newTestServer(t, fixtureStore(), okAuditor{}, &bytes.Buffer{})
	reg, err := register.Declared()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		f     register.Filter
	}{
		{"purpose=service_provision&source_system=crm", register.Filter{Purpose: "service_provision", SourceSystem: "crm"}},
		{"recipient_category=processor", register.Filter{RecipientCategory: "processor"}},
		{"legal_basis=consent&data_category=customer_analytics", register.Filter{LegalBasis: "consent", DataCategory: "customer_analytics"}},
	} {
		want := tc.f.Apply(reg)
		var wantRows []string
		for _, a := range want.Activities {
			// One row per recipient, one for an activity without.
			for range max(1, len(a.Recipients)) {
				wantRows = append(wantRows, a.ID)
			}
		}
		if len(want.Activities) == 0 || len(want.Activities) == len(reg.Activities) {
			t.Fatalf("%s keeps %d of %d activities: not a test", tc.query, len(want.Activities), len(reg.Activities))
		}
		rec := get(s, "/v1/register?"+tc.query, bearer(dpoToken, "j"))
		var got register.Register
		decode(t, rec, &got)
		if !reflect.DeepEqual(got.Activities, want.Activities) {
			t.Errorf("%s: JSON activities differ from the filter's", tc.query)
		}
		rec = get(s, "/v1/register?format=csv&"+tc.query, bearer(dpoToken, "c"))
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: csv %v", tc.query, err)
		}
		var gotRows []string
		for _, row := range rows[1:] {
			gotRows = append(gotRows, row[0])
		}
		if !slices.Equal(gotRows, wantRows) {
			t.Errorf("%s: csv rows %v, want %v", tc.query, gotRows, wantRows)
		}
	}
	for target, field := range map[string]string{
		"/v1/register?purpose=fun":                  "purpose",
		"/v1/register?format=csv&data_category=dna": "data_category",
		"/v1/register?recipient_category=friends":   "recipient_category",
		"/v1/register?source_system=mainframe":      "source_system",
		"/v1/register?legal_basis=whim&format=xlsx": "legal_basis",
	} {
		rec := get(s, target, bearer(dpoToken, "bad"))
		if e := errorOf(t, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || e.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", target, rec.Code, e, field)
		}
	}
}

// TestOpenAPIDocumentsDashboard: the dashboard's shapes and parameters are
// openapi.yaml's, both ways (as openapi_test.go checks the others).
func TestOpenAPIDocumentsDashboard(t *testing.T) {
	doc := readOpenAPI(t)
	schema := func(path ...string) []string { return append([]string{"components", "schemas"}, path...) }
	item := func(name, prop string) []string { return schema(name, "properties", prop, "items") }
	for _, tc := range []struct {
		path []string
		v    any
	}{
		{schema("Me"), meResponse{}}, {schema("Taxonomy"), taxonomyResponse{}}, {schema("Term"), termView{}},
		{schema("Overview"), overviewResponse{}}, {schema("Overview", "properties", "totals"), overviewTotals{}},
		{item("Overview", "events_per_day"), dayView{}}, {item("Overview", "recipients_by_category"), recipientCategoryView{}},
		{item("Overview", "disclosures_by_basis"), basisView{}}, {item("Overview", "third_country"), thirdCountryView{}},
		{item("Overview", "data_categories"), categoryCountView{}}, {schema("OverviewRecipient"), overviewRecipientView{}},
		{schema("FlagCount"), flagCountView{}}, {schema("EventList"), eventListResponse{}}, {schema("ListedEvent"), listedEventView{}},
		{schema("Lineage"), lineageResponse{}}, {schema("LineageNode"), nodeView{}}, {schema("LineageEdge"), edgeView{}},
	} {
		where := strings.Join(tc.path, ".")
		_, sch, ok := doc.find(tc.path...)
		if !ok {
			t.Errorf("openapi.yaml has no schema %s", where)
			continue
		}
		_, props, _ := sch.find("properties")
		var names, required []string
		for _, f := range jsonFields(reflect.TypeOf(tc.v)) {
			names = append(names, f.name)
			if !f.optional {
				required = append(required, f.name)
			}
			value, block, ok := props.find(f.name)
			if ok && nullable(value, block) != f.nullable {
				t.Errorf("openapi.yaml %s.%s: nullable is %v, want %v", where, f.name, !f.nullable, f.nullable)
			}
		}
		sameSet(t, where+" properties", props.keys(), names)
		value, block, _ := sch.find("required")
		sameSet(t, where+" required", flowList(value, block), required)
	}
	for route, allowed := range map[string][]string{
		routeMe: nil, routeTaxonomy: nil, routeOverview: overviewParams, routeEventList: eventListParams,
		routeSubjectLineage: lineageParams,
	} {
		method, path, _ := strings.Cut(route, " ")
		_, params, _ := doc.find("paths", path, strings.ToLower(method), "parameters")
		var query []string
		for _, p := range params.items() {
			if value, _, ok := p.find("$ref"); ok {
				ref := strings.Split(strings.Trim(value, `'"`), "/")
				_, p, _ = doc.find("components", "parameters", ref[len(ref)-1])
			}
			in, _, _ := p.find("in")
			name, _, _ := p.find("name")
			if in == "query" {
				query = append(query, name)
			}
		}
		sameSet(t, route+" query parameters", query, allowed)
	}
	sameSet(t, "flag kinds", documentedEnum(t, doc, schema("FlagCount", "properties", "kind")...), []string{
		flagConsentAfterWithdrawal, flagOptOutBreached, flagRetentionExceeded, flagErasureUnconfirmed,
		flagUndeclaredRecipient, flagUndeclaredCountry, flagUndeclaredPurpose, flagRequestOverdue})
}

// TestStaleCounts: the first caller waits for the value, later ones get
// the kept value, and once it is old, the old value while a new one is
// made in the background.
func TestStaleCounts(t *testing.T) {
	var (
		c     = stale[int]{maxAge: time.Minute}
		clock = testNow()
		calls atomic.Int32
		made  = make(chan struct{}, 4)
	)
	now := func() time.Time { return clock }
	fetch := func(context.Context) (int, error) {
		n := int(calls.Add(1))
		made <- struct{}{}
		return n, nil
	}
	if v, at, err := c.get(t.Context(), now, time.Second, fetch); v != 1 || !at.Equal(clock) || err != nil {
		t.Fatalf("first: %d %v %v", v, at, err)
	}
	<-made
	if v, _, _ := c.get(t.Context(), now, time.Second, fetch); v != 1 || calls.Load() != 1 {
		t.Fatalf("within maxAge: %d after %d fetches", v, calls.Load())
	}
	clock = clock.Add(2 * time.Minute)
	if v, _, _ := c.get(t.Context(), now, time.Second, fetch); v != 1 {
		t.Fatalf("old: %d, want the kept 1 while a new one is made", v)
	}
	<-made
	for range 100 {
		if v, at, _ := c.get(t.Context(), now, time.Second, fetch); v == 2 && at.Equal(clock) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the refresh never landed")
}

// TestCountFlagsAtStart: the flags are counted before any overview asks,
// so that the first one does not wait for them.
func TestCountFlagsAtStart(t *testing.T) {
	s, _, _ := dashboardServer(t)
	s.CountFlags(t.Context())
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.flagCounts.mu.Lock()
		at, flags := s.flagCounts.at, s.flagCounts.value
		s.flagCounts.mu.Unlock()
		if !at.IsZero() {
			if len(flags) != 8 {
				t.Errorf("flags counted at start: %+v, want the eight kinds", flags)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the flags were not counted at start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
