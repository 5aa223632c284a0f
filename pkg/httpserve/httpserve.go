// Package httpserve runs the HTTP server of a service for the life of a
// context: it listens, serves, and once the context is done shuts the
// server down gracefully, within a timeout, so that the requests in flight
// get their answers. It is the same for every HTTP service of the project,
// so that all of them start, log and stop alike.
//
// Every server it runs is bounded against clients that connect and do
// little: at most Config.MaxConns connections are open at once (the
// longest idle one is closed to serve a new one; see connLimiter), a
// connection must send its request headers within ReadHeaderTimeout, and a
// kept-alive connection is closed after IdleTimeout without a request.
// Each has a default, so that a service that sets none is still bounded:
// without them, connections that never send a byte pile up until the
// process runs out of file descriptors.
//
// It uses only the standard library.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// DefaultMaxHeaderBytes bounds the request headers when
// Config.MaxHeaderBytes is zero. Bearer tokens, trace context and request
// ids fit well within it.
const DefaultMaxHeaderBytes = 16 << 10

// Defaults of the bounds on connections, for a zero Config field.
const (
	// DefaultMaxConns bounds the open connections. The project's servers
	// answer a few hundred requests at once at most; 1,024 leaves room for
	// keep-alive connections and stays well below the file descriptors a
	// process gets (the Go runtime raises the soft limit to the hard one,
	// commonly 4,096 to 1,048,576).
	DefaultMaxConns = 1024
	// DefaultReadHeaderTimeout bounds the wait for a request's headers. A
	// client on a LAN sends them within milliseconds.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultIdleTimeout closes a kept-alive connection that sends no next
	// request: long enough for a client that asks every few seconds to
	// reuse its connection.
	DefaultIdleTimeout = 60 * time.Second
)

// Config of Run. Handler and Log are required. A zero ReadHeaderTimeout,
// IdleTimeout or MaxConns takes its default and a negative one is none; a
// zero ReadTimeout or WriteTimeout is none. ShutdownTimeout should be
// positive (zero gives requests in flight no time to finish).
type Config struct {
	// Addr is the TCP address to listen on, host:port.
	Addr    string
	Handler http.Handler
	// Log receives the server's life ("serving http", "shutting down
	// http", "http stopped"), a warning when the connections reach
	// MaxConns and, at warn, the errors net/http reports about
	// connections.
	Log *slog.Logger

	// ReadHeaderTimeout bounds the time from a connection's accept, or
	// from the first byte of a next request on a kept-alive connection,
	// until the request's headers have arrived (default
	// DefaultReadHeaderTimeout, or ReadTimeout when that is shorter).
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	// IdleTimeout closes a kept-alive connection without a next request
	// (default DefaultIdleTimeout).
	IdleTimeout time.Duration
	// ShutdownTimeout bounds the graceful shutdown: how long requests in
	// flight may still take once the context is done.
	ShutdownTimeout time.Duration
	// MaxHeaderBytes defaults to DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// MaxConns bounds the connections open at once (default
	// DefaultMaxConns). With all taken, a new connection takes the place
	// of the one idle longest, or waits for one to close.
	MaxConns int
	// WrapListener, when set, wraps the listener before the server uses
	// it; the bound of MaxConns wraps what it returns.
	WrapListener func(net.Listener) net.Listener
}

// Run listens on cfg.Addr and serves cfg.Handler until ctx is done or the
// server fails, then shuts the server down within cfg.ShutdownTimeout. It
// returns nil after a clean shutdown, else what went wrong: listening,
// serving, or a shutdown that did not finish in time.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Handler == nil || cfg.Log == nil {
		return errors.New("httpserve: Handler and Log are required")
	}
	log := cfg.Log
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	addr := ln.Addr().String()
	if cfg.WrapListener != nil {
		ln = cfg.WrapListener(ln)
	}
	srv := newServer(cfg)
	maxConns := orDefault(cfg.MaxConns, DefaultMaxConns)
	if maxConns > 0 {
		limit := newConnLimiter(ln, maxConns, log)
		ln, srv.ConnState = limit, limit.connState
	}

	served := make(chan error, 1)
	go func() {
		log.Info("serving http", "addr", addr, "max_conns", maxConns,
			"read_header_timeout", srv.ReadHeaderTimeout, "idle_timeout", srv.IdleTimeout)
		served <- srv.Serve(ln)
	}()
	var errs []error
	select {
	case err := <-served:
		// Serve returns before Shutdown only when it failed; Shutdown
		// still closes what is open.
		errs = append(errs, fmt.Errorf("serve http: %w", err))
		served = nil
	case <-ctx.Done():
	}

	log.Info("shutting down http", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("shut down http: %w", err))
	}
	if served != nil {
		<-served // http.ErrServerClosed, once Shutdown closed the listener
	}
	log.Info("http stopped")
	return errors.Join(errs...)
}

// newServer is the http.Server of cfg, its defaults applied.
func newServer(cfg Config) *http.Server {
	header := cfg.ReadHeaderTimeout
	if header == 0 {
		header = DefaultReadHeaderTimeout
		if cfg.ReadTimeout > 0 && cfg.ReadTimeout < header {
			header = cfg.ReadTimeout
		}
	}
	maxHeader := cfg.MaxHeaderBytes
	if maxHeader <= 0 {
		maxHeader = DefaultMaxHeaderBytes
	}
	return &http.Server{
		Handler:           cfg.Handler,
		ReadHeaderTimeout: header,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
	}
}

// orDefault is v, or def when v is zero. A negative v stays: net/http reads
// a negative timeout as none, and Run a negative MaxConns as no bound.
func orDefault[T time.Duration | int](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
