// Package httpservetest serves a handler over real TCP the way the
// services' main functions do (package httpserve), and gives the tests of
// the HTTP services what they need to crowd it with connections: a count
// of the server's sockets, raw requests on a connection of the test's own,
// and whether the server closed one.
package httpservetest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/httpserve"
)

// Serve serves h on a loopback port with at most maxConns connections until
// the test ends and returns the address. The timeouts are long enough that
// nothing times out during a test; conns, when not nil, counts the
// server's sockets.
func Serve(t *testing.T, h http.Handler, maxConns int, conns *Conns) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- httpserve.Run(ctx, httpserve.Config{
			Addr: "127.0.0.1:0", Handler: h, Log: slog.New(slog.DiscardHandler),
			ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second,
			IdleTimeout: time.Minute, ShutdownTimeout: 5 * time.Second, MaxConns: maxConns,
			WrapListener: func(ln net.Listener) net.Listener {
				addrs <- ln.Addr().String()
				if conns == nil {
					return ln
				}
				return countingListener{ln, conns}
			},
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case addr := <-addrs:
		return addr
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("not listening after 5s")
	}
	return ""
}

// Conns counts the sockets the server accepted and has not closed, and
// remembers the most at once. Safe for concurrent use.
type Conns struct {
	mu         sync.Mutex
	open, peak int
}

func (s *Conns) add(d int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open += d
	s.peak = max(s.peak, s.open)
}

// Peak is the most sockets the server held at once.
func (s *Conns) Peak() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

type countingListener struct {
	net.Listener
	s *Conns
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.add(1)
	return &countingConn{Conn: c, s: l.s}, nil
}

type countingConn struct {
	net.Conn
	s    *Conns
	once sync.Once
}

func (c *countingConn) Close() error {
	c.once.Do(func() { c.s.add(-1) })
	return c.Conn.Close()
}

// RawRequest writes a request on conn and reads its answer, leaving the
// connection as the server leaves it.
func RawRequest(t *testing.T, conn net.Conn, request string) *http.Response {
	t.Helper()
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("answer: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// ClosedByServer reports whether the server closed conn within wait.
func ClosedByServer(conn net.Conn, wait time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	_, err := conn.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}
