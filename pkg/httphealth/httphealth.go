// Package httphealth answers the probes of the project's HTTP services:
// /healthz says the process is alive and serving, /readyz runs the
// service's checks of its dependencies and names those that fail. Neither
// needs a token, so neither says why a check failed: the reason is logged.
package httphealth

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/balticom/lineage/pkg/httpjson"
)

// DefaultCheckTimeout bounds each check when Ready is given no timeout.
const DefaultCheckTimeout = 2 * time.Second

// Paths of the probes as Register serves them, the same in every service
// (container health checks and orchestrators name them).
const (
	LivePath  = "/healthz"
	ReadyPath = "/readyz"
)

// Routes returns the route labels of the probes, for
// httpobserve.Config.QuietRoutes: a probe every few seconds would drown
// the request log.
func Routes() []string { return []string{LivePath, ReadyPath} }

// Register serves GET LivePath with Live and GET ReadyPath with
// Ready(log, timeout, checks) on mux.
func Register(mux *http.ServeMux, log *slog.Logger, timeout time.Duration, checks []Check) {
	mux.HandleFunc(http.MethodGet+" "+LivePath, Live)
	mux.HandleFunc(http.MethodGet+" "+ReadyPath, Ready(log, timeout, checks))
}

// Check is one readiness check: Name appears in the /readyz answer, Func
// returns nil when the dependency is usable. Func must honour ctx and be
// safe for concurrent use (probes may overlap).
type Check struct {
	Name string
	Func func(ctx context.Context) error
}

// Response is the JSON of both probes: {"status": "ok"} from Live;
// {"status": "ready" | "unavailable", "checks": {name: "ok" |
// "unavailable"}} from Ready.
type Response struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// Live answers 200 {"status":"ok"}. It checks nothing else: a dependency
// that is down is Ready's business.
func Live(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, Response{Status: "ok"})
}

// Ready returns the readiness handler: it runs every check in order, each
// within timeout (DefaultCheckTimeout when not positive), and answers 200
// when all pass, 503 naming the failing ones otherwise. A failure is
// logged to log at warn with its reason.
func Ready(log *slog.Logger, timeout time.Duration, checks []Check) http.HandlerFunc {
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	return func(w http.ResponseWriter, r *http.Request) {
		resp := Response{Status: "ready", Checks: make(map[string]string, len(checks))}
		status := http.StatusOK
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			err := c.Func(ctx)
			cancel()
			if err != nil {
				log.LogAttrs(r.Context(), slog.LevelWarn, "readiness check failed",
					slog.String("check", c.Name), slog.String("error", err.Error()))
				resp.Checks[c.Name] = "unavailable"
				resp.Status, status = "unavailable", http.StatusServiceUnavailable
				continue
			}
			resp.Checks[c.Name] = "ok"
		}
		httpjson.Write(w, status, resp)
	}
}
