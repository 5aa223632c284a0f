package httpingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
)

func TestPublishSingle(t *testing.T) {
	pub := &fakePublisher{}
	s := newServer(t, pub, nil)
	e := access(1)
	w := post(s, "/v1/events", crmToken, mustJSON(t, eventJSON(e)))
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if a := decodeAnswer(t, w.Body.Bytes()); a.EventID != e.ID {
		t.Errorf("event_id %q, want %q", a.EventID, e.ID)
	}
	if len(pub.published) != 1 || !reflect.DeepEqual(pub.published[0], []lineage.Event{e}) {
		t.Errorf("published %+v, want %+v", pub.published, e)
	}
}

func TestPublishBatchWithDefaults(t *testing.T) {
	pub := &fakePublisher{}
	s := newServer(t, pub, nil)
	given := access(1)
	bare := access(2)
	bare.ID, bare.RecordedAt = "", time.Time{}
	w := post(s, "/v1/events/batch", crmToken, batchJSON(t, given, bare))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	a := decodeAnswer(t, w.Body.Bytes())
	want := []string{given.ID, lineagetest.UUID(1001)}
	if !reflect.DeepEqual(a.EventIDs, want) {
		t.Errorf("event_ids %v, want %v", a.EventIDs, want)
	}
	got := pub.published[0][1]
	if got.ID != want[1] || !got.RecordedAt.Equal(now) {
		t.Errorf("defaults: id %s recorded_at %s; want %s, %s", got.ID, got.RecordedAt, want[1], now)
	}
}

func TestAuthentication(t *testing.T) {
	billing := lineagetest.Transfer(lineagetest.UUID(9), lineagetest.Subject(9), lineagetest.Base)
	tests := []struct {
		name, path, token, body string
		header                  []string
		wantStatus              int
		wantCode, wantField     string
		wantChallenge           string
		wantProblems            []eventProblem
	}{
		{name: "no credential", path: "/v1/events", body: mustJSON(t, eventJSON(access(1))),
			wantStatus: 401, wantCode: codeUnauthorized, wantChallenge: `Bearer realm="lineage-gateway"`},
		{name: "wrong credential", path: "/v1/events", token: "crm-0123456789abcdeX", body: mustJSON(t, eventJSON(access(1))),
			wantStatus: 401, wantCode: codeUnauthorized, wantChallenge: `Bearer realm="lineage-gateway", error="invalid_token"`},
		{name: "basic scheme", path: "/v1/events/batch", body: batchJSON(t, access(1)),
			header: []string{"Authorization", "Basic Y3JtOmNybQ=="}, wantStatus: 401, wantCode: codeUnauthorized,
			wantChallenge: `Bearer realm="lineage-gateway", error="invalid_token"`},
		{name: "own source", path: "/v1/events", token: billingToken, body: mustJSON(t, eventJSON(billing)), wantStatus: 201},
		{name: "spoofed source", path: "/v1/events", token: crmToken, body: mustJSON(t, eventJSON(billing)),
			wantStatus: 403, wantCode: codeForbiddenSource, wantField: "source_system",
			wantProblems: []eventProblem{{Index: 0, Field: "source_system", Rule: `must be "crm", the source system of the credential`, Value: "billing"}}},
		{name: "one spoofed event in a batch", path: "/v1/events/batch", token: crmToken, body: batchJSON(t, access(1), billing, access(2)),
			wantStatus: 403, wantCode: codeForbiddenSource, wantField: "events[1].source_system",
			wantProblems: []eventProblem{{Index: 1, Field: "source_system", Rule: `must be "crm", the source system of the credential`, Value: "billing"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{}
			s := newServer(t, pub, nil)
			w := post(s, tt.path, tt.token, tt.body, tt.header...)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.wantChallenge)
			}
			if tt.wantStatus >= 400 {
				a := decodeAnswer(t, w.Body.Bytes())
				if a.Error.Code != tt.wantCode || a.Error.Field != tt.wantField || !reflect.DeepEqual(a.Error.Events, tt.wantProblems) {
					t.Errorf("error %+v, want code %s field %s events %+v", a.Error, tt.wantCode, tt.wantField, tt.wantProblems)
				}
				if pub.calls() != 0 {
					t.Error("published despite the refusal")
				}
			}
			if strings.Contains(w.Body.String(), crmToken) {
				t.Error("answer holds the token")
			}
		})
	}
}

