package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/services/chstore"
)

// retentionServer serves the real store holding, for customer 1: a call
// recording reviewed 200 days after it was made (past §22's 6 months), an
// invoice read a year after it was issued (inside §20.3's 5 years), and
// contact data (contract term: no period); for the police, two disclosures
// of one request for data retained 8 and 9 months earlier, and one unmet
// request.
func retentionServer(t *testing.T) (*Server, *recordingAuditor) {
	t.Helper()
	at := time.Date(2026, 2, 10, 10, 0, 0, 0, time.UTC)
	c1 := lineagetest.Subject(1)
	var events []chstore.StoredEvent
	add := func(e lineage.Event, attrs ...string) {
		e.Attributes = map[string]string{}
		for i := 0; i < len(attrs); i += 2 {
			e.Attributes[attrs[i]] = attrs[i+1]
		}
		events = append(events, chstore.StoredEvent{Event: e, Offset: int64(len(events))})
	}
	recording := lineagetest.Access(lineagetest.UUID(1), c1, at)
	recording.DataCategories = []string{"call_recordings"}
	add(recording, lineage.AttrRetentionFrom, at.AddDate(0, 0, -200).Format(dayLayout))
	invoice := lineagetest.Access(lineagetest.UUID(2), c1, at)
	invoice.DataCategories = []string{"billing"}
	add(invoice, lineage.AttrRetentionFrom, "2025-02-01")
	contact := lineagetest.Access(lineagetest.UUID(3), c1, at)
	contact.DataCategories = []string{"contact"}
	add(contact)
	msisdn := lineagetest.Identifier(lineage.MSISDN, 7)
	add(lineagetest.CDR(lineagetest.UUID(4), msisdn, at), lineage.AttrRequestRef, "VP-1", lineage.AttrRetentionFrom, "2025-06-01")
	add(lineagetest.CDR(lineagetest.UUID(5), msisdn, at.Add(time.Hour)), lineage.AttrRequestRef, "VP-1", lineage.AttrRetentionFrom, "2025-05-01")
	store := factStore{newClickhouseStore(t, events)}
	unmet := subjectfact.Fact{ID: lineagetest.UUID(9), Type: subjectfact.LawfulRequestUnmet, At: at, RecordedAt: at,
		SourceSystem: "cdr_mediation", Actor: "lawful-requests", RecipientID: "rcp-state-police", Reference: "VP-2",
		Reason: "the data asked for were older than the retention period"}
	if err := store.RecordFact(t.Context(), unmet); err != nil {
		t.Fatal(err)
	}
	a := &recordingAuditor{}
	return newTestServer(t, store, a, &bytes.Buffer{}), a
}

func TestRetentionEndpoints(t *testing.T) {
	s, auditor := retentionServer(t)
	c1 := lineagetest.Subject(1)
	var one retentionResponse
	rec := get(s, "/v1/subjects/"+c1+"/retention", bearer(dpoToken, "r1"))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &one) != nil {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var lines []string
	for _, l := range one.Lines {
		lines = append(lines, l.Category+" "+l.Rule+" "+l.Status)
	}
	// The worst first; contact data are listed with no period, not given one.
	if want := "call_recordings recordings_6m exceeded,billing accounting_5y within,contact contract_term no_period"; strings.Join(lines, ",") != want {
		t.Errorf("lines %q, want %q", lines, want)
	}
	if p := one.Lines[0].FirstPast; p == nil || p.PeriodEnd != "2026-01-25" || one.Lines[0].Cite != "§22" {
		t.Errorf("the recording's line %+v, first past %+v", one.Lines[0], one.Lines[0].FirstPast)
	}
	if got := auditor.last(); got.SubjectID != c1 {
		t.Errorf("audit %+v", got)
	}

	var list retentionResponse
	rec = get(s, "/v1/retention?from=2026-01-01T00:00:00Z", bearer(dpoToken, "r2"))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if len(list.Lines) != 1 || list.Lines[0].SubjectID != c1 || list.Lines[0].Status != "exceeded" || list.NextAfter != nil {
		t.Errorf("the DPO's list %+v", list)
	}
	if got := auditor.last(); got.Key() != "flags:retention" || got.NamesSubject() {
		t.Errorf("audit %+v", got)
	}

	var st retainedDataResponse
	rec = get(s, "/v1/statistics/retained-data?year=2026", bearer(dpoToken, "r3"))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &st) != nil {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	// One request served by two disclosures, its oldest data 9 months old;
	// one request not met.
	months := map[string]uint64{}
	for _, b := range st.Elapsed {
		months[b.Months] = b.Requests
	}
	if st.Requests != 1 || st.Disclosures != 2 || st.Subjects != 1 || st.Unmet != 1 || months["6-12"] != 1 || len(st.Authorities) != 1 ||
		st.Authorities[0].Requests != 1 || st.Authorities[0].Unmet != 1 {
		t.Errorf("statistics %+v", st)
	}
	for target, field := range map[string]string{
		"/v1/statistics/retained-data":            "year",
		"/v1/statistics/retained-data?year=1999":  "year",
		"/v1/statistics/retained-data?year=+2026": "year",
		"/v1/retention?limit=0":                   "limit",
		"/v1/retention?after=bob":                 "after",
	} {
		if rec := get(s, target, bearer(dpoToken, "bad")); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", target, rec.Code, rec.Body, field)
		}
	}
	if rec := get(s, "/v1/subjects/"+c1+"/retention", bearer(deskToken, "desk")); rec.Code != http.StatusForbidden {
		t.Errorf("a responder: %d", rec.Code)
	}
}
