package httpingest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/balticom/lineage/pkg/httpserve/httpservetest"
)

// TestIdleConnectionsDoNotKeepSourcesOut is the reviewer's finding on real
// TCP with a small cap: clients without a token open as many connections as
// the gateway takes and keep them alive. A source with events must still be
// answered at once: a 401 closes its connection, and an idle connection
// (after a health check, which needs no token) gives its place to a new
// one.
func TestIdleConnectionsDoNotKeepSourcesOut(t *testing.T) {
	tests := []struct {
		name    string
		request string
		status  int
		closed  bool
	}{
		{name: "401 without a token", request: "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
			status: http.StatusUnauthorized, closed: true},
		{name: "a wrong token", request: "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-token-not-a-token\r\nContent-Length: 2\r\n\r\n{}",
			status: http.StatusUnauthorized, closed: true},
		{name: "health checks", request: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			httpservetest.RunCrowd(t, newServer(t, &fakePublisher{}, nil), httpservetest.Crowd{
				MaxConns: 8, Request: tt.request, Status: tt.status, Closed: tt.closed,
				Caller: func() *http.Request {
					req, _ := http.NewRequest(http.MethodPost, "/v1/events", strings.NewReader(mustJSON(t, eventJSON(access(1)))))
					req.Header.Set("Authorization", "Bearer "+crmToken)
					req.Header.Set("Content-Type", "application/json")
					return req
				},
				CallerStatus: http.StatusCreated,
			})
		})
	}
}
