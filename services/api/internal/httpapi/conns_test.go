package httpapi

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/balticom/lineage/pkg/httpserve/httpservetest"
)

// TestIdleConnectionsDoNotKeepCallersOut is the reviewer's finding on real
// TCP with a small cap (API_MAX_CONNS=8): clients without a token open as
// many connections as the API takes and keep them alive. A caller with a
// token must still be answered at once: a 401 closes its connection, and
// an idle connection (after a probe, which needs no token) gives its place
// to a new one.
func TestIdleConnectionsDoNotKeepCallersOut(t *testing.T) {
	tests := []struct {
		name    string
		request string
		status  int
		closed  bool
	}{
		{name: "401 without a token", request: "GET /v1/subjects/" + subject + "/recipients HTTP/1.1\r\nHost: x\r\n\r\n",
			status: http.StatusUnauthorized, closed: true},
		{name: "a wrong token", request: "GET /v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-token-not-a-token\r\n\r\n",
			status: http.StatusUnauthorized, closed: true},
		{name: "health checks", request: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			httpservetest.RunCrowd(t, newTestServer(t, fixtureStore(), okAuditor{}, &bytes.Buffer{}), httpservetest.Crowd{
				MaxConns: 8, Request: tt.request, Status: tt.status, Closed: tt.closed,
				Caller: func() *http.Request {
					req, _ := http.NewRequest(http.MethodGet, "/v1/subjects/"+subject+"/recipients", nil)
					req.Header.Set("Authorization", "Bearer "+dpoToken)
					return req
				},
				CallerStatus: http.StatusOK,
			})
		})
	}
}
