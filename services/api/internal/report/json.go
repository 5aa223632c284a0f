package report

import (
	"fmt"
	"io"
)

// WriteJSON writes the report as compact JSON followed by a newline: the
// Report type's fields, with English keys and names in the report's
// language. It is the report's canonical JSON (see ContentHash) with
// computed_at and content_sha256 appended; a report from Build reuses the
// encoding Build hashed instead of encoding the report again.
func WriteJSON(w io.Writer, r *Report) error {
	canonical := r.canonical
	if canonical == nil {
		canonical = canonicalJSON(r)
	}
	// The canonical JSON without its closing brace, then the two members
	// it leaves out.
	tail := jsonObject{n: 1} // continues the object: a comma comes first
	if !r.ComputedAt.IsZero() {
		tail.time("computed_at", r.ComputedAt)
	}
	tail.strOmit("content_sha256", r.Hash)
	if _, err := w.Write(canonical[:len(canonical)-1]); err != nil {
		return fmt.Errorf("write report json: %w", err)
	}
	if _, err := w.Write(append(tail.end(), '\n')); err != nil {
		return fmt.Errorf("write report json: %w", err)
	}
	return nil
}
