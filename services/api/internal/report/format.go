package report

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Format is a rendering of a report; its value is also the file extension.
type Format string

// The formats of a report.
const (
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
	FormatHTML Format = "html"
	FormatPDF  Format = "pdf"
)

// ErrFormat is returned for a format the package cannot render.
var ErrFormat = errors.New("unknown report format (json, csv, html or pdf)")

// Formats returns the formats a report can be rendered in.
func Formats() []Format { return []Format{FormatJSON, FormatCSV, FormatHTML, FormatPDF} }

// ParseFormat returns the format named s (case-insensitive).
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("format %q: %w", s, ErrFormat)
}

// ContentType returns the media type of a format, "" for an unknown one.
func ContentType(f Format) string {
	switch f {
	case FormatJSON:
		return "application/json"
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatHTML:
		return "text/html; charset=utf-8"
	case FormatPDF:
		return "application/pdf"
	}
	return ""
}

// Filename returns a file name for the report in a format, for a
// Content-Disposition header: the subject, the language and the start of
// the content hash, so that two different reports never share a name.
func Filename(r *Report, f Format) string {
	return fmt.Sprintf("access-report-%s-%s-%.12s.%s", r.SubjectID, r.Language, r.Hash, f)
}

// Render writes the report in a format. Renderings are deterministic: the
// same report gives the same bytes.
func Render(w io.Writer, r *Report, f Format) error {
	switch f {
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatCSV:
		return WriteCSV(w, r)
	case FormatHTML:
		return WriteHTML(w, r)
	case FormatPDF:
		return WritePDF(w, r)
	}
	return fmt.Errorf("render %q: %w", f, ErrFormat)
}
