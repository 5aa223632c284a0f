package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
)

// browserScripts is where the Chromium drivers live; browserTests skips
// the test unless LINEAGE_BROWSER_TESTS=1 (scripts/test sets it, and
// installs Chromium and the driver).
func browserScripts(t *testing.T) string {
	t.Helper()
	if os.Getenv("LINEAGE_BROWSER_TESTS") != "1" {
		t.Skip("set LINEAGE_BROWSER_TESTS=1 (scripts/test does) to drive the dashboard in Chromium")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "scripts", "browser"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// artifacts is the directory the browser tests leave their screenshots and
// downloads in: LINEAGE_ARTIFACTS/<test> (scripts/test sets it under .run/),
// else the test's temporary directory.
func artifacts(t *testing.T) string {
	t.Helper()
	base := os.Getenv("LINEAGE_ARTIFACTS")
	if base == "" {
		return t.TempDir()
	}
	dir := filepath.Join(base, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// dashboardInBrowser opens the subject's lineage on the dashboard in
// headless Chromium (scripts/browser/lookup.js) and checks that its picture
// shows the recipients.
func dashboardInBrowser(t *testing.T, apiAddr string, recipients int) {
	scripts := browserScripts(t)
	shot := filepath.Join(artifacts(t), "lineage.png")
	out, err := exec.Command("node", filepath.Join(scripts, "lookup.js"), "http://"+apiAddr, token, subject, shot).Output()
	if err != nil {
		t.Fatalf("dashboard in Chromium: %v\n%s", err, out)
	}
	var page struct {
		Recipients []string   `json:"recipients"`
		Rows       [][]string `json:"rows"`
		Timings    any        `json:"timings"`
	}
	decode(t, out, &page)
	t.Logf("milliseconds to answer in the browser: %v", page.Timings)
	if len(page.Recipients) != recipients || !slices.Contains(page.Recipients, "recipient:rcp-vendor-acme-in") || len(page.Rows) == 0 {
		t.Fatalf("dashboard shows %s", out)
	}
}

// dashboardRun is what scripts/browser/dashboard.js saw.
type dashboardRun struct {
	Timings  map[string]int `json:"timings"`
	Problems []string       `json:"problems"`
	Failure  string         `json:"failure"`
	Overview struct {
		Nav    []string       `json:"nav"`
		Flags  map[string]int `json:"flags"`
		Totals map[string]int `json:"totals"`
		Charts map[string]struct {
			Bars      int `json:"bars"`
			Links     int `json:"links"`
			TableRows int `json:"table_rows"`
			Linked    []struct {
				Href  string `json:"href"`
				Value int    `json:"value"`
			} `json:"linked"`
		} `json:"charts"`
		Recipients []string `json:"recipients"`
		TitleLV    string   `json:"title_lv"`
		TitleEN    string   `json:"title_en"`
	} `json:"overview"`
	ChartLink string `json:"chart_link"`
	Events    struct {
		Hash    string     `json:"hash"`
		Filters []string   `json:"filters"`
		Rows    [][]string `json:"rows"`
	} `json:"events"`
	Holders []string `json:"holders"`
	Lineage struct {
		Depth1, Depth2, Clicked, Entered, Filtered, Reloaded *lineagePicture
		HashSelected                                         string `json:"hash_selected"`
		HashFiltered                                         string `json:"hash_filtered"`
		HashReloaded                                         string `json:"hash_reloaded"`
	} `json:"lineage"`
	Reports []struct {
		Lang   string `json:"lang"`
		Format string `json:"format"`
		File   string `json:"file"`
	} `json:"reports"`
	Recipient struct {
		Exposure   map[string]int `json:"exposure"`
		Categories []string       `json:"categories"`
		Export     string         `json:"export"`
	} `json:"recipient"`
	Register struct {
		AllRows int        `json:"all_rows"`
		Hash    string     `json:"hash"`
		Rows    [][]string `json:"rows"`
		Export  string     `json:"export"`
	} `json:"register"`
	SignedOutToken *string `json:"signed_out_token"`
	Responder      struct {
		Nav            []string `json:"nav"`
		OverviewStatus []int    `json:"overview_status"`
		State          string   `json:"state"`
		Refused        string   `json:"refused"`
	} `json:"responder"`
}

type lineagePicture struct {
	Nodes            []string `json:"nodes"`
	Edges            []string `json:"edges"`
	HighlightedEdges []string `json:"highlighted_edges"`
	Selected         []string `json:"selected"`
	Focusable        bool     `json:"focusable"`
	TableRows        int      `json:"table_rows"`
	Depth            string   `json:"depth"`
	Category         string   `json:"category"`
}

// TestDashboardInBrowser publishes a month of realistic events through the
// SDK and the ingest gateway (four source systems, a bank, a processor in
// India under standard contractual clauses, the police on CDRs known only
// by a phone number, one of them restricted, a consent used after its
// withdrawal), and drives the dashboard in Chromium as the DPO: the
// overview with its flags and charts, a chart's link to the events, a
// search by phone number, the lineage picture (depth, a clicked node, a
// category filter, a reload), the access report in both languages and
// every format, a recipient's page and its breach export, the register
// filtered and its CSV export; then as an access responder, whom the
// overview is refused. It prints how long each page took to answer.
func TestDashboardInBrowser(t *testing.T) {
	scripts := browserScripts(t)
	broker := startBroker(t, 4)
	db := randomName("e2e_dashboard_")
	t.Cleanup(func() { dropDatabase(t, db) })
	startMaterializer(t, "materializer", broker, db, "MATERIALIZER_LINKS_GROUP="+db+"_links",
		"MATERIALIZER_FACTS_GROUP="+db+"_facts", "MATERIALIZER_REQUESTS_GROUP="+db+"_requests",
		"MATERIALIZER_SETTLE_INTERVAL=500ms")
	api := startAPI(t, broker, db,
		"API_TOKENS=dpo:"+token+",desk-1:"+deskToken, "API_CALLER_ROLES=dpo:dpo,desk-1:access_responder",
		"API_IDENTITY_KEY="+identityKey)
	gateway := freeAddr(t)
	start(t, "gateway", "gateway", "GATEWAY_LISTEN_ADDR="+gateway, "GATEWAY_KAFKA_BROKERS="+broker,
		"GATEWAY_SOURCES=cdr_mediation:"+cdrToken+",crm:"+crmToken, "GATEWAY_IDENTITY_KEY="+identityKey,
		"GATEWAY_LOG_LEVEL=warn")
	waitTCP(t, gateway)

	const customer, phone = "C07990001", "+371 29 555 111"
	published, retried := publishDashboardEvents(t, broker, gateway, customer)
	// The customer withdrew the consent to analytics eight days ago; CRM
	// used it the day before yesterday.
	if status, _, body := call(t, http.MethodPost, api, "/v1/facts", token, `{"type": "consent_withdrawn", "subject_id": "`+customer+
		`", "purpose": "planning_analytics", "channel": "self_service_portal", "at": "`+daysAgo(8, 9).Format(time.RFC3339)+`"}`); status != http.StatusAccepted {
		t.Fatalf("record the withdrawal: %d %s", status, body)
	}
	waitCaughtUp(t, broker, db, 2*time.Minute)
	waitTopicCaughtUp(t, broker, db+"_links", topics.IdentityLinks, time.Minute)
	waitTopicCaughtUp(t, broker, db+"_facts", topics.Facts, time.Minute)
	// Every stored event counted: the materializer settles its rollups
	// every half second here (MATERIALIZER_SETTLE_INTERVAL).
	waitSettled(t, time.Minute, func() (int, error) {
		status, _, body := call(t, http.MethodGet, api, "/v1/overview", token, "")
		var o struct {
			UnsettledDays *int `json:"unsettled_days"`
		}
		if err := json.Unmarshal(body, &o); status != http.StatusOK || err != nil || o.UnsettledDays == nil {
			return 0, fmt.Errorf("overview: %d %s", status, body)
		}
		return *o.UnsettledDays, nil
	})

	dir := artifacts(t)
	scenario, err := json.Marshal(map[string]any{
		"base": "http://" + api, "dpo_token": token, "responder_token": deskToken,
		"phone": phone, "subject": customer, "category": "billing", "recipient_name": "Acme Software Pvt Ltd",
		"register_filter": map[string]string{"purpose": "service_provision"}, "artifacts": dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "scenario.json")
	if err := os.WriteFile(cfg, scenario, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(scripts, "dashboard.js"), cfg)
	cmd.Stderr = os.Stderr
	out, runErr := cmd.Output()
	var run dashboardRun
	if err := json.Unmarshal(out, &run); err != nil {
		t.Fatalf("dashboard.js: %v, %v\n%s", runErr, err, out)
	}
	t.Logf("milliseconds each page took to answer in the browser: %s", timings(run.Timings))
	if runErr != nil || run.Failure != "" || len(run.Problems) > 0 {
		t.Fatalf("dashboard.js: %v\nfailure: %s\nproblems: %q", runErr, run.Failure, run.Problems)
	}
	t.Logf("screenshots and downloads in %s", dir)

	t.Run("overview", func(t *testing.T) {
		o := run.Overview
		if !slices.Equal(o.Nav, []string{"#/overview", "#/subject", "#/register"}) {
			t.Errorf("the DPO's pages: %v", o.Nav)
		}
		if len(o.Flags) != 8 || o.Flags["consent_after_withdrawal"] < 1 {
			t.Errorf("flags %v: want all eight kinds, the consent used after its withdrawal among them", o.Flags)
		}
		// The overview counts each event once: the retried ones too.
		if o.Totals["events"] != published {
			t.Errorf("events of the period %d, want the %d published, each once (%d were sent twice)", o.Totals["events"], published, retried)
		}
		if o.Totals["third_country_disclosures"] < 1 || o.Totals["disclosures"] <= o.Totals["third_country_disclosures"] {
			t.Errorf("totals %v", o.Totals)
		}
		for _, id := range []string{"per-day", "recipient-categories", "bases", "third-country", "data-categories"} {
			c, ok := o.Charts[id]
			if !ok || c.Bars == 0 || c.Links != c.Bars || c.TableRows == 0 {
				t.Errorf("chart %s: %+v (drawn %v), want bars, each a link, and its table", id, c, ok)
			}
		}
		if !slices.Contains(o.Recipients, "Acme Software Pvt Ltd") || !slices.Contains(o.Recipients, "Swedbank AS") {
			t.Errorf("recipients %v", o.Recipients)
		}
		if o.TitleLV != "Pārskats" || o.TitleEN != "Overview" {
			t.Errorf("language switch: %q, then %q", o.TitleLV, o.TitleEN)
		}
	})

	t.Run("a chart leads to its events", func(t *testing.T) {
		if !strings.HasPrefix(run.ChartLink, "#/events?") || run.Events.Hash != run.ChartLink ||
			!slices.Contains(run.Events.Filters, "source_system") || len(run.Events.Rows) == 0 {
			t.Errorf("followed %q to %q with filters %v: %d events", run.ChartLink, run.Events.Hash, run.Events.Filters, len(run.Events.Rows))
		}
		// Every bar's number is the number of events its link lists.
		bars := 0
		for name, c := range run.Overview.Charts {
			for _, b := range c.Linked {
				if n := listedEvents(t, api, token, b.Href); n != b.Value {
					t.Errorf("chart %s: a bar of %d leads to %d events (%s)", name, b.Value, n, b.Href)
				}
				bars++
			}
		}
		if bars < 50 {
			t.Errorf("only %d bars followed", bars)
		}
	})

	t.Run("lineage", func(t *testing.T) {
		l := run.Lineage
		if !slices.Equal(run.Holders, []string{customer}) {
			t.Fatalf("the phone number's holders: %v", run.Holders)
		}
		if l.Depth1 == nil || l.Depth2 == nil || l.Clicked == nil || l.Entered == nil || l.Filtered == nil || l.Reloaded == nil {
			t.Fatalf("a picture is missing: %+v", l)
		}
		for _, n := range []string{"system:crm", "system:billing", "system:cdr_mediation", "recipient:rcp-bank-swedbank", "recipient:rcp-vendor-acme-in", "recipient:rcp-state-police"} {
			if !slices.Contains(l.Depth1.Nodes, n) {
				t.Errorf("depth 1 lacks %s: %v", n, l.Depth1.Nodes)
			}
		}
		if slices.ContainsFunc(l.Depth1.Nodes, func(n string) bool { return strings.HasPrefix(n, "source:") }) {
			t.Errorf("depth 1 shows sources: %v", l.Depth1.Nodes)
		}
		for _, n := range []string{"source:customer", "source:operator_systems", "source:not_stated"} {
			if !slices.Contains(l.Depth2.Nodes, n) {
				t.Errorf("depth 2 lacks %s: %v", n, l.Depth2.Nodes)
			}
		}
		if !l.Depth2.Focusable || l.Depth2.TableRows != len(l.Depth2.Edges) {
			t.Errorf("nodes focusable %v, table rows %d for %d edges", l.Depth2.Focusable, l.Depth2.TableRows, len(l.Depth2.Edges))
		}
		onPath := func(p *lineagePicture) bool {
			if len(p.Selected) != 1 || len(p.HighlightedEdges) == 0 || len(p.HighlightedEdges) >= len(p.Edges) {
				return false
			}
			return slices.ContainsFunc(p.HighlightedEdges, func(e string) bool { return strings.Contains(e, p.Selected[0]) })
		}
		if !onPath(l.Clicked) || !strings.HasPrefix(l.Clicked.Selected[0], "system:") {
			t.Errorf("clicked a system: selected %v, highlighted %v of %v", l.Clicked.Selected, l.Clicked.HighlightedEdges, l.Clicked.Edges)
		}
		if !onPath(l.Entered) || !strings.HasPrefix(l.Entered.Selected[0], "recipient:") ||
			!strings.Contains(l.HashSelected, "node="+l.Entered.Selected[0]) || !strings.Contains(l.HashSelected, "depth=2") {
			t.Errorf("Enter on a recipient: selected %v, URL %s", l.Entered.Selected, l.HashSelected)
		}
		if !strings.Contains(l.HashFiltered, "category=billing") || l.Filtered.Category != "billing" ||
			slices.Equal(l.Filtered.Edges, l.Depth2.Edges) || !slices.Contains(l.Filtered.Nodes, "recipient:rcp-bank-swedbank") ||
			slices.Contains(l.Filtered.Nodes, "recipient:rcp-vendor-acme-in") {
			t.Errorf("filtered by billing: URL %s, nodes %v", l.HashFiltered, l.Filtered.Nodes)
		}
		if l.HashReloaded != l.HashFiltered || fmt.Sprint(*l.Reloaded) != fmt.Sprint(*l.Filtered) {
			t.Errorf("after a reload\n%s %+v\nwant\n%s %+v", l.HashReloaded, *l.Reloaded, l.HashFiltered, *l.Filtered)
		}
	})

	t.Run("access report downloads", func(t *testing.T) {
		if len(run.Reports) != 8 {
			t.Fatalf("%d reports downloaded, want 2 languages × 4 formats", len(run.Reports))
		}
		headers := map[string]string{}
		for _, r := range run.Reports {
			b, err := os.ReadFile(r.File)
			if err != nil {
				t.Fatal(err)
			}
			switch r.Format {
			case "pdf":
				if !bytes.HasPrefix(b, []byte("%PDF-")) {
					t.Errorf("%s: not a PDF: %q", r.File, b[:min(len(b), 16)])
				}
			case "json":
				var rep struct {
					Language  string `json:"language"`
					SubjectID string `json:"subject_id"`
				}
				if err := json.Unmarshal(b, &rep); err != nil || rep.Language != r.Lang || rep.SubjectID != customer {
					t.Errorf("%s: %v, language %q subject %q", r.File, err, rep.Language, rep.SubjectID)
				}
			case "csv":
				rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
				if err != nil || len(rows) < 2 || len(rows[0]) < 20 || !bytes.Contains(b, []byte(customer)) {
					t.Errorf("%s: %v, %d rows", r.File, err, len(rows))
					continue
				}
				headers[r.Lang] = strings.Join(rows[0], ",")
			case "html":
				if !bytes.Contains(b, []byte("<html")) || !bytes.Contains(b, []byte(customer)) {
					t.Errorf("%s: not the report's HTML", r.File)
				}
			}
		}
		if headers["lv"] == "" || headers["lv"] == headers["en"] {
			t.Errorf("the CSV headers in Latvian and English: %q, %q", headers["lv"], headers["en"])
		}
	})

	t.Run("recipient and its breach export", func(t *testing.T) {
		r := run.Recipient
		b, err := os.ReadFile(r.Export)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) == 0 || rows[0][0] != "subject_id" {
			t.Fatalf("breach export: %v %q", err, b)
		}
		if r.Exposure["exposureSubjects"] == 0 || len(rows)-1 != r.Exposure["exposureSubjects"] {
			t.Errorf("the page counts %d subjects, the export lists %d", r.Exposure["exposureSubjects"], len(rows)-1)
		}
		if !slices.ContainsFunc(rows, func(row []string) bool { return row[0] == customer }) {
			t.Errorf("the export lacks %s", customer)
		}
	})

	t.Run("register export holds the rows on screen", func(t *testing.T) {
		g := run.Register
		if !strings.Contains(g.Hash, "purpose=service_provision") || len(g.Rows) == 0 || len(g.Rows) >= g.AllRows {
			t.Fatalf("filtered register: %s, %d of %d rows", g.Hash, len(g.Rows), g.AllRows)
		}
		b, err := os.ReadFile(g.Export)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) == 0 {
			t.Fatalf("register export: %v", err)
		}
		var exported [][]string
		for _, row := range rows[1:] {
			exported = append(exported, []string{row[0], row[9]}) // activity id, recipient
		}
		if fmt.Sprint(exported) != fmt.Sprint(g.Rows) {
			t.Errorf("exported rows\n%v\nrows on screen\n%v", exported, g.Rows)
		}
	})

	t.Run("responder", func(t *testing.T) {
		if run.SignedOutToken != nil {
			t.Errorf("the token outlived the sign-out")
		}
		r := run.Responder
		if !slices.Equal(r.Nav, []string{"#/subject"}) || !slices.Equal(r.OverviewStatus, []int{http.StatusForbidden}) ||
			r.State != "error" || !strings.Contains(r.Refused, "data protection officer") {
			t.Errorf("the responder's overview: %+v", r)
		}
	})
}

// daysAgo is hour o'clock UTC, n days before today.
func daysAgo(n, hour int) time.Time {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -n).Add(time.Duration(hour) * time.Hour)
}

// publishDashboardEvents publishes the test's month of events and returns
// how many distinct events it published and how many it sent twice:
// through the SDK, the customer's
// own (CRM, billing to the bank, the processor in India, the analytics
// after the withdrawal, each saying where its data came from) and 240 of
// 40 other customers over 20 days, some sent twice; through the gateway,
// CRM's link of the phone number to the customer and two CDRs known only
// by it, one a restricted disclosure to the police.
func publishDashboardEvents(t *testing.T, broker, gateway, customer string) (published, retried int) {
	t.Helper()
	withSource := func(e lineage.Event, source string) lineage.Event {
		e.Attributes = map[string]string{lineage.AttrDataSource: source}
		return e
	}
	analytics := lineagetest.Access(lineagetest.UUID(7_990_004), customer, daysAgo(2, 11))
	analytics.Actor = lineage.Actor{Type: lineage.ServiceAccount, ID: "svc-crm-campaigns"}
	analytics.DataCategories, analytics.Purpose, analytics.LegalBasis = []string{"contact"}, "planning_analytics", "consent"
	mine := []lineage.Event{
		withSource(lineagetest.Access(lineagetest.UUID(7_990_001), customer, daysAgo(6, 9)), "customer"),
		withSource(lineagetest.Transfer(lineagetest.UUID(7_990_002), customer, daysAgo(5, 10)), "operator_systems"),
		lineagetest.Handoff(lineagetest.UUID(7_990_003), customer, daysAgo(4, 12)),
		analytics,
	}
	var others []lineage.Event
	for i := range 240 {
		id, who, at := lineagetest.UUID(7_991_000+uint64(i)), lineagetest.Subject(i%40+1), daysAgo(i%20+1, 8+i%9)
		switch i % 3 {
		case 0:
			others = append(others, lineagetest.Access(id, who, at))
		case 1:
			others = append(others, lineagetest.Transfer(id, who, at))
		default:
			others = append(others, lineagetest.Handoff(id, who, at))
		}
	}
	p, err := producer.New(producer.Config{Brokers: []string{broker}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Publish(ctx, append(mine, others...)...); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, others[:10]...); err != nil { // retries after lost acknowledgements (the 10 returned)
		t.Fatal(err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}

	post(t, gateway, "/v1/identity-links", crmToken, `{"links": [{"subject_id": "`+customer+
		`", "identifier": {"kind": "msisdn", "value": "29555111"}, "valid_from": "2020-01-01T00:00:00Z"}]}`)
	cdr := func(n int, at time.Time, restriction string) string {
		return fmt.Sprintf(`{"event_id": "00000000-0000-4000-8000-00000799100%d", "kind": "transfer", "occurred_at": %q,
		  "source_system": "cdr_mediation", "actor": {"type": "employee_role", "id": "lawful_request_officer"},
		  "subject_identifier": {"kind": "msisdn", "value": "+371 29 555 111"},
		  "data_categories": ["traffic_data", "location"], "purpose": "legal_obligation", "legal_basis": "legal_obligation",
		  "attributes": {"data_source": "operator_systems"},
		  "recipient": {"id": "rcp-state-police", "name": "Valsts policija", "category": "law_enforcement", "country": "LV"}%s}`,
			n, at.Format(time.RFC3339), restriction)
	}
	review := time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)
	post(t, gateway, "/v1/events/batch", cdrToken, `{"events": [`+cdr(1, daysAgo(3, 14), "")+","+
		cdr(2, daysAgo(1, 15), `, "restriction": {"basis": "Kriminālprocesa likums, 375. pants", "review_at": "`+review+`"}`)+`]}`)
	return len(mine) + len(others) + 2, 10
}

// timings formats the browser's times, one a line, by step name.
func timings(ms map[string]int) string {
	keys := make([]string, 0, len(ms))
	for k := range ms {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return strings.Compare(a, b) })
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %-22s %6d ms", k, ms[k])
	}
	return b.String()
}

// listedEvents counts the events GET /v1/events lists, all pages, for the
// filter of a dashboard link (#/events?from=…&to=…&…).
func listedEvents(t *testing.T, api, token, href string) int {
	t.Helper()
	_, query, ok := strings.Cut(href, "?")
	if !strings.HasPrefix(href, "#/events?") || !ok {
		t.Fatalf("not a link to events: %q", href)
	}
	n, cursor := 0, ""
	for {
		path := "/v1/events?" + query + "&limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		status, _, body := call(t, http.MethodGet, api, path, token, "")
		var page struct {
			Events     []json.RawMessage `json:"events"`
			NextCursor *string           `json:"next_cursor"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &page) != nil {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		n += len(page.Events)
		if page.NextCursor == nil {
			return n
		}
		cursor = *page.NextCursor
	}
}
