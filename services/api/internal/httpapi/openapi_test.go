package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpjson"
	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/incident/incidenttest"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/retention"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/taxonomy"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/api/internal/report"
	"github.com/balticom/lineage/services/chstore"
)

// The tests below keep openapi.yaml in step with the code, in both
// directions: every field, route, parameter and error code the code has is
// documented, and the document names nothing the code does not have.

// TestOpenAPIDocumentsEveryField: each JSON shape the API writes (or reads)
// is a schema whose properties are exactly its fields; for the shapes it
// writes, `required` lists exactly the members always present and
// `nullable` marks exactly those that may be null.
func TestOpenAPIDocumentsEveryField(t *testing.T) {
	doc := readOpenAPI(t)
	schema := func(path ...string) []string { return append([]string{"components", "schemas"}, path...) }
	for _, tc := range []struct {
		path []string
		v    any
		// input: a request body, which the code reads; required and
		// nullable say nothing about it.
		input bool
		// alwaysSet are members whose tags allow them to be absent but
		// that every answer of the API has.
		alwaysSet []string
	}{
		{path: schema("RecipientsResponse"), v: recipientsResponse{}},
		{path: schema("Recipient"), v: recipientView{}},
		{path: schema("Withheld"), v: withheldView{}},
		{path: schema("EventsResponse"), v: eventsResponse{}},
		{path: schema("Event"), v: eventView{}},
		{path: schema("Actor"), v: actorView{}},
		{path: schema("Identifier"), v: identifierView{}},
		{path: schema("EventRecipient"), v: eventRecipientView{}},
		{path: schema("Unresolved"), v: unresolvedResponse{}},
		{path: schema("Unresolved", "properties", "kinds", "items"), v: unresolvedKindView{}},
		{path: schema("Error"), v: httpjson.Body[httpjson.Error]{}},
		{path: schema("Error", "properties", "error"), v: httpjson.Error{}},
		{path: schema("Health"), v: httphealth.Response{}},
		{path: schema("Holder"), v: holderView{}},
		{path: schema("AccessRequest"), v: requestView{}},
		{path: schema("RequestEvent"), v: requestEventBody{}, input: true},
		{
			path: []string{"paths", "/v1/subjects/search", "post", "requestBody", "content", "application/json", "schema"},
			v:    searchRequest{}, input: true,
		},
		{path: schema("ExposureResponse"), v: exposureResponse{}},
		{path: schema("Party"), v: partyView{}},
		{path: schema("Exposure"), v: exposureView{}},
		{path: schema("CategoryExposure"), v: categoryExposureView{}},
		{path: schema("ExposedSubject"), v: exposedSubjectView{}},
		{path: schema("LetterBody"), v: letterBody{}, input: true},
		{path: schema("Differences"), v: differencesResponse{}},
		{path: schema("Differences", "properties", "unused", "items"), v: unusedView{}},
		{path: schema("UndeclaredFlow"), v: undeclaredView{}},
		{path: schema("SubjectFact"), v: factBody{}, input: true},
		{path: schema("FlagsResponse"), v: flagsResponse{}},
		{path: schema("Flag"), v: flagView{}},
		{path: schema("ErasuresResponse"), v: erasuresResponse{}},
		{path: schema("Erasure"), v: erasureView{}},
		{path: schema("RecipientErasure"), v: recipientErasureView{}},
		{path: schema("IncidentEvent"), v: incidentBody{}, input: true},
		{path: schema("IncidentLetterBody"), v: incidentLetterBody{}, input: true},
		{path: schema("IncidentOpened"), v: openedView{}},
		{path: schema("IncidentCount"), v: countView{}},
		{path: schema("Incidents"), v: incidentsResponse{}},
		{path: schema("Incident"), v: incidentView{}},
		{path: schema("Incident", "properties", "notified"), v: notifiedView{}},
		{path: schema("Incident", "properties", "closed"), v: closedView{}},
		{path: schema("IncidentClock"), v: clockView{}},
		{path: schema("RetentionResponse"), v: retentionResponse{}},
		{path: schema("RetentionLine"), v: retentionLineView{}},
		{path: schema("PastEvent"), v: pastEventView{}},
		{path: schema("RetainedData"), v: retainedDataResponse{}},
		{path: schema("ElapsedBucket"), v: elapsedView{}},
		{path: schema("AuthorityStatistics"), v: authorityView{}},
		// Build sets computed_at and content_sha256; a Report made
		// otherwise may lack them.
		{path: schema("Report"), v: report.Report{}, alwaysSet: []string{"computed_at", "content_sha256"}},
	} {
		where := strings.Join(tc.path, ".")
		_, sch, ok := doc.find(tc.path...)
		if !ok {
			t.Errorf("openapi.yaml has no schema %s", where)
			continue
		}
		_, props, _ := sch.find("properties")
		fields := jsonFields(reflect.TypeOf(tc.v))
		var names, required []string
		for _, f := range fields {
			names = append(names, f.name)
			if !f.optional || slices.Contains(tc.alwaysSet, f.name) {
				required = append(required, f.name)
			}
		}
		sameSet(t, where+" properties", props.keys(), names)
		if tc.input {
			continue
		}
		value, block, _ := sch.find("required")
		sameSet(t, where+" required", flowList(value, block), required)
		for _, f := range fields {
			value, block, ok := props.find(f.name)
			if !ok {
				continue // reported above
			}
			if got := nullable(value, block); got != f.nullable {
				t.Errorf("openapi.yaml %s.%s: nullable is %v, want %v", where, f.name, got, f.nullable)
			}
		}
	}
}

