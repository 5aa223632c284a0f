package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/chstore"
)

// recordingAuditor keeps every record it is given.
type recordingAuditor struct {
	mu      sync.Mutex
	records []audit.Record
}

func (a *recordingAuditor) Audit(_ context.Context, rec audit.Record) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records = append(a.records, rec)
	return nil
}

func (a *recordingAuditor) last() audit.Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.records[len(a.records)-1]
}

// exposureServer serves the real store holding, for the bank: customers
// 1-3's transfers in March 2026 (customer 1 also in May, with contact data
// that point to no particular harm), customer 4's transfer restricted until
// 2027; and customer 5's hand-off to another recipient.
func exposureServer(t *testing.T) (*Server, *recordingAuditor) {
	t.Helper()
	a := &recordingAuditor{}
	return newTestServer(t, newClickhouseStore(t, exposureEvents()), a, &bytes.Buffer{}), a
}

// exposureEvents are the events of exposureServer.
func exposureEvents() []chstore.StoredEvent {
	march := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var events []chstore.StoredEvent
	add := func(e lineage.Event) {
		events = append(events, chstore.StoredEvent{Event: e, Offset: int64(len(events))})
	}
	for n := 1; n <= 3; n++ {
		add(lineagetest.Transfer(lineagetest.UUID(uint64(n)), lineagetest.Subject(n), march.Add(time.Duration(n)*time.Hour)))
	}
	may := lineagetest.Transfer(lineagetest.UUID(10), lineagetest.Subject(1), march.AddDate(0, 2, 0))
	may.DataCategories = []string{"contact"}
	add(may)
	restricted := lineagetest.Transfer(lineagetest.UUID(11), lineagetest.Subject(4), march)
	restricted.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums, 192. pants", ReviewAt: march.AddDate(1, 0, 0)}
	add(restricted)
	add(lineagetest.Handoff(lineagetest.UUID(12), lineagetest.Subject(5), march))
	return events
}

func TestExposureEndpoint(t *testing.T) {
	s, auditor := exposureServer(t)
	base := "/v1/recipients/rcp-bank-swedbank/subjects"

	rec := get(s, base+"?limit=2", bearer(dpoToken, "x1"))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var resp exposureResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	x := resp.Exposure
	if resp.Party.Name != "Swedbank AS" || x == nil || x.Subjects != 4 || x.Events != 5 || x.RestrictedEvents != 1 {
		t.Fatalf("party %+v exposure %+v: want Swedbank AS, 4 subjects, 5 events, 1 restricted", resp.Party, x)
	}
	var order []string
	for _, c := range x.Categories {
		order = append(order, c.Code)
		if (c.Harm != nil) != (c.Code != "contact") {
			t.Errorf("category %s: harm %v", c.Code, c.Harm)
		}
	}
	// Harm first, though contact (1 subject) and billing (4) sort otherwise
	// by code.
	if want := []string{"billing", "identification", "contact"}; !reflect.DeepEqual(order, want) {
		t.Errorf("categories %v, want %v", order, want)
	}
	if len(resp.Subjects) != 2 || resp.Subjects[0].SubjectID != lineagetest.Subject(1) || resp.NextAfter == nil {
		t.Fatalf("first page %+v next %v", resp.Subjects, resp.NextAfter)
	}
	if got := auditor.last(); got.PartyKind != partyRecipient || got.Party != "rcp-bank-swedbank" || got.SubjectID != "" || got.Key() != "recipient:rcp-bank-swedbank" {
		t.Errorf("audit record %+v", got)
	}

	rec = get(s, base+"?limit=2&after="+*resp.NextAfter, bearer(dpoToken, "x2"))
	var next exposureResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &next); err != nil {
		t.Fatal(err)
	}
	if next.Exposure != nil || len(next.Subjects) != 2 || next.Subjects[1].SubjectID != lineagetest.Subject(4) ||
		next.Subjects[1].LetterWithheldUntil == nil || len(next.Subjects[1].NotifiableCategories) != 0 {
		t.Fatalf("second page %+v", next)
	}

	// A window that cuts customer 1's disclosures in half.
	rec = get(s, base+"?from=2026-03-01&to=2026-04-01", bearer(dpoToken, "x3"))
	var march exposureResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &march); err != nil {
		t.Fatal(err)
	}
	if march.Exposure.Events != 4 || march.Subjects[0].Events != 1 || !reflect.DeepEqual(march.Subjects[0].Categories, []string{"billing", "identification"}) {
		t.Fatalf("March: %+v %+v", march.Exposure, march.Subjects[0])
	}

	rec = get(s, base+"?format=csv", bearer(dpoToken, "x4"))
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv: %v, %s", err, rec.Header().Get("Content-Type"))
	}
	if len(rows) != 5 || rows[1][0] != lineagetest.Subject(1) || rows[1][4] != "billing contact identification" || rows[4][6] == "" {
		t.Fatalf("csv rows %q", rows)
	}

	source := get(s, "/v1/sources/third_country_processor/subjects", bearer(dpoToken, "x5"))
	if err := json.Unmarshal(source.Body.Bytes(), &resp); err != nil || resp.Exposure.Subjects != 1 || resp.Party.Name != "Processor outside the EU/EEA" {
		t.Fatalf("source system: %v %s", err, source.Body)
	}

	refused := []struct {
		name, target, token string
		status              int
		field               string
	}{
		{"a responder", base, deskToken, http.StatusForbidden, ""},
		{"a bad recipient id", "/v1/recipients/bad%20id/subjects", dpoToken, http.StatusBadRequest, "recipient_id"},
		{"an unknown source", "/v1/sources/mainframe/subjects", dpoToken, http.StatusBadRequest, "source_system"},
		{"a bad cursor", base + "?after=alice", dpoToken, http.StatusBadRequest, "after"},
		{"a limit too large", base + "?limit=10001", dpoToken, http.StatusBadRequest, "limit"},
		{"csv with a page", base + "?format=csv&limit=5", dpoToken, http.StatusBadRequest, "format"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(s, tt.target, bearer(tt.token, "r"))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if e := errorOf(t, rec.Body.Bytes()); e.Field != tt.field {
				t.Errorf("field %q, want %q", e.Field, tt.field)
			}
		})
	}
}

