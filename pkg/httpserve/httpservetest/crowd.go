package httpservetest

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// Crowd is a server crowded with idle connections: MaxConns clients, each
// on its own connection, send Request and are answered Status; then a
// real caller arrives and must be answered at once.
type Crowd struct {
	MaxConns int
	// Request is what each crowd connection sends, raw.
	Request string
	Status  int
	// Closed: the server closes each crowd connection after its answer
	// (a 401 does); otherwise it keeps it alive until it needs the place.
	Closed bool
	// Caller is the real caller's request, sent on a new connection, and
	// CallerStatus its answer.
	Caller       func() *http.Request
	CallerStatus int
}

// RunCrowd serves h with c.MaxConns connections at most and plays c: the
// caller is answered within 2 s; the server closed every crowd connection
// (Closed) or only the one idle longest, for the caller's; and it never
// held more than the cap and the one connection it was making room for.
func RunCrowd(t *testing.T, h http.Handler, c Crowd) {
	t.Helper()
	var conns Conns
	addr := Serve(t, h, c.MaxConns, &conns)
	var crowd []net.Conn
	defer func() {
		for _, conn := range crowd {
			conn.Close()
		}
	}()
	for range c.MaxConns {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		crowd = append(crowd, conn)
		if resp := RawRequest(t, conn, c.Request); resp.StatusCode != c.Status || resp.Close != c.Closed {
			t.Fatalf("crowd request: status %d, Connection: close %v; want %d, %v", resp.StatusCode, resp.Close, c.Status, c.Closed)
		}
	}

	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req := c.Caller()
	req.URL.Scheme, req.URL.Host, req.Host = "http", addr, addr
	began := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("a caller behind %d idle connections: %v after %s", c.MaxConns, err, time.Since(began))
	}
	resp.Body.Close()
	if resp.StatusCode != c.CallerStatus {
		t.Fatalf("a caller behind %d idle connections: status %d, want %d", c.MaxConns, resp.StatusCode, c.CallerStatus)
	}

	closed := 0
	for _, conn := range crowd {
		if ClosedByServer(conn, 100*time.Millisecond) {
			closed++
		}
	}
	want := 1 // the one idle longest, for the caller's
	if c.Closed {
		want = c.MaxConns
	}
	if closed != want {
		t.Errorf("the server closed %d of the %d crowd connections, want %d", closed, c.MaxConns, want)
	}
	if peak := conns.Peak(); peak > c.MaxConns+1 {
		t.Errorf("the server held %d connections at once, want at most %d", peak, c.MaxConns+1)
	}
}
