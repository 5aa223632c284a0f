package httpapi

import (
	"context"
	"log/slog"
	"net/http"
)

type healthResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// handleHealthz says the process is alive and serving. It checks nothing
// else: a dependency that is down is /readyz's business.
func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, healthResponse{Status: "ok"})
}

// handleReadyz runs every check and answers 200 when all pass, 503 naming
// the failing ones otherwise. The reason is logged, not answered: the
// endpoint needs no token and must not describe the infrastructure.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	resp := healthResponse{Status: "ready", Checks: make(map[string]string, len(s.checks))}
	status := http.StatusOK
	for _, c := range s.checks {
		ctx, cancel := context.WithTimeout(r.Context(), s.checkTimeout)
		err := c.Func(ctx)
		cancel()
		if err != nil {
			s.log.LogAttrs(r.Context(), slog.LevelWarn, "readiness check failed",
				slog.String("check", c.Name), slog.String(keyError, err.Error()))
			resp.Checks[c.Name] = "unavailable"
			resp.Status, status = "unavailable", http.StatusServiceUnavailable
			continue
		}
		resp.Checks[c.Name] = "ok"
	}
	writeJSON(w, status, resp)
}