// TestOpenAPIDescribesAuditAndConsultation: the API's description names
// every member of the audit record and what a consultation event carries.
func TestOpenAPIDescribesAuditAndConsultation(t *testing.T) {
	_, desc, ok := readOpenAPI(t).find("info", "description")
	if !ok {
		t.Fatal("openapi.yaml has no info.description")
	}
	text := strings.Join(desc, "\n")
	for _, f := range jsonFields(reflect.TypeOf(audit.Record{})) {
		if !strings.Contains(text, `"`+f.name+`"`) {
			t.Errorf("openapi.yaml does not describe audit record field %q", f.name)
		}
	}
	for _, v := range []string{
		audit.ConsultationSource, audit.ConsultationPurpose, audit.ConsultationBasis, audit.ConsultationCategory,
		audit.AttrAccessRequest, audit.AttrEndpoint, audit.AttrRequestID, audit.AttrLookupReason, audit.ReasonOversight,
		string(lineage.Access), string(lineage.EmployeeRole), string(RoleResponder), string(RoleDPO),
		topics.Audit, topics.Events, topics.Requests, topics.Incidents,
	} {
		if !strings.Contains(text, "`"+v+"`") {
			t.Errorf("openapi.yaml info.description does not name `%s`", v)
		}
	}
}

// TestOpenAPIListsEveryErrorCode: the error code enum is exactly the
// package's code constants.
func TestOpenAPIListsEveryErrorCode(t *testing.T) {
	value, block, ok := readOpenAPI(t).find("components", "schemas", "Error", "properties", "error", "properties", "code", "enum")
	if !ok {
		t.Fatal("openapi.yaml has no enum of error codes")
	}
	var codes []string
	for name, v := range packageConstants(t) {
		if regexp.MustCompile(`^code[A-Z]`).MatchString(name) {
			codes = append(codes, v)
		}
	}
	if len(codes) < 12 {
		t.Fatalf("found %d error code constants, want every one of them", len(codes))
	}
	sameSet(t, "error codes", flowList(value, block), codes)
}

// TestOpenAPIDocumentsEveryRoute: the paths and methods of openapi.yaml are
// exactly the routes the server registers.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := readOpenAPI(t)
	var routes []string
	for name, v := range packageConstants(t) {
		if !strings.HasPrefix(name, "route") || v == "/" { // "/": the fallback, any method
			continue
		}
		method, path, ok := strings.Cut(v, " ")
		if !ok {
			t.Errorf("route %s = %q is not \"METHOD /path\"", name, v)
		}
		routes = append(routes, strings.ToLower(method)+" "+path)
	}
	if len(routes) < 9 {
		t.Fatalf("found %d routes, want every one of them", len(routes))
	}
	for _, path := range httphealth.Routes() {
		routes = append(routes, "get "+path)
	}
	_, paths, _ := doc.find("paths")
	var documented []string
	for _, path := range paths.keys() {
		_, ops, _ := paths.find(path)
		for _, op := range ops.keys() {
			if op != "parameters" {
				documented = append(documented, op+" "+path)
			}
		}
	}
	sameSet(t, "routes", documented, routes)
}

