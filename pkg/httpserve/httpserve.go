// Package httpserve runs the HTTP server of a service for the life of a
// context: it listens, serves, and once the context is done shuts the
// server down gracefully, within a timeout, so that the requests in flight
// get their answers. It is the same for every HTTP service of the project,
// so that all of them start, log and stop alike.
//
// It uses only the standard library; a service that needs more (a bound on
// open connections, say) wraps the listener with Config.WrapListener.
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

// Config of Run. Handler and Log are required; a zero timeout is none,
// except ShutdownTimeout, which should be positive (zero gives requests in
// flight no time to finish).
type Config struct {
	// Addr is the TCP address to listen on, host:port.
	Addr    string
	Handler http.Handler
	// Log receives the server's life ("serving http", "shutting down
	// http", "http stopped") and, at warn, the errors net/http reports
	// about connections.
	Log *slog.Logger

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout bounds the graceful shutdown: how long requests in
	// flight may still take once the context is done.
	ShutdownTimeout time.Duration
	// MaxHeaderBytes defaults to DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// WrapListener, when set, wraps the listener before the server uses
	// it (netutil.LimitListener, to bound the open connections).
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
	maxHeader := cfg.MaxHeaderBytes
	if maxHeader <= 0 {
		maxHeader = DefaultMaxHeaderBytes
	}
	srv := &http.Server{
		Handler:           cfg.Handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	served := make(chan error, 1)
	go func() {
		log.Info("serving http", "addr", addr)
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
