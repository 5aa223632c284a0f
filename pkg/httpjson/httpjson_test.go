package httpjson

import (
	"net/http/httptest"
	"testing"
)

func TestWriteError(t *testing.T) {
	type detail struct {
		Index int `json:"index"`
	}
	type extended struct {
		Error
		Items []detail `json:"items,omitempty"`
	}
	tests := []struct {
		name string
		err  any
		want string
	}{
		{name: "plain", err: Error{Code: "unauthorized", Message: "no token"},
			want: `{"error":{"code":"unauthorized","message":"no token"}}`},
		{name: "field", err: Error{Code: "invalid_parameter", Field: "from", Message: "not a time"},
			want: `{"error":{"code":"invalid_parameter","field":"from","message":"not a time"}}`},
		{name: "embedded", err: extended{Error: Error{Code: "x", Message: "y"}, Items: []detail{{Index: 2}}},
			want: `{"error":{"code":"x","message":"y","items":[{"index":2}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			WriteError(w, 400, tt.err)
			if w.Code != 400 || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("status %d, content type %q", w.Code, w.Header().Get("Content-Type"))
			}
			if got := w.Body.String(); got != tt.want+"\n" {
				t.Errorf("body %s, want %s", got, tt.want)
			}
		})
	}
}
