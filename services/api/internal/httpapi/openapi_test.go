package httpapi

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpjson"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/api/internal/report"
)

// TestOpenAPIDocumentsEveryField keeps openapi.yaml in step with the JSON
// shapes: every field the API writes must be named there.
func TestOpenAPIDocumentsEveryField(t *testing.T) {
	doc, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatalf("read openapi.yaml: %v", err)
	}
	text := string(doc)
	for _, v := range []any{
		recipientsResponse{}, recipientView{}, eventsResponse{}, eventView{}, actorView{}, identifierView{},
		unresolvedResponse{}, unresolvedKindView{},
		eventRecipientView{}, httpjson.Error{}, httphealth.Response{},
		requestView{}, requestEventBody{}, holderView{}, report.Report{},
	} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			if !typ.Field(i).IsExported() {
				continue
			}
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(name) + `:`).MatchString(text) {
				t.Errorf("openapi.yaml does not document %s.%s (%q)", typ.Name(), typ.Field(i).Name, name)
			}
		}
	}
	typ := reflect.TypeOf(audit.Record{})
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !strings.Contains(text, `"`+name+`"`) {
			t.Errorf("openapi.yaml does not describe audit record field %q", name)
		}
	}
	for _, code := range []string{codeInvalidParameter, codeUnknownParameter, codeUnauthorized, codeNotFound,
		codeAuditUnavailable, codeTimeout, codeCancelled, codeInternal, codeTooManyWindows,
		codeForbidden, codeTooManyEvents, codeNotConfigured} {
		if !strings.Contains(text, code) {
			t.Errorf("openapi.yaml does not list error code %q", code)
		}
	}
}

// TestOpenAPIDocumentsEveryRoute: every route the server registers is a
// path of openapi.yaml with its method.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("server.go")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`(?m)^\s+route\w+\s+= "(GET|POST) (/v1/[^"]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 9 {
		t.Fatalf("found %d routes in server.go, want every one of them", len(routes))
	}
	text := string(doc)
	for _, r := range routes {
		method, path := strings.ToLower(r[1]), r[2]
		at := strings.Index(text, "\n  "+path+":\n")
		if at < 0 {
			t.Errorf("openapi.yaml has no path %s", path)
			continue
		}
		rest := text[at+len(path)+5:]
		if end := regexp.MustCompile(`\n  /`).FindStringIndex(rest); end != nil {
			rest = rest[:end[0]]
		}
		if !strings.Contains("\n"+rest, "\n    "+method+":") {
			t.Errorf("openapi.yaml path %s has no %s", path, method)
		}
	}
}
