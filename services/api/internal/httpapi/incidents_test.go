package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// incidentServer serves the exposure fixture (the bank: customers 1-3 in
// March 2026, customer 1 again in May, customer 4 restricted) with the
// store as its own breach record.
func incidentServer(t *testing.T) (*Server, *recordingAuditor) {
	t.Helper()
	a := &recordingAuditor{}
	return newTestServer(t, factStore{newClickhouseStore(t, exposureEvents())}, a, &bytes.Buffer{}), a
}

func getIncident(t *testing.T, s *Server, id string) incidentView {
	t.Helper()
	var v incidentView
	rec := get(s, "/v1/incidents/"+id, bearer(dpoToken, "i"))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &v) != nil {
		t.Fatalf("GET incident: status %d %s", rec.Code, rec.Body)
	}
	return v
}

// TestIncidentLifecycle: an incident opened on the bank for March is
// counted at once (approximately: stored rows and subject keys) and then
// exactly in the background; both clocks run from the detection; a
// notification 30 hours later is late for the 24-hour clock and in time
// for the 72-hour one; a letter comes from the incident; a closed incident
// leaves the list.
func TestIncidentLifecycle(t *testing.T) {
	s, auditor := incidentServer(t)
	// testNow is 10 March 08:00; detected 9 March 02:00, 30 h before.
	rec := post(s, "/v1/incidents", `{"party_kind":"recipient","party":"rcp-bank-swedbank","from":"2026-03-01T00:00:00Z",
		"detected_at":"2026-03-09T02:00:00Z","nature":"Bankas darbinieks nosūtīja izrakstus nepareizajam adresātam."}`, bearer(dpoToken, "open"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("open: status %d %s", rec.Code, rec.Body)
	}
	var opened openedView
	if err := json.Unmarshal(rec.Body.Bytes(), &opened); err != nil || !incident.ValidIncidentID(opened.IncidentID) {
		t.Fatalf("opened %s: %v", rec.Body, err)
	}
	// Customers 1-4 in March (4 restricted too), each one event.
	if opened.Approximate.Subjects != 4 || opened.Approximate.Events != 4 {
		t.Errorf("approximate %+v, want 4 subjects and 4 events", opened.Approximate)
	}
	if got := auditor.last(); got.Key() != "recipient:rcp-bank-swedbank" || got.NamesSubject() || got.From == nil {
		t.Errorf("audit record %+v: want the party, for the window", got)
	}

	var v incidentView
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if v = getIncident(t, s, opened.IncidentID); v.Exact != nil || time.Now().After(deadline) {
			break
		}
	}
	if v.Exact == nil || v.Exact.Subjects != 4 || v.Exact.Events != 4 || v.Approximate == nil {
		t.Fatalf("the exact count did not follow: %+v", v)
	}
	want := []clockView{
		{Name: "eprivacy_24h", Hours: 24, Due: "2026-03-10T02:00:00.000000Z", Status: "overdue", HoursLeft: -6},
		{Name: "gdpr_72h", Hours: 72, Due: "2026-03-12T02:00:00.000000Z", Status: "running", HoursLeft: 42},
	}
	for i, w := range want {
		if c := v.Clocks[i]; c.Name != w.Name || c.Hours != w.Hours || c.Due != w.Due || c.Status != w.Status || c.HoursLeft != w.HoursLeft {
			t.Errorf("clock %d: %+v, want %+v", i, c, w)
		}
	}

	event := func(body string, status int) {
		t.Helper()
		if rec := post(s, "/v1/incidents/"+opened.IncidentID+"/events", body, bearer(dpoToken, "ev")); rec.Code != status {
			t.Fatalf("%s: status %d %s", body, rec.Code, rec.Body)
		}
	}
	event(`{"type":"authority_notified","at":"2026-03-10T08:00:00Z","authority":"Datu valsts inspekcija","reference":"DVI-2026-17"}`, http.StatusAccepted)
	v = getIncident(t, s, opened.IncidentID)
	if v.Notified == nil || v.Clocks[0].Status != "late" || v.Clocks[1].Status != "met" {
		t.Errorf("after the notification: %+v, clocks %+v", v.Notified, v.Clocks)
	}

	rec = post(s, "/v1/incidents/"+opened.IncidentID+"/subjects/"+lineagetest.Subject(1)+"/letter", `{"lang":"en","measures":"We asked the bank to delete the statements."}`, bearer(dpoToken, "l"))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), opened.IncidentID) || !strings.Contains(rec.Body.String(), "Bankas darbinieks") {
		t.Errorf("letter: status %d\n%s", rec.Code, rec.Body)
	}
	if got := auditor.last(); got.SubjectID != lineagetest.Subject(1) || got.Reason != "breach_notification" {
		t.Errorf("letter audit %+v", got)
	}
	// Customer 1's May transfer is outside the incident's window.
	rec = post(s, "/v1/incidents/"+opened.IncidentID+"/subjects/"+lineagetest.Subject(5)+"/letter", `{"lang":"lv","measures":"…"}`, bearer(dpoToken, "l5"))
	if rec.Code != http.StatusNotFound {
		t.Errorf("a customer the bank holds nothing of: status %d", rec.Code)
	}

	var list incidentsResponse
	if rec := get(s, "/v1/incidents", bearer(dpoToken, "list")); json.Unmarshal(rec.Body.Bytes(), &list) != nil || len(list.Incidents) != 1 {
		t.Fatalf("open incidents: %s", rec.Body)
	}
	event(`{"type":"closed","reason":"x","party":"rcp-other"}`, http.StatusBadRequest)
	event(`{"type":"counted","at":"2026-03-10T08:00:00Z"}`, http.StatusBadRequest)
	event(`{"type":"counted"}`, http.StatusAccepted) // a recount, in the background
	event(`{"type":"closed","reason":"Notified; the bank confirmed deletion."}`, http.StatusAccepted)
	if rec := get(s, "/v1/incidents", bearer(dpoToken, "list")); json.Unmarshal(rec.Body.Bytes(), &list) != nil || len(list.Incidents) != 0 {
		t.Errorf("open incidents after closing: %s", rec.Body)
	}
}

