package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/services/chstore"
)

// post serves one POST of body to target with the given headers.
func post(s http.Handler, target, body string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// openRequest records a request received and its identity checked for
// subjectID, as a responder does, and returns its id.
func openRequest(t *testing.T, s http.Handler, subjectID string) string {
	t.Helper()
	rec := post(s, "/v1/requests", `{"channel":"e_signed_email","at":"2026-03-02T10:00:00Z"}`, bearer(deskToken, "open"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("open request: status %d, body %s", rec.Code, rec.Body)
	}
	var opened struct {
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &opened); err != nil || !strings.HasPrefix(opened.RequestID, "AR-2026-") {
		t.Fatalf("open request answered %s (%v)", rec.Body, err)
	}
	if subjectID != "" {
		body := `{"type":"identity_checked","subject_id":"` + subjectID + `","method":"secure_e_signature"}`
		if rec := post(s, "/v1/requests/"+opened.RequestID+"/events", body, bearer(deskToken, "check")); rec.Code != http.StatusAccepted {
			t.Fatalf("identity check: status %d, body %s", rec.Code, rec.Body)
		}
	}
	return opened.RequestID
}

// TestRoles: a responder looks up one subject, for an open access request
// whose identity check names it; it cannot see restricted lines or
// aggregates. The DPO may look up without a request and see both.
func TestRoles(t *testing.T) {
	k := startKafka(t, 5*time.Second)
	store := fixtureStore()
	s := newTestServer(t, store, k.auditor, &bytes.Buffer{})
	forSubject := openRequest(t, s, subject)
	unchecked := openRequest(t, s, "")
	closed := openRequest(t, s, subject)
	if rec := post(s, "/v1/requests/"+closed+"/events", `{"type":"refused","reason":"manifestly unfounded: the same request answered last week"}`,
		bearer(deskToken, "refuse")); rec.Code != http.StatusAccepted {
		t.Fatalf("refuse: %d %s", rec.Code, rec.Body)
	}
	recipients := "/v1/subjects/" + subject + "/recipients"
	for _, tc := range []struct {
		name       string
		target     string
		token      string
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"responder without a request", recipients, deskToken, 400, "invalid_parameter", "access_request"},
		{"responder, malformed request id", recipients + "?access_request=42", deskToken, 400, "invalid_parameter", "access_request"},
		{"responder, unknown request", recipients + "?access_request=AR-2026-NOSUCHREQ", deskToken, 404, "not_found", ""},
		{"responder, identity not checked", recipients + "?access_request=" + unchecked, deskToken, 403, "forbidden", ""},
		{"responder, request for another subject", "/v1/subjects/" + otherSubject + "/events?access_request=" + forSubject, deskToken, 403, "forbidden", ""},
		{"responder, closed request", recipients + "?access_request=" + closed, deskToken, 403, "forbidden", ""},
		{"responder, restricted lines", recipients + "?access_request=" + forSubject + "&include_restricted=true", deskToken, 403, "forbidden", ""},
		{"responder, aggregates", "/v1/identity/unresolved", deskToken, 403, "forbidden", ""},
		{"responder, for its request", recipients + "?access_request=" + forSubject, deskToken, 200, "", ""},
		{"responder, report for its request", "/v1/subjects/" + subject + "/report?access_request=" + forSubject, deskToken, 200, "", ""},
		{"dpo without a request", recipients, dpoToken, 200, "", ""},
		{"dpo, restricted lines", recipients + "?include_restricted=true", dpoToken, 200, "", ""},
		{"dpo, aggregates", "/v1/identity/unresolved", dpoToken, 200, "", ""},
		{"dpo, closed request", recipients + "?access_request=" + closed, dpoToken, 403, "forbidden", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(s, tc.target, bearer(tc.token, "roles"))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if tc.wantCode == "" {
				return
			}
			e := errorOf(t, rec.Body.Bytes())
			if e.Code != tc.wantCode || e.Field != tc.wantField {
				t.Errorf("error %+v, want code %s field %q", e, tc.wantCode, tc.wantField)
			}
		})
	}
	// Every lookup that was answered is on record with the role and the
	// request it answered.
	var answered []string
	for _, m := range k.readAudit(t, 5, 2*time.Second) {
		answered = append(answered, m.Record.Role+"/"+m.Record.AccessRequest)
	}
	slices.Sort(answered)
	want := []string{"access_responder/" + forSubject, "access_responder/" + forSubject, "dpo/", "dpo/"}
	if !slices.Equal(answered, want) {
		t.Errorf("audited lookups %v, want %v", answered, want)
	}
}

