package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// codeRateLimited answers a caller over its rate (429).
const codeRateLimited = "rate_limited"

// rateLimiter gives each caller a token bucket: Rate requests a second on
// average and Burst at once. Every lookup costs the store a query and the
// audit topic two records; without a bound per caller, one runaway script
// (or a leaked token) takes the ClickHouse connections and the broker from
// every other responder and the DPO. It is per caller, not per address:
// callers share addresses behind a proxy, and the caller is who is
// accountable. Callers are the configured tokens' names, so the buckets
// never grow beyond them. A nil *rateLimiter lets everything through.
type rateLimiter struct {
	rate  float64 // tokens a second
	burst float64 // the bucket's size
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

// bucket is one caller's tokens as of at.
type bucket struct {
	tokens float64
	at     time.Time
}

// newRateLimiter limits each caller to rate requests a second with bursts
// of burst (at least 1); nil when rate is not positive: no limit.
func newRateLimiter(rate float64, burst int, now func() time.Time) *rateLimiter {
	if rate <= 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		return nil
	}
	return &rateLimiter{rate: rate, burst: float64(max(1, burst)), now: now, buckets: make(map[string]*bucket)}
}

// allow takes one token from caller's bucket. When the bucket is empty it
// takes nothing and returns how long until it holds a token again.
func (l *rateLimiter) allow(caller string) (ok bool, wait time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[caller]
	switch {
	case b == nil: // a caller's first request finds its bucket full
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[caller] = b
	case now.After(b.at): // a clock stepping back refills nothing
		b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// withinRate answers 429 rate_limited, with Retry-After in whole seconds
// (at least 1), when c is over its rate, and reports whether the request
// may go on. It comes after authentication, so a request without a valid
// token never spends a caller's budget, and before anything is audited or
// read, so a refused request costs neither.
func (s *Server) withinRate(w http.ResponseWriter, c caller) bool {
	ok, wait := s.rate.allow(c.Name)
	if ok {
		return true
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, codeRateLimited, fmt.Sprintf(
		"more requests than a caller may make (%g a second, %d at once; API_RATE_LIMIT, API_RATE_BURST): retry after %d s",
		s.rate.rate, int(s.rate.burst), secs))
	return false
}
