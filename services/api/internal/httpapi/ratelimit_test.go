package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/httpauth"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestRateLimiter: each caller's bucket, on a fake clock.
func TestRateLimiter(t *testing.T) {
	type step struct {
		advance  time.Duration // before the request
		caller   string
		want     bool
		wantWait time.Duration // when refused
	}
	a, b := "desk", "dpo"
	tests := []struct {
		name  string
		rate  float64
		burst int
		steps []step
	}{
		{name: "burst, then the rate", rate: 2, burst: 3, steps: []step{
			{caller: a, want: true}, {caller: a, want: true}, {caller: a, want: true},
			{caller: a, want: false, wantWait: 500 * time.Millisecond},
			{advance: 250 * time.Millisecond, caller: a, want: false, wantWait: 250 * time.Millisecond},
			{advance: 250 * time.Millisecond, caller: a, want: true},
			{caller: a, want: false, wantWait: 500 * time.Millisecond},
		}},
		{name: "callers apart", rate: 1, burst: 1, steps: []step{
			{caller: a, want: true}, {caller: a, want: false, wantWait: time.Second},
			{caller: b, want: true}, {caller: b, want: false, wantWait: time.Second},
		}},
		{name: "refill stops at the burst", rate: 10, burst: 2, steps: []step{
			{caller: a, want: true},
			{advance: time.Hour, caller: a, want: true}, {caller: a, want: true},
			{caller: a, want: false, wantWait: 100 * time.Millisecond},
		}},
		{name: "a refusal costs nothing", rate: 1, burst: 1, steps: []step{
			{caller: a, want: true},
			{advance: 100 * time.Millisecond, caller: a, want: false, wantWait: 900 * time.Millisecond},
			{advance: 100 * time.Millisecond, caller: a, want: false, wantWait: 800 * time.Millisecond},
			{advance: 800 * time.Millisecond, caller: a, want: true},
		}},
		{name: "a clock stepping back refills nothing", rate: 1, burst: 1, steps: []step{
			{caller: a, want: true},
			{advance: -time.Hour, caller: a, want: false, wantWait: time.Second},
			{advance: time.Hour + time.Second, caller: a, want: true},
		}},
		{name: "a slow rate", rate: 0.1, burst: 1, steps: []step{
			{caller: a, want: true}, {caller: a, want: false, wantWait: 10 * time.Second},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)}
			l := newRateLimiter(tt.rate, tt.burst, clock.now)
			for i, st := range tt.steps {
				clock.advance(st.advance)
				ok, wait := l.allow(st.caller)
				if ok != st.want || (!ok && (wait-st.wantWait).Abs() > time.Millisecond) {
					t.Fatalf("step %d (%s): allow = %v, wait %s; want %v, %s", i, st.caller, ok, wait, st.want, st.wantWait)
				}
			}
		})
	}

	for _, rate := range []float64{0, -1} {
		if l := newRateLimiter(rate, 5, time.Now); l != nil {
			t.Errorf("rate %g: a limiter, want none", rate)
		} else if ok, _ := l.allow(a); !ok {
			t.Errorf("rate %g: refused", rate)
		}
	}
}

// TestRateLimited: through the server, a caller over its rate gets 429
// rate_limited with Retry-After, before anything is audited or read; the
// other caller is served; requests without a valid token, answered 401,
// spend nobody's budget and close their connection.
func TestRateLimited(t *testing.T) {
	clock := &fakeClock{t: testNow()}
	tokens, err := httpauth.ParseTokens("dsar-desk:" + deskToken + ",dpo:" + dpoToken)
	if err != nil {
		t.Fatal(err)
	}
	store := &memStore{}
	auditor := &recordingAuditor{}
	s, err := New(Deps{
		Store: store, Auditor: auditor, RequestLog: store, Tokens: tokens,
		Roles: map[string]Role{"dsar-desk": RoleResponder, "dpo": RoleDPO},
		Log:   slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Now:   clock.now, RateLimit: 0.5, RateBurst: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	lookup := "/v1/subjects/" + subject + "/recipients"
	audited := func() int {
		auditor.mu.Lock()
		defer auditor.mu.Unlock()
		return len(auditor.records)
	}

	// Requests without a valid token first: none of them may count.
	for range 5 {
		for _, h := range []map[string]string{nil, bearer("not-a-token-not-a-token", "x")} {
			rec := get(s, lookup, h)
			if rec.Code != http.StatusUnauthorized || rec.Header().Get("Connection") != "close" {
				t.Fatalf("without a valid token: status %d, Connection %q; want 401, close", rec.Code, rec.Header().Get("Connection"))
			}
		}
	}
	for i := range 2 {
		if rec := get(s, lookup, bearer(dpoToken, "ok")); rec.Code != http.StatusOK {
			t.Fatalf("request %d of the burst: status %d: %s", i+1, rec.Code, rec.Body)
		}
	}
	auditedBefore, readBefore := audited(), store.calls
	rec := get(s, lookup, bearer(dpoToken, "over"))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" {
		t.Fatalf("over the rate: status %d, Retry-After %q: %s; want 429 after 2 s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if e := errorOf(t, rec.Body.Bytes()); e.Code != codeRateLimited {
		t.Errorf("code %q, want %q", e.Code, codeRateLimited)
	}
	if audited() != auditedBefore || store.calls != readBefore {
		t.Errorf("a refused request was audited (%d → %d) or read (%d → %d)", auditedBefore, audited(), readBefore, store.calls)
	}
	// Every route that needs a token is held to the rate.
	if rec := get(s, "/v1/requests", bearer(dpoToken, "list")); rec.Code != http.StatusTooManyRequests {
		t.Errorf("request list over the rate: status %d", rec.Code)
	}
	// The other caller has its own budget; the probes need none.
	if rec := get(s, "/v1/requests", bearer(deskToken, "desk")); rec.Code != http.StatusOK {
		t.Errorf("the other caller: status %d: %s", rec.Code, rec.Body)
	}
	if rec := get(s, "/healthz", nil); rec.Code != http.StatusOK {
		t.Errorf("healthz: status %d", rec.Code)
	}

	clock.advance(time.Second)
	if rec := get(s, lookup, bearer(dpoToken, "early")); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("after 1 s: status %d, Retry-After %q; want 429 after 1 s", rec.Code, rec.Header().Get("Retry-After"))
	}
	clock.advance(time.Second)
	if rec := get(s, lookup, bearer(dpoToken, "again")); rec.Code != http.StatusOK {
		t.Errorf("after 2 s: status %d: %s", rec.Code, rec.Body)
	}
}
