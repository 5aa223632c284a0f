package httpapi

import (
	"bytes"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/httpserve/httpservetest"
)

// TestIdleConnectionsDoNotKeepCallersOut is the reviewer's finding on real
// TCP with a small cap (API_MAX_CONNS=8): clients without a token open as
// many connections as the API takes and keep them alive. A caller with a
// token must still be answered at once: a 401 closes its connection, and
// an idle connection (after a probe, which needs no token) gives its place
// to a new one. The server never holds more than the cap and the one
// connection it is making room for.
func TestIdleConnectionsDoNotKeepCallersOut(t *testing.T) {
	const maxConns = 8
	tests := []struct {
		name    string
		request string
		status  int
		closed  bool // the server closes each crowd connection after its answer
	}{
		{name: "401 without a token", request: "GET /v1/subjects/" + subject + "/recipients HTTP/1.1\r\nHost: x\r\n\r\n",
			status: http.StatusUnauthorized, closed: true},
		{name: "a wrong token", request: "GET /v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-token-not-a-token\r\n\r\n",
			status: http.StatusUnauthorized, closed: true},
		{name: "health checks", request: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conns httpservetest.Conns
			addr := httpservetest.Serve(t, newTestServer(t, fixtureStore(), okAuditor{}, &bytes.Buffer{}), maxConns, &conns)
			var crowd []net.Conn
			defer func() {
				for _, c := range crowd {
					c.Close()
				}
			}()
			for range maxConns {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				crowd = append(crowd, conn)
				if resp := httpservetest.RawRequest(t, conn, tt.request); resp.StatusCode != tt.status || resp.Close != tt.closed {
					t.Fatalf("crowd request: status %d, Connection: close %v; want %d, %v", resp.StatusCode, resp.Close, tt.status, tt.closed)
				}
			}

			client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/subjects/"+subject+"/recipients", nil)
			req.Header.Set("Authorization", "Bearer "+dpoToken)
			began := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("a caller behind %d idle connections: %v after %s", maxConns, err, time.Since(began))
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("a caller behind %d idle connections: status %d", maxConns, resp.StatusCode)
			}

			closed := 0
			for _, c := range crowd {
				if httpservetest.ClosedByServer(c, 100*time.Millisecond) {
					closed++
				}
			}
			want := 1 // the one idle longest, for the caller's
			if tt.closed {
				want = maxConns
			}
			if closed != want {
				t.Errorf("the server closed %d of the %d crowd connections, want %d", closed, maxConns, want)
			}
			if peak := conns.Peak(); peak > maxConns+1 {
				t.Errorf("the server held %d connections at once, want at most %d", peak, maxConns+1)
			}
		})
	}
}
