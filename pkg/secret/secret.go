// Package secret holds configuration values that must never be printed:
// passwords, tokens, keys. Every binary logs its configuration at start;
// a Secret field shows there as "[redacted]" (or "" when unset, so an
// operator can still see whether it was given).
package secret

import (
	"encoding/json"
	"log/slog"
)

// Secret is a string that redacts itself in logs, fmt and JSON. Use Reveal
// where the value is really needed.
type Secret string

const redacted = "[redacted]"

func (s Secret) mask() string {
	if s == "" {
		return ""
	}
	return redacted
}

// Reveal returns the value. Call it only where the value is handed to the
// system that needs it.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string { return s.mask() }

// GoString implements fmt.GoStringer, so %#v redacts too.
func (s Secret) GoString() string { return `"` + s.mask() + `"` }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.mask()) }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.mask()) }