func TestMalformedBodies(t *testing.T) {
	valid := mustJSON(t, eventJSON(access(1)))
	tests := []struct {
		name, path, body, contentType string
		wantStatus                    int
		wantCode, wantField, wantMsg  string
	}{
		{name: "malformed JSON", path: "/v1/events", body: `{"kind": access}`,
			wantStatus: 400, wantCode: codeMalformedJSON, wantField: "kind", wantMsg: "not valid JSON"},
		{name: "empty body", path: "/v1/events", body: ``, wantStatus: 400, wantCode: codeMalformedJSON, wantMsg: "empty"},
		{name: "unknown field", path: "/v1/events", body: strings.Replace(valid, `"kind"`, `"knd":"x","kind"`, 1),
			wantStatus: 400, wantCode: codeUnknownField, wantField: "knd", wantMsg: "knd: unknown field"},
		{name: "unknown nested field in a batch", path: "/v1/events/batch",
			body:       `{"events":[` + valid + `,` + strings.Replace(valid, `"type"`, `"name":"x","type"`, 1) + `]}`,
			wantStatus: 400, wantCode: codeUnknownField, wantField: "events[1].actor.name"},
		{name: "wrong type", path: "/v1/events", body: strings.Replace(valid, `"subject_id":"C00000001"`, `"subject_id":1`, 1),
			wantStatus: 400, wantCode: codeInvalidField, wantField: "subject_id", wantMsg: "must be a string, got a number"},
		{name: "bad time", path: "/v1/events", body: strings.Replace(valid, `"2026-03-02T09:30:00.123456Z"`, `"2026-03-02T09:30:00.1234567Z"`, 1),
			wantStatus: 400, wantCode: codeInvalidField, wantField: "occurred_at", wantMsg: "RFC 3339"},
		{name: "missing field", path: "/v1/events", body: strings.Replace(valid, `"purpose":"service_provision",`, ``, 1),
			wantStatus: 400, wantCode: codeInvalidField, wantField: "purpose", wantMsg: "required"},
		{name: "trailing garbage", path: "/v1/events", body: valid + `garbage`,
			wantStatus: 400, wantCode: codeMalformedJSON, wantMsg: "data after the JSON value"},
		{name: "batch over the maximum", path: "/v1/events/batch", body: `{"events":[` + strings.Repeat(valid+",", 3) + valid + `]}`,
			wantStatus: 400, wantCode: codeBatchSize, wantField: "events", wantMsg: "at most 3 events"},
		{name: "empty batch", path: "/v1/events/batch", body: `{"events":[]}`,
			wantStatus: 400, wantCode: codeBatchSize, wantField: "events", wantMsg: "at least one"},
		{name: "batch to the single endpoint", path: "/v1/events", body: `{"events":[` + valid + `]}`,
			wantStatus: 400, wantCode: codeUnknownField, wantField: "events", wantMsg: "/v1/events/batch"},
		{name: "not JSON", path: "/v1/events", body: valid, contentType: "application/x-www-form-urlencoded",
			wantStatus: 415, wantCode: codeUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{}
			s := newServer(t, pub, nil)
			var header []string
			if tt.contentType != "" {
				header = []string{"Content-Type", tt.contentType}
			}
			w := post(s, tt.path, crmToken, tt.body, header...)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			a := decodeAnswer(t, w.Body.Bytes())
			if a.Error.Code != tt.wantCode || a.Error.Field != tt.wantField || !strings.Contains(a.Error.Message, tt.wantMsg) {
				t.Errorf("error %+v, want code %s field %q message containing %q", a.Error, tt.wantCode, tt.wantField, tt.wantMsg)
			}
			if pub.calls() != 0 {
				t.Error("published a refused body")
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	valid := mustJSON(t, eventJSON(access(1)))
	big := `{"events":[` + valid + `,` + valid + `]}`
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprintf("length known %v", known), func(t *testing.T) {
			s := newServer(t, &fakePublisher{}, func(d *Deps) { d.MaxBodyBytes = int64(len(valid) + 20) })
			var body io.Reader = strings.NewReader(big)
			if !known {
				body = io.MultiReader(body) // hides the length: chunked
			}
			r := httptest.NewRequest(http.MethodPost, "/v1/events/batch", body)
			if !known {
				r.ContentLength = -1
			}
			r.Header.Set("Authorization", "Bearer "+crmToken)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if a := decodeAnswer(t, w.Body.Bytes()); a.Error.Code != codeBodyTooLarge {
				t.Errorf("code %s", a.Error.Code)
			}
		})
	}
}

func TestValidationErrors(t *testing.T) {
	badCountry := access(2)
	badCountry.Kind = lineage.Transfer
	badCountry.Recipient = &lineage.Recipient{ID: "rcp-x", Name: "X", Category: "bank", Country: "XX"}
	badCategory := access(3)
	badCategory.DataCategories = []string{"contact", "dna"}
	badCategory.Purpose = "fun"
	tests := []struct {
		name, path, body    string
		wantField, wantMsg  string
		wantProblems        []eventProblem
		wantNoPersonalValue string
	}{
		{name: "single", path: "/v1/events", body: mustJSON(t, eventJSON(badCountry)),
			wantField: "recipient.country", wantMsg: "the event is invalid: recipient.country: must be an ISO 3166-1 alpha-2 code",
			wantProblems: []eventProblem{{Index: 0, Field: "recipient.country", Rule: "must be an ISO 3166-1 alpha-2 code", Value: "XX"}}},
		{name: "batch", path: "/v1/events/batch", body: batchJSON(t, access(1), badCountry, badCategory),
			wantField: "events[1].recipient.country", wantMsg: "2 of 3 events are invalid, none was published",
			wantProblems: []eventProblem{
				{Index: 1, Field: "recipient.country", Rule: "must be an ISO 3166-1 alpha-2 code", Value: "XX"},
				{Index: 2, Field: "data_categories[1]", Rule: "unknown data category code (policy annex 1)", Value: "dna"},
				{Index: 2, Field: "purpose", Rule: "unknown purpose code (policy §5)", Value: "fun"},
			}},
		{name: "subject id not echoed", path: "/v1/events", body: strings.Replace(mustJSON(t, eventJSON(access(1))), "C00000001", "010190-12345", 1),
			wantField: "subject_id", wantMsg: "subject_id: must be a customer id",
			wantProblems: []eventProblem{{Index: 0, Field: "subject_id",
				Rule: "must be a customer id: C followed by 7 to 10 digits (or empty, with subject_identifier set)"}},
			wantNoPersonalValue: "010190-12345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{}
			s := newServer(t, pub, nil)
			w := post(s, tt.path, crmToken, tt.body)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			a := decodeAnswer(t, w.Body.Bytes())
			if a.Error.Code != codeInvalidEvent || a.Error.Field != tt.wantField || !strings.Contains(a.Error.Message, tt.wantMsg) {
				t.Errorf("error %+v, want field %s message containing %q", a.Error, tt.wantField, tt.wantMsg)
			}
			if !reflect.DeepEqual(a.Error.Events, tt.wantProblems) {
				t.Errorf("events\n got %+v\nwant %+v", a.Error.Events, tt.wantProblems)
			}
			if pub.calls() != 0 {
				t.Error("published an invalid batch")
			}
			if tt.wantNoPersonalValue != "" && strings.Contains(w.Body.String(), tt.wantNoPersonalValue) {
				t.Error("answer echoes the subject id")
			}
		})
	}
}

