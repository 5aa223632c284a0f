package report

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// DejaVu Sans, from Debian's fonts-dejavu-core 2.37 (licence in
// fonts/LICENSE): the PDF core fonts have no Latvian letters, so the report
// embeds a Unicode TrueType font; fpdf embeds only the glyphs used.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// Page geometry of the PDF, in mm: A4 landscape.
const (
	pdfMargin    = 12.0
	pdfBottom    = 16.0 // room for the footer
	pdfPageW     = 297.0
	pdfPageH     = 210.0
	pdfWidth     = pdfPageW - 2*pdfMargin
	pdfFont      = "dejavu"
	pdfTableSize = 6.5 // pt
	pdfTableLine = 2.9 // mm
	pdfTablePad  = 0.6
	pdfTextSize  = 8.5
	pdfTextLine  = 4.0
)

// WritePDF writes the report as a PDF (A4 landscape) in the same layers and
// order as the HTML rendering. Tables wrap long text and break across pages
// line by line, repeating their header; a line's event ids follow it across
// the full width. Every page's footer carries the page number, the content
// hash and the store position. The document's creation date is the
// report's ComputedAt, so the same report gives the same bytes.
func WritePDF(w io.Writer, r *Report) error {
	l, err := labelsFor(r.Language)
	if err != nil {
		return err
	}
	p := &pdfDoc{Fpdf: fpdf.New("L", "mm", "A4", ""), r: r, l: l}
	p.setup()
	p.document()
	if err := p.Output(w); err != nil {
		return fmt.Errorf("write report pdf: %w", err)
	}
	return nil
}

// pdfDoc is one PDF being written.
type pdfDoc struct {
	*fpdf.Fpdf
	r *Report
	l *labels
}

