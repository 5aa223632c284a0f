// Package dashboard serves the web dashboard of the query API: the DPO's
// overview of what the events show (events per day and source system,
// recipients, legal bases, third-country transfers, the open flags), the
// events behind every number, a recipient's page with the breach export,
// the declared register beside the differences the events show, and, for
// the DPO and access responders alike, a subject's lineage picture (data
// sources, the operator's systems, recipients) with the access report.
//
// The page and its assets are embedded in the binary and carry no data:
// the page calls the public /v1 endpoints with the token its user pastes
// (kept in the browser tab's session storage), so it shows exactly what the
// API answers to that caller's role, and every lookup it makes is audited
// like any other. Charts are drawn by the page's own SVG code; nothing is
// loaded from anywhere but the API's own origin.
package dashboard

import (
	"embed"
	"net/http"
	"path"
	"strings"
)

//go:embed index.html assets
var files embed.FS

// AssetPrefix is the path under which the page's scripts and style sheet
// are served; the API's mux hands this prefix and "/" to Handler.
const AssetPrefix = "/assets/"

// csp allows scripts, styles and images of the page's own origin only, and
// requests to the API on the same origin: no inline script or style, no
// font or anything else from the network, no framing, no form posts.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// contentTypes are the types of the embedded files, by extension; a file
// of another extension is not served.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// Handler serves the page at / and its assets under AssetPrefix.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", serve("index.html"))
	mux.HandleFunc("GET "+AssetPrefix+"{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		// Only plain file names of the assets folder: PathValue of a single
		// segment never holds a slash, and embed.FS refuses "..".
		if strings.HasPrefix(name, ".") {
			http.NotFound(w, r)
			return
		}
		serve("assets/"+name).ServeHTTP(w, r)
	})
	return mux
}

func serve(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contentType, known := contentTypes[path.Ext(name)]
		body, err := files.ReadFile(name)
		if !known || err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Content-Security-Policy", csp)
		_, _ = w.Write(body)
	})
}