// TestOpenAPIDocumentsEveryParameter: each lookup's query parameters are
// exactly the ones parseLookup allows it; the report's formats, media types
// and the search kinds are the code's.
func TestOpenAPIDocumentsEveryParameter(t *testing.T) {
	doc := readOpenAPI(t)
	for route, allowed := range map[string][]string{
		routeRecipients: recipientsParams, routeEvents: eventsParams, routeReport: reportParams,
		routeListRequests: nil, routeUnresolved: nil, routeDifferences: nil,
		routeRecipientSubjects: exposureParams, routeSourceSubjects: exposureParams, routeRegister: registerParams,
		routeRecordFact: nil, routeSubjectErase: nil, routeSubjectFlags: subjectFlagsParams,
		routeFlags: flagsParams, routeErasures: erasuresParams,
		routeOpenIncident: nil, routeListIncidents: nil, routeGetIncident: nil, routeIncidentEvent: nil,
		routeIncidentLetter:   nil,
		routeSubjectRetention: subjectRetentionParams, routeRetention: retentionParams, routeRetainedData: retainedDataParams,
	} {
		method, path, _ := strings.Cut(route, " ")
		_, params, _ := doc.find("paths", path, strings.ToLower(method), "parameters")
		var query []string
		for _, p := range params.items() {
			if value, _, ok := p.find("$ref"); ok {
				ref := strings.Split(strings.Trim(value, `'"`), "/")
				_, p, ok = doc.find("components", "parameters", ref[len(ref)-1])
				if !ok {
					t.Errorf("openapi.yaml %s: no parameter %s", route, value)
					continue
				}
			}
			if in, _, _ := p.find("in"); in == "query" {
				name, _, _ := p.find("name")
				query = append(query, name)
			}
		}
		sameSet(t, route+" query parameters", query, allowed)
	}

	value, _, _ := doc.find("components", "parameters", "ReportFormat", "schema")
	var formats []string
	for _, f := range report.Formats() {
		formats = append(formats, string(f))
	}
	sameSet(t, "report formats", flowEnum(value), formats)
	var media []string
	for _, f := range report.Formats() {
		mt, _, _ := strings.Cut(report.ContentType(f), ";")
		media = append(media, mt)
	}
	_, content, _ := doc.find("paths", "/v1/subjects/{subject_id}/report", "get", "responses", "'200'", "content")
	sameSet(t, "report media types", content.keys(), media)

	value, _, _ = doc.find("paths", "/v1/subjects/search", "post", "requestBody", "content", "application/json",
		"schema", "properties", "kind")
	sameSet(t, "search kinds", flowEnum(value), searchKinds)
}

// TestOpenAPIDocumentsFactCodes: the codes of the rights endpoints (fact
// types, channels, flag kinds, erasure states, flag lists) are the code's.
func TestOpenAPIDocumentsFactCodes(t *testing.T) {
	doc := readOpenAPI(t)
	for _, tc := range []struct {
		path []string
		code []string
	}{
		{[]string{"components", "schemas", "SubjectFact", "properties", "type"}, codes(subjectfact.Types...)},
		{[]string{"components", "schemas", "SubjectFact", "properties", "channel"}, codes(subjectfact.Channels...)},
		{[]string{"components", "schemas", "Flag", "properties", "kind"},
			codes(subjectfact.ConsentAfterWithdrawal, subjectfact.OptOutException, subjectfact.OptOutViolation)},
		{[]string{"components", "schemas", "RecipientErasure", "properties", "state"},
			codes(subjectfact.NotNotified, subjectfact.AwaitingConfirmation, subjectfact.Confirmed)},
		{[]string{"components", "schemas", "FlagsResponse", "properties", "kind"}, []string{flagsConsent}},
	} {
		where := strings.Join(tc.path, ".")
		value, block, ok := doc.find(tc.path...)
		if !ok {
			t.Errorf("openapi.yaml has no %s", where)
			continue
		}
		documented := flowEnum(value)
		if !strings.HasPrefix(value, "{") {
			v, b, _ := block.find("enum")
			documented = flowList(v, b)
		}
		sameSet(t, where+" enum", documented, tc.code)
	}
}

