package httpserve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// start runs Run in the background on a free port and returns its address
// once it listens, and the channel of Run's result.
func start(ctx context.Context, t *testing.T, cfg Config) (string, <-chan error) {
	t.Helper()
	addrs := make(chan string, 1)
	wrap := cfg.WrapListener
	cfg.Addr = "127.0.0.1:0"
	cfg.WrapListener = func(ln net.Listener) net.Listener {
		addrs <- ln.Addr().String()
		if wrap != nil {
			return wrap(ln)
		}
		return ln
	}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	select {
	case addr := <-addrs:
		return addr, done
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not listen within 5s")
	}
	return "", nil
}

// TestRunFinishesRequestsInFlight cancels the context while a request is
// being served: the request gets its answer, Run returns nil, and the life
// of the server is logged.
func TestRunFinishesRequestsInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	// Read only once Run returned: every line is written by then.
	var logs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, done := start(ctx, t, Config{
		Handler: h, Log: slog.New(slog.NewJSONHandler(&logs, nil)), ShutdownTimeout: 5 * time.Second,
	})

	type answer struct {
		body string
		err  error
	}
	answers := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			answers <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answers <- answer{body: string(b), err: err}
	}()
	<-entered
	cancel()
	// Shutdown has begun once new connections are refused.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5s after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) before the request in flight was answered", err)
	default:
	}
	close(release)

	if a := <-answers; a.err != nil || a.body != "done" {
		t.Errorf("request in flight: %q, %v; want its answer", a.body, a.err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the shutdown")
	}
	out := logs.String()
	for _, want := range []string{`"msg":"serving http","addr":"` + addr + `"`, `"msg":"shutting down http","timeout":5000000000`, `"msg":"http stopped"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

// TestRunShutdownTimeout: a request that outlasts the shutdown timeout
// makes Run return a deadline error instead of waiting for it.
func TestRunShutdownTimeout(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(entered)
		<-release
	})
	ctx, cancel := context.WithCancel(context.Background())
	addr, done := start(ctx, t, Config{Handler: h, Log: slog.New(slog.DiscardHandler), ShutdownTimeout: 100 * time.Millisecond})
	go func() {
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "shut down http") {
			t.Errorf("Run = %v, want a shutdown deadline error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run waited for the request beyond its shutdown timeout")
	}
}

func TestRunListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Run(context.Background(), Config{Addr: ln.Addr().String(), Handler: http.NotFoundHandler(), Log: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "listen on "+ln.Addr().String()) {
		t.Errorf("Run on a taken address = %v, want a listen error", err)
	}
}

func TestRunServeError(t *testing.T) {
	// A listener that fails at once stands for a server that cannot go on.
	broken := errors.New("accept broke")
	cfg := Config{
		Addr: "127.0.0.1:0", Handler: http.NotFoundHandler(), Log: slog.New(slog.DiscardHandler), ShutdownTimeout: time.Second,
		WrapListener: func(ln net.Listener) net.Listener { return failingListener{ln, broken} },
	}
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), cfg) }()
	select {
	case err := <-done:
		if !errors.Is(err, broken) || !strings.Contains(err.Error(), "serve http") {
			t.Errorf("Run = %v, want the serve error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return when serving failed")
	}
}

func TestRunRequiresHandlerAndLog(t *testing.T) {
	for _, cfg := range []Config{{Log: slog.New(slog.DiscardHandler)}, {Handler: http.NotFoundHandler()}} {
		if err := Run(context.Background(), cfg); err == nil {
			t.Errorf("Run(%+v) = nil, want an error", cfg)
		}
	}
}

type failingListener struct {
	net.Listener
	err error
}

func (l failingListener) Accept() (net.Conn, error) { return nil, l.err }
