package report

import (
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendReport appends the report's JSON, byte for byte what encoding/json
// makes of it (field order, omitempty and omitzero, nil slices as null,
// sorted map keys, HTML-safe string escapes; a time outside the years
// 0–9999, which encoding/json refuses, is written as Go formats it). For a
// customer with 10,000 events (15 MB of JSON) it takes about half the time
// of encoding/json, with one allocation instead of 24,000; the JSON is a
// third of what Build spends. The tests compare the two on reports that
// set every field, so a field added to the model and not here fails them.
func appendReport(b []byte, r *Report) []byte {
	o := object(b)
	o.str("language", r.Language)
	o.str("subject_id", r.SubjectID)
	o.str("view", r.View)
	o.key("window")
	o.b = appendWindow(o.b, r.Window)
	o.str("title", r.Title)
	o.key("controller")
	o.b = appendController(o.b, r.Controller)
	o.key("summary")
	o.b = appendSummary(o.b, r.Summary)
	list(&o, "purposes", r.Purposes, appendPurposeLine)
	list(&o, "categories", r.Categories, appendCategoryLine)
	list(&o, "recipients", r.Recipients, appendRecipientLine)
	list(&o, "third_country_transfers", r.Safeguards, appendSafeguardLine)
	o.key("retention")
	o.b = appendRetention(o.b, r.Retention)
	o.key("rights")
	o.b = appendText(o.b, r.Rights)
	o.key("complaint")
	o.b = appendText(o.b, r.Complaint)
	o.key("sources")
	o.b = appendSources(o.b, r.Sources)
	o.key("automated_decisions")
	o.b = appendAutomated(o.b, r.Automated)
	list(&o, "consultations", r.Consultations, appendConsultation)
	list(&o, "timeline", r.Timeline, appendTimelineEntry)
	list(&o, "events", r.Rows, appendRow)
	if len(r.Restricted) > 0 {
		list(&o, "restricted", r.Restricted, appendRestrictedLine)
	}
	o.key("withheld")
	o.b = appendWithheld(o.b, r.Withheld)
	o.key("position")
	o.b = appendPosition(o.b, r.Position)
	if !r.ComputedAt.IsZero() {
		o.time("computed_at", r.ComputedAt)
	}
	o.strOmit("content_sha256", r.Hash)
	return o.end()
}

func appendWindow(b []byte, w Window) []byte {
	o := object(b)
	if w.From != nil {
		o.time("from", *w.From)
	}
	if w.To != nil {
		o.time("to", *w.To)
	}
	o.str("text", w.Text)
	return o.end()
}

func appendController(b []byte, c Controller) []byte {
	o := object(b)
	o.str("name", c.Name)
	o.str("registration_no", c.RegNo)
	o.str("address", c.Address)
	o.str("contact", c.Contact)
	o.str("text", c.Text)
	return o.end()
}

func appendSummary(b []byte, s Summary) []byte {
	o := object(b)
	o.str("holds", s.Holds)
	list(&o, "counts", s.Counts, func(b []byte, c Count) []byte {
		o := object(b)
		o.str("key", c.Key)
		o.str("label", c.Label)
		o.int("value", int64(c.Value))
		return o.end()
	})
	o.strs("layers", s.Layers)
	return o.end()
}

func appendNamed(b []byte, n Named) []byte {
	o := object(b)
	o.str("code", n.Code)
	o.str("name", n.Name)
	o.strOmit("cite", n.Cite)
	return o.end()
}

func appendBasis(b []byte, x Basis) []byte {
	o := object(b)
	o.named("basis", x.Basis)
	if x.Interest != nil {
		o.named("interest", *x.Interest)
	}
	return o.end()
}

func appendPurposeLine(b []byte, x PurposeLine) []byte {
	o := object(b)
	o.named("purpose", x.Purpose)
	list(&o, "legal_bases", x.Bases, appendBasis)
	o.int("events", int64(x.Events))
	o.strs("event_ids", x.EventIDs)
	return o.end()
}

func appendCategoryLine(b []byte, x CategoryLine) []byte {
	o := object(b)
	o.named("category", x.Category)
	if x.Special {
		o.bool("special", true)
	}
	o.int("events", int64(x.Events))
	o.strs("event_ids", x.EventIDs)
	return o.end()
}

func appendRecipientLine(b []byte, x RecipientLine) []byte {
	o := object(b)
	o.strOmit("id", x.ID)
	o.str("legal_name", x.Name)
	o.named("category", x.Category)
	if len(x.Reasons) > 0 {
		o.strs("reasons", x.Reasons)
	}
	if x.ReasonMissing {
		o.bool("reason_missing", true)
	}
	o.named("country", x.Country)
	o.bool("third_country", x.ThirdCountry)
	if x.Mechanism != nil {
		o.named("transfer_mechanism", *x.Mechanism)
	}
	o.time("first", x.First)
	o.time("last", x.Last)
	list(&o, "kinds", x.Kinds, appendNamed)
	list(&o, "categories", x.Categories, appendNamed)
	list(&o, "purposes", x.Purposes, appendNamed)
	list(&o, "legal_bases", x.Bases, appendBasis)
	if len(x.Restrictions) > 0 {
		list(&o, "restrictions", x.Restrictions, appendRestrictionNote)
	}
	o.strs("event_ids", x.EventIDs)
	return o.end()
}

func appendSafeguardLine(b []byte, x SafeguardLine) []byte {
	o := object(b)
	o.str("recipient", x.Recipient)
	o.named("country", x.Country)
	if x.Mechanism != nil {
		o.named("transfer_mechanism", *x.Mechanism)
	}
	o.time("from", x.From)
	o.time("to", x.To)
	o.strs("event_ids", x.EventIDs)
	return o.end()
}

func appendRetention(b []byte, x Retention) []byte {
	o := object(b)
	o.strs("criteria", x.Criteria)
	o.str("note", x.Note)
	list(&o, "lines", x.Lines, func(b []byte, x RetentionLine) []byte {
		o := object(b)
		o.named("category", x.Category)
		o.named("rule", x.Rule)
		o.bool("period_stated", x.PeriodStated)
		o.str("text", x.Text)
		o.strs("event_ids", x.EventIDs)
		return o.end()
	})
	return o.end()
}

func appendText(b []byte, x Text) []byte {
	o := object(b)
	o.strs("paragraphs", x.Paragraphs)
	return o.end()
}

func appendSources(b []byte, x Sources) []byte {
	o := object(b)
	o.strs("policy", x.Policy)
	o.str("note", x.Note)
	list(&o, "lines", x.Lines, func(b []byte, x SourceLine) []byte {
		o := object(b)
		o.named("policy_source", x.Source)
		o.named("system", x.System)
		list(&o, "categories", x.Categories, appendNamed)
		o.int("events", int64(x.Events))
		o.strs("event_ids", x.EventIDs)
		return o.end()
	})
	return o.end()
}

func appendAutomated(b []byte, x Automated) []byte {
	o := object(b)
	o.strs("policy", x.Policy)
	list(&o, "lines", x.Lines, func(b []byte, x AutomatedLine) []byte {
		o := object(b)
		o.str("event_id", x.EventID)
		o.time("occurred_at", x.OccurredAt)
		o.str("decision", x.Decision)
		o.named("source_system", x.Source)
		o.named("purpose", x.Purpose)
		o.key("legal_basis")
		o.b = appendBasis(o.b, x.Basis)
		return o.end()
	})
	o.strOmit("none", x.None)
	return o.end()
}

func appendConsultation(b []byte, x Consultation) []byte {
	o := object(b)
	o.str("event_id", x.EventID)
	o.time("occurred_at", x.OccurredAt)
	o.named("source_system", x.Source)
	o.named("purpose", x.Purpose)
	o.strOmit("access_request_id", x.AccessRequestID)
	o.named("actor_type", x.ActorType)
	o.str("role", x.Role)
	o.strOmit("employee", x.Employee)
	return o.end()
}

func appendTimelineEntry(b []byte, x TimelineEntry) []byte {
	o := object(b)
	o.str("month", x.Month)
	o.named("kind", x.Kind)
	o.str("counterpart", x.Counterpart)
	list(&o, "categories", x.Categories, appendNamed)
	o.int("events", int64(x.Events))
	o.strs("event_ids", x.EventIDs)
	return o.end()
}

func appendRow(b []byte, x Row) []byte {
	o := object(b)
	o.str("event_id", x.EventID)
	o.named("kind", x.Kind)
	o.time("occurred_at", x.OccurredAt)
	o.time("recorded_at", x.RecordedAt)
	o.named("source_system", x.Source)
	o.named("actor_type", x.ActorType)
	o.str("actor_id", x.ActorID)
	list(&o, "data_categories", x.Categories, appendNamed)
	o.named("purpose", x.Purpose)
	o.key("legal_basis")
	o.b = appendBasis(o.b, x.Basis)
	if r := x.Recipient; r != nil {
		o.key("recipient")
		ro := object(o.b)
		ro.strOmit("id", r.ID)
		ro.str("legal_name", r.Name)
		ro.named("category", r.Category)
		ro.named("country", r.Country)
		if r.Mechanism != nil {
			ro.named("transfer_mechanism", *r.Mechanism)
		}
		o.b = ro.end()
	}
	if len(x.Attributes) > 0 {
		o.key("attributes")
		ao := object(o.b)
		for _, k := range slices.Sorted(maps.Keys(x.Attributes)) {
			ao.b = appendString(ao.comma(), k)
			ao.b = appendString(append(ao.b, ':'), x.Attributes[k])
		}
		o.b = ao.end()
	}
	if x.ResolvedVia != nil {
		o.named("resolved_via", *x.ResolvedVia)
	}
	if x.Restriction != nil {
		o.key("restriction")
		o.b = appendRestrictionNote(o.b, *x.Restriction)
	}
	o.strOmit("employee", x.Employee)
	o.int("partition", int64(x.Partition))
	o.int("offset", x.Offset)
	return o.end()
}

func appendRestrictionNote(b []byte, x RestrictionNote) []byte {
	o := object(b)
	x.members(&o)
	return o.end()
}

func (x RestrictionNote) members(o *jsonObject) {
	o.str("basis", x.Basis)
	o.time("review_at", x.ReviewAt)
	o.bool("active", x.Active)
}

func appendRestrictedLine(b []byte, x RestrictedLine) []byte {
	o := object(b)
	x.RestrictionNote.members(&o) // embedded: its members are the line's
	o.strs("event_ids", x.EventIDs)
	return o.end()
}

func appendWithheld(b []byte, x Withheld) []byte {
	o := object(b)
	o.strs("restriction_bases", x.Bases)
	if len(x.BasesText) > 0 {
		o.strs("restriction_text", x.BasesText)
	}
	list(&o, "identity_windows", x.Identity, func(b []byte, x WithheldWindow) []byte {
		o := object(b)
		o.named("kind", x.Kind)
		o.time("from", x.From)
		o.time("to", x.To)
		o.str("text", x.Text)
		return o.end()
	})
	return o.end()
}

func appendPosition(b []byte, x Position) []byte {
	o := object(b)
	list(&o, "partitions", x.Partitions, func(b []byte, x PartitionOffset) []byte {
		o := object(b)
		o.int("partition", int64(x.Partition))
		o.int("offset", x.Offset)
		return o.end()
	})
	return o.end()
}

// jsonObject appends the members of one JSON object.
type jsonObject struct {
	b []byte
	n int // members so far
}

func object(b []byte) jsonObject { return jsonObject{b: append(b, '{')} }

func (o *jsonObject) end() []byte { return append(o.b, '}') }

// comma appends the separator a member needs.
func (o *jsonObject) comma() []byte {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	return o.b
}

// key appends a member's name; names are plain ASCII.
func (o *jsonObject) key(k string) {
	o.b = append(append(append(o.comma(), '"'), k...), '"', ':')
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = appendString(o.b, v)
}

func (o *jsonObject) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *jsonObject) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *jsonObject) bool(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

// time appends a time as time.Time's MarshalJSON does.
func (o *jsonObject) time(k string, t time.Time) {
	o.key(k)
	o.b = append(t.AppendFormat(append(o.b, '"'), time.RFC3339Nano), '"')
}

func (o *jsonObject) named(k string, n Named) {
	o.key(k)
	o.b = appendNamed(o.b, n)
}

func (o *jsonObject) strs(k string, v []string) { list(o, k, v, appendString) }

// list appends a member whose value is an array; a nil slice is null.
func list[T any](o *jsonObject, k string, xs []T, appendItem func([]byte, T) []byte) {
	o.key(k)
	if xs == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i, x := range xs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendItem(o.b, x)
	}
	o.b = append(o.b, ']')
}

const hexDigits = "0123456789abcdef"

// plain says whether a string goes into JSON as it is: valid UTF-8 with no
// byte to escape and no U+2028 or U+2029 (whose encodings start with 0xE2).
// Most strings of a report are, and this is much faster than escaping.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if notPlain[s[i]] {
			return false
		}
	}
	return utf8.ValidString(s)
}

// notPlain marks the bytes that plain must not pass.
var notPlain = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for _, c := range []byte{'"', '\\', '<', '>', '&', 0xE2} {
		t[c] = true
	}
	return t
}()

// appendString appends a JSON string as encoding/json does with its default
// HTML escaping: <, > and & as \u003c, \u003e, \u0026; U+2028 and U+2029
// escaped; invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	if plain(s) {
		return append(append(append(b, '"'), s...), '"')
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}
