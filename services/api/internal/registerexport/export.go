// Package registerexport writes the declared record of processing
// activities (GDPR Art. 30(1)) as a spreadsheet a DPO or the supervisory
// authority can read: CSV or XLSX, headers and names in English or Latvian.
//
// One row per (activity, recipient), and one row for an activity without
// recipients, so that every recipient's country and safeguard sits on its
// own line, filterable, as Art. 30(1)(d)–(e) asks. Activity-level columns
// are repeated on each of its rows for the same reason.
package registerexport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/balticom/lineage/pkg/register"
	"github.com/balticom/lineage/pkg/taxonomy"

	"github.com/balticom/lineage/services/api/internal/csvcell"
)

// ErrLanguage is returned for a language other than "en" and "lv".
var ErrLanguage = errors.New(`registerexport: language must be "en" or "lv"`)

// SheetName is the name of the only worksheet of the XLSX export.
const SheetName = "Art30"

// column is one column of the export: its headers and its XLSX width in
// characters.
type column struct {
	en, lv string
	width  float64
}

// columns are the Art. 30(1) columns, in output order.
var columns = []column{
	{"Activity ID", "Darbības identifikators", 24},
	{"Processing activity", "Apstrādes darbība", 40},
	{"Controller", "Pārzinis", 30},
	{"DPO contact", "Datu aizsardzības speciālista kontakts", 24},
	{"Purpose", "Nolūks", 40},
	{"Legal basis", "Tiesiskais pamats", 30},
	{"Legitimate interest", "Leģitīmās intereses", 40},
	{"Categories of data subjects", "Datu subjektu kategorijas", 40},
	{"Categories of personal data", "Personas datu kategorijas", 50},
	{"Recipient", "Saņēmējs", 30},
	{"Recipient category", "Saņēmēja kategorija", 30},
	{"Country", "Valsts", 16},
	{"Third-country safeguard", "Aizsardzības pasākums", 30},
	{"Retention", "Glabāšanas termiņš", 40},
	{"Source systems", "Avota sistēmas", 30},
	{"Policy reference", "Atsauce uz politiku", 24},
	{"Note", "Piezīme", 60},
}

// WriteCSV writes the register as CSV: UTF-8 with a byte-order mark (so
// that Excel reads the Latvian letters as UTF-8), comma-separated, header
// row first. Cells that a spreadsheet would take for a formula are
// neutralised (see csvcell.Safe).
func WriteCSV(w io.Writer, r *register.Register, lang string) error {
	rows, err := table(r, lang)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("registerexport: write CSV byte-order mark: %w", err)
	}
	cw := csv.NewWriter(w)
	for _, row := range rows {
		for i := range row {
			row[i] = csvcell.Safe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("registerexport: write CSV row: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("registerexport: flush CSV: %w", err)
	}
	return nil
}

// WriteXLSX writes the register as an XLSX workbook with one sheet,
// SheetName: bold header row, frozen below the header, with an autofilter.
// Every cell is written as a string cell, which Excel never evaluates, so
// unlike the CSV no value needs neutralising and the text stays exact.
func WriteXLSX(w io.Writer, r *register.Register, lang string) error {
	rows, err := table(r, lang)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close() // an in-memory workbook: Close only drops temporary files, none here
	if err := buildSheet(f, rows); err != nil {
		return fmt.Errorf("registerexport: build XLSX sheet: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("registerexport: write XLSX: %w", err)
	}
	return nil
}

// buildSheet fills the default sheet of f with rows, renamed SheetName.
func buildSheet(f *excelize.File, rows [][]string) error {
	if err := f.SetSheetName(f.GetSheetName(0), SheetName); err != nil {
		return fmt.Errorf("rename sheet: %w", err)
	}
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
		if err := f.SetSheetRow(SheetName, cell, &row); err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("header style: %w", err)
	}
	if err := f.SetRowStyle(SheetName, 1, 1, bold); err != nil {
		return fmt.Errorf("header style: %w", err)
	}
	if err := f.SetPanes(SheetName, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
	}); err != nil {
		return fmt.Errorf("freeze header: %w", err)
	}
	for i, c := range columns {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return fmt.Errorf("column %d: %w", i+1, err)
		}
		if err := f.SetColWidth(SheetName, name, name, c.width); err != nil {
			return fmt.Errorf("column %s width: %w", name, err)
		}
	}
	last, err := excelize.CoordinatesToCellName(len(columns), len(rows))
	if err != nil {
		return fmt.Errorf("autofilter range: %w", err)
	}
	if err := f.AutoFilter(SheetName, "A1:"+last, nil); err != nil {
		return fmt.Errorf("autofilter: %w", err)
	}
	return nil
}