func TestIncidentRefusals(t *testing.T) {
	s, _ := incidentServer(t)
	for _, tc := range []struct{ target, body, field string }{
		{"/v1/incidents", `{"party_kind":"recipient","party":"rcp-bank-swedbank","from":"2026-03-02T00:00:00Z","to":"2026-03-01T00:00:00Z","nature":"x"}`, "to"},
		{"/v1/incidents", `{"party_kind":"cloud","party":"rcp-bank-swedbank","from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z","nature":"x"}`, "party_kind"},
		{"/v1/incidents", `{"party_kind":"source_system","party":"excel","from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z","nature":"x"}`, "party"},
		{"/v1/incidents", `{"party_kind":"recipient","party":"rcp-bank-swedbank","from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z","nature":"x","detected_at":"2026-04-01T00:00:00Z"}`, "detected_at"},
		{"/v1/incidents", `{"type":"closed","reason":"x"}`, "type"},
		{"/v1/incidents", `{"party_kind":"recipient","party":"rcp-bank-swedbank","from":"2026-03-01T00:00:00Z","nature":"x","authority":"DVI"}`, "authority"},
		{"/v1/incidents", `{"party_kind":"recipient","party":"rcp-bank-swedbank","from":"2010-03-01T00:00:00Z","nature":"x","detected_at":"2017-01-01T00:00:00Z"}`, "detected_at"},
		{"/v1/incidents/IN-2026-AAAAAAAAAAAA/events", `{"type":"opened"}`, "type"},
		{"/v1/incidents/AR-2026-AAAAAAAAAAAA/events", `{"type":"closed","reason":"x"}`, "incident_id"},
	} {
		rec := post(s, tc.target, tc.body, bearer(dpoToken, "bad"))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("%s %s: status %d %s, want 400 naming %s", tc.target, tc.body, rec.Code, rec.Body, tc.field)
		}
	}
	if rec := post(s, "/v1/incidents/IN-2026-AAAAAAAAAAAA/events", `{"type":"closed","reason":"x"}`, bearer(dpoToken, "nf")); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown incident: status %d", rec.Code)
	}
	if rec := get(s, "/v1/incidents", bearer(deskToken, "desk")); rec.Code != http.StatusForbidden {
		t.Errorf("a responder: status %d", rec.Code)
	}
}
