package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/services/chstore"
)

// factStore is the real store that is also its own facts log and breach
// record: what the materializer does through Kafka, at once.
type factStore struct{ *chstore.Store }

func (s factStore) RecordFact(ctx context.Context, f subjectfact.Fact) error {
	return s.InsertFacts(ctx, []chstore.StoredFact{{Fact: f}})
}

func (s factStore) RecordIncident(ctx context.Context, e incident.Event) error {
	return s.InsertIncidentEvents(ctx, []chstore.StoredIncidentEvent{{Event: e}})
}

func (factStore) RecordRequest(context.Context, accessrequest.Event) error {
	return errors.New("no request log here")
}

// factsServer serves the real store holding, for customer 1, analytics on
// consent on 1 and 5 March and two commercial e-mails on the §43 basis on
// 2 and 4 March; for customer 2, transfers to the bank (one restricted)
// and a hand-off to another recipient in February.
func factsServer(t *testing.T) (*Server, *recordingAuditor) {
	t.Helper()
	march := func(day int) time.Time { return time.Date(2026, 3, day, 12, 0, 0, 0, time.UTC) }
	c1, c2 := lineagetest.Subject(1), lineagetest.Subject(2)
	var events []chstore.StoredEvent
	add := func(e lineage.Event) {
		events = append(events, chstore.StoredEvent{Event: e, Offset: int64(len(events))})
	}
	use := func(n uint64, day int, purpose, basis string) {
		e := lineagetest.Access(lineagetest.UUID(n), c1, march(day))
		e.Purpose, e.LegalBasis, e.LegitimateInterest = purpose, basis, nil
		add(e)
	}
	use(1, 1, "planning_analytics", "consent")
	use(2, 5, "planning_analytics", "consent")
	use(3, 2, subjectfact.CommercialCommunication, "similar_offer")
	use(4, 4, subjectfact.CommercialCommunication, "similar_offer")
	add(lineagetest.Transfer(lineagetest.UUID(5), c2, march(1).AddDate(0, -1, 0)))
	restricted := lineagetest.Transfer(lineagetest.UUID(6), c2, march(2).AddDate(0, -1, 0))
	restricted.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums, 192. pants", ReviewAt: march(1).AddDate(1, 0, 0)}
	add(restricted)
	add(lineagetest.Handoff(lineagetest.UUID(7), c2, march(3).AddDate(0, -1, 0)))
	a := &recordingAuditor{}
	return newTestServer(t, factStore{newClickhouseStore(t, events)}, a, &bytes.Buffer{}), a
}

func recordFact(t *testing.T, s *Server, body string, wantStatus int) *bytes.Buffer {
	t.Helper()
	rec := post(s, "/v1/facts", body, bearer(dpoToken, "f"))
	if rec.Code != wantStatus {
		t.Fatalf("POST /v1/facts %s: status %d, want %d: %s", body, rec.Code, wantStatus, rec.Body)
	}
	return rec.Body
}

func TestConsentFlagsEndpoints(t *testing.T) {
	s, auditor := factsServer(t)
	c1 := lineagetest.Subject(1)
	recordFact(t, s, `{"type":"consent_withdrawn","subject_id":"`+c1+`","purpose":"planning_analytics","channel":"self_service_portal","at":"2026-03-03T12:00:00Z"}`, http.StatusAccepted)
	recordFact(t, s, `{"type":"opted_out","subject_id":"`+c1+`","channel":"phone","at":"2026-03-01T18:00:00Z"}`, http.StatusAccepted)

	var one flagsResponse
	rec := get(s, "/v1/subjects/"+c1+"/flags", bearer(dpoToken, "f1"))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &one) != nil {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var lines []string
	for _, f := range one.Flags {
		lines = append(lines, f.EventID[len(f.EventID)-1:]+" "+f.Kind)
	}
	// The e-mail 18 h after the opt-out is inside the 2 days; the one 2 d
	// 18 h after is not; the analytics after the withdrawal is flagged, the
	// one before is not.
	if want := "3 opt_out_exception,4 opt_out_violation,2 consent_after_withdrawal"; strings.Join(lines, ",") != want {
		t.Errorf("subject flags %q, want %q", lines, want)
	}
	if got := auditor.last(); got.SubjectID != c1 || !got.NamesSubject() {
		t.Errorf("audit record %+v: want a lookup of the subject", got)
	}

	var all flagsResponse
	rec = get(s, "/v1/flags?kind=consent&from=2026-03-04T00:00:00Z", bearer(dpoToken, "f2"))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &all) != nil {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if len(all.Flags) != 2 || all.Flags[0].AfterHours != 66 || all.Flags[1].Kind != string(subjectfact.ConsentAfterWithdrawal) {
		t.Errorf("flags from 4 March %+v", all.Flags)
	}
	if got := auditor.last(); got.Key() != "flags:consent" || got.NamesSubject() || got.From == nil {
		t.Errorf("audit record %+v: want the list keyed flags:consent", got)
	}

	for _, tc := range []struct{ target, token, field string }{
		{"/v1/flags?kind=retention_of_everything", dpoToken, "kind"},
		{"/v1/flags?colour=red", dpoToken, "colour"},
		{"/v1/subjects/" + c1 + "/flags?limit=3", dpoToken, "limit"},
	} {
		rec := get(s, tc.target, bearer(tc.token, "bad"))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: status %d %s, want 400 naming %s", tc.target, rec.Code, rec.Body, tc.field)
		}
	}
	if rec := get(s, "/v1/flags", bearer(deskToken, "desk")); rec.Code != http.StatusForbidden {
		t.Errorf("a responder listing flags: status %d", rec.Code)
	}
}

