package httpserve

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serverConns counts the connections a server holds: it wraps the listener
// under the server's own wrappers, so it sees every socket the process
// accepted until it is closed, and remembers the most open at once.
type serverConns struct {
	mu         sync.Mutex
	open, peak int
}

func (s *serverConns) wrap(ln net.Listener) net.Listener { return countingListener{ln, s} }

func (s *serverConns) add(d int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open += d
	s.peak = max(s.peak, s.open)
}

func (s *serverConns) counts() (open, peak int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open, s.peak
}

type countingListener struct {
	net.Listener
	s *serverConns
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
	s    *serverConns
	once sync.Once
}

func (c *countingConn) Close() error {
	c.once.Do(func() { c.s.add(-1) })
	return c.Conn.Close()
}

// crowd is how a crowd of clients holds its connections.
type crowd int

const (
	// idle: one request, answered, then nothing (a kept-alive connection).
	idle crowd = iota
	// silent: connects and never sends a byte.
	silent
	// slowHeaders: sends the request line and never ends the headers.
	slowHeaders
)

// gather opens n connections to addr that hold on as c says, and closes
// them when the test ends.
func gather(t *testing.T, addr string, n int, c crowd) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range n {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		conns = append(conns, conn)
		switch c {
		case idle:
			if _, err := io.WriteString(conn, "GET /crowd HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("crowd request: %v", err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		case slowHeaders:
			if _, err := io.WriteString(conn, "GET /crowd HTTP/1.1\r\nHost: x\r\n"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return conns
}

// closedByServer reports whether the server closed conn within wait.
func closedByServer(conn net.Conn, wait time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	_, err := conn.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// ask makes one request on a new connection, as a client with a token
// would, and returns the answer's body.
func ask(addr string, timeout time.Duration) (string, error) {
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/work", nil)
	req.Header.Set("Authorization", "Bearer token")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// okHandler answers every request "ok".
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })

// TestCrowdsDoNotKeepRequestsOut is the reviewer's attack on a small cap:
// a crowd of connections holds every place, then a client with a request
// comes. It must be answered, and the server must never hold more than
// cap+1 sockets however large the crowd (the sockets beyond wait in the
// kernel's accept queue). Idle keep-alive connections give their place at
// once; connections that send nothing, or never finish their headers, are
// closed after ReadHeaderTimeout.
func TestCrowdsDoNotKeepRequestsOut(t *testing.T) {
	const maxConns = 8
	tests := []struct {
		name   string
		crowd  crowd
		size   int
		header time.Duration
		// within bounds the wait of the request; the server closes at
		// least closed of the crowd's connections meanwhile.
		within time.Duration
		closed int
	}{
		// The idle timeout is a minute: nothing times out, room is made.
		{name: "idle keep-alive, the cap's number", crowd: idle, size: maxConns, header: time.Minute, within: time.Second, closed: 1},
		{name: "idle keep-alive, three times the cap", crowd: idle, size: 3 * maxConns, header: time.Minute, within: time.Second, closed: 2*maxConns + 1},
		{name: "silent", crowd: silent, size: 3 * maxConns, header: 300 * time.Millisecond, within: 5 * time.Second, closed: 3 * maxConns},
		{name: "headers never finished", crowd: slowHeaders, size: 3 * maxConns, header: 300 * time.Millisecond, within: 5 * time.Second, closed: 3 * maxConns},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var conns serverConns
			addr, done := start(ctx, t, Config{
				Handler: okHandler, Log: slog.New(slog.DiscardHandler), ShutdownTimeout: 5 * time.Second,
				MaxConns: maxConns, ReadHeaderTimeout: tt.header, IdleTimeout: time.Minute,
				WrapListener: conns.wrap,
			})
			crowd := gather(t, addr, tt.size, tt.crowd)

			began := time.Now()
			body, err := ask(addr, tt.within)
			if err != nil || body != "ok" {
				t.Fatalf("request behind the crowd: %q, %v after %s; want its answer within %s", body, err, time.Since(began), tt.within)
			}
			closed := 0
			for _, c := range crowd {
				if closedByServer(c, 100*time.Millisecond) {
					closed++
				}
			}
			if closed < tt.closed {
				t.Errorf("the server closed %d of the crowd's %d connections, want at least %d", closed, tt.size, tt.closed)
			}
			if _, peak := conns.counts(); peak > maxConns+1 {
				t.Errorf("the server held %d connections at once, want at most %d", peak, maxConns+1)
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
}

// TestBusyConnectionsMakeNewOnesWait: with every place taken by a request
// in progress, nothing is idle to close; new connections wait for a place,
// are not refused, and are served once one frees.
func TestBusyConnectionsMakeNewOnesWait(t *testing.T) {
	const maxConns = 2
	release := make(chan struct{})
	entered := make(chan struct{}, 16)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, "ok")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var conns serverConns
	addr, done := start(ctx, t, Config{
		Handler: h, Log: slog.New(slog.DiscardHandler), ShutdownTimeout: 5 * time.Second,
		MaxConns: maxConns, WrapListener: conns.wrap,
	})
	slow := make(chan error, maxConns)
	for range maxConns {
		go func() {
			resp, err := http.Get("http://" + addr + "/slow")
			if err == nil {
				resp.Body.Close()
			}
			slow <- err
		}()
		<-entered
	}

	const waiting = 10
	answers := make(chan error, waiting)
	for range waiting {
		go func() {
			body, err := ask(addr, 10*time.Second)
			if err == nil && body != "ok" {
				err = errors.New("answer " + body)
			}
			answers <- err
		}()
	}
	select {
	case err := <-answers:
		t.Fatalf("a request was answered (%v) while every place was busy", err)
	case <-time.After(300 * time.Millisecond):
	}
	if open, _ := conns.counts(); open > maxConns+1 {
		t.Errorf("the server holds %d connections, want at most %d", open, maxConns+1)
	}
	close(release)
	for range waiting {
		if err := <-answers; err != nil {
			t.Errorf("a waiting request: %v", err)
		}
	}
	for range maxConns {
		if err := <-slow; err != nil {
			t.Errorf("a slow request: %v", err)
		}
	}
	if _, peak := conns.counts(); peak > maxConns+1 {
		t.Errorf("the server held %d connections at once, want at most %d", peak, maxConns+1)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestShutdownWhileAConnectionWaits: a connection held for a place does not
// keep Run from returning, and is closed, not served, when it stops.
func TestShutdownWhileAConnectionWaits(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var conns serverConns
	addr, done := start(ctx, t, Config{
		Handler: h, Log: slog.New(slog.DiscardHandler), ShutdownTimeout: 5 * time.Second,
		MaxConns: 1, WrapListener: conns.wrap,
	})
	go func() {
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	held, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if _, err := io.WriteString(held, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if open, _ := conns.counts(); open == 2 {
			break // accepted, held for a place
		}
		if time.Now().After(deadline) {
			t.Fatal("the second connection was not accepted")
		}
	}
	cancel()
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return while a connection waited for a place")
	}
	_ = held.SetReadDeadline(time.Now().Add(5 * time.Second))
	// Closed with the request unread: a reset, or an end of stream.
	if b, err := io.ReadAll(held); len(b) != 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
		t.Errorf("the held connection got %q, %v; want it closed unanswered", b, err)
	}
}

// TestDefaults: a Config that sets no bound still gets them, and a
// negative one is none.
func TestDefaults(t *testing.T) {
	tests := []struct {
		name                string
		cfg                 Config
		wantHeader, wantIdl time.Duration
		wantMaxHeaderBytes  int
	}{
		{name: "zero", cfg: Config{},
			wantHeader: DefaultReadHeaderTimeout, wantIdl: DefaultIdleTimeout, wantMaxHeaderBytes: DefaultMaxHeaderBytes},
		{name: "short read timeout bounds the headers", cfg: Config{ReadTimeout: 2 * time.Second},
			wantHeader: 2 * time.Second, wantIdl: DefaultIdleTimeout, wantMaxHeaderBytes: DefaultMaxHeaderBytes},
		{name: "set", cfg: Config{ReadHeaderTimeout: time.Second, IdleTimeout: 3 * time.Second, MaxHeaderBytes: 1 << 12},
			wantHeader: time.Second, wantIdl: 3 * time.Second, wantMaxHeaderBytes: 1 << 12},
		{name: "negative is none", cfg: Config{ReadHeaderTimeout: -1, IdleTimeout: -1},
			wantHeader: -1, wantIdl: -1, wantMaxHeaderBytes: DefaultMaxHeaderBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Log = slog.New(slog.DiscardHandler)
			srv := newServer(tt.cfg)
			if srv.ReadHeaderTimeout != tt.wantHeader || srv.IdleTimeout != tt.wantIdl || srv.MaxHeaderBytes != tt.wantMaxHeaderBytes {
				t.Errorf("ReadHeaderTimeout %s, IdleTimeout %s, MaxHeaderBytes %d; want %s, %s, %d",
					srv.ReadHeaderTimeout, srv.IdleTimeout, srv.MaxHeaderBytes, tt.wantHeader, tt.wantIdl, tt.wantMaxHeaderBytes)
			}
		})
	}

	// Run bounds the connections without being told to, and says so.
	var logs strings.Builder
	var mu sync.Mutex
	ctx, cancel := context.WithCancel(context.Background())
	_, done := start(ctx, t, Config{
		Handler: okHandler, Log: slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, nil)), ShutdownTimeout: time.Second,
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := `"max_conns":1024,"read_header_timeout":5000000000,"idle_timeout":60000000000`; !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestCapLogged: reaching the cap is a warning, once however often.
func TestCapLogged(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, done := start(ctx, t, Config{
		Handler: okHandler, Log: slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, nil)), ShutdownTimeout: time.Second,
		MaxConns: 2,
	})
	gather(t, addr, 6, idle)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), `"msg":"open connections at their cap`); n != 1 {
		t.Errorf("%d warnings of the cap, want 1:\n%s", n, logs.String())
	}
}