func TestLetterEndpoint(t *testing.T) {
	s, auditor := exposureServer(t)
	post := func(subject, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/recipients/rcp-bank-swedbank/subjects/"+subject+"/letter", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+dpoToken)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	body := `{"lang":"lv","reference":"INC-2026-007","from":"2026-03-01T00:00:00Z","to":"2026-04-01T00:00:00Z",` +
		`"nature":"Bankas darbinieks nesankcionēti piekļuva maksājumu failam.","measures":"Piekļuve ir slēgta."}`
	rec := post(lineagetest.Subject(1), body)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	letter := rec.Body.String()
	for _, want := range []string{"Paziņojums par personas datu aizsardzības pārkāpumu", lineagetest.Subject(1), "INC-2026-007",
		"Swedbank AS", "Norēķinu dati", "maksājumu krāpšana", "Piekļuve ir slēgta.", "klients@balticom.info", "Datu valsts inspekcijai"} {
		if !strings.Contains(letter, want) {
			t.Errorf("letter lacks %q:\n%s", want, letter)
		}
	}
	// The window leaves May's contact data out.
	if strings.Contains(letter, "kontaktinformācija") {
		t.Errorf("letter names data from outside the window:\n%s", letter)
	}
	if got := auditor.last(); got.SubjectID != lineagetest.Subject(1) || got.Reason != audit.ReasonBreachNotification ||
		got.Consultation("x").Attributes[audit.AttrLookupReason] != audit.ReasonBreachNotification {
		t.Errorf("audit record %+v", got)
	}

	for _, tt := range []struct {
		name, subject, body string
		status              int
	}{
		{"every disclosure restricted", lineagetest.Subject(4), body, http.StatusConflict},
		{"not exposed", lineagetest.Subject(5), body, http.StatusNotFound},
		{"no measures", lineagetest.Subject(1), strings.Replace(body, `"Piekļuve ir slēgta."`, `" "`, 1), http.StatusBadRequest},
		{"an unknown member", lineagetest.Subject(1), strings.Replace(body, `"lang"`, `"language"`, 1), http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if rec := post(tt.subject, tt.body); rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
		})
	}
}
