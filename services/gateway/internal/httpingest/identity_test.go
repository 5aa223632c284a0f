package httpingest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
)

// holdsNumber reports whether b holds clearMSISDN in any spelling.
func holdsNumber(b []byte) bool {
	for _, s := range msisdnSpellings {
		if strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}

func TestIdentifiedEvent(t *testing.T) {
	pub := &fakePublisher{}
	s := newServer(t, pub, nil)
	w := post(s, "/v1/events", cdrToken, mustJSON(t, cdrJSON(t, 1)))
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	// Other spellings of the same number hash alike.
	other := cdr(t, 2)
	w = post(s, "/v1/events/batch", cdrToken, mustJSON(t, map[string]any{"events": []any{
		identifiedJSON(other, lineage.MSISDN, "0037129123456"), identifiedJSON(cdr(t, 3), lineage.MSISDN, "29-123-456"),
	}}))
	if w.Code != http.StatusOK {
		t.Fatalf("batch status %d: %s", w.Code, w.Body)
	}
	want := []lineage.Event{cdr(t, 1), other, cdr(t, 3)}
	var got []lineage.Event
	for _, p := range pub.published {
		got = append(got, p...)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("published\n %+v\nwant %+v", got, want)
	}
	if holdsNumber(fmt.Appendf(nil, "%+v", got)) {
		t.Error("a published event holds the number in clear")
	}
}

// identifierCase is one request about identifiers and what it must get.
type identifierCase struct {
	name, path, token, body string
	noKey                   bool
	maxBody                 int64
	wantStatus              int
	wantCode, wantField     string
	wantMsg                 string
}

// identifierCases are the refusals of events with identifiers and of
// links; the TCP test runs them too.
func identifierCases(t testing.TB) []identifierCase {
	event := cdrJSON(t, 1)
	with := func(m map[string]any, k string, v any) map[string]any {
		c := map[string]any{}
		for k, v := range m {
			c[k] = v
		}
		c[k] = v
		return c
	}
	link := linkJSON(msisdnLink(t, 1, time.Time{}), clearMSISDN)
	long := strings.Repeat("+371 29 123 456 ", 200)
	return []identifierCase{
		{name: "event without identity key", path: "/v1/events", token: cdrToken, body: mustJSON(t, event), noKey: true,
			wantStatus: 422, wantCode: codeIdentifiersNotAccepted, wantField: "subject_identifier", wantMsg: "no identity key is configured"},
		{name: "batch without identity key", path: "/v1/events/batch", token: cdrToken, noKey: true,
			body: mustJSON(t, map[string]any{"events": []any{
				with(with(event, "subject_identifier", nil), "subject_id", lineagetest.Subject(1)), event}}),
			wantStatus: 422, wantCode: codeIdentifiersNotAccepted, wantField: "events[1].subject_identifier"},
		{name: "links without identity key", path: "/v1/identity-links", token: crmToken, body: linksJSON(t, link), noKey: true,
			wantStatus: 422, wantCode: codeIdentifiersNotAccepted, wantMsg: "identity links are not accepted"},
		{name: "not a phone number", path: "/v1/events", token: cdrToken,
			body:       mustJSON(t, with(event, "subject_identifier", map[string]any{"kind": "msisdn", "value": clearMSISDN + " ext 12"})),
			wantStatus: 400, wantCode: codeInvalidField, wantField: "subject_identifier.value", wantMsg: "msisdn: only digits"},
		{name: "not a phone number in a batch", path: "/v1/events/batch", token: cdrToken,
			body: mustJSON(t, map[string]any{"events": []any{event, event,
				with(event, "subject_identifier", map[string]any{"kind": "msisdn", "value": "29123"})}}),
			wantStatus: 400, wantCode: codeInvalidField, wantField: "events[2].subject_identifier.value", wantMsg: "msisdn: must be an E.164 number"},
		{name: "link with a bad number", path: "/v1/identity-links", token: crmToken,
			body:       linksJSON(t, link, with(link, "identifier", map[string]any{"kind": "msisdn", "value": "29 12"})),
			wantStatus: 400, wantCode: codeInvalidField, wantField: "links[1].identifier.value", wantMsg: "msisdn"},
		{name: "subject_id and subject_identifier", path: "/v1/events", token: cdrToken,
			body:       mustJSON(t, with(event, "subject_id", lineagetest.Subject(1))),
			wantStatus: 400, wantCode: codeInvalidEvent, wantField: "subject_id", wantMsg: "must be empty when subject_identifier is set"},
		{name: "neither", path: "/v1/events", token: cdrToken, body: mustJSON(t, with(event, "subject_identifier", nil)),
			wantStatus: 400, wantCode: codeInvalidField, wantField: "subject_id", wantMsg: "required, or subject_identifier"},
		{name: "pre-hashed identifier", path: "/v1/events", token: cdrToken,
			body: mustJSON(t, with(event, "subject_identifier", map[string]any{
				"kind": "msisdn", "hmac": keyed(t, lineage.MSISDN, clearMSISDN).HMAC})),
			wantStatus: 400, wantCode: codeUnknownField, wantField: "subject_identifier.hmac"},
		{name: "unknown identifier member", path: "/v1/events/batch", token: cdrToken,
			body: mustJSON(t, map[string]any{"events": []any{with(event, "subject_identifier", map[string]any{
				"kind": "msisdn", "value": clearMSISDN, "country": "LV"})}}),
			wantStatus: 400, wantCode: codeUnknownField, wantField: "events[0].subject_identifier.country"},
		{name: "unknown link member", path: "/v1/identity-links", token: crmToken, body: linksJSON(t, with(link, "customer", "x")),
			wantStatus: 400, wantCode: codeUnknownField, wantField: "links[0].customer", wantMsg: "identity link schema"},
		{name: "unknown identifier kind", path: "/v1/identity-links", token: crmToken,
			body:       linksJSON(t, with(link, "identifier", map[string]any{"kind": "imsi", "value": "247010000000001"})),
			wantStatus: 400, wantCode: codeInvalidField, wantField: "links[0].identifier.kind"},
		{name: "invalid link", path: "/v1/identity-links", token: crmToken,
			body:       linksJSON(t, link, with(link, "valid_to", lineagetest.Base.Add(-time.Hour).Format(time.RFC3339))),
			wantStatus: 400, wantCode: codeInvalidLink, wantField: "links[1].valid_to", wantMsg: "1 of 2 links are invalid"},
		{name: "event without credential", path: "/v1/events", body: mustJSON(t, event),
			wantStatus: 401, wantCode: codeUnauthorized},
		{name: "links without credential", path: "/v1/identity-links", body: linksJSON(t, link),
			wantStatus: 401, wantCode: codeUnauthorized},
		{name: "links with a wrong credential", path: "/v1/identity-links", token: "crm-0123456789abcdeX", body: linksJSON(t, link),
			wantStatus: 401, wantCode: codeUnauthorized},
		{name: "event of another source", path: "/v1/events", token: crmToken, body: mustJSON(t, event),
			wantStatus: 403, wantCode: codeForbiddenSource, wantField: "source_system", wantMsg: `must be "crm"`},
		{name: "link of another source", path: "/v1/identity-links", token: crmToken, body: linksJSON(t, with(link, "source_system", "billing")),
			wantStatus: 403, wantCode: codeForbiddenSource, wantField: "links[0].source_system", wantMsg: `must be "crm"`},
		{name: "link from a source that may not state links", path: "/v1/identity-links", token: cdrToken, body: linksJSON(t, link),
			wantStatus: 403, wantCode: codeForbiddenSource, wantField: "source_system", wantMsg: "GATEWAY_LINK_SOURCES"},
		{name: "link with an empty source", path: "/v1/identity-links", token: crmToken, body: linksJSON(t, link, with(link, "source_system", "")),
			wantStatus: 403, wantCode: codeForbiddenSource, wantField: "links[1].source_system", wantMsg: `must be "crm"`},
		{name: "oversize event", path: "/v1/events", token: cdrToken, maxBody: 1024,
			body:       mustJSON(t, with(event, "subject_identifier", map[string]any{"kind": "msisdn", "value": long})),
			wantStatus: 413, wantCode: codeBodyTooLarge},
		{name: "oversize links", path: "/v1/identity-links", token: crmToken, maxBody: 1024,
			body: linksJSON(t, link, link, link, link, link, link), wantStatus: 413, wantCode: codeBodyTooLarge},
		{name: "too many links", path: "/v1/identity-links", token: crmToken,
			body: linksJSON(t, link, link, link, link), wantStatus: 400, wantCode: codeBatchSize, wantField: "links"},
		{name: "links to the events route", path: "/v1/events/batch", token: crmToken, body: linksJSON(t, link),
			wantStatus: 400, wantCode: codeUnknownField, wantField: "links", wantMsg: "POST /v1/identity-links"},
	}
}

// check checks an answer against the case, and that it never holds the
// number in clear.
func (c identifierCase) check(t *testing.T, status int, body []byte) {
	t.Helper()
	if status != c.wantStatus {
		t.Fatalf("status %d, want %d: %s", status, c.wantStatus, body)
	}
	a := decodeAnswer(t, body)
	if a.Error.Code != c.wantCode || a.Error.Field != c.wantField || !strings.Contains(a.Error.Message, c.wantMsg) {
		t.Errorf("error %+v, want code %s field %q message containing %q", a.Error, c.wantCode, c.wantField, c.wantMsg)
	}
	if holdsNumber(body) {
		t.Errorf("answer holds the number: %s", body)
	}
}

func TestIdentifierRefusals(t *testing.T) {
	for _, tt := range identifierCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{}
			s := newServer(t, pub, func(d *Deps) {
				d.MaxBodyBytes = tt.maxBody
				if tt.noKey {
					d.Keyer = nil
				}
			})
			w := post(s, tt.path, tt.token, tt.body)
			tt.check(t, w.Code, w.Body.Bytes())
			if pub.calls() != 0 {
				t.Error("published despite the refusal")
			}
		})
	}
}

