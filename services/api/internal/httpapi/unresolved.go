package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/balticom/lineage/services/chstore"
)

// unresolvedCache holds the last count and when it was made, reused for
// maxAge: the count reads every identified event, and a dashboard
// refreshing every few seconds must not make the server do that each time.
// One request counts at a time; the others wait for its answer.
type unresolvedCache struct {
	maxAge time.Duration
	mu     sync.Mutex
	counts []chstore.UnresolvedCount
	at     time.Time
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
	cache := &s.unresolved
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.at.IsZero() || s.now().Sub(cache.at) >= cache.maxAge {
		ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
		defer cancel()
		counts, err := s.store.Unresolved(ctx)
		if err != nil {
			s.storeFailed(w, r, "unresolved", err)
			return
		}
		cache.counts, cache.at = counts, s.now()
	}
	writeJSON(w, http.StatusOK, newUnresolvedResponse(cache.counts, cache.at))
}
