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
	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

const (
	crmToken     = "crm-0123456789abcdef"
	billingToken = "billing-0123456789abcdef"
	processorTok = "tcp-0123456789abcdef"
	cdrToken     = "cdr-0123456789abcdef"
	sourcesSpec  = "crm:" + crmToken + ",billing:" + billingToken + ",third_country_processor:" + processorTok +
		",cdr_mediation:" + cdrToken
)

// identityKeyHex is the gateway's identity key in tests (32 bytes of 0x42),
// as GATEWAY_IDENTITY_KEY gives it.
const identityKeyHex = "4242424242424242424242424242424242424242424242424242424242424242"

// testKeyer is the Keyer of identityKeyHex: what the gateway must compute.
var testKeyer = func() *identity.Keyer {
	k, err := identity.ParseKey(identityKeyHex)
	if err != nil {
		panic(err)
	}
	return k
}()

// clearMSISDN is the phone number the tests send in clear, spelt as a
// source might; no answer, log or record may hold it in any spelling.
const clearMSISDN = "+371 29 123 456"

// msisdnSpellings are the spellings of clearMSISDN to look for.
var msisdnSpellings = []string{clearMSISDN, "+37129123456", "37129123456", "29123456", "29 123 456"}

// keyed is the identifier the gateway must make of value.
func keyed(t testing.TB, kind lineage.IdentifierKind, value string) lineage.Identifier {
	t.Helper()
	id, err := testKeyer.Identifier(kind, value)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// now is the gateway's clock in tests: a minute after lineagetest.Base.
var now = lineagetest.Base.Add(time.Minute)

// fakePublisher records what it is given. When block is set, Publish and
// PublishLinks signal started and wait for block to close, whatever their
// context says (as the SDK waits for an outcome of every record).
type fakePublisher struct {
	mu        sync.Mutex
	published [][]lineage.Event
	links     [][]lineage.IdentityLink
	err       error
	block     chan struct{}
	started   chan struct{}
}

func (f *fakePublisher) Publish(_ context.Context, events []lineage.Event) error {
	return f.record(func() { f.published = append(f.published, events) })
}

func (f *fakePublisher) PublishLinks(_ context.Context, links []lineage.IdentityLink) error {
	return f.record(func() { f.links = append(f.links, links) })
}

// record waits while blocked, then fails with err or calls add.
func (f *fakePublisher) record(add func()) error {
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
	add()
	return nil
}

// unblock lets blocked and later calls through.
func (f *fakePublisher) unblock() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.block)
	f.block = nil
}

// calls counts the calls that published events or links.
func (f *fakePublisher) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.published) + len(f.links)
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
		Keyer:    testKeyer,
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

// identifiedJSON is e as the gateway's JSON with subject_identifier
// {kind, value} in place of subject_id.
func identifiedJSON(e lineage.Event, kind lineage.IdentifierKind, value string) map[string]any {
	m := eventJSON(e)
	delete(m, "subject_id")
	m["subject_identifier"] = map[string]any{"kind": string(kind), "value": value}
	return m
}

// cdr is a valid CDR mediation transfer of the subject who holds
// clearMSISDN: the event the gateway should make of cdrJSON.
func cdr(t testing.TB, n int) lineage.Event {
	return lineagetest.CDR(lineagetest.UUID(uint64(n)), keyed(t, lineage.MSISDN, clearMSISDN), lineagetest.Base)
}

// cdrJSON is cdr(n) as a source sends it: the number in clear.
func cdrJSON(t testing.TB, n int) map[string]any {
	return identifiedJSON(cdr(t, n), lineage.MSISDN, clearMSISDN)
}

// linkJSON is l as the gateway's JSON, its identifier the clear value.
func linkJSON(l lineage.IdentityLink, value string) map[string]any {
	m := map[string]any{
		"subject_id":    l.SubjectID,
		"identifier":    map[string]any{"kind": string(l.Identifier.Kind), "value": value},
		"valid_from":    l.ValidFrom.Format(time.RFC3339Nano),
		"source_system": l.SourceSystem,
	}
	if l.ValidTo != nil {
		m["valid_to"] = l.ValidTo.Format(time.RFC3339Nano)
	}
	if !l.RecordedAt.IsZero() {
		m["recorded_at"] = l.RecordedAt.Format(time.RFC3339Nano)
	}
	if l.Retracted {
		m["retracted"] = true
	}
	return m
}

// msisdnLink is the valid crm link of subject n to clearMSISDN from
// lineagetest.Base, as the gateway should make it; to (zero: open) ends it.
func msisdnLink(t testing.TB, n int, to time.Time) lineage.IdentityLink {
	return lineagetest.Link(lineagetest.Subject(n), keyed(t, lineage.MSISDN, clearMSISDN), lineagetest.Base, to)
}

func linksJSON(t testing.TB, links ...map[string]any) string {
	t.Helper()
	return mustJSON(t, map[string]any{"links": links})
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
	EventID   string   `json:"event_id"`
	EventIDs  []string `json:"event_ids"`
	Published int      `json:"published"`
	Error     struct {
		Code    string         `json:"code"`
		Field   string         `json:"field"`
		Message string         `json:"message"`
		Events  []eventProblem `json:"events"`
		Links   []eventProblem `json:"links"`
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
