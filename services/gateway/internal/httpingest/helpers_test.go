package httpingest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

const (
	crmToken     = "crm-0123456789abcdef"
	billingToken = "billing-0123456789abcdef"
	processorTok = "tcp-0123456789abcdef"
	sourcesSpec  = "crm:" + crmToken + ",billing:" + billingToken + ",third_country_processor:" + processorTok
)

// now is the gateway's clock in tests: a minute after lineagetest.Base.
var now = lineagetest.Base.Add(time.Minute)

// fakePublisher records what it is given. When block is set, Publish
// signals started and waits for block to close, whatever its context says
// (as the SDK waits for an outcome of every record).
type fakePublisher struct {
	mu        sync.Mutex
	published [][]lineage.Event
	err       error
	block     chan struct{}
	started   chan struct{}
}

func (f *fakePublisher) Publish(_ context.Context, events []lineage.Event) error {
	f.mu.Lock()
	block := f.block
	f.mu.Unlock()
	if block != nil {
		f.started <- struct{}{}
		<-block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.published = append(f.published, events)
	return nil
}

// unblock lets blocked and later calls through.
func (f *fakePublisher) unblock() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.block)
	f.block = nil
}

func (f *fakePublisher) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.published)
}

func newServer(t testing.TB, pub Publisher, mod func(*Deps)) *Server {
	t.Helper()
	sources, err := httpauth.ParseTokens(sourcesSpec)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	d := Deps{
		Publisher: pub, Sources: sources, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		MaxBatch: 3, Now: func() time.Time { return now },
		NewEventID: func() string { n++; return lineagetest.UUID(uint64(1000 + n)) },
	}
	if mod != nil {
		mod(&d)
	}
	s, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eventJSON is e as the gateway's JSON.
func eventJSON(e lineage.Event) map[string]any {
	m := map[string]any{
		"kind":            string(e.Kind),
		"occurred_at":     e.OccurredAt.Format(time.RFC3339Nano),
		"source_system":   e.SourceSystem,
		"actor":           map[string]any{"type": string(e.Actor.Type), "id": e.Actor.ID},
		"subject_id":      e.SubjectID,
		"data_categories": e.DataCategories,
		"purpose":         e.Purpose,
		"legal_basis":     e.LegalBasis,
	}
	if e.ID != "" {
		m["event_id"] = e.ID
	}
	if !e.RecordedAt.IsZero() {
		m["recorded_at"] = e.RecordedAt.Format(time.RFC3339Nano)
	}
	if e.LegitimateInterest != nil {
		m["legitimate_interest"] = *e.LegitimateInterest
	}
	if r := e.Recipient; r != nil {
		m["recipient"] = map[string]any{"id": r.ID, "name": r.Name, "category": r.Category, "country": r.Country,
			"transfer_mechanism": r.TransferMechanism}
	}
	if e.Attributes != nil {
		m["attributes"] = e.Attributes
	}
	return m
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func batchJSON(t testing.TB, events ...lineage.Event) string {
	t.Helper()
	list := make([]any, len(events))
	for i, e := range events {
		list[i] = eventJSON(e)
	}
	return mustJSON(t, map[string]any{"events": list})
}

// access is a valid crm access of subject n.
func access(n int) lineage.Event {
	return lineagetest.Access(lineagetest.UUID(uint64(n)), lineagetest.Subject(n), lineagetest.Base)
}

// post sends body to path with a bearer token ("" for none) through h.
func post(h http.Handler, path, token, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewBufferString(body))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// answer is any answer of the gateway.
type answer struct {
	EventID  string   `json:"event_id"`
	EventIDs []string `json:"event_ids"`
	Error    struct {
		Code    string         `json:"code"`
		Field   string         `json:"field"`
		Message string         `json:"message"`
		Events  []eventProblem `json:"events"`
	} `json:"error"`
}

func decodeAnswer(t testing.TB, body []byte) answer {
	t.Helper()
	var a answer
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("decode answer %s: %v", body, err)
	}
	return a
}