func TestLinks(t *testing.T) {
	pub := &fakePublisher{}
	s := newServer(t, pub, func(d *Deps) { d.MaxBatch = 4 })
	open := msisdnLink(t, 1, time.Time{})
	closed := msisdnLink(t, 2, lineagetest.Base.Add(30*time.Second))
	bare := lineagetest.Link(lineagetest.Subject(3), keyed(t, lineage.Device, "00-1A-2B-3C-4D-5E"), lineagetest.Base, time.Time{})
	bare.RecordedAt = time.Time{}
	retracted := open
	retracted.Retracted = true
	sourceless := linkJSON(retracted, "29123456")
	delete(sourceless, "source_system") // the credential's
	w := post(s, "/v1/identity-links", crmToken, linksJSON(t,
		linkJSON(open, clearMSISDN), linkJSON(closed, "0037129123456"), linkJSON(bare, "00:1a:2b:3c:4d:5e"), sourceless))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if a := decodeAnswer(t, w.Body.Bytes()); a.Published != 4 {
		t.Errorf("answer %s, want 4 published", w.Body)
	}
	bare.RecordedAt = now // the time of receipt
	want := [][]lineage.IdentityLink{{open, closed, bare, retracted}}
	if !reflect.DeepEqual(pub.links, want) {
		t.Errorf("published\n %+v\nwant %+v", pub.links, want)
	}
	if holdsNumber(w.Body.Bytes()) || strings.Contains(w.Body.String(), open.Identifier.HMAC) {
		t.Errorf("answer holds the identifier: %s", w.Body)
	}
}

