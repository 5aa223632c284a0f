package httpobserve

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/subjects/{id}", func(w http.ResponseWriter, r *http.Request) {
		SetCaller(r.Context(), "dpo")
		w.Header().Set("X-Seen-Id", RequestID(r.Context()))
		w.WriteHeader(http.StatusTeapot)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	var logs bytes.Buffer
	h, err := New(Config{
		Mux: mux, Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		QuietRoutes: []string{"/healthz"}, NewRequestID: func() string { return "generated" },
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, requestID string
		wantStatus                    int
		wantID                        string
		wantLog                       map[string]any // nil: not logged at info
	}{
		{name: "route with caller", method: "GET", path: "/v1/subjects/C00012345", requestID: "abc-1",
			wantStatus: 418, wantID: "abc-1",
			wantLog: map[string]any{"route": "/v1/subjects/{id}", "status": 418.0, "caller": "dpo", "request_id": "abc-1", "method": "GET"}},
		{name: "malformed request id replaced", method: "GET", path: "/v1/subjects/C00012345", requestID: "a b",
			wantStatus: 418, wantID: "generated",
			wantLog: map[string]any{"request_id": "generated"}},
		{name: "quiet probe", method: "GET", path: "/healthz", wantStatus: 200, wantID: "generated"},
		{name: "unmatched, odd method", method: "BREW", path: "/C00012345", wantStatus: 404, wantID: "generated",
			wantLog: map[string]any{"route": Unmatched, "method": "_OTHER", "status": 404.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.requestID != "" {
				r.Header.Set("X-Request-Id", tt.requestID)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus || w.Header().Get("X-Request-Id") != tt.wantID {
				t.Errorf("status %d, id %q; want %d, %q", w.Code, w.Header().Get("X-Request-Id"), tt.wantStatus, tt.wantID)
			}
			if seen := w.Header().Get("X-Seen-Id"); seen != "" && seen != tt.wantID {
				t.Errorf("RequestID in handler = %q, want %q", seen, tt.wantID)
			}
			for _, k := range []string{"Cache-Control", "X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy"} {
				if w.Header().Get(k) == "" {
					t.Errorf("header %s not set", k)
				}
			}
			if strings.Contains(logs.String(), "C00012345") {
				t.Errorf("log holds the path: %s", logs.String())
			}
			if tt.wantLog == nil {
				if logs.Len() != 0 {
					t.Errorf("logged at info: %s", logs.String())
				}
				return
			}
			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("log line %q: %v", logs.String(), err)
			}
			for k, v := range tt.wantLog {
				if line[k] != v {
					t.Errorf("log %s = %v, want %v", k, line[k], v)
				}
			}
		})
	}
}

func TestNewRequiresMuxAndLog(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without Mux and Log succeeded")
	}
}