// TestRequestLog: requests are listed open only, fewest days left first,
// overdue flagged; a responder's list names no subject, one request does.
func TestRequestLog(t *testing.T) {
	store := fixtureStore()
	s := newTestServer(t, store, okAuditor{}, &bytes.Buffer{})
	// testNow is 2026-03-10: received 2026-02-09 is due 2026-03-09
	// (overdue), 2026-03-02 is due 2026-04-02.
	var ids []string
	for _, at := range []string{"2026-03-02T10:00:00Z", "2026-02-09T10:00:00Z"} {
		rec := post(s, "/v1/requests", `{"channel":"in_person","at":"`+at+`"}`, bearer(deskToken, "open"))
		if rec.Code != http.StatusCreated {
			t.Fatalf("open: %d %s", rec.Code, rec.Body)
		}
		var r struct {
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &r)
		ids = append(ids, r.RequestID)
	}
	if rec := post(s, "/v1/requests/"+ids[0]+"/events", `{"type":"identity_checked","subject_id":"`+subject+`","method":"id_document"}`,
		bearer(deskToken, "check")); rec.Code != http.StatusAccepted {
		t.Fatalf("check: %d %s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		name, body, field string
	}{
		{"unknown type", `{"type":"lost"}`, "type"},
		{"received twice", `{"type":"received","channel":"in_person"}`, "type"},
		{"extension of 3 months", `{"type":"extended","extension_months":3,"reason":"complex","subject_told_at":"2026-03-05T00:00:00Z"}`, "extension_months"},
		{"identity check without a method", `{"type":"identity_checked","subject_id":"C1234567"}`, "method"},
		{"answer without hash", `{"type":"answered","format":"pdf","language":"lv","delivery_channel":"mans_balticom"}`, "report_hash"},
	} {
		rec := post(s, "/v1/requests/"+ids[0]+"/events", tc.body, bearer(deskToken, "bad"))
		if e := errorOf(t, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || e.Field != tc.field {
			t.Errorf("%s: status %d error %+v, want 400 naming %s", tc.name, rec.Code, e, tc.field)
		}
	}

	type listed struct {
		Requests []requestView `json:"requests"`
		Open     int           `json:"open"`
		Overdue  int           `json:"overdue"`
	}
	for _, tc := range []struct {
		token       string
		withSubject bool
	}{{deskToken, false}, {dpoToken, true}} {
		rec := get(s, "/v1/requests", bearer(tc.token, "list"))
		var got listed
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}
		if got.Open != 2 || got.Overdue != 1 || len(got.Requests) != 2 {
			t.Fatalf("list %+v, want 2 open, 1 overdue", got)
		}
		late, due := got.Requests[0], got.Requests[1]
		if late.RequestID != ids[1] || !late.Overdue || late.Due != "2026-03-09" || late.DaysLeft != -1 {
			t.Errorf("first listed %+v, want the overdue request due 2026-03-09, -1 day", late)
		}
		if due.RequestID != ids[0] || due.Overdue || due.Due != "2026-04-02" || due.DaysLeft != 23 {
			t.Errorf("second listed %+v, want due 2026-04-02, 23 days left", due)
		}
		if (due.SubjectID == subject) != tc.withSubject {
			t.Errorf("subject in the list = %q, want shown: %v", due.SubjectID, tc.withSubject)
		}
	}
	rec := get(s, "/v1/requests/"+ids[0], bearer(deskToken, "one"))
	if !strings.Contains(rec.Body.String(), `"subject_id":"`+subject+`"`) {
		t.Errorf("one request: %d %s, want its subject", rec.Code, rec.Body)
	}
}

// TestSearch: a phone number finds its holders with their periods through
// the keyed hash; the value is in no audit record.
func TestSearch(t *testing.T) {
	k := startKafka(t, 5*time.Second)
	store := fixtureStore()
	keyer, err := identity.NewKeyer(bytes.Repeat([]byte{7}, identity.MinKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	number, err := keyer.Identifier(lineage.MSISDN, "+371 29 123 456")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	store.holders = map[lineage.Identifier][]chstore.Holding{number: {
		{SubjectID: otherSubject, From: from.AddDate(-2, 0, 0), To: from.AddDate(0, -1, 0)},
		{SubjectID: subject, From: from},
	}}
	s := newTestServer(t, store, k.auditor, &bytes.Buffer{})
	req := openRequest(t, s, "")

	rec := post(s, "/v1/subjects/search", `{"access_request":"`+req+`","kind":"msisdn","value":"29123456"}`, bearer(deskToken, "search"))
	if rec.Code != http.StatusOK {
		t.Fatalf("search: %d %s", rec.Code, rec.Body)
	}
	want := `{"holders":[{"subject_id":"C7654321","from":"2022-03-01T00:00:00Z","to":"2024-02-01T00:00:00Z"},` +
		`{"subject_id":"C1234567","from":"2024-03-01T00:00:00Z","to":null}]}`
	if got := strings.TrimSpace(rec.Body.String()); got != want {
		t.Errorf("search answered\n%s\nwant\n%s", got, want)
	}
	for _, tc := range []struct {
		name, body, token, field string
		status                   int
	}{
		{"no request", `{"kind":"msisdn","value":"29123456"}`, deskToken, "access_request", 400},
		{"unknown kind", `{"access_request":"` + req + `","kind":"email","value":"a@b.lv"}`, deskToken, "kind", 400},
		{"bad personal code", `{"access_request":"` + req + `","kind":"personal_code","value":"010190-123"}`, deskToken, "value", 400},
		{"bad customer id", `{"access_request":"` + req + `","kind":"customer_id","value":"29123456"}`, deskToken, "value", 400},
		{"customer id", `{"access_request":"` + req + `","kind":"customer_id","value":"` + subject + `"}`, deskToken, "", 200},
		{"dpo without a request", `{"kind":"personal_code","value":"010190-12345"}`, dpoToken, "", 200},
	} {
		rec := post(s, "/v1/subjects/search", tc.body, bearer(tc.token, "search"))
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d; %s", tc.name, rec.Code, tc.status, rec.Body)
			continue
		}
		if tc.field != "" {
			if e := errorOf(t, rec.Body.Bytes()); e.Field != tc.field || strings.Contains(e.Message, "010190") {
				t.Errorf("%s: error %+v, want field %s and no value echoed", tc.name, e, tc.field)
			}
		}
	}
	msgs := k.readAudit(t, 3, 2*time.Second)
	if len(msgs) != 3 {
		t.Fatalf("%d audit records, want 3 (the answered searches)", len(msgs))
	}
	if m := msgs[0]; m.Record.Identifier == nil || *m.Record.Identifier != number || m.Key != number.Key() || m.Record.SubjectID != "" {
		t.Errorf("search audit %+v keyed %s, want the number's hash", m.Record, m.Key)
	}
	for _, m := range msgs {
		raw, _ := json.Marshal(m.Raw)
		if strings.Contains(string(raw), "29123456") || strings.Contains(string(raw), "010190") {
			t.Errorf("audit record holds the value searched for: %s", raw)
		}
	}
}

// TestReportWithholdsRestricted: the subject's report leaves a restricted
// disclosure out until it lapses; the DPO's shows it.
func TestReportWithholdsRestricted(t *testing.T) {
	store := fixtureStore()
	police := lineagetest.CDR(lineagetest.UUID(9), lineagetest.Identifier(lineage.MSISDN, 1), lineagetest.Base.Add(-time.Hour))
	police.SubjectID, police.SubjectIdentifier = subject, nil
	police.Recipient = &lineage.Recipient{ID: "rcp-state-police", Name: "Valsts policija", Category: "law_enforcement", Country: "LV"}
	police.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums, 192. pants", ReviewAt: testNow().Add(24 * time.Hour)}
	store.events = append(store.events, chstore.StoredEvent{Event: police, Partition: 0, Offset: 13})
	s := newTestServer(t, store, okAuditor{}, &bytes.Buffer{})
	req := openRequest(t, s, subject)

	subjectView := get(s, "/v1/subjects/"+subject+"/report?lang=en&access_request="+req, bearer(deskToken, "report"))
	dpoView := get(s, "/v1/subjects/"+subject+"/report?lang=en&include_restricted=true", bearer(dpoToken, "report"))
	for _, rec := range []*httptest.ResponseRecorder{subjectView, dpoView} {
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || len(rec.Header().Get("X-Report-Content-SHA256")) != 64 {
			t.Fatalf("report: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
	}
	if body := subjectView.Body.String(); strings.Contains(body, "Valsts policija") || !strings.Contains(body, "Kriminālprocesa likums, 192. pants") {
		t.Errorf("subject's report shows the restricted line or does not name its basis:\n%s", body)
	}
	if !strings.Contains(dpoView.Body.String(), "Valsts policija") {
		t.Errorf("DPO's report lacks the restricted line")
	}
	pdf := get(s, "/v1/subjects/"+subject+"/report?format=pdf&access_request="+req, bearer(deskToken, "pdf"))
	if pdf.Code != 200 || pdf.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.Body.Bytes(), []byte("%PDF-")) {
		t.Errorf("pdf report: %d %q", pdf.Code, pdf.Header().Get("Content-Type"))
	}
	if rec := get(s, "/v1/subjects/"+subject+"/report?lang=de&access_request="+req, bearer(deskToken, "lang")); rec.Code != 400 || errorOf(t, rec.Body.Bytes()).Field != "lang" {
		t.Errorf("lang=de: %d %s", rec.Code, rec.Body)
	}
}
