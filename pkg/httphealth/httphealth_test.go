package httphealth

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLive(t *testing.T) {
	rec := httptest.NewRecorder()
	Live(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != `{"status":"ok"}`+"\n" {
		t.Errorf("Live: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestReady(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp 10.0.0.7:9000: refused") }
	slow := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	tests := []struct {
		name       string
		checks     []Check
		wantStatus int
		wantBody   string
		wantLog    []string
	}{
		{name: "no checks", wantStatus: 200, wantBody: `{"status":"ready"}`},
		{name: "all pass", checks: []Check{{"clickhouse", ok}, {"kafka", ok}},
			wantStatus: 200, wantBody: `{"status":"ready","checks":{"clickhouse":"ok","kafka":"ok"}}`},
		{name: "one fails", checks: []Check{{"clickhouse", down}, {"kafka", ok}},
			wantStatus: 503, wantBody: `{"status":"unavailable","checks":{"clickhouse":"unavailable","kafka":"ok"}}`,
			wantLog: []string{`"msg":"readiness check failed"`, `"check":"clickhouse"`, `refused`}},
		{name: "one hangs", checks: []Check{{"kafka", slow}},
			wantStatus: 503, wantBody: `{"status":"unavailable","checks":{"kafka":"unavailable"}}`,
			wantLog: []string{`"check":"kafka"`, `deadline exceeded`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := Ready(slog.New(slog.NewJSONHandler(&logs, nil)), 50*time.Millisecond, tt.checks)
			rec := httptest.NewRecorder()
			h(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != tt.wantStatus || strings.TrimSpace(rec.Body.String()) != tt.wantBody {
				t.Errorf("Ready: %d %s, want %d %s", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			if strings.Contains(rec.Body.String(), "10.0.0.7") {
				t.Errorf("the answer describes the infrastructure: %s", rec.Body)
			}
			for _, want := range tt.wantLog {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("log lacks %s:\n%s", want, logs.String())
				}
			}
			if tt.wantLog == nil && logs.Len() > 0 {
				t.Errorf("logged with every check passing:\n%s", logs.String())
			}
		})
	}
}

func TestRegister(t *testing.T) {
	mux := http.NewServeMux()
	failing := []Check{{"kafka", func(context.Context) error { return errors.New("down") }}}
	Register(mux, slog.New(slog.DiscardHandler), time.Second, failing)
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, LivePath, http.StatusOK},
		{http.MethodHead, LivePath, http.StatusOK},
		{http.MethodGet, ReadyPath, http.StatusServiceUnavailable},
		{http.MethodPost, LivePath, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, rec.Code, tt.want)
		}
	}
	for _, r := range Routes() {
		if _, pattern := mux.Handler(httptest.NewRequest(http.MethodGet, r, nil)); pattern != "GET "+r {
			t.Errorf("route %s is served by pattern %q", r, pattern)
		}
	}
}