func TestRecordFactRefusals(t *testing.T) {
	s, _ := factsServer(t)
	for _, tc := range []struct{ body, field string }{
		{`{"type":"opted_out","subject_id":"C00000001"}`, "channel"},
		{`{"type":"consent_given","subject_id":"C00000001","purpose":"marketing","channel":"shop"}`, "purpose"},
		{`{"type":"erasure_confirmed","subject_id":"C00000001"}`, "recipient_id"},
		{`{"type":"erasure_requested"}`, "subject_id"},
		{`{"type":"forgotten","subject_id":"C00000001"}`, "type"},
		{`{"type":"opted_out","subject_id":"C00000001","channel":"phone","at":"2027-01-01T00:00:00Z"}`, "at"},
	} {
		body := recordFact(t, s, tc.body, http.StatusBadRequest)
		if !strings.Contains(body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %s, want the field %s named", tc.body, body, tc.field)
		}
	}
	if rec := post(s, "/v1/facts", `{"type":"opted_out","subject_id":"C00000001","channel":"phone"}`, bearer(deskToken, "d")); rec.Code != http.StatusForbidden {
		t.Errorf("a responder recording a fact: status %d", rec.Code)
	}
}

func TestErasureEndpoints(t *testing.T) {
	s, auditor := factsServer(t)
	c2 := lineagetest.Subject(2)
	if rec := get(s, "/v1/subjects/"+c2+"/erasure", bearer(dpoToken, "e0")); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), codeNoErasure) {
		t.Fatalf("before any request: status %d %s", rec.Code, rec.Body)
	}
	recordFact(t, s, `{"type":"erasure_requested","subject_id":"`+c2+`","reference":"ER-2026-3","at":"2026-03-01T08:00:00Z"}`, http.StatusAccepted)
	recordFact(t, s, `{"type":"erasure_notified","subject_id":"`+c2+`","recipient_id":"rcp-bank-swedbank","at":"2026-03-02T08:00:00Z"}`, http.StatusAccepted)
	recordFact(t, s, `{"type":"erasure_confirmed","subject_id":"`+c2+`","recipient_id":"rcp-bank-swedbank","at":"2026-03-06T09:00:00Z"}`, http.StatusAccepted)

	var e erasureView
	rec := get(s, "/v1/subjects/"+c2+"/erasure", bearer(dpoToken, "e1"))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &e) != nil {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	// The bank got the restricted transfer too: it is told, and counted.
	if e.Unconfirmed != 1 || len(e.Recipients) != 2 || lineage.Deref(e.Reference) != "ER-2026-3" {
		t.Fatalf("erasure %+v", e)
	}
	if r := e.Recipients[0]; r.State != string(subjectfact.NotNotified) || r.DaysWaited != 9 || r.Events != 1 {
		t.Errorf("the processor, never told (9 days by 10 March): %+v", r)
	}
	if r := e.Recipients[1]; r.RecipientID != "rcp-bank-swedbank" || r.State != string(subjectfact.Confirmed) || r.DaysWaited != 4 || r.Events != 2 {
		t.Errorf("the bank, confirmed 4 days after its notice: %+v", r)
	}
	if got := auditor.last(); got.SubjectID != c2 {
		t.Errorf("audit record %+v", got)
	}

	var list erasuresResponse
	rec = get(s, "/v1/erasures", bearer(dpoToken, "e2"))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil || len(list.Erasures) != 1 || list.Erasures[0].SubjectID != c2 {
		t.Fatalf("open erasures: status %d %s", rec.Code, rec.Body)
	}
	if got := auditor.last(); got.Key() != "flags:erasure" || got.NamesSubject() {
		t.Errorf("audit record %+v", got)
	}
	processor := e.Recipients[0].RecipientID
	recordFact(t, s, `{"type":"erasure_confirmed","subject_id":"`+c2+`","recipient_id":"`+processor+`"}`, http.StatusAccepted)
	for query, want := range map[string]int{"": 0, "?all=true": 1} {
		var l erasuresResponse
		rec = get(s, "/v1/erasures"+query, bearer(dpoToken, "e3"))
		if json.Unmarshal(rec.Body.Bytes(), &l) != nil || len(l.Erasures) != want {
			t.Errorf("erasures%s once all confirmed: %s, want %d", query, rec.Body, want)
		}
	}
}