// table returns the header and the rows of the export in the language.
func table(r *register.Register, lang string) ([][]string, error) {
	if lang != "en" && lang != "lv" {
		return nil, fmt.Errorf("%w, got %q", ErrLanguage, lang)
	}
	n := namer{lv: lang == "lv"}
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = n.pick(c.en, c.lv)
	}
	rows := [][]string{header}
	controller := r.Controller.Name
	if r.Controller.RegistrationNumber != "" {
		controller += n.pick(", reg. no. ", ", reģ. Nr. ") + r.Controller.RegistrationNumber
	}
	if r.Controller.Address != "" {
		controller += ", " + r.Controller.Address
	}
	for _, a := range r.Activities {
		activity, err := n.activity(a, controller, r.DPOContact)
		if err != nil {
			return nil, fmt.Errorf("registerexport: activity %q: %w", a.ID, err)
		}
		if len(a.Recipients) == 0 {
			rows = append(rows, activity(make([]string, recipientCells)))
			continue
		}
		for _, rc := range a.Recipients {
			cells, err := n.recipient(rc)
			if err != nil {
				return nil, fmt.Errorf("registerexport: activity %q: recipient %q: %w", a.ID, rc.ID, err)
			}
			rows = append(rows, activity(cells))
		}
	}
	return rows, nil
}

// namer turns codes into names in one language.
type namer struct{ lv bool }

func (n namer) pick(en, lv string) string {
	if n.lv {
		return lv
	}
	return en
}

// term names a taxonomy term with its code, "Name (code)", so that the
// export reads alone and still joins with the lineage data.
func (n namer) term(t taxonomy.Term) string { return n.pick(t.Name, t.NameLV) + " (" + t.Code + ")" }

// activity names the activity-level cells and returns a function that
// completes a row with the four recipient cells (recipient, category,
// country, safeguard).
func (n namer) activity(a register.Activity, controller, dpo string) (func(recipient []string) []string, error) {
	var errs []error
	lookup := func(field, code string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown code %q", field, code))
		}
	}
	purpose, ok := taxonomy.LookupPurpose(a.Purpose)
	lookup("purpose", a.Purpose, ok)
	basis, ok := taxonomy.LookupLegalBasis(a.LegalBasis)
	lookup("legal_basis", a.LegalBasis, ok)
	var interest string
	if a.LegitimateInterest != "" {
		t, ok := taxonomy.LookupLegitimateInterest(a.LegitimateInterest)
		lookup("legitimate_interest", a.LegitimateInterest, ok)
		interest = n.pick(t.Name, t.NameLV) + " (§" + t.Code + ")"
	}
	subjects := make([]string, len(a.SubjectCategories))
	for i, code := range a.SubjectCategories {
		s, ok := register.LookupSubjectCategory(code)
		lookup("subject_categories", code, ok)
		subjects[i] = n.pick(s.Name, s.NameLV)
	}
	categories := make([]string, len(a.DataCategories))
	for i, code := range a.DataCategories {
		c, ok := taxonomy.LookupCategory(code)
		lookup("data_categories", code, ok)
		categories[i] = n.term(c.Term)
	}
	retention, ok := taxonomy.LookupRetentionRule(a.Retention)
	lookup("retention", a.Retention, ok)
	sources := make([]string, len(a.SourceSystems))
	for i, code := range a.SourceSystems {
		s, ok := taxonomy.LookupSourceSystem(code)
		lookup("source_systems", code, ok)
		sources[i] = n.term(s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	name := n.pick(a.Name, a.NameLV)
	return func(recipient []string) []string {
		row := []string{a.ID, name, controller, dpo, n.term(purpose), n.term(basis), interest,
			strings.Join(subjects, "; "), strings.Join(categories, "; ")}
		row = append(row, recipient...)
		return append(row, n.term(retention.Term), strings.Join(sources, "; "), a.Cite, a.Note)
	}, nil
}

// recipientCells is the number of cells recipient returns.
const recipientCells = 4

// recipient returns the cells of a recipient: legal name, category,
// country and third-country safeguard (empty inside the EEA).
func (n namer) recipient(rc register.Recipient) ([]string, error) {
	category, ok := taxonomy.LookupRecipientCategory(rc.Category)
	if !ok {
		return nil, fmt.Errorf("category: unknown code %q", rc.Category)
	}
	country, ok := taxonomy.LookupCountry(rc.Country)
	if !ok {
		return nil, fmt.Errorf("country: unknown code %q", rc.Country)
	}
	var safeguard string
	if rc.TransferMechanism != "" {
		m, ok := taxonomy.LookupTransferMechanism(rc.TransferMechanism)
		if !ok {
			return nil, fmt.Errorf("transfer_mechanism: unknown code %q", rc.TransferMechanism)
		}
		safeguard = n.pick(m.Name, m.NameLV) + " (" + m.Cite + ")"
	}
	return []string{rc.LegalName, n.term(category), n.pick(country.Name, country.NameLV), safeguard}, nil
}
