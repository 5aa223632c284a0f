package registerexport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/balticom/lineage/pkg/register"
)

func declared(t *testing.T) *register.Register {
	t.Helper()
	r, err := register.Declared()
	if err != nil {
		t.Fatalf("register.Declared: %v", err)
	}
	return r
}

// wantRows is the number of rows the export must have: one per recipient,
// one for an activity without recipients, plus the header.
func wantRows(r *register.Register) int {
	n := 1
	for _, a := range r.Activities {
		n += max(1, len(a.Recipients))
	}
	return n
}

// readCSV writes r as CSV and reads it back, checking the byte-order mark.
func readCSV(t *testing.T, r *register.Register, lang string) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r, lang); err != nil {
		t.Fatalf("WriteCSV(%s): %v", lang, err)
	}
	data, ok := bytes.CutPrefix(buf.Bytes(), []byte("\ufeff"))
	if !ok {
		t.Fatal("CSV does not start with a UTF-8 byte-order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("read CSV back: %v", err)
	}
	return rows
}

func TestWriteCSV(t *testing.T) {
	r := declared(t)
	for _, tt := range []struct{ lang, header, country string }{
		{"en", "Processing activity", "India"},
		{"lv", "Apstrādes darbība", "Indija"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			rows := readCSV(t, r, tt.lang)
			if len(rows) != wantRows(r) {
				t.Errorf("%d rows, want %d", len(rows), wantRows(r))
			}
			if len(rows[0]) != len(columns) || rows[0][1] != tt.header {
				t.Errorf("header = %q, want %d columns with %q second", rows[0], len(columns), tt.header)
			}
			found := slices.ContainsFunc(rows[1:], func(row []string) bool {
				return row[0] == "third_country_crm_support" && row[11] == tt.country && strings.Contains(row[12], "46(2)(c)")
			})
			if !found {
				t.Errorf("no row for the Indian processor with country %q and its safeguard", tt.country)
			}
		})
	}
}

func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	r := &register.Register{
		Controller: register.Controller{Name: "AS Balticom"}, DPOContact: "@dpo",
		Activities: []register.Activity{{
			ID: "x", Name: "=HYPERLINK(\"http://evil\")", NameLV: "x",
			SourceSystems: []string{"crm"}, Purpose: "service_provision", LegalBasis: "contract",
			DataCategories: []string{"contact"}, SubjectCategories: []string{"customers"}, Retention: "contract_term",
			Recipients: []register.Recipient{{ID: "r", LegalName: "+371 SIA", Category: "processor", Country: "LV"}},
			Cite:       "§5.1", Note: "-1+2",
		}},
	}
	rows := readCSV(t, r, "en")
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	row := rows[1]
	for i, want := range map[int]string{1: `'=HYPERLINK("http://evil")`, 3: "'@dpo", 9: "'+371 SIA", 16: "'-1+2", 0: "x"} {
		if row[i] != want {
			t.Errorf("column %q = %q, want %q", columns[i].en, row[i], want)
		}
	}
}

func TestUnknownLanguage(t *testing.T) {
	r := declared(t)
	if err := WriteCSV(&bytes.Buffer{}, r, "de"); !errors.Is(err, ErrLanguage) {
		t.Errorf("WriteCSV(de) = %v, want ErrLanguage", err)
	}
	if err := WriteXLSX(&bytes.Buffer{}, r, "de"); !errors.Is(err, ErrLanguage) {
		t.Errorf("WriteXLSX(de) = %v, want ErrLanguage", err)
	}
}

func TestUnknownCodeNamesActivity(t *testing.T) {
	r := &register.Register{Activities: []register.Activity{{ID: "broken", Purpose: "nope", LegalBasis: "contract", Retention: "contract_term"}}}
	err := WriteCSV(&bytes.Buffer{}, r, "en")
	if err == nil || !strings.Contains(err.Error(), `activity "broken": purpose: unknown code "nope"`) {
		t.Errorf("WriteCSV with an unknown purpose = %v", err)
	}
}

func TestWriteXLSXMatchesCSV(t *testing.T) {
	r := declared(t)
	for _, lang := range []string{"en", "lv"} {
		t.Run(lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteXLSX(&buf, r, lang); err != nil {
				t.Fatalf("WriteXLSX: %v", err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatalf("open XLSX: %v", err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{SheetName}) {
				t.Errorf("sheets = %q, want [%s]", got, SheetName)
			}
			got, err := f.GetRows(SheetName)
			if err != nil {
				t.Fatalf("read rows: %v", err)
			}
			// The declared register has no formula-like cell, so the CSV's
			// neutralisation changes nothing and the two must be equal.
			if want := readCSV(t, r, lang); !reflect.DeepEqual(got, want) {
				t.Errorf("XLSX rows differ from CSV rows:\n got %q\nwant %q", got, want)
			}
			panes, err := f.GetPanes(SheetName)
			if err != nil || !panes.Freeze || panes.YSplit != 1 {
				t.Errorf("header row not frozen: %+v, %v", panes, err)
			}
			style, err := f.GetCellStyle(SheetName, "B1")
			if err != nil {
				t.Fatalf("header style: %v", err)
			}
			if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
				t.Errorf("header not bold: %+v, %v", s, err)
			}
		})
	}
}
