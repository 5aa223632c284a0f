package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2/pkg/crc64"
)

// The Avro specification's Parsing Canonical Form ("Parsing Canonical Form
// for Schemas") is what the Java library fingerprints
// (SchemaNormalization.parsingFingerprint64), and so what its
// BinaryMessageEncoder writes into single-object encoding. hamba's canonical
// form, which the codecs write, keeps logicalType (and a decimal's
// precision and scale), so the two fingerprints of one of our schemas
// differ: a codec reads by both (see newCodec).

// parsingFingerprint is the CRC-64-AVRO fingerprint of the Parsing
// Canonical Form of the schema text: the fingerprint a Java producer puts
// in a single-object encoded record.
func parsingFingerprint(text string) (uint64, error) {
	form, err := parsingCanonicalForm(text)
	if err != nil {
		return 0, err
	}
	return crc64Avro([]byte(form)), nil
}

// crc64Avro is the spec's 64-bit Rabin fingerprint (CRC-64-AVRO) of b, as
// a number; single-object encoding writes it little-endian.
func crc64Avro(b []byte) uint64 {
	sum := crc64.Sum(b)
	return binary.BigEndian.Uint64(sum[:])
}

// parsingCanonicalForm transforms a schema's JSON into its Parsing
// Canonical Form, as the specification says:
//
//   - [PRIMITIVES] a primitive schema is written in its simple form, "int",
//     whatever else its object has (a logicalType included);
//   - [FULLNAMES] a named schema's name is its full name, a reference to
//     one is the full name too, and namespace is dropped;
//   - [STRIP] only type, name, fields, symbols, items, values and size are
//     kept (no doc, aliases, default, order, logicalType, ...);
//   - [ORDER] the members are written in the order name, type, fields,
//     symbols, items, values, size;
//   - [STRINGS] strings are written with their characters, not escapes;
//   - [INTEGERS] sizes without leading zeros or signs;
//   - [WHITESPACE] no whitespace outside strings.
//
// A named schema is written in full where it first appears, by its full
// name wherever it appears again, as Java's SchemaNormalization does. The
// text is walked as JSON: it must be a schema Avro can parse, though the
// checks here are only those the form needs (hamba parses every schema
// that a codec uses first, and checks the rest).
func parsingCanonicalForm(text string) (string, error) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", fmt.Errorf("canonical form: %w", err)
	}
	if _, err := d.Token(); err == nil {
		return "", errors.New("canonical form: text after the schema")
	}
	w := canonicalWriter{defined: map[string]bool{}}
	if err := w.schema(v, ""); err != nil {
		return "", fmt.Errorf("canonical form: %w", err)
	}
	return w.out.String(), nil
}

// canonicalWriter writes one schema's Parsing Canonical Form.
type canonicalWriter struct {
	out     bytes.Buffer
	defined map[string]bool // full names of the named schemas written so far
}

var primitiveTypes = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true,
}

// schema writes the form of schema v, met where the enclosing namespace is
// ns ("" for none).
func (w *canonicalWriter) schema(v any, ns string) error {
	switch v := v.(type) {
	case string:
		if primitiveTypes[v] {
			w.str(v)
			return nil
		}
		return w.reference(v, ns)
	case []any: // a union
		w.out.WriteByte('[')
		for i, branch := range v {
			if i > 0 {
				w.out.WriteByte(',')
			}
			if err := w.schema(branch, ns); err != nil {
				return err
			}
		}
		w.out.WriteByte(']')
		return nil
	case map[string]any:
		return w.object(v, ns)
	default:
		return fmt.Errorf("%v is not a schema", v)
	}
}

func (w *canonicalWriter) object(o map[string]any, ns string) error {
	typ, ok := o["type"].(string)
	if !ok {
		// {"type": {...}} or {"type": [...]}: the inner schema is the
		// schema; nothing of the outer object is kept.
		if inner, has := o["type"]; has {
			return w.schema(inner, ns)
		}
		return errors.New(`schema object without "type"`)
	}
	switch typ {
	case "record", "error", "enum", "fixed":
		return w.named(o, typ, ns)
	case "array":
		w.out.WriteString(`{"type":"array","items":`)
		if err := w.schema(o["items"], ns); err != nil {
			return fmt.Errorf("array items: %w", err)
		}
		w.out.WriteByte('}')
		return nil
	case "map":
		w.out.WriteString(`{"type":"map","values":`)
		if err := w.schema(o["values"], ns); err != nil {
			return fmt.Errorf("map values: %w", err)
		}
		w.out.WriteByte('}')
		return nil
	}
	if primitiveTypes[typ] {
		w.str(typ) // [PRIMITIVES], logicalType and all stripped
		return nil
	}
	return w.reference(typ, ns) // {"type": "SomeRecord"}
}

