package dashboard

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// get asks the handler for path and returns the recorded answer.
func get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// references are the src and href attributes of the page that name a file
// of the same origin.
var references = regexp.MustCompile(`(?:src|href)="([^"#][^"]*)"`)

func TestServesPageAndEveryAssetWithStrictHeaders(t *testing.T) {
	page := get(t, "/")
	html := page.Body.String()
	var paths []string
	for _, m := range references.FindAllStringSubmatch(html, -1) {
		paths = append(paths, "/"+m[1])
	}
	if len(paths) < 3 || !strings.Contains(html, `<link rel="stylesheet" href="assets/dashboard.css">`) {
		t.Fatalf("the page names too few assets: %v", paths)
	}
	want := map[string]string{".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
	for _, path := range append([]string{"/"}, paths...) {
		t.Run(path, func(t *testing.T) {
			rec := get(t, path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			wantType := "text/html"
			if path != "/" {
				wantType = want[path[strings.LastIndex(path, "."):]]
			}
			if ct := rec.Header().Get("Content-Type"); wantType == "" || !strings.HasPrefix(ct, wantType) {
				t.Fatalf("content type %q, want %q", ct, wantType)
			}
			h := rec.Header()
			for name, value := range map[string]string{
				"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
				"Referrer-Policy": "no-referrer",
			} {
				if h.Get(name) != value {
					t.Errorf("%s: %q, want %q", name, h.Get(name), value)
				}
			}
			csp := h.Get("Content-Security-Policy")
			for _, directive := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self';", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, directive) {
					t.Errorf("CSP %q lacks %q", csp, directive)
				}
			}
			if strings.Contains(csp, "unsafe-") {
				t.Errorf("CSP allows inline code: %q", csp)
			}
		})
	}
}

// TestNothingFromElsewhere: the page runs under its CSP only if it has no
// inline script or style and names nothing of another origin; SVG's XML
// namespace is a name, never fetched.
func TestNothingFromElsewhere(t *testing.T) {
	inline := regexp.MustCompile(`<script>|<script [^>]*>[^<]|<style|\sstyle=|\son[a-z]+=`)
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(b), "http://www.w3.org/2000/svg", "")
		if regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`).MatchString(text) || strings.Contains(text, "@import") {
			t.Errorf("%s names another origin", path)
		}
		if strings.HasSuffix(path, ".html") && inline.MatchString(text) {
			t.Errorf("%s has inline script, style or handler: %s", path, inline.FindString(text))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServesNothingElse(t *testing.T) {
	for _, path := range []string{"/elsewhere", "/assets/", "/assets/missing.js", "/assets/..%2fdashboard.go", "/dashboard.go", "/index.html"} {
		if rec := get(t, path); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, rec.Code)
		}
	}
}
