package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// cached holds the last answer of an aggregate over the whole store and
// when it was made, reused for maxAge: such a question reads every event
// (or every identified one), and a dashboard refreshing every few seconds
// must not make the server do that each time. One request asks at a time;
// the others wait for its answer.
type cached[T any] struct {
	maxAge time.Duration
	mu     sync.Mutex
	value  T
	at     time.Time
}

// get returns the cached value, asking fetch anew when it is older than
// maxAge, and when it was made. now is the server's clock.
func (c *cached[T]) get(ctx context.Context, now func() time.Time, fetch func(context.Context) (T, error)) (T, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || now().Sub(c.at) >= c.maxAge {
		v, err := fetch(ctx)
		if err != nil {
			return v, time.Time{}, err
		}
		c.value, c.at = v, now()
	}
	return c.value, c.at, nil
}

// handleUnresolved answers how many stored events no identity link
// attributes to a customer yet. It names no subject, so it is not audited;
// it is an aggregate, so only the DPO may ask.
func (s *Server) handleUnresolved(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, codeUnknownParameter, "this endpoint takes no parameters")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	counts, at, err := s.unresolved.get(ctx, s.now, s.store.Unresolved)
	if err != nil {
		s.storeFailed(w, r, "unresolved", err)
		return
	}
	writeJSON(w, http.StatusOK, newUnresolvedResponse(counts, at))
}