// TestOpenAPIDocumentsIncidentCodes: the codes of the breach record (event
// types, party kinds, clock names and statuses) are pkg/incident's.
func TestOpenAPIDocumentsIncidentCodes(t *testing.T) {
	doc := readOpenAPI(t)
	// The clocks are the package's own: an incident folded from its
	// opening has every one of them.
	st, err := incident.Fold([]incident.Event{incidenttest.Opened(incidenttest.IncidentID(1), 1, incident.GDPRApplies)}, incident.GDPRApplies)
	if err != nil {
		t.Fatal(err)
	}
	var clocks []string
	for _, c := range st.Clocks {
		clocks = append(clocks, c.Name)
	}
	for _, tc := range []struct {
		path []string
		code []string
	}{
		{[]string{"components", "schemas", "IncidentEvent", "properties", "type"},
			codes(incident.Opened, incident.Counted, incident.AuthorityNotified, incident.Closed)},
		{[]string{"components", "schemas", "IncidentEvent", "properties", "party_kind"}, codes(incident.Recipient, incident.SourceSystem)},
		{[]string{"components", "schemas", "Party", "properties", "kind"}, []string{partyRecipient, partySourceSystem}},
		{[]string{"components", "schemas", "IncidentClock", "properties", "name"}, clocks},
		{[]string{"components", "schemas", "IncidentClock", "properties", "status"},
			codes(incident.ClockMet, incident.ClockLate, incident.ClockRunning, incident.ClockOverdue)},
	} {
		sameSet(t, strings.Join(tc.path, ".")+" enum", documentedEnum(t, doc, tc.path...), tc.code)
	}
}

// TestOpenAPIDocumentsRetentionCodes: the codes of the retention answers
// (statuses, rules) are pkg/retention's and the taxonomy's, and the
// elapsed-time buckets of the statistics are chstore's (whose labels
// TestElapsedBucket pins).
func TestOpenAPIDocumentsRetentionCodes(t *testing.T) {
	doc := readOpenAPI(t)
	var rules []string
	for _, r := range taxonomy.RetentionRules() {
		rules = append(rules, r.Code)
	}
	var buckets []string
	for _, b := range []chstore.ElapsedBucket{{FromMonths: 0, ToMonths: 3}, {FromMonths: 3, ToMonths: 6}, {FromMonths: 6, ToMonths: 12},
		{FromMonths: 12, ToMonths: 18}, {FromMonths: 18, ToMonths: 24}, {FromMonths: 24}} {
		buckets = append(buckets, b.Label())
	}
	for _, tc := range []struct {
		path []string
		code []string
	}{
		{[]string{"components", "schemas", "RetentionLine", "properties", "status"}, codes(retention.Statuses...)},
		{[]string{"components", "schemas", "RetentionLine", "properties", "rule"}, rules},
		{[]string{"components", "schemas", "ElapsedBucket", "properties", "months"}, buckets},
	} {
		documented := documentedEnum(t, doc, tc.path...)
		for i, v := range documented {
			documented[i] = strings.Trim(v, `'"`)
		}
		sameSet(t, strings.Join(tc.path, ".")+" enum", documented, tc.code)
	}
}

// documentedEnum is the enum of the property at path, given as a flow
// mapping or a block.
func documentedEnum(t *testing.T, doc yamlDoc, path ...string) []string {
	t.Helper()
	value, block, ok := doc.find(path...)
	if !ok {
		t.Errorf("openapi.yaml has no %s", strings.Join(path, "."))
		return nil
	}
	if strings.HasPrefix(value, "{") {
		return flowEnum(value)
	}
	v, b, _ := block.find("enum")
	return flowList(v, b)
}

// codes are the string values of vs.
func codes[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// readOpenAPI reads the document.
func readOpenAPI(t *testing.T) yamlDoc {
	t.Helper()
	b, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatalf("read openapi.yaml: %v", err)
	}
	return yamlDoc(strings.Split(string(b), "\n"))
}