// waitStarted waits until the blocked publisher took a request.
func waitStarted(t *testing.T, pub *fakePublisher) {
	t.Helper()
	select {
	case <-pub.started:
	case <-time.After(5 * time.Second):
		t.Fatal("publisher not called")
	}
}

func TestOverloadSheds(t *testing.T) {
	pub := &fakePublisher{block: make(chan struct{}), started: make(chan struct{}, 1)}
	s := newServer(t, pub, func(d *Deps) { d.MaxInFlight = 1 })
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- post(s, "/v1/events", crmToken, mustJSON(t, eventJSON(access(1)))) }()
	waitStarted(t, pub)

	w := post(s, "/v1/events", crmToken, mustJSON(t, eventJSON(access(2))))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != retryAfterOverloaded {
		t.Fatalf("status %d, Retry-After %q: %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if a := decodeAnswer(t, w.Body.Bytes()); a.Error.Code != codeOverloaded {
		t.Errorf("code %s", a.Error.Code)
	}
	pub.unblock()
	if w := <-first; w.Code != http.StatusCreated {
		t.Fatalf("blocked request: status %d: %s", w.Code, w.Body)
	}
	if w := post(s, "/v1/events", crmToken, mustJSON(t, eventJSON(access(3)))); w.Code != http.StatusCreated {
		t.Fatalf("after the load: status %d: %s", w.Code, w.Body)
	}
}