// TestLinksOnlyFromLinkSources: a source that files events under numbers
// may not say who held them, or it could move one customer's data into
// another's answer; the configured link sources may.
func TestLinksOnlyFromLinkSources(t *testing.T) {
	pub := &fakePublisher{}
	l := linksJSON(t, linkJSON(msisdnLink(t, 1, time.Time{}), clearMSISDN))
	if w := post(newServer(t, pub, nil), "/v1/identity-links", cdrToken, l); w.Code != http.StatusForbidden ||
		!strings.Contains(w.Body.String(), codeForbiddenSource) || !strings.Contains(w.Body.String(), "GATEWAY_LINK_SOURCES") {
		t.Errorf("CDR mediation stating a link: status %d %s, want 403", w.Code, w.Body)
	}
	if pub.calls() != 0 {
		t.Errorf("%d publications of a refused link", pub.calls())
	}
	cdrLink := msisdnLink(t, 1, time.Time{})
	cdrLink.SourceSystem = "cdr_mediation"
	both := newServer(t, pub, func(d *Deps) { d.LinkSources = []string{"crm", "cdr_mediation"} })
	if w := post(both, "/v1/identity-links", cdrToken, linksJSON(t, linkJSON(cdrLink, clearMSISDN))); w.Code != http.StatusOK {
		t.Errorf("a configured link source refused: %d %s", w.Code, w.Body)
	}
}

func TestLinksKafkaRefuses(t *testing.T) {
	refused := &producer.EventError{Index: 1, ID: keyed(t, lineage.MSISDN, clearMSISDN).Key(), Err: kerr.NotEnoughReplicas}
	pub := &fakePublisher{err: fmt.Errorf("publish: %w", errors.Join(refused))}
	s := newServer(t, pub, nil)
	l := linkJSON(msisdnLink(t, 1, time.Time{}), clearMSISDN)
	w := post(s, "/v1/identity-links", crmToken, linksJSON(t, l, l))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != retryAfterUnavailable {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	a := decodeAnswer(t, w.Body.Bytes())
	if a.Error.Code != codeKafkaUnavailable || !reflect.DeepEqual(a.Error.Links, []eventProblem{{Index: 1}}) ||
		!strings.Contains(a.Error.Message, "1 of 2 links") {
		t.Errorf("error %+v, want link 1 to send again", a.Error)
	}
	if strings.Contains(w.Body.String(), refused.ID) {
		t.Error("answer holds the identifier key")
	}
}

func TestLinksShedAndRoutes(t *testing.T) {
	pub := &fakePublisher{block: make(chan struct{}), started: make(chan struct{}, 1)}
	s := newServer(t, pub, func(d *Deps) { d.MaxInFlight = 1 })
	body := linksJSON(t, linkJSON(msisdnLink(t, 1, time.Time{}), clearMSISDN))
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- post(s, "/v1/identity-links", crmToken, body) }()
	waitStarted(t, pub)
	if w := post(s, "/v1/identity-links", crmToken, body); w.Code != http.StatusTooManyRequests {
		t.Errorf("while the slot is taken: status %d, want 429", w.Code)
	}
	pub.unblock()
	if w := <-first; w.Code != http.StatusOK {
		t.Fatalf("blocked request: status %d: %s", w.Code, w.Body)
	}

	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/identity-links", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
		t.Errorf("GET: status %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
	if w := post(s, "/v1/identity-links", crmToken, body, "Content-Type", "text/plain"); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: status %d", w.Code)
	}
}
