package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpjson"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/chstore"
)

// errorOf decodes an error answer.
func errorOf(t *testing.T, body []byte) httpjson.Error {
	t.Helper()
	var e httpjson.Body[httpjson.Error]
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("decode error body %q: %v", body, err)
	}
	return e.Error
}

func TestLookups(t *testing.T) {
	k := startKafka(t, 5*time.Second)
	store := fixtureStore()
	var logs bytes.Buffer
	s := newTestServer(t, store, k.auditor, &logs)

	recipients := "/v1/subjects/" + subject + "/recipients"
	events := "/v1/subjects/" + subject + "/events"
	tests := []struct {
		name       string
		target     string
		headers    map[string]string
		wantStatus int
		wantCode   string
		wantField  string
		wantAuth   string // WWW-Authenticate
		golden     string
		wantAudit  bool
	}{
		{name: "no token", target: recipients, headers: map[string]string{"X-Request-Id": "r-no-token"},
			wantStatus: 401, wantCode: "unauthorized", wantAuth: `Bearer realm="lineage"`},
		{name: "wrong token", target: recipients, headers: bearer("not-a-configured-token", "r-wrong"),
			wantStatus: 401, wantCode: "unauthorized", wantAuth: `Bearer realm="lineage", error="invalid_token"`},
		{name: "basic scheme", target: events, headers: map[string]string{"Authorization": "Basic " + deskToken},
			wantStatus: 401, wantCode: "unauthorized", wantAuth: `Bearer realm="lineage", error="invalid_token"`},
		{name: "token prefix", target: events, headers: bearer(dpoToken[:len(dpoToken)-1], "r-prefix"),
			wantStatus: 401, wantCode: "unauthorized", wantAuth: `Bearer realm="lineage", error="invalid_token"`},
		{name: "phone number as subject", target: "/v1/subjects/29123456/recipients", headers: bearer(dpoToken, "r1"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "subject_id"},
		{name: "personal code as subject", target: "/v1/subjects/010190-12345/events", headers: bearer(dpoToken, "r2"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "subject_id"},
		{name: "subject too long", target: "/v1/subjects/C12345678901/events", headers: bearer(dpoToken, "r3"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "subject_id"},
		{name: "bad from", target: recipients + "?from=31.01.2026", headers: bearer(dpoToken, "r4"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "from"},
		{name: "bad to", target: events + "?to=2026-02-30", headers: bearer(dpoToken, "r5"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "to"},
		{name: "from after to", target: recipients + "?from=2026-03-01&to=2026-02-01", headers: bearer(dpoToken, "r6"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "from"},
		{name: "from equals to", target: events + "?from=2026-03-01&to=2026-03-01T00:00:00Z", headers: bearer(dpoToken, "r7"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "from"},
		{name: "limit 0", target: events + "?limit=0", headers: bearer(dpoToken, "r8"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "limit"},
		{name: "limit 1001", target: events + "?limit=1001", headers: bearer(dpoToken, "r9"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "limit"},
		{name: "bad cursor", target: events + "?cursor=bm90LWEtY3Vyc29y", headers: bearer(dpoToken, "r10"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "cursor"},
		{name: "typo form", target: recipients + "?form=2026-01-01", headers: bearer(dpoToken, "r11"),
			wantStatus: 400, wantCode: "unknown_parameter", wantField: "form"},
		{name: "limit on recipients", target: recipients + "?limit=10", headers: bearer(dpoToken, "r12"),
			wantStatus: 400, wantCode: "unknown_parameter", wantField: "limit"},
		{name: "repeated to", target: events + "?to=2026-03-01&to=2026-04-01", headers: bearer(dpoToken, "r13"),
			wantStatus: 400, wantCode: "invalid_parameter", wantField: "to"},
		{name: "unknown route", target: "/v1/subjects/" + subject, headers: bearer(dpoToken, "r14"),
			wantStatus: 404, wantCode: "not_found"},
		{name: "recipients", target: recipients + "?from=2026-03-01&to=2026-04-01T00:00:00%2B03:00",
			headers:    map[string]string{"Authorization": "Bearer " + dpoToken, "X-Request-Id": "ok-recipients", "Traceparent": traceParent},
			wantStatus: 200, golden: "recipients.golden.json", wantAudit: true},
		{name: "events page", target: events + "?limit=2", headers: bearer(dpoToken, "ok-events"),
			wantStatus: 200, golden: "events.golden.json", wantAudit: true},
		{name: "events in a window", target: events + "?from=2026-03-02&to=2026-03-02T10:00:00Z", headers: bearer(dpoToken, "ok-window"),
			wantStatus: 200, golden: "events-access.golden.json", wantAudit: true},
		{name: "events of a subject with none", target: "/v1/subjects/C99999999/events", headers: bearer(dpoToken, "ok-empty"),
			wantStatus: 200, golden: "events-empty.golden.json", wantAudit: true},
	}
	audited := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := store.callCount()
			rec := get(s, tt.target, tt.headers)
			body := rec.Body.Bytes()
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, body)
			}
			h := rec.Header()
			for k, v := range map[string]string{
				"Cache-Control":          "no-store",
				"X-Content-Type-Options": "nosniff",
				"Content-Type":           "application/json; charset=utf-8",
				"WWW-Authenticate":       tt.wantAuth,
			} {
				if got := h.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if want := tt.headers["X-Request-Id"]; want != "" && h.Get("X-Request-Id") != want {
				t.Errorf("X-Request-Id = %q, want the caller's %q", h.Get("X-Request-Id"), want)
			}
			if tt.golden != "" {
				assertGolden(t, tt.golden, body)
			} else {
				e := errorOf(t, body)
				if e.Code != tt.wantCode || e.Field != tt.wantField || e.Message == "" {
					t.Errorf("error = %+v, want code %q field %q and a message", e, tt.wantCode, tt.wantField)
				}
			}
			if tt.wantAudit {
				audited++
			} else if store.callCount() != before {
				t.Errorf("store was queried for a refused request")
			}
		})
	}

	msgs := k.readAudit(t, audited, 5*time.Second)
	msgs = append(msgs, k.readAudit(t, 0, 300*time.Millisecond)...)
	if len(msgs) != audited {
		t.Fatalf("got %d audit records, want %d (one per answered lookup)", len(msgs), audited)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 31, 21, 0, 0, 0, time.UTC)
	limit := 2
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tenAM := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	want := []audit.Record{
		{Time: testNow(), Caller: "dpo", Role: "dpo", Endpoint: "/v1/subjects/{subject_id}/recipients", SubjectID: subject,
			From: &from, To: &to, RemoteAddr: "192.0.2.1:1234", RequestID: "ok-recipients", TraceID: traceID, Outcome: "requested"},
		{Time: testNow(), Caller: "dpo", Role: "dpo", Endpoint: "/v1/subjects/{subject_id}/events", SubjectID: subject,
			Limit: &limit, RemoteAddr: "192.0.2.1:1234", RequestID: "ok-events", Outcome: "requested"},
		{Time: testNow(), Caller: "dpo", Role: "dpo", Endpoint: "/v1/subjects/{subject_id}/events", SubjectID: subject,
			From: &day, To: &tenAM, RemoteAddr: "192.0.2.1:1234", RequestID: "ok-window", Outcome: "requested"},
		{Time: testNow(), Caller: "dpo", Role: "dpo", Endpoint: "/v1/subjects/{subject_id}/events", SubjectID: "C99999999",
			RemoteAddr: "192.0.2.1:1234", RequestID: "ok-empty", Outcome: "requested"},
	}
	for i, m := range msgs {
		if m.Key != want[i].SubjectID {
			t.Errorf("audit record %d key = %q, want the subject id %q", i, m.Key, want[i].SubjectID)
		}
		got, _ := json.Marshal(m.Record)
		exp, _ := json.Marshal(want[i])
		if !bytes.Equal(got, exp) {
			t.Errorf("audit record %d:\n got %s\nwant %s", i, got, exp)
		}
		for _, field := range []string{"time", "caller", "endpoint", "subject_id", "from", "to", "limit", "cursor",
			"remote_addr", "request_id", "trace_id", "outcome"} {
			if _, ok := m.Raw[field]; !ok {
				t.Errorf("audit record %d has no %q field", i, field)
			}
		}
	}

	// The request log names routes, never paths: no subject id in it.
	for _, id := range []string{subject, "C99999999", "29123456", "010190-12345"} {
		if strings.Contains(logs.String(), id) {
			t.Errorf("request log contains the subject id %q:\n%s", id, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"route":"/v1/subjects/{subject_id}/recipients"`) {
		t.Errorf("request log lacks the route pattern:\n%s", logs.String())
	}
}

func TestAuditFailureRefusesLookup(t *testing.T) {
	k := startKafka(t, 500*time.Millisecond)
	store := fixtureStore()
	var logs bytes.Buffer
	s := newTestServer(t, store, k.auditor, &logs)

	// Audit works while the cluster is up.
	if rec := get(s, "/v1/subjects/"+subject+"/recipients", bearer(dpoToken, "before")); rec.Code != http.StatusOK {
		t.Fatalf("before the outage: status %d, body %s", rec.Code, rec.Body)
	}
	calls := store.callCount()
	k.cluster.Close()

	for _, target := range []string{"/v1/subjects/" + subject + "/recipients", "/v1/subjects/" + subject + "/events"} {
		rec := get(s, target, bearer(dpoToken, "during"))
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s: status = %d, want 503; body %s", target, rec.Code, rec.Body)
		}
		if e := errorOf(t, rec.Body.Bytes()); e.Code != "audit_unavailable" {
			t.Errorf("%s: error code = %q, want audit_unavailable", target, e.Code)
		}
		if rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", target)
		}
	}
	if got := store.callCount(); got != calls {
		t.Errorf("store queried %d times after the audit failed, want 0", got-calls)
	}
	if !strings.Contains(logs.String(), "audit write failed") {
		t.Errorf("audit failure not logged:\n%s", logs.String())
	}
}

func TestEventsCursorRoundTrip(t *testing.T) {
	k := startKafka(t, 5*time.Second)
	store := fixtureStore()
	// Seven more events of subject, two of them at one instant (ties are
	// broken by event id).
	base := time.Date(2026, 2, 1, 0, 0, 0, 500, time.UTC)
	for i := range 7 {
		e := store.events[0]
		e.ID = fmt.Sprintf("00000000-0000-4000-8000-%012x", 100+i)
		e.OccurredAt = base.Add(time.Duration(i/2) * time.Minute)
		store.events = append(store.events, e)
	}
	s := newTestServer(t, store, k.auditor, &bytes.Buffer{})

	var ids []string
	cursor := ""
	for page := 0; ; page++ {
		if page > 10 {
			t.Fatal("more pages than events")
		}
		q := url.Values{"limit": {"3"}, "from": {"2026-01-01"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		rec := get(s, "/v1/subjects/"+subject+"/events?"+q.Encode(), bearer(dpoToken, fmt.Sprintf("page-%d", page)))
		if rec.Code != http.StatusOK {
			t.Fatalf("page %d: status %d, body %s", page, rec.Code, rec.Body)
		}
		var resp eventsResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		for _, e := range resp.Events {
			ids = append(ids, e.EventID)
		}
		if resp.NextCursor == nil {
			break
		}
		cursor = *resp.NextCursor
	}

	// The whole timeline, newest first, each event once.
	var want []string
	all := append([]chstore.StoredEvent(nil), store.events...)
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].SubjectID != subject {
			all = append(all[:i], all[i+1:]...)
		}
	}
	sortNewestFirst(all)
	for _, e := range all {
		want = append(want, e.ID)
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("paged ids:\n got %v\nwant %v", ids, want)
	}

	msgs := k.readAudit(t, 4, 5*time.Second)
	if len(msgs) != 4 {
		t.Fatalf("got %d audit records, want one per page (4)", len(msgs))
	}
	if msgs[0].Record.Cursor != nil || msgs[1].Record.Cursor == nil {
		t.Errorf("audit cursor: first page %v, second page %v; want nil then set", msgs[0].Record.Cursor, msgs[1].Record.Cursor)
	}
}

func sortNewestFirst(events []chstore.StoredEvent) {
	for i := 1; i < len(events); i++ {
		for j := i; j > 0 && compareEvent(events[j], events[j-1].OccurredAt.UnixMicro(), events[j-1].ID) > 0; j-- {
			events[j], events[j-1] = events[j-1], events[j]
		}
	}
}

// okAuditor accepts every record; for tests of the store's failures.
type okAuditor struct{}

func (okAuditor) Audit(context.Context, audit.Record) error { return nil }

func TestStoreFailures(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
	}{
		{name: "server error", err: errors.New("query events in lineage: connection reset"), wantStatus: 500, wantCode: "internal"},
		{name: "deadline", err: fmt.Errorf("query events in lineage: %w", context.DeadlineExceeded), wantStatus: 504, wantCode: "timeout"},
		{name: "invalid query", err: fmt.Errorf("events: %w", chstore.ErrInvalidQuery), wantStatus: 400, wantCode: "invalid_parameter"},
		{name: "too many windows", err: fmt.Errorf("events: %w", chstore.ErrTooManyIdentifierWindows), wantStatus: 422, wantCode: "too_many_identifier_windows"},
		{name: "too many events", err: fmt.Errorf("all events: %w", chstore.ErrTooManyEvents), wantStatus: 422, wantCode: "too_many_events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := newTestServer(t, &memStore{err: tt.err}, okAuditor{}, &logs)
			rec := get(s, "/v1/subjects/"+subject+"/events", bearer(dpoToken, "x"))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if e := errorOf(t, rec.Body.Bytes()); e.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", e.Code, tt.wantCode)
			}
			if strings.Contains(rec.Body.String(), "connection reset") {
				t.Errorf("answer leaks the internal error: %s", rec.Body)
			}
			if !strings.Contains(logs.String(), "store query failed") {
				t.Errorf("store failure not logged")
			}
		})
	}
}

func TestHealth(t *testing.T) {
	var mu sync.Mutex
	kafkaErr := errors.New("dial tcp 10.0.0.7:9092: connection refused")
	checks := []httphealth.Check{
		{Name: "clickhouse", Func: func(context.Context) error { return nil }},
		{Name: "kafka", Func: func(context.Context) error { mu.Lock(); defer mu.Unlock(); return kafkaErr }},
	}
	s := newTestServer(t, &memStore{}, okAuditor{}, &bytes.Buffer{}, checks...)

	tests := []struct {
		name       string
		target     string
		kafkaErr   error
		wantStatus int
		wantBody   string
	}{
		{name: "alive", target: "/healthz", wantStatus: 200, wantBody: `{"status":"ok"}`},
		{name: "ready", target: "/readyz", wantStatus: 200, wantBody: `{"status":"ready","checks":{"clickhouse":"ok","kafka":"ok"}}`},
		{name: "kafka down", target: "/readyz", kafkaErr: kafkaErr, wantStatus: 503,
			wantBody: `{"status":"unavailable","checks":{"clickhouse":"ok","kafka":"unavailable"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			kafkaErr = tt.kafkaErr
			mu.Unlock()
			rec := get(s, tt.target, nil)
			if rec.Code != tt.wantStatus || strings.TrimSpace(rec.Body.String()) != tt.wantBody {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	s := newTestServer(t, &memStore{}, okAuditor{}, &bytes.Buffer{})
	tests := []struct{ sent, want string }{
		{sent: "abc-123", want: "abc-123"},
		{sent: "", want: "generated-request-id"},
		{sent: "has space", want: "generated-request-id"},
		{sent: strings.Repeat("a", 129), want: "generated-request-id"},
	}
	for _, tt := range tests {
		rec := get(s, "/healthz", map[string]string{"X-Request-Id": tt.sent})
		if got := rec.Header().Get("X-Request-Id"); got != tt.want {
			t.Errorf("sent %q: X-Request-Id = %q, want %q", tt.sent, got, tt.want)
		}
	}
}
