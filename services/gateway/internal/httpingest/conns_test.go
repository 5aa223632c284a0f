package httpingest

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/httpserve/httpservetest"
)

// TestIdleConnectionsDoNotKeepSourcesOut is the reviewer's finding on real
// TCP with a small cap: clients without a token open as many connections as
// the gateway takes and keep them alive. A source with events must still be
// answered at once: a 401 closes its connection, and an idle connection
// (after a health check, which needs no token) gives its place to a new
// one.
func TestIdleConnectionsDoNotKeepSourcesOut(t *testing.T) {
	const maxConns = 8
	tests := []struct {
		name    string
		request string
		status  int
		// closed: the server closes each crowd connection after its
		// answer; otherwise it keeps it alive until it needs the place.
		closed bool
	}{
		{name: "401 without a token", request: "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
			status: http.StatusUnauthorized, closed: true},
		{name: "a wrong token", request: "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-token-not-a-token\r\nContent-Length: 2\r\n\r\n{}",
			status: http.StatusUnauthorized, closed: true},
		{name: "health checks", request: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := httpservetest.Serve(t, newServer(t, &fakePublisher{}, nil), maxConns, nil)
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
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/events", strings.NewReader(mustJSON(t, eventJSON(access(1)))))
			req.Header.Set("Authorization", "Bearer "+crmToken)
			req.Header.Set("Content-Type", "application/json")
			began := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("a source behind %d idle connections: %v after %s", maxConns, err, time.Since(began))
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("a source behind %d idle connections: status %d", maxConns, resp.StatusCode)
			}

			closed := 0
			for _, c := range crowd {
				if httpservetest.ClosedByServer(c, 100*time.Millisecond) {
					closed++
				}
			}
			want := 1 // the one idle longest, for the source's
			if tt.closed {
				want = maxConns
			}
			if closed != want {
				t.Errorf("the server closed %d of the %d crowd connections, want %d", closed, maxConns, want)
			}
		})
	}
}