// TestTimeoutKeepsSlot: a request whose publish timed out is answered 503,
// but its events still count against MaxInFlight until the publisher has
// an outcome for them: memory stays bounded while Kafka is slow.
func TestTimeoutKeepsSlot(t *testing.T) {
	pub := &fakePublisher{block: make(chan struct{}), started: make(chan struct{}, 1)}
	s := newServer(t, pub, func(d *Deps) { d.MaxInFlight = 1; d.PublishTimeout = 50 * time.Millisecond })
	w := post(s, "/v1/events/batch", crmToken, batchJSON(t, access(1), access(2)))
	waitStarted(t, pub)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != retryAfterUnavailable {
		t.Fatalf("status %d, Retry-After %q: %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	a := decodeAnswer(t, w.Body.Bytes())
	want := []eventProblem{{Index: 0, EventID: access(1).ID}, {Index: 1, EventID: access(2).ID}}
	if a.Error.Code != codeKafkaUnavailable || !reflect.DeepEqual(a.Error.Events, want) || !strings.Contains(a.Error.Message, "within 50ms") {
		t.Errorf("error %+v, want kafka_unavailable listing %+v", a.Error, want)
	}
	if w := post(s, "/v1/events", crmToken, mustJSON(t, eventJSON(access(3)))); w.Code != http.StatusTooManyRequests {
		t.Fatalf("while the timed-out publish runs: status %d, want 429", w.Code)
	}
	pub.unblock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		w := post(s, "/v1/events", crmToken, mustJSON(t, eventJSON(access(3))))
		if w.Code == http.StatusCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot not given back: status %d", w.Code)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestKafkaRefusesSome(t *testing.T) {
	refused := &producer.EventError{Index: 1, ID: access(2).ID, Err: kerr.NotEnoughReplicas}
	pub := &fakePublisher{err: fmt.Errorf("publish: %w", errors.Join(refused))}
	s := newServer(t, pub, nil)
	w := post(s, "/v1/events/batch", crmToken, batchJSON(t, access(1), access(2), access(3)))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	a := decodeAnswer(t, w.Body.Bytes())
	want := []eventProblem{{Index: 1, EventID: access(2).ID}}
	if a.Error.Code != codeKafkaUnavailable || !reflect.DeepEqual(a.Error.Events, want) || !strings.Contains(a.Error.Message, "1 of 3") {
		t.Errorf("error %+v, want %+v", a.Error, want)
	}
}

func TestRoutes(t *testing.T) {
	kafkaErr := errors.New("dial tcp: connection refused")
	tests := []struct {
		name, method, path string
		checkErr           error
		wantStatus         int
		wantBody           string
	}{
		{name: "get events", method: "GET", path: "/v1/events", wantStatus: 405, wantBody: codeMethodNotAllowed},
		{name: "put batch", method: "PUT", path: "/v1/events/batch", wantStatus: 405, wantBody: codeMethodNotAllowed},
		{name: "unknown path", method: "POST", path: "/v1/event", wantStatus: 404, wantBody: codeNotFound},
		{name: "healthz", method: "GET", path: "/healthz", checkErr: kafkaErr, wantStatus: 200, wantBody: `{"status":"ok"}`},
		{name: "ready", method: "GET", path: "/readyz", wantStatus: 200, wantBody: `{"status":"ready","checks":{"kafka":"ok"}}`},
		{name: "not ready", method: "GET", path: "/readyz", checkErr: kafkaErr, wantStatus: 503,
			wantBody: `{"status":"unavailable","checks":{"kafka":"unavailable"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, &fakePublisher{}, func(d *Deps) {
				d.Checks = []httphealth.Check{{Name: "kafka", Func: func(context.Context) error { return tt.checkErr }}}
			})
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.wantStatus || !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("status %d body %s; want %d with %s", w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			if tt.wantStatus == 405 && w.Header().Get("Allow") != "POST" {
				t.Errorf("Allow %q", w.Header().Get("Allow"))
			}
			if strings.Contains(w.Body.String(), "refused") {
				t.Error("readiness answer describes the infrastructure")
			}
		})
	}
}