func (p *pdfDoc) setup() {
	p.SetCompression(true)
	p.SetCatalogSort(true)
	p.SetCreationDate(p.r.ComputedAt)
	p.SetModificationDate(p.r.ComputedAt)
	p.SetTitle(p.l.Title, true)
	p.SetAuthor(p.r.Controller.Name, true)
	p.SetSubject(p.r.SubjectID, true)
	p.SetCreator("lineage access report", true)
	p.SetLang(p.r.Language)
	p.AddUTF8FontFromBytes(pdfFont, "", fontRegular)
	p.AddUTF8FontFromBytes(pdfFont, "B", fontBold)
	p.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	p.SetAutoPageBreak(true, pdfBottom)
	p.AliasNbPages("{nb}")
	footer := fmt.Sprintf("%s: %s  ·  %s: %s", p.l.HashLabel, p.r.Hash, p.l.PositionLabel, p.l.positionText(p.r.Position))
	p.SetFooterFunc(func() {
		p.SetY(-pdfBottom + 4)
		p.SetFont(pdfFont, "", 6.5)
		p.SetTextColor(80, 80, 80)
		p.CellFormat(0, 3, fmt.Sprintf(p.l.PageF, p.PageNo(), "{nb}")+"  ·  "+p.r.SubjectID, "T", 1, "L", false, 0, "")
		p.MultiCell(0, 3, footer, "", "L", false)
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
}

func (p *pdfDoc) document() {
	r, l := p.r, p.l
	p.SetFont(pdfFont, "B", 14)
	p.MultiCell(0, 6.5, l.Title, "", "L", false)
	p.Ln(1)
	p.table(nil, []float64{60, pdfWidth - 60}, [][]string{
		{l.ControllerHead, r.Controller.Text},
		{l.SubjectLabel, r.SubjectID},
		{l.WindowLabel, r.Window.Text},
		{l.ViewLabel, l.viewText(r)},
		{l.ComputedAt, clock(r.ComputedAt)},
		{l.HashLabel, r.Hash},
		{l.PositionLabel, l.positionText(r.Position)},
	}, nil)

	p.heading(l.SummaryHead)
	p.para(r.Summary.Holds)
	counts := make([][]string, len(r.Summary.Counts))
	for i, c := range r.Summary.Counts {
		counts[i] = []string{c.Label, strconv.Itoa(c.Value)}
	}
	p.table(nil, []float64{80, 20}, counts, nil)
	for _, s := range r.Summary.Layers {
		p.para("• " + s)
	}

	p.heading(l.HeadHolds)
	p.para(r.Summary.Holds)
	p.purposes()
	p.categories()
	p.recipients()
	p.retention()
	p.heading(l.HeadRights)
	p.paras(r.Rights.Paragraphs)
	p.heading(l.HeadComplaint)
	p.paras(r.Complaint.Paragraphs)
	p.sources()
	p.automated()
	p.safeguards()
	p.consultations()
	p.timeline()
	p.rows()
	p.restricted()
	p.withheld()

	p.heading(l.HeadIntegrity)
	p.table(nil, []float64{60, pdfWidth - 60}, [][]string{
		{l.HashLabel, r.Hash},
		{l.PositionLabel, l.positionText(r.Position)},
		{l.ComputedAt, clock(r.ComputedAt)},
	}, nil)
}

func (p *pdfDoc) purposes() {
	l := p.l
	p.heading(l.HeadPurposes)
	rows, spans := make([][]string, len(p.r.Purposes)), make([][]string, len(p.r.Purposes))
	for i, x := range p.r.Purposes {
		rows[i] = []string{cited(x.Purpose), l.basesText(x.Bases), strconv.Itoa(x.Events)}
		spans[i] = x.EventIDs
	}
	p.table([]string{l.ColPurpose, l.ColBases, l.ColEvents}, []float64{110, 143, 20}, rows, spans)
}

func (p *pdfDoc) categories() {
	l := p.l
	p.heading(l.HeadCategories)
	rows, spans := make([][]string, len(p.r.Categories)), make([][]string, len(p.r.Categories))
	for i, x := range p.r.Categories {
		rows[i] = []string{cited(x.Category), strconv.Itoa(x.Events)}
		spans[i] = x.EventIDs
	}
	p.table([]string{l.ColCategory, l.ColEvents}, []float64{253, 20}, rows, spans)
}

func (p *pdfDoc) recipients() {
	l := p.l
	p.heading(l.HeadRecipients)
	p.para(l.IntroRecipients)
	rows, spans := make([][]string, len(p.r.Recipients)), make([][]string, len(p.r.Recipients))
	for i, x := range p.r.Recipients {
		who := x.Display()
		if x.ID != "" {
			who += " [" + x.ID + "]"
		}
		if x.Name != "" {
			who += "\n" + x.Category.Name
		} else {
			who += "\n" + l.ColReason + ": " + l.reasonText(x)
		}
		if len(x.Restrictions) > 0 {
			who += "\n" + l.notesText(x.Restrictions)
		}
		mech := ""
		if x.ThirdCountry || x.Mechanism != nil {
			mech = l.mechanismText(x.Mechanism)
		}
		rows[i] = []string{who, l.countryText(x.Country, x.ThirdCountry), mech, period(x.First, x.Last), names(x.Kinds),
			names(x.Categories), citedNames(x.Purposes), l.basesText(x.Bases)}
		spans[i] = x.EventIDs
	}
	p.table([]string{l.ColRecipient, l.ColCountry, l.ColMechanism, l.ColPeriod, l.ColKinds, l.ColCategories, l.ColPurposes, l.ColBases},
		[]float64{52, 26, 30, 25, 25, 40, 35, 40}, rows, spans)
}

func (p *pdfDoc) retention() {
	l := p.l
	p.heading(l.HeadRetention)
	p.paras(p.r.Retention.Criteria)
	p.para(p.r.Retention.Note)
	rows, spans := make([][]string, len(p.r.Retention.Lines)), make([][]string, len(p.r.Retention.Lines))
	for i, x := range p.r.Retention.Lines {
		rows[i] = []string{cited(x.Category), x.Text}
		spans[i] = x.EventIDs
	}
	p.table([]string{l.ColCategory, l.ColRule}, []float64{90, 183}, rows, spans)
}

func (p *pdfDoc) sources() {
	l := p.l
	p.heading(l.HeadSources)
	p.paras(p.r.Sources.Policy)
	p.para(p.r.Sources.Note)
	rows, spans := make([][]string, len(p.r.Sources.Lines)), make([][]string, len(p.r.Sources.Lines))
	for i, x := range p.r.Sources.Lines {
		rows[i] = []string{cited(x.Source), x.System.Name, names(x.Categories), strconv.Itoa(x.Events)}
		spans[i] = x.EventIDs
	}
	p.table([]string{l.ColPolicySource, l.ColSystem, l.ColCategories, l.ColEvents}, []float64{70, 60, 123, 20}, rows, spans)
}

func (p *pdfDoc) automated() {
	l := p.l
	p.heading(l.HeadAutomated)
	p.paras(p.r.Automated.Policy)
	if len(p.r.Automated.Lines) == 0 {
		p.para(p.r.Automated.None)
		return
	}
	rows := make([][]string, len(p.r.Automated.Lines))
	for i, x := range p.r.Automated.Lines {
		rows[i] = []string{clock(x.OccurredAt), x.Decision, x.Source.Name, cited(x.Purpose), l.basisText(x.Basis), x.EventID}
	}
	p.table([]string{l.ColDate, l.ColDecision, l.ColSystem, l.ColPurpose, l.ColBases, l.ColEvent}, []float64{30, 50, 35, 55, 50, 53}, rows, nil)
}

func (p *pdfDoc) safeguards() {
	l := p.l
	p.heading(l.HeadSafeguards)
	p.para(l.IntroSafeguards)
	rows, spans := make([][]string, len(p.r.Safeguards)), make([][]string, len(p.r.Safeguards))
	for i, x := range p.r.Safeguards {
		rows[i] = []string{x.Recipient, x.Country.Name + " (" + x.Country.Code + ")", l.mechanismText(x.Mechanism), period(x.From, x.To)}
		spans[i] = x.EventIDs
	}
	p.table([]string{l.ColRecipient, l.ColCountry, l.ColMechanism, l.ColPeriod}, []float64{90, 50, 90, 43}, rows, spans)
}

func (p *pdfDoc) consultations() {
	l := p.l
	p.heading(l.HeadConsultations)
	p.para(l.IntroConsultations)
	dpo := p.r.View == ViewDPO
	rows := make([][]string, len(p.r.Consultations))
	for i, x := range p.r.Consultations {
		role := x.ActorType.Name + ": " + x.Role
		if dpo && x.Employee != "" {
			role += "\n" + l.ColEmployee + ": " + x.Employee
		}
		rows[i] = []string{clock(x.OccurredAt), x.Source.Name, cited(x.Purpose), role, l.accessRequestText(x.AccessRequestID), x.EventID}
	}
	p.table([]string{l.ColDate, l.ColSystem, l.ColPurpose, l.ColRole, l.ColAccessRequest, l.ColEvent},
		[]float64{30, 40, 60, 50, 40, 53}, rows, nil)
}

func (p *pdfDoc) timeline() {
	l := p.l
	p.heading(l.HeadTimeline)
	p.para(l.IntroTimeline)
	rows, spans := make([][]string, len(p.r.Timeline)), make([][]string, len(p.r.Timeline))
	for i, x := range p.r.Timeline {
		rows[i] = []string{x.Month, x.Kind.Name, x.Counterpart, names(x.Categories), strconv.Itoa(x.Events)}
		spans[i] = x.EventIDs
	}
	p.table([]string{l.ColMonth, l.ColKind, l.ColCounterpart, l.ColCategories, l.ColEvents}, []float64{20, 45, 80, 108, 20}, rows, spans)
}

func (p *pdfDoc) rows() {
	l := p.l
	p.heading(l.HeadRows)
	p.para(l.IntroRows)
	dpo := p.r.View == ViewDPO
	rows := make([][]string, len(p.r.Rows))
	for i, x := range p.r.Rows {
		other := []string{}
		if x.ResolvedVia != nil {
			other = append(other, l.ColResolvedVia+": "+x.ResolvedVia.Name)
		}
		if a := attributesText(x.Attributes); a != "" {
			other = append(other, a)
		}
		if dpo && x.Restriction != nil {
			other = append(other, l.noteText(*x.Restriction))
		}
		if dpo && x.Employee != "" {
			other = append(other, l.ColEmployee+": "+x.Employee)
		}
		rows[i] = []string{x.EventID + "\n" + x.Kind.Name, x.OccurredAt.Format(time.DateTime) + "\n" + x.RecordedAt.Format(time.DateTime),
			x.Source.Name + "\n" + x.ActorType.Name + ": " + x.ActorID, names(x.Categories),
			cited(x.Purpose) + "\n" + l.basisText(x.Basis), l.recipientRowText(x.Recipient), strings.Join(other, "\n"),
			fmt.Sprintf("%d:%d", x.Partition, x.Offset)}
	}
	p.table([]string{l.ColEvent + " / " + l.ColKind, l.ColOccurred + " / " + l.ColRecorded + " (UTC)", l.ColSystem + " / " + l.ColActorID,
		l.ColCategories, l.ColPurpose + " / " + l.ColBases, l.ColRecipient, l.ColAttributes, l.ColPosition},
		[]float64{56, 31, 34, 34, 42, 40, 22, 14}, rows, nil)
}

func (p *pdfDoc) restricted() {
	if len(p.r.Restricted) == 0 {
		return
	}
	l := p.l
	p.heading(l.HeadRestricted)
	p.para(l.IntroRestricted)
	rows, spans := make([][]string, len(p.r.Restricted)), make([][]string, len(p.r.Restricted))
	for i, x := range p.r.Restricted {
		state := l.Lapsed
		if x.Active {
			state = l.Active
		}
		rows[i] = []string{x.Basis, day(x.ReviewAt) + " (" + state + ")"}
		spans[i] = x.EventIDs
	}
	p.table([]string{l.ColRestriction, l.ColReviewAt}, []float64{200, 73}, rows, spans)
}

func (p *pdfDoc) withheld() {
	l := p.l
	p.heading(l.HeadWithheld)
	p.paras(p.r.Withheld.BasesText)
	for _, w := range p.r.Withheld.Identity {
		p.para(w.Text)
	}
	if len(p.r.Withheld.BasesText) == 0 && len(p.r.Withheld.Identity) == 0 {
		p.para(l.WithheldNone)
	}
}

func (p *pdfDoc) heading(s string) {
	p.SetFont(pdfFont, "B", 11)
	if p.GetY() > pdfPageH-pdfBottom-25 { // keep a heading with what follows
		p.AddPage()
	}
	p.Ln(3)
	p.MultiCell(0, 5.5, s, "B", "L", false)
	p.Ln(1)
}

func (p *pdfDoc) para(s string) {
	p.SetFont(pdfFont, "", pdfTextSize)
	p.MultiCell(0, pdfTextLine, s, "", "L", false)
	p.Ln(0.8)
}

func (p *pdfDoc) paras(ps []string) {
	for _, s := range ps {
		p.para(s)
	}
}

// table writes rows under a header (none when head is nil). It draws each
// text line itself, so that a row longer than a page continues on the next
// page under a repeated header; spans, when given, holds for each row the
// event ids that follow it across the full width. An empty table says
// Nothing. The text goes down with Text and the rules with Line: a cell
// per text line would take several times as long for 10,000 events.
func (p *pdfDoc) table(head []string, widths []float64, rows [][]string, spans [][]string) {
	if len(rows) == 0 {
		p.para(p.l.Nothing)
		return
	}
	p.SetAutoPageBreak(false, pdfBottom) // the table breaks its own pages
	defer p.SetAutoPageBreak(true, pdfBottom)
	t := pdfTable{p: p, widths: widths, x0: p.GetX()}
	for _, w := range widths {
		t.total += w
	}
	if head != nil {
		p.SetFont(pdfFont, "B", pdfTableSize)
		t.head = p.cellLines(head, widths)
	}
	p.SetFont(pdfFont, "", pdfTableSize)
	if p.GetY()+float64(lineCount(t.head)+3)*pdfTableLine > pdfPageH-pdfBottom { // no header alone at a page's foot
		p.AddPage()
	}
	t.header()
	for i, row := range rows {
		var span []string
		if spans != nil && len(spans[i]) > 0 {
			span = p.SplitText(p.l.ColEventIDs+": "+ids(spans[i]), t.total)
		}
		t.row(p.cellLines(row, widths), span)
	}
	p.SetY(t.y)
	p.Ln(2)
}

// pdfTable is a table being written.
type pdfTable struct {
	p      *pdfDoc
	widths []float64
	total  float64
	x0     float64
	head   [][]string // the header's lines per column; nil for none
	y      float64    // where the next text line goes
	top    float64    // where the current row's part on this page began
	split  float64    // where its span began on this page; 0 for none yet
}

// header writes the header, on a fill, where the table starts or goes on.
func (t *pdfTable) header() {
	p := t.p
	t.y = p.GetY()
	if t.head == nil {
		return
	}
	n := lineCount(t.head)
	p.SetFillColor(235, 235, 235)
	p.Rect(t.x0, t.y, t.total, float64(n)*pdfTableLine+2*pdfTablePad, "F")
	p.SetFont(pdfFont, "B", pdfTableSize)
	t.top, t.split = t.y, 0
	t.y += pdfTablePad
	for j := range n {
		t.cells(t.head, j)
	}
	t.y += pdfTablePad
	t.rules()
	p.SetFont(pdfFont, "", pdfTableSize)
}

// row writes one row: its cells' lines, then its span.
func (t *pdfTable) row(cells [][]string, span []string) {
	p := t.p
	bottom := pdfPageH - pdfBottom
	n := lineCount(cells)
	t.top, t.split = t.y, 0
	t.y += pdfTablePad
	for j := range n + len(span) {
		if t.y+pdfTableLine+pdfTablePad > bottom {
			t.rules()
			p.AddPage()
			t.header()
			t.top, t.split = t.y, 0
			if j >= n {
				t.split = t.y
			}
			t.y += pdfTablePad
		}
		if j < n {
			t.cells(cells, j)
			continue
		}
		if j == n {
			t.split = t.y
		}
		t.text(t.x0, span[j-n])
		t.y += pdfTableLine
	}
	t.y += pdfTablePad
	t.rules()
}

// cells writes the j-th line of each cell.
func (t *pdfTable) cells(cells [][]string, j int) {
	x := t.x0
	for k, c := range cells {
		if j < len(c) {
			t.text(x, c[j])
		}
		x += t.widths[k]
	}
	t.y += pdfTableLine
}

func (t *pdfTable) text(x float64, s string) {
	if s == "" {
		return
	}
	_, size := t.p.GetFontSize()
	t.p.Text(x+t.p.GetCellMargin(), t.y+0.5*pdfTableLine+0.3*size, s)
}

// rules draws the box of the part of a row (or header) on this page, from
// top to y: the outer sides, the column sides down to where the span
// began, and the rules above and below.
func (t *pdfTable) rules() {
	p := t.p
	right := t.x0 + t.total
	p.Line(t.x0, t.top, right, t.top)
	p.Line(t.x0, t.y, right, t.y)
	p.Line(t.x0, t.top, t.x0, t.y)
	p.Line(right, t.top, right, t.y)
	inner := t.y
	if t.split != 0 {
		inner = t.split
	}
	x := t.x0
	for _, w := range t.widths[:len(t.widths)-1] {
		x += w
		if inner > t.top {
			p.Line(x, t.top, x, inner)
		}
	}
}

func lineCount(cells [][]string) int {
	n := 0
	for _, c := range cells {
		n = max(n, len(c))
	}
	return n
}

// cellLines wraps each cell to its column, keeping the cell's own line
// breaks; an empty cell has one empty line.
func (p *pdfDoc) cellLines(cells []string, widths []float64) [][]string {
	out := make([][]string, len(cells))
	for k, c := range cells {
		for _, part := range strings.Split(c, "\n") {
			wrapped := p.SplitText(part, widths[k])
			if len(wrapped) == 0 {
				wrapped = []string{""}
			}
			out[k] = append(out[k], wrapped...)
		}
	}
	return out
}