// named writes a record, enum or fixed schema, or only its full name when
// it was written before.
func (w *canonicalWriter) named(o map[string]any, typ, ns string) error {
	name, _ := o["name"].(string)
	if name == "" {
		return fmt.Errorf("%s without a name", typ)
	}
	space, _ := o["namespace"].(string)
	if _, has := o["namespace"]; !has {
		space = ns
	}
	full := fullName(name, space)
	if w.defined[full] {
		return fmt.Errorf("%s defined twice", full)
	}
	w.defined[full] = true
	if typ == "error" {
		typ = "record" // as Java writes an error's type
	}
	w.out.WriteString(`{"name":`)
	w.str(full)
	w.out.WriteString(`,"type":`)
	w.str(typ)
	switch typ {
	case "record":
		// Names inside the record default to the namespace of its full
		// name, not to the namespace member (the two differ when the name
		// has dots).
		inner := ""
		if i := strings.LastIndexByte(full, '.'); i >= 0 {
			inner = full[:i]
		}
		fields, ok := o["fields"].([]any)
		if !ok {
			return fmt.Errorf("record %s without fields", full)
		}
		w.out.WriteString(`,"fields":[`)
		for i, f := range fields {
			field, ok := f.(map[string]any)
			fname, _ := field["name"].(string)
			if !ok || fname == "" {
				return fmt.Errorf("record %s: field %d has no name", full, i)
			}
			if i > 0 {
				w.out.WriteByte(',')
			}
			w.out.WriteString(`{"name":`)
			w.str(fname)
			w.out.WriteString(`,"type":`)
			if err := w.schema(field["type"], inner); err != nil {
				return fmt.Errorf("record %s field %s: %w", full, fname, err)
			}
			w.out.WriteByte('}')
		}
		w.out.WriteByte(']')
	case "enum":
		symbols, ok := o["symbols"].([]any)
		if !ok {
			return fmt.Errorf("enum %s without symbols", full)
		}
		w.out.WriteString(`,"symbols":[`)
		for i, s := range symbols {
			sym, ok := s.(string)
			if !ok {
				return fmt.Errorf("enum %s: symbol %v is not a string", full, s)
			}
			if i > 0 {
				w.out.WriteByte(',')
			}
			w.str(sym)
		}
		w.out.WriteByte(']')
	case "fixed":
		size, ok := o["size"].(json.Number)
		n, err := strconv.ParseUint(string(size), 10, 31)
		if !ok || err != nil {
			return fmt.Errorf("fixed %s: size %v is not a size", full, o["size"])
		}
		w.out.WriteString(`,"size":`)
		w.out.WriteString(strconv.FormatUint(n, 10)) // [INTEGERS]
	}
	w.out.WriteByte('}')
	return nil
}

// reference writes a use of a named schema defined before: its full name.
func (w *canonicalWriter) reference(name, ns string) error {
	full := fullName(name, ns)
	if !w.defined[full] {
		if !w.defined[name] { // a name of the null namespace
			return fmt.Errorf("unknown type %q", name)
		}
		full = name
	}
	w.str(full)
	return nil
}

// fullName is the full name of a name met where the namespace is ns.
func fullName(name, ns string) string {
	if strings.Contains(name, ".") || ns == "" {
		return name
	}
	return ns + "." + name
}

// str writes s as a JSON string with its characters as they are
// ([STRINGS]): only the quote, the backslash and control characters are
// escaped, which Avro names and symbols never hold anyway.
func (w *canonicalWriter) str(s string) {
	w.out.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			w.out.WriteByte('\\')
			w.out.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&w.out, `\u%04x`, r)
		default:
			w.out.WriteRune(r)
		}
	}
	w.out.WriteByte('"')
}
