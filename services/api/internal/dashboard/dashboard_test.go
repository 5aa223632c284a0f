package dashboard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestServesPageAndScriptWithStrictHeaders(t *testing.T) {
	h := Handler()
	for _, tc := range []struct{ path, contentType, contains string }{
		{"/", "text/html", `<script src="app.js"></script>`},
		{"/app.js", "text/javascript", `"/v1/subjects/"`},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", tc.path, rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
			t.Fatalf("%s: content type %q", tc.path, ct)
		}
		if !strings.Contains(rec.Body.String(), tc.contains) {
			t.Fatalf("%s: body lacks %q", tc.path, tc.contains)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self';") {
			t.Fatalf("%s: CSP must allow only the page's own script: %q", tc.path, csp)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: must not be cached", tc.path)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/elsewhere", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("other paths are not the dashboard's: %d", rec.Code)
	}
}
