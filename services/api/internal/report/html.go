package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlPage is parsed once; a parsed template is safe for concurrent use.
var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"clock": clock, "day": day, "period": period, "cited": cited, "names": names, "citedNames": citedNames,
	"ids": ids, "attributes": attributesText,
	// The label-dependent texts take the labels first: {{basis $.L .Basis}}.
	"basis":         (*labels).basisText,
	"bases":         (*labels).basesText,
	"mechanism":     (*labels).mechanismText,
	"country":       (*labels).countryText,
	"view":          (*labels).viewText,
	"note":          (*labels).noteText,
	"notes":         (*labels).notesText,
	"reason":        (*labels).reasonText,
	"position":      (*labels).positionText,
	"accessRequest": (*labels).accessRequestText,
	"recipientRow":  (*labels).recipientRowText,
}).Parse(htmlSource))

// WriteHTML writes the report as one self-contained HTML page: inline CSS,
// no script, no font, image or style sheet from elsewhere, so that it reads
// the same offline and in ten years, and prints (A4 landscape) as it shows.
// html/template escapes every value.
func WriteHTML(w io.Writer, r *Report) error {
	l, err := labelsFor(r.Language)
	if err != nil {
		return err
	}
	if err := htmlPage.Execute(w, struct {
		*Report
		L *labels
	}{r, l}); err != nil {
		return fmt.Errorf("write report html: %w", err)
	}
	return nil
}
