// Package dashboard serves the lookup page of the query API: a static page
// where a data-subject access responder or the DPO enters their token and a
// customer id and reads who received that customer's data, and the timeline.
// The page only calls the public /v1 endpoints, so it shows exactly what the
// API answers, and every lookup it makes is audited like any other.
package dashboard

import (
	_ "embed"
	"net/http"
)

var (
	//go:embed index.html
	page []byte
	//go:embed app.js
	script []byte
)

// Handler serves the page at / and its script at /app.js. It carries no
// data: the page asks the API with the token the user typed, which stays in
// the browser tab's session storage.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", static("text/html; charset=utf-8", page))
	mux.Handle("GET /app.js", static("text/javascript; charset=utf-8", script))
	return mux
}

func static(contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'")
		_, _ = w.Write(body)
	})
}
