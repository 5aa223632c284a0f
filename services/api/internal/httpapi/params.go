package httpapi

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/services/api/internal/report"
	"github.com/balticom/lineage/services/chstore"
)

// Limits of the events page size.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Error codes of a rejected parameter.
const (
	codeInvalidParameter = "invalid_parameter"
	codeUnknownParameter = "unknown_parameter"
)

// Rules, as told to the caller.
const (
	ruleSubjectID = "must be a customer id: C followed by 7 to 10 digits (never a personal code or phone number)"
	ruleTime      = "must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z, or a date, e.g. 2026-01-31 (midnight UTC)"
	ruleWindow    = "must be before to (from is inclusive, to exclusive)"
	ruleLimit     = "must be an integer from 1 to 1000"
	ruleCursor    = "must be a next_cursor returned by this endpoint"
	ruleOnce      = "must be given at most once"
	ruleQuery     = "must be a valid URL query string"
	ruleBool      = "must be true or false"
	ruleRequest   = "must be an access request id, e.g. AR-2026-000123"
)

// maxEchoedName bounds a parameter name repeated back in an error.
const maxEchoedName = 64

// ParamError is a request parameter that breaks a rule. Field is the
// parameter's name (subject_id for the path segment); Rule says what is
// expected. The offending value is never repeated: it may be personal data.
type ParamError struct {
	Code  string
	Field string
	Rule  string
}

func (e *ParamError) Error() string { return e.Field + ": " + e.Rule }

func invalid(field, rule string) *ParamError {
	return &ParamError{Code: codeInvalidParameter, Field: field, Rule: rule}
}

// Parameters allowed per endpoint.
var (
	recipientsParams = []string{"from", "to", "access_request", "include_restricted"}
	eventsParams     = []string{"from", "to", "limit", "cursor", "access_request", "include_restricted"}
	reportParams     = []string{"from", "to", "access_request", "include_restricted", "lang", "format"}
)

// lookup is a validated lookup of one subject. A zero From or To leaves that
// side of the window open.
type lookup struct {
	SubjectID string
	From, To  time.Time
	// Limit is the page size (DefaultLimit when not given); LimitSet says
	// whether it was given.
	Limit    int
	LimitSet bool
	// After and Cursor are the decoded and the given cursor, nil without one.
	After  *chstore.Cursor
	Cursor *string
	// AccessRequest is the access request the lookup answers, "" when the
	// caller named none.
	AccessRequest string
	// IncludeRestricted asks for restricted disclosures too (the DPO only).
	IncludeRestricted bool
	// Lang and Format choose a report's language and format ("" when not
	// given: the report's defaults).
	Lang   string
	Format report.Format
}

// parseLookup validates the subject id from the path and the raw query
// string against the allowed parameters. It returns a *ParamError for the
// first broken rule, checking the subject, then the query's syntax, unknown
// and repeated parameters, then each value.
func parseLookup(subjectID, rawQuery string, allowed []string) (lookup, error) {
	if !lineage.ValidSubjectID(subjectID) {
		return lookup{}, invalid("subject_id", ruleSubjectID)
	}
	values, err := queryValues(rawQuery, allowed)
	if err != nil {
		return lookup{}, err
	}
	l := lookup{SubjectID: subjectID, Limit: DefaultLimit}
	if l.From, l.To, err = parseWindow(values); err != nil {
		return lookup{}, err
	}
	if v, ok := values["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > MaxLimit {
			return lookup{}, invalid("limit", ruleLimit)
		}
		l.Limit, l.LimitSet = n, true
	}
	if v, ok := values["cursor"]; ok {
		c, err := decodeCursor(v[0])
		if err != nil {
			return lookup{}, invalid("cursor", ruleCursor)
		}
		l.After, l.Cursor = &c, &v[0]
	}
	if v, ok := values["access_request"]; ok {
		if !accessrequest.ValidRequestID(v[0]) {
			return lookup{}, invalid("access_request", ruleRequest)
		}
		l.AccessRequest = v[0]
	}
	if v, ok := values["include_restricted"]; ok {
		b, err := strconv.ParseBool(v[0])
		if err != nil {
			return lookup{}, invalid("include_restricted", ruleBool)
		}
		l.IncludeRestricted = b
	}
	if v, ok := values["lang"]; ok {
		if !accessrequest.Language(v[0]).Valid() {
			return lookup{}, invalid("lang", "must be lv or en")
		}
		l.Lang = v[0]
	}
	if v, ok := values["format"]; ok {
		f, err := report.ParseFormat(v[0])
		if err != nil {
			return lookup{}, invalid("format", "must be json, csv, html or pdf")
		}
		l.Format = f
	}
	return l, nil
}

// queryValues parses a raw query string and checks it names only allowed
// parameters, each once.
func queryValues(rawQuery string, allowed []string) (url.Values, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, invalid("query", ruleQuery)
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			return nil, &ParamError{
				Code:  codeUnknownParameter,
				Field: truncate(name, maxEchoedName),
				Rule:  "is not a parameter of this endpoint; allowed: " + strings.Join(allowed, ", "),
			}
		}
		if len(values[name]) > 1 {
			return nil, invalid(name, ruleOnce)
		}
	}
	return values, nil
}

// parseWindow reads the from and to parameters; a side not given is zero.
func parseWindow(values url.Values) (from, to time.Time, err error) {
	if v, ok := values["from"]; ok {
		if from, ok = parseTime(v[0]); !ok {
			return from, to, invalid("from", ruleTime)
		}
	}
	if v, ok := values["to"]; ok {
		if to, ok = parseTime(v[0]); !ok {
			return from, to, invalid("to", ruleTime)
		}
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, invalid("from", ruleWindow)
	}
	return from, to, nil
}

// parseTime accepts RFC 3339 (any offset, fractional seconds allowed) and a
// bare date, taken as midnight UTC. The result is in UTC.
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// truncate cuts s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
