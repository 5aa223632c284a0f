package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// encoderReports are reports that, together, set every field of the model.
func encoderReports(t *testing.T) []*Report {
	weird := hostile()
	weird.ID = "e98-weird"
	weird.RecipientName = "a\x00b\x1fc\b\f\n\r\t\"\\ <>& \u2028\u2029 \xff ā \U0001F600"
	weird.DataCategories = []string{"special", "unknown_code"}
	weird.Attributes = map[string]string{"z": "1", "a": "\x7f<", "ķ": "ü", "automated_decision": "\u2028"}
	weird.ResolvedVia = "device"
	noReason := fixtureEvent(t, evPolice)
	noReason.ID, noReason.Attributes = "e97-no-reason", nil

	dpo := fixtureOptions("lv")
	dpo.IncludeRestricted = true
	window := fixtureOptions("en")
	from, to := day0(2025, 3, 1), day0(2025, 9, 1)
	window.From, window.To = &from, &to
	return []*Report{
		build(t, fixture(), fixtureOptions("en")),
		build(t, append(fixture(), weird, noReason), dpo),
		build(t, append(fixture(), weird, noReason), fixtureOptions("lv")),
		build(t, fixture(), window),
		build(t, nil, fixtureOptions("en")),
		build(t, bigFixture(300), fixtureOptions("lv")),
	}
}

// TestEncoderMatchesEncodingJSON: the report's own JSON encoder writes what
// encoding/json writes, and the reports compared set every field, so a
// field added to the model but not to the encoder fails here.
func TestEncoderMatchesEncodingJSON(t *testing.T) {
	set := map[string]bool{}
	for i, r := range encoderReports(t) {
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendReport(nil, r); !bytes.Equal(got, want) {
			n := 0
			for n < min(len(got), len(want)) && got[n] == want[n] {
				n++
			}
			t.Errorf("report %d differs at byte %d:\n got …%.200s\nwant …%.200s", i, n, got[max(0, n-80):], want[max(0, n-80):])
		}
		nonZero(reflect.ValueOf(*r), set)
	}
	for _, f := range fieldsOf(reflect.TypeFor[Report](), map[reflect.Type]bool{}) {
		if !set[f] {
			t.Errorf("no report of the test sets %s: the encoder's handling of it is untested", f)
		}
	}
}

// nonZero records each struct field ("Type.Field") that is not zero
// somewhere in v.
func nonZero(v reflect.Value, set map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			nonZero(v.Elem(), set)
		}
	case reflect.Slice:
		for i := range v.Len() {
			nonZero(v.Index(i), set)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Report]() || v.Type().PkgPath() == reflect.TypeFor[Report]().PkgPath() {
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() {
					continue
				}
				if !v.Field(i).IsZero() && (v.Field(i).Kind() != reflect.Slice || v.Field(i).Len() > 0) {
					set[v.Type().Name()+"."+f.Name] = true
				}
				nonZero(v.Field(i), set)
			}
		}
	}
}

// fieldsOf lists the exported fields of t and of the package's types it
// holds.
func fieldsOf(t reflect.Type, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() != reflect.TypeFor[Report]().PkgPath() || seen[t] {
		return nil
	}
	seen[t] = true
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		out = append(out, t.Name()+"."+f.Name)
		out = append(out, fieldsOf(f.Type, seen)...)
	}
	return out
}
