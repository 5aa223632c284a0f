package eventjson

import (
	"bytes"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// The lexer reads the body held in memory (it is bounded by the caller's
// body limit). It is a small part of JSON (RFC 8259) written out because
// encoding/json's Token API allocates an error for every scalar it reads:
// it was most of the gateway's CPU.

// kind is the JSON type of the value at the cursor, from its first byte.
type kind byte

const (
	kindEnd kind = iota
	kindObject
	kindArray
	kindString
	kindNumber
	kindBool
	kindNull
	kindInvalid
)

func (k kind) String() string {
	switch k {
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindNull:
		return "null"
	}
	return "no value"
}

// ws skips white space.
func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the kind of the next value.
func (p *parser) peek() kind {
	p.ws()
	if p.i >= len(p.b) {
		return kindEnd
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return kindObject
	case c == '[':
		return kindArray
	case c == '"':
		return kindString
	case c == '-' || c >= '0' && c <= '9':
		return kindNumber
	case c == 't' || c == 'f':
		return kindBool
	case c == 'n':
		return kindNull
	}
	return kindInvalid
}

// syntax is a syntax error at the cursor: what was wanted there.
func (p *parser) syntax(want string) error {
	if p.i >= len(p.b) {
		return &Error{Kind: ErrMalformed, Field: p.path.String(), Rule: "the body ends inside the JSON value"}
	}
	return &Error{Kind: ErrMalformed, Field: p.path.String(),
		Rule: fmt.Sprintf("not valid JSON at byte %d: want %s", p.i, want)}
}

// typeErr reports that the value at the cursor is not what was wanted: a
// type error if it is a well-formed value of another type, else a syntax
// error.
func (p *parser) typeErr(want string) error {
	k := p.peek()
	switch k {
	case kindEnd, kindInvalid:
		return p.syntax("a value")
	case kindNumber, kindBool, kindNull:
		if !p.literal(k) {
			return p.syntax("a value")
		}
	}
	return p.fail(ErrInvalidField, "must be "+want+", got "+k.String())
}

// literal reads a number, true, false or null at the cursor and reports
// whether it is well-formed and ends where a value may end.
func (p *parser) literal(k kind) bool {
	rest := p.b[p.i:]
	switch {
	case k == kindNull && bytes.HasPrefix(rest, []byte("null")):
		p.i += 4
	case k == kindBool && bytes.HasPrefix(rest, []byte("true")):
		p.i += 4
	case k == kindBool && bytes.HasPrefix(rest, []byte("false")):
		p.i += 5
	case k == kindNumber:
		if !p.number() {
			return false
		}
	default:
		return false
	}
	if p.i == len(p.b) {
		return true
	}
	switch p.b[p.i] {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *parser) number() bool {
	b, i := p.b, p.i
	digits := func() bool {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	p.i = i
	return true
}

// delim reads the byte c after white space, or fails wanting it.
func (p *parser) delim(c byte, want string) error {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return nil
	}
	return p.syntax(want)
}

// more reads what follows an object member or array element: a comma
// (true), or the closing byte (false).
func (p *parser) more(closing byte) (bool, error) {
	p.ws()
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case ',':
			p.i++
			return true, nil
		case closing:
			p.i++
			return false, nil
		}
	}
	return false, p.syntax(fmt.Sprintf("',' or '%c'", closing))
}

// rawString reads the string whose opening quote is at the cursor. The
// result aliases the body when the string has no escapes and is ASCII;
// callers copy it (string conversion) before the body goes.
func (p *parser) rawString() ([]byte, error) {
	start := p.i + 1
	for i := start; i < len(p.b); i++ {
		switch c := p.b[i]; {
		case c == '"':
			p.i = i + 1
			return p.b[start:i], nil
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return p.slowString(start, i)
		}
	}
	p.i = len(p.b)
	return nil, p.syntax("the end of the string")
}

// slowString decodes a string with escapes or non-ASCII characters from
// position i on. Invalid UTF-8 and control characters are errors; a lone
// surrogate escape becomes U+FFFD, as in encoding/json.
func (p *parser) slowString(start, i int) ([]byte, error) {
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, p.b[start:i]...)
	for i < len(p.b) {
		c := p.b[i]
		switch {
		case c == '"':
			p.i = i + 1
			return buf, nil
		case c < 0x20:
			p.i = i
			return nil, p.syntax("no control character in a string (escape it)")
		case c < utf8.RuneSelf && c != '\\':
			buf = append(buf, c)
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(p.b[i:])
			if r == utf8.RuneError && size == 1 {
				p.i = i
				return nil, p.syntax("UTF-8 text")
			}
			buf = append(buf, p.b[i:i+size]...)
			i += size
		default: // a backslash
			if i+1 >= len(p.b) {
				p.i = len(p.b)
				return nil, p.syntax("an escape")
			}
			switch e := p.b[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(p.b[i+2:])
				if !ok {
					p.i = i
					return nil, p.syntax(`\u and four hex digits`)
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if i+1 < len(p.b) && p.b[i] == '\\' && p.b[i+1] == 'u' {
						r2, ok = hex4(p.b[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
				continue
			default:
				p.i = i
				return nil, p.syntax(`an escape (\" \\ \/ \b \f \n \r \t \uXXXX)`)
			}
			i += 2
		}
	}
	p.i = len(p.b)
	return nil, p.syntax("the end of the string")
}

// hex4 decodes four hex digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