// jsonField is one member of a Go type's JSON encoding.
type jsonField struct {
	name     string
	optional bool // omitempty or omitzero: left out when empty
	nullable bool // a pointer that is written as null
}

func jsonFields(typ reflect.Type) []jsonField {
	var out []jsonField
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		out = append(out, jsonField{name: name, optional: optional, nullable: f.Type.Kind() == reflect.Pointer && !optional})
	}
	return out
}

// packageConstants returns the string constants of the package's non-test
// files, by name.
func packageConstants(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", file, err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						consts[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
	return consts
}

// sameSet reports what is in one list and not the other.
func sameSet(t *testing.T, what string, documented, code []string) {
	t.Helper()
	for _, d := range documented {
		if !slices.Contains(code, d) {
			t.Errorf("openapi.yaml %s: %q is documented but not in the code", what, d)
		}
	}
	for _, c := range code {
		if !slices.Contains(documented, c) {
			t.Errorf("openapi.yaml %s: %q is not documented", what, c)
		}
	}
}

// yamlDoc is a block of openapi.yaml's lines. It reads the block style the
// document is written in, by indentation: a key's block is the lines after
// it, up to the next line indented no deeper; flow values ({...}, [...])
// stay text. That is enough to check the document against the code without
// a YAML library.
type yamlDoc []string

var yamlKey = regexp.MustCompile(`^(\s*)([^\s#-][^:]*):(?:\s+(.*))?$`)

// indent is the indentation of the block's first line that is not blank.
func (d yamlDoc) indent() int {
	for _, l := range d {
		if strings.TrimSpace(l) != "" {
			return len(l) - len(strings.TrimLeft(l, " "))
		}
	}
	return -1
}

// find follows path from the block's top-level keys down, and returns the
// last key's value on its own line and its block.
func (d yamlDoc) find(path ...string) (string, yamlDoc, bool) {
	value, block := "", d
	for _, key := range path {
		found := false
		indent := block.indent()
		for i, l := range block {
			m := yamlKey.FindStringSubmatch(l)
			if m == nil || len(m[1]) != indent || m[2] != key {
				continue
			}
			end := i + 1
			for end < len(block) && (strings.TrimSpace(block[end]) == "" ||
				len(block[end])-len(strings.TrimLeft(block[end], " ")) > indent) {
				end++
			}
			value, block, found = m[3], block[i+1:end], true
			break
		}
		if !found {
			return "", nil, false
		}
	}
	return value, block, true
}

// keys are the block's top-level keys.
func (d yamlDoc) keys() []string {
	var out []string
	indent := d.indent()
	for _, l := range d {
		if m := yamlKey.FindStringSubmatch(l); m != nil && len(m[1]) == indent {
			out = append(out, m[2])
		}
	}
	return out
}

// items are the block's list items, each as a block of its own (the "- "
// that opens it read as indentation).
func (d yamlDoc) items() []yamlDoc {
	var out []yamlDoc
	indent := d.indent()
	for _, l := range d {
		if len(l) > indent && strings.HasPrefix(l[indent:], "- ") {
			out = append(out, yamlDoc{l[:indent] + "  " + l[indent+2:]})
		} else if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], l)
		}
	}
	return out
}

// flowList reads a flow sequence, [a, b, ...], that may go on in block.
func flowList(value string, block yamlDoc) []string {
	text := value + " " + strings.Join(block, " ")
	start, end := strings.Index(text, "["), strings.Index(text, "]")
	if start < 0 || end < start {
		return nil
	}
	var out []string
	for _, s := range strings.Split(text[start+1:end], ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// flowEnum reads the enum of a flow mapping, {type: string, enum: [...]}.
func flowEnum(value string) []string {
	m := regexp.MustCompile(`\benum: (\[[^\]]*\])`).FindStringSubmatch(value)
	if m == nil {
		return nil
	}
	return flowList(m[1], nil)
}

// nullable reports whether a property, given as a flow mapping or a block,
// says nullable: true.
func nullable(value string, block yamlDoc) bool {
	if strings.HasPrefix(value, "{") {
		return regexp.MustCompile(`\bnullable: true\b`).MatchString(value)
	}
	v, _, _ := block.find("nullable")
	return v == "true"
}
