package httpapi

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/services/chstore"
)

// TestStoreUnavailable: an error that says ClickHouse cannot be reached, or
// dropped the connection, is 503 store_unavailable with Retry-After; an
// error of the query itself stays 500, a deadline 504. The errors are
// shaped as clickhouse-go returns them, wrapped as chstore wraps them.
func TestStoreUnavailable(t *testing.T) {
	dial := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9000},
			Err: &os.SyscallError{Syscall: "connect", Err: err}}
	}
	read := func(err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: err}}
	}
	wrap := func(err error) error { return fmt.Errorf("query events in lineage: %w", err) }
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
	}{
		{name: "connection refused", err: wrap(dial(syscall.ECONNREFUSED)), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "dial timeout", err: wrap(dial(timeoutError{})), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "no route to host", err: wrap(dial(syscall.EHOSTUNREACH)), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "connection reset", err: wrap(read(syscall.ECONNRESET)), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "broken pipe", err: wrap(&net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "server closed the connection", err: wrap(fmt.Errorf("read: %w", io.EOF)), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "closed mid-packet", err: wrap(io.ErrUnexpectedEOF), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "bad connection (database/sql)", err: wrap(driver.ErrBadConn), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "no connection from the pool", err: wrap(clickhouse.ErrAcquireConnTimeout), wantStatus: 503, wantCode: codeStoreUnavailable},
		{name: "pool closed", err: wrap(clickhouse.ErrConnectionClosed), wantStatus: 503, wantCode: codeStoreUnavailable},

		// The server answered: the query is at fault, not the connection.
		{name: "server exception", err: wrap(&clickhouse.Exception{Code: 60, Name: "UNKNOWN_TABLE", Message: "Table lineage.x does not exist"}),
			wantStatus: 500, wantCode: codeInternal},
		{name: "a message that only reads like one", err: errors.New("query events in lineage: connection refused"), wantStatus: 500, wantCode: codeInternal},
		{name: "a read that timed out is the query's deadline", err: wrap(fmt.Errorf("read: %w", context.DeadlineExceeded)), wantStatus: 504, wantCode: codeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := newTestServer(t, &memStore{err: tt.err}, okAuditor{}, &logs)
			rec := get(s, "/v1/subjects/"+subject+"/events", bearer(dpoToken, "x"))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if e := errorOf(t, rec.Body.Bytes()); e.Code != tt.wantCode {
				t.Errorf("code %q, want %q", e.Code, tt.wantCode)
			}
			if got, want := rec.Header().Get("Retry-After"), map[bool]string{true: storeRetryAfter}[tt.wantStatus == 503]; got != want {
				t.Errorf("Retry-After %q, want %q", got, want)
			}
			if strings.Contains(rec.Body.String(), "9000") || strings.Contains(rec.Body.String(), "lineage.x") {
				t.Errorf("answer leaks the cause: %s", rec.Body)
			}
			if !strings.Contains(logs.String(), "store query failed") {
				t.Error("store failure not logged")
			}
		})
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// TestClickhouseDown runs the API on the real store, reached through a
// proxy that then stops as a server does: first it drops every connection
// as it is made (a server going down or starting up), then its port is
// closed. Both are 503 store_unavailable with Retry-After, not 500; the
// lookup was audited before the store was asked, as always.
func TestClickhouseDown(t *testing.T) {
	addr := os.Getenv(clickhouseAddrEnv)
	if addr == "" {
		addr = defaultClickhouseAddr
	}
	p := startProxy(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := chstore.Open(ctx, chstore.Config{Addrs: []string{p.addr()}, Database: "default", DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("no ClickHouse at %s (%v): start one with scripts/clickhouse start, or set %s", addr, err, clickhouseAddrEnv)
	}
	t.Cleanup(func() { _ = store.Close() })
	s := newTestServer(t, store, okAuditor{}, &bytes.Buffer{})

	for _, stage := range []struct {
		name string
		down func()
	}{
		{name: "connections dropped", down: p.dropAll},
		{name: "port closed", down: p.close},
	} {
		t.Run(stage.name, func(t *testing.T) {
			stage.down()
			rec := get(s, "/v1/subjects/"+subject+"/recipients", bearer(dpoToken, "down"))
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != storeRetryAfter {
				t.Fatalf("status %d, Retry-After %q: %s; want 503 with Retry-After %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body, storeRetryAfter)
			}
			if e := errorOf(t, rec.Body.Bytes()); e.Code != codeStoreUnavailable {
				t.Errorf("code %q, want %q", e.Code, codeStoreUnavailable)
			}
		})
	}
}

// proxy forwards TCP connections to a server until told to stop.
type proxy struct {
	ln net.Listener

	mu    sync.Mutex
	drop  bool // close new connections at once
	conns []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	t.Cleanup(p.close)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			drop := p.drop
			if !drop {
				p.conns = append(p.conns, c)
			}
			p.mu.Unlock()
			if drop {
				c.Close()
				continue
			}
			go p.forward(c, target)
		}
	}()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) forward(c net.Conn, target string) {
	up, err := net.Dial("tcp", target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

// dropAll closes every open connection, and every new one at once.
func (p *proxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drop = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// close closes the port as well: a dial is refused.
func (p *proxy) close() {
	p.dropAll()
	p.ln.Close()
}
