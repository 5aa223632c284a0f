package report

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/taxonomy"
)

// Errors of Build, to classify with errors.Is.
var (
	// ErrLanguage is returned for a language other than "lv" and "en".
	ErrLanguage = errors.New("unsupported report language (lv or en)")
	// ErrOptions is returned for options that cannot make a report.
	ErrOptions = errors.New("invalid report options")
)

// Build computes the access report of opt.SubjectID from its stored events.
// The order of events does not matter; copies of one event (the same ID, as
// a redelivery leaves them) count once. Events outside [opt.From, opt.To)
// are not reported but still count in the report's Position, which says how
// far the store was read.
//
// Build does no I/O and is safe for concurrent use; it does not modify
// events and the report shares no memory with them.
func Build(events []Event, opt Options) (*Report, error) {
	l, err := labelsFor(opt.Language)
	if err != nil {
		return nil, err
	}
	switch {
	case opt.SubjectID == "":
		return nil, fmt.Errorf("subject id is empty: %w", ErrOptions)
	case opt.Now.IsZero():
		return nil, fmt.Errorf("now is not set: %w", ErrOptions)
	case opt.From != nil && opt.To != nil && !opt.From.Before(*opt.To):
		return nil, fmt.Errorf("window: from must be before to: %w", ErrOptions)
	}
	b := &builder{opt: opt, l: l, n: namer{lv: opt.Language == "lv", l: l}}
	b.split(unique(events))

	r := &Report{
		Language:   opt.Language,
		SubjectID:  opt.SubjectID,
		View:       ViewSubject,
		Window:     b.window(),
		Title:      l.Title,
		Controller: controller(l),
		Rights:     Text{Paragraphs: slices.Clone(l.Rights)},
		Complaint:  Text{Paragraphs: slices.Clone(l.Complaint)},
		Position:   Position{Partitions: positionOf(events)},
		ComputedAt: opt.Now.UTC(),
	}
	if opt.IncludeRestricted {
		r.View = ViewDPO
	}
	r.Purposes = b.purposes()
	r.Categories = b.categories()
	r.Recipients = b.recipients()
	r.Safeguards = safeguards(r.Recipients)
	r.Retention = b.retention(r.Categories)
	r.Sources = b.sources()
	r.Automated = b.automated()
	r.Consultations = b.consultations()
	r.Timeline = b.timeline()
	r.Rows = b.rows()
	r.Restricted = b.restricted()
	r.Withheld = b.withheld()
	r.Summary = b.summary(r)
	r.canonical = canonicalJSON(r)
	r.Hash = hashOf(r.canonical)
	return r, nil
}

// builder holds what Build works on.
type builder struct {
	opt Options
	l   *labels
	n   namer
	// shown are the events the report shows, oldest first.
	shown []*Event
	// withheldBases are the bases of the restrictions that kept events out.
	withheldBases map[string]bool
}

// unique drops copies of an event and sorts the rest oldest first. Of two
// copies the one stored first (lowest partition, offset) is kept, so the
// choice does not depend on the order of the input.
func unique(events []Event) []*Event {
	out := make([]*Event, 0, len(events))
	for i := range events {
		out = append(out, &events[i])
	}
	slices.SortFunc(out, func(a, b *Event) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Offset, b.Offset))
	})
	out = slices.CompactFunc(out, func(a, b *Event) bool { return a.ID == b.ID })
	slices.SortFunc(out, func(a, b *Event) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

// split keeps the events of the window and sets aside those whose
// restriction is in force, unless the DPO asked for them.
func (b *builder) split(events []*Event) {
	b.withheldBases = map[string]bool{}
	for _, e := range events {
		if b.opt.From != nil && e.OccurredAt.Before(*b.opt.From) || b.opt.To != nil && !e.OccurredAt.Before(*b.opt.To) {
			continue
		}
		if b.active(e) && !b.opt.IncludeRestricted {
			b.withheldBases[b.basis(e.Restriction)] = true
			continue
		}
		b.shown = append(b.shown, e)
	}
}

// active says whether the event's restriction is in force: it lapses at
// ReviewAt.
func (b *builder) active(e *Event) bool {
	return e.Restriction != nil && e.Restriction.ReviewAt.After(b.opt.Now)
}

func (b *builder) basis(r *Restriction) string {
	if s := strings.TrimSpace(r.Basis); s != "" {
		return s
	}
	return b.l.NoBasis
}

// note is the restriction of an event as the DPO sees it; nil in the
// subject's view, which never shows a restriction, lapsed or not.
func (b *builder) note(e *Event) *RestrictionNote {
	if !b.opt.IncludeRestricted || e.Restriction == nil {
		return nil
	}
	return &RestrictionNote{Basis: b.basis(e.Restriction), ReviewAt: e.Restriction.ReviewAt.UTC(), Active: b.active(e)}
}

func (b *builder) window() Window {
	w := Window{Text: b.l.WindowAll}
	if b.opt.From != nil {
		f := b.opt.From.UTC()
		w.From = &f
	}
	if b.opt.To != nil {
		t := b.opt.To.UTC()
		w.To = &t
	}
	switch {
	case w.From != nil && w.To != nil:
		w.Text = fmt.Sprintf(b.l.WindowFromToF, stamp(*w.From), stamp(*w.To))
	case w.From != nil:
		w.Text = fmt.Sprintf(b.l.WindowFromF, stamp(*w.From))
	case w.To != nil:
		w.Text = fmt.Sprintf(b.l.WindowToF, stamp(*w.To))
	}
	return w
}

func controller(l *labels) Controller {
	return Controller{
		Name: "AS Balticom", RegNo: "40003443452", Address: "Straupes iela 5/k-3, Rīga",
		Contact: "klients@balticom.info", Text: l.ControllerText,
	}
}

func (b *builder) purposes() []PurposeLine {
	byCode := map[string]*PurposeLine{}
	bases := map[string]map[basisKey]bool{}
	for _, e := range b.shown {
		p := byCode[e.Purpose]
		if p == nil {
			p = &PurposeLine{Purpose: b.n.purpose(e.Purpose)}
			byCode[e.Purpose] = p
			bases[e.Purpose] = map[basisKey]bool{}
		}
		p.Events++
		p.EventIDs = append(p.EventIDs, e.ID)
		bases[e.Purpose][basisKey{e.LegalBasis, e.LegitimateInterest}] = true
	}
	out := make([]PurposeLine, 0, len(byCode))
	for code, p := range byCode {
		p.Bases = b.bases(bases[code])
		out = append(out, *p)
	}
	slices.SortFunc(out, func(x, y PurposeLine) int { return purposeOrder.compare(x.Purpose.Code, y.Purpose.Code) })
	return out
}

// basisKey is a legal basis with its legitimate interest.
type basisKey struct{ basis, interest string }

// bases names a set of bases in policy order (§6, then §7).
func (b *builder) bases(set map[basisKey]bool) []Basis {
	keys := slices.SortedFunc(maps.Keys(set), func(x, y basisKey) int {
		return cmp.Or(basisOrder.compare(x.basis, y.basis), interestOrder.compare(x.interest, y.interest))
	})
	out := make([]Basis, len(keys))
	for i, k := range keys {
		out[i] = b.n.basis(k.basis, k.interest)
	}
	return out
}

func (b *builder) categories() []CategoryLine {
	byCode := map[string]*CategoryLine{}
	for _, e := range b.shown {
		for _, c := range distinct(e.DataCategories) {
			line := byCode[c]
			if line == nil {
				line = &CategoryLine{Category: b.n.category(c)}
				if cat, ok := taxonomy.LookupCategory(c); ok {
					line.Special = cat.Special
				}
				byCode[c] = line
			}
			line.Events++
			line.EventIDs = append(line.EventIDs, e.ID)
		}
	}
	out := make([]CategoryLine, 0, len(byCode))
	for _, line := range byCode {
		out = append(out, *line)
	}
	slices.SortFunc(out, func(x, y CategoryLine) int { return categoryOrder.compare(x.Category.Code, y.Category.Code) })
	return out
}

// distinct returns the codes without repeats, in their order.
func distinct(codes []string) []string {
	if len(codes) < 2 {
		return codes
	}
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// recipientKey is one recipient: its legal name, or its category when no
// name was recorded, and where it is.
type recipientKey struct{ id, name, category, country string }

// recipientSets gathers the codes of one recipient line.
type recipientSets struct {
	kinds, categories, purposes, reasons map[string]bool
	bases                                map[basisKey]bool
	restrictions                         map[RestrictionNote]bool
}

// recipients groups the disclosures by recipient and, within a recipient,
// by the period in which one transfer mechanism was in force: a line ends
// where the next transfer to the recipient names another mechanism.
func (b *builder) recipients() []RecipientLine {
	var lines []*RecipientLine
	var sets []*recipientSets
	current := map[recipientKey]int{} // the recipient's open line
	for _, e := range b.shown {
		if !disclosure(e) {
			continue
		}
		k := recipientKey{e.RecipientID, e.RecipientName, e.RecipientCategory, e.RecipientCountry}
		i, ok := current[k]
		if !ok || lines[i].mechanismCode() != e.TransferMechanism {
			country, third := b.n.country(e.RecipientCountry)
			lines = append(lines, &RecipientLine{
				ID: e.RecipientID, Name: e.RecipientName, Category: b.n.recipientCategory(e.RecipientCategory),
				Country: country, ThirdCountry: third, Mechanism: b.n.mechanism(e.TransferMechanism), First: e.OccurredAt.UTC(),
			})
			sets = append(sets, &recipientSets{
				kinds: map[string]bool{}, categories: map[string]bool{}, purposes: map[string]bool{}, reasons: map[string]bool{},
				bases: map[basisKey]bool{}, restrictions: map[RestrictionNote]bool{},
			})
			i = len(lines) - 1
			current[k] = i
		}
		line, set := lines[i], sets[i]
		line.Last = e.OccurredAt.UTC()
		line.EventIDs = append(line.EventIDs, e.ID)
		set.kinds[e.Kind] = true
		set.purposes[e.Purpose] = true
		set.bases[basisKey{e.LegalBasis, e.LegitimateInterest}] = true
		for _, c := range e.DataCategories {
			set.categories[c] = true
		}
		if e.RecipientName == "" {
			// A line that gives only a category must carry the reason the
			// disclosure was recorded with.
			if reason := strings.TrimSpace(e.Attributes["reason"]); reason != "" {
				set.reasons[reason] = true
			} else {
				line.ReasonMissing = true
			}
		}
		if n := b.note(e); n != nil {
			set.restrictions[*n] = true
		}
	}
	out := make([]RecipientLine, len(lines))
	for i, line := range lines {
		set := sets[i]
		line.Kinds = b.named(set.kinds, b.n.kind, kindOrder)
		line.Categories = b.named(set.categories, b.n.category, categoryOrder)
		line.Purposes = b.named(set.purposes, b.n.purpose, purposeOrder)
		line.Bases = b.bases(set.bases)
		line.Reasons = slices.Sorted(maps.Keys(set.reasons))
		line.Restrictions = sortedNotes(set.restrictions)
		out[i] = *line
	}
	slices.SortFunc(out, func(x, y RecipientLine) int {
		return cmp.Or(strings.Compare(x.Display(), y.Display()), strings.Compare(x.ID, y.ID),
			strings.Compare(x.Country.Code, y.Country.Code), x.First.Compare(y.First))
	})
	return out
}

// disclosure says whether the event disclosed data to a recipient.
func disclosure(e *Event) bool {
	return e.RecipientID != "" || e.RecipientName != "" || e.RecipientCategory != ""
}

func (l *RecipientLine) mechanismCode() string {
	if l.Mechanism == nil {
		return ""
	}
	return l.Mechanism.Code
}

// named names a set of codes, in catalogue order.
func (b *builder) named(set map[string]bool, name func(string) Named, o order) []Named {
	out := make([]Named, 0, len(set))
	for code := range set {
		out = append(out, name(code))
	}
	o.sortNamed(out)
	return out
}

func sortedNotes[V any](set map[RestrictionNote]V) []RestrictionNote {
	if len(set) == 0 {
		return nil
	}
	return slices.SortedFunc(maps.Keys(set), func(x, y RestrictionNote) int {
		return cmp.Or(strings.Compare(x.Basis, y.Basis), x.ReviewAt.Compare(y.ReviewAt))
	})
}

// safeguards lists the transfer periods of the recipients outside the EEA,
// in the recipients' order.
func safeguards(recipients []RecipientLine) []SafeguardLine {
	out := []SafeguardLine{}
	for _, r := range recipients {
		if r.ThirdCountry {
			out = append(out, SafeguardLine{
				Recipient: r.Display(), Country: r.Country, Mechanism: r.Mechanism,
				From: r.First, To: r.Last, EventIDs: r.EventIDs,
			})
		}
	}
	return out
}

// retention gives, for each category shown, the retention rule that the
// taxonomy maps it to. The mapping is ours (Category.Retention); a rule
// without a stated period says the §20 criteria, never a period of our own.
func (b *builder) retention(categories []CategoryLine) Retention {
	out := Retention{Criteria: slices.Clone(b.l.Criteria), Note: b.l.RetentionNote, Lines: []RetentionLine{}}
	for _, c := range categories {
		line := RetentionLine{Category: c.Category, EventIDs: c.EventIDs}
		code := ""
		if cat, ok := taxonomy.LookupCategory(c.Category.Code); ok {
			code = cat.Retention
		}
		if rule, ok := taxonomy.LookupRetentionRule(code); ok {
			line.Rule = b.n.term(rule.Term)
			line.PeriodStated = rule.MinPeriod > 0 || rule.MaxPeriod > 0
		} else {
			line.Rule = Named{Code: code, Name: b.l.Criteria[0]}
		}
		format := b.l.NoPeriodF
		if line.PeriodStated {
			format = b.l.PeriodStatedF
		}
		line.Text = fmt.Sprintf(format, line.Rule.Name, cmp.Or(line.Rule.Cite, "§20"))
		out.Lines = append(out.Lines, line)
	}
	return out
}

// policySource says which source of the policy's §16 a source system
// represents. The mapping is ours: the policy names no systems.
func policySource(system string) string {
	switch system {
	case "crm", "self_service_portal", "contact_centre":
		return "16.1" // the customer
	case "billing", "network_inventory", "tv_usage", "cdr_mediation", "lineage_tracker":
		return "16.2" // Balticom's information systems
	case "third_country_processor":
		return "16.5" // Balticom's partners
	}
	return ""
}

func (b *builder) policySourceNamed(code string) Named {
	switch code {
	case "16.1":
		return Named{Code: code, Name: b.l.SourceSubject, Cite: "§16.1"}
	case "16.2":
		return Named{Code: code, Name: b.l.SourceSystems, Cite: "§16.2"}
	case "16.5":
		return Named{Code: code, Name: b.l.SourcePartners, Cite: "§16.5"}
	}
	return Named{Name: b.l.SourceUnmapped}
}

// sources lists the systems whose events did not come from the subject.
func (b *builder) sources() Sources {
	type acc struct {
		line       SourceLine
		categories map[string]bool
	}
	bySystem := map[string]*acc{}
	for _, e := range b.shown {
		src := policySource(e.SourceSystem)
		if src == "16.1" {
			continue
		}
		a := bySystem[e.SourceSystem]
		if a == nil {
			a = &acc{line: SourceLine{Source: b.policySourceNamed(src), System: b.n.source(e.SourceSystem)}, categories: map[string]bool{}}
			bySystem[e.SourceSystem] = a
		}
		a.line.Events++
		a.line.EventIDs = append(a.line.EventIDs, e.ID)
		for _, c := range e.DataCategories {
			a.categories[c] = true
		}
	}
	out := Sources{Policy: slices.Clone(b.l.SourcesPolicy), Note: b.l.SourcesNote, Lines: []SourceLine{}}
	for _, a := range bySystem {
		a.line.Categories = b.named(a.categories, b.n.category, categoryOrder)
		out.Lines = append(out.Lines, a.line)
	}
	slices.SortFunc(out.Lines, func(x, y SourceLine) int {
		return cmp.Or(cmp.Compare(unmapped(x), unmapped(y)), strings.Compare(x.Source.Code, y.Source.Code),
			strings.Compare(x.System.Code, y.System.Code))
	})
	return out
}

// unmapped sorts the systems mapped to no §16 source last.
func unmapped(l SourceLine) int {
	if l.Source.Code == "" {
		return 1
	}
	return 0
}

func (b *builder) automated() Automated {
	out := Automated{Policy: slices.Clone(b.l.AutomatedPolicy), Lines: []AutomatedLine{}}
	for _, e := range b.shown {
		if d := e.Attributes["automated_decision"]; d != "" {
			out.Lines = append(out.Lines, AutomatedLine{
				EventID: e.ID, OccurredAt: e.OccurredAt.UTC(), Decision: d, Source: b.n.source(e.SourceSystem),
				Purpose: b.n.purpose(e.Purpose), Basis: b.n.basis(e.LegalBasis, e.LegitimateInterest),
			})
		}
	}
	if len(out.Lines) == 0 {
		out.None = b.l.AutomatedNone
	}
	return out
}

// consultations lists every access to the subject's data in every system.
// The employee who acted is named in the DPO's view only: a subject is
// entitled to the date, purpose and role of each consultation, not to the
// identity of the staff (CJEU C-579/21), while the DPO needs it to
// investigate a complaint.
func (b *builder) consultations() []Consultation {
	out := []Consultation{}
	for _, e := range b.shown {
		if e.Kind != kindAccess {
			continue
		}
		c := Consultation{
			EventID: e.ID, OccurredAt: e.OccurredAt.UTC(), Source: b.n.source(e.SourceSystem), Purpose: b.n.purpose(e.Purpose),
			AccessRequestID: e.Attributes["access_request_id"], ActorType: b.n.actorType(e.ActorType), Role: e.ActorID,
		}
		if b.opt.IncludeRestricted {
			c.Employee = e.Employee
		}
		out = append(out, c)
	}
	return out
}

// timelineKey is one line of the time line.
type timelineKey struct{ month, kind, counterpart string }

// timeline groups the events by month, kind and counterpart: the recipient
// for a disclosure, the system for a consultation.
func (b *builder) timeline() []TimelineEntry {
	type acc struct {
		entry      TimelineEntry
		categories map[string]bool
	}
	byKey := map[timelineKey]*acc{}
	var keys []timelineKey
	for _, e := range b.shown {
		counterpart := b.n.source(e.SourceSystem).Name
		if disclosure(e) {
			counterpart = cmp.Or(e.RecipientName, b.n.recipientCategory(e.RecipientCategory).Name)
		}
		k := timelineKey{e.OccurredAt.UTC().Format("2006-01"), e.Kind, counterpart}
		a := byKey[k]
		if a == nil {
			a = &acc{entry: TimelineEntry{Month: k.month, Kind: b.n.kind(e.Kind), Counterpart: counterpart}, categories: map[string]bool{}}
			byKey[k] = a
			keys = append(keys, k)
		}
		a.entry.Events++
		a.entry.EventIDs = append(a.entry.EventIDs, e.ID)
		for _, c := range e.DataCategories {
			a.categories[c] = true
		}
	}
	slices.SortFunc(keys, func(x, y timelineKey) int {
		return cmp.Or(strings.Compare(x.month, y.month), kindOrder.compare(x.kind, y.kind), strings.Compare(x.counterpart, y.counterpart))
	})
	out := make([]TimelineEntry, len(keys))
	for i, k := range keys {
		a := byKey[k]
		a.entry.Categories = b.named(a.categories, b.n.category, categoryOrder)
		out[i] = a.entry
	}
	return out
}

func (b *builder) rows() []Row {
	out := make([]Row, len(b.shown))
	for i, e := range b.shown {
		r := Row{
			EventID: e.ID, Kind: b.n.kind(e.Kind), OccurredAt: e.OccurredAt.UTC(), RecordedAt: e.RecordedAt.UTC(),
			Source: b.n.source(e.SourceSystem), ActorType: b.n.actorType(e.ActorType), ActorID: e.ActorID,
			Categories: make([]Named, len(e.DataCategories)), Purpose: b.n.purpose(e.Purpose),
			Basis: b.n.basis(e.LegalBasis, e.LegitimateInterest), Attributes: maps.Clone(e.Attributes),
			Restriction: b.note(e), Partition: e.Partition, Offset: e.Offset,
		}
		for j, c := range e.DataCategories {
			r.Categories[j] = b.n.category(c)
		}
		// An authority's request number is its investigation's, not the
		// subject's: a lapsed restriction shows the disclosure, not that.
		delete(r.Attributes, lineage.AttrRequestRef)
		if len(r.Attributes) == 0 {
			r.Attributes = nil
		}
		if disclosure(e) {
			country, _ := b.n.country(e.RecipientCountry)
			r.Recipient = &RowRecipient{
				ID: e.RecipientID, Name: e.RecipientName, Category: b.n.recipientCategory(e.RecipientCategory),
				Country: country, Mechanism: b.n.mechanism(e.TransferMechanism),
			}
		}
		if e.ResolvedVia != "" {
			v := b.n.identifier(e.ResolvedVia)
			r.ResolvedVia = &v
		}
		if b.opt.IncludeRestricted {
			r.Employee = e.Employee
		}
		out[i] = r
	}
	return out
}

// restricted groups, in the DPO's view, the events shown under each
// restriction.
func (b *builder) restricted() []RestrictedLine {
	if !b.opt.IncludeRestricted {
		return nil
	}
	byNote := map[RestrictionNote][]string{}
	for _, e := range b.shown {
		if n := b.note(e); n != nil {
			byNote[*n] = append(byNote[*n], e.ID)
		}
	}
	notes := sortedNotes(byNote)
	out := make([]RestrictedLine, len(notes))
	for i, n := range notes {
		out[i] = RestrictedLine{RestrictionNote: n, EventIDs: byNote[n]}
	}
	return out
}

// withheld says what was left out. Of the restricted events it names only
// the bases, unique and sorted: no count and no dates, because telling a
// subject how many disclosures an investigation covers, or when its
// restriction ends, could tip the subject off.
func (b *builder) withheld() Withheld {
	// Empty lists, never null: a reader need not tell the two apart.
	w := Withheld{Bases: append([]string{}, slices.Sorted(maps.Keys(b.withheldBases))...), Identity: []WithheldWindow{}}
	for _, basis := range w.Bases {
		w.BasesText = append(w.BasesText, fmt.Sprintf(b.l.WithheldBasisF, basis))
	}
	windows := slices.Clone(b.opt.Withheld)
	slices.SortFunc(windows, func(x, y IdentityWindow) int {
		return cmp.Or(x.From.Compare(y.From), x.To.Compare(y.To), strings.Compare(x.Kind, y.Kind))
	})
	for _, win := range windows {
		kind := b.n.identifier(win.Kind)
		w.Identity = append(w.Identity, WithheldWindow{
			Kind: kind, From: win.From.UTC(), To: win.To.UTC(),
			Text: fmt.Sprintf(b.l.WithheldIDF, kind.Name, stamp(win.From), stamp(win.To)),
		})
	}
	return w
}

func (b *builder) summary(r *Report) Summary {
	s := Summary{Holds: b.l.HoldsNone, Layers: slices.Clone(b.l.Layers)}
	if len(r.Rows) > 0 {
		s.Holds = fmt.Sprintf(b.l.HoldsYesF, len(r.Rows))
	}
	recipients, third := map[recipientKey]bool{}, map[recipientKey]bool{}
	for _, line := range r.Recipients {
		k := recipientKey{line.ID, line.Name, line.Category.Code, line.Country.Code}
		recipients[k] = true
		if line.ThirdCountry {
			third[k] = true
		}
	}
	s.Counts = []Count{
		{"events", b.l.CountEvents, len(r.Rows)},
		{"recipients", b.l.CountRecipients, len(recipients)},
		{"third_country_recipients", b.l.CountThirdCountry, len(third)},
		{"categories", b.l.CountCategories, len(r.Categories)},
		{"purposes", b.l.CountPurposes, len(r.Purposes)},
		{"consultations", b.l.CountConsultations, len(r.Consultations)},
		{"automated_decisions", b.l.CountAutomated, len(r.Automated.Lines)},
	}
	return s
}

// positionOf returns, per partition, the highest offset among the events
// read, by partition.
func positionOf(events []Event) []PartitionOffset {
	high := map[int32]int64{}
	for _, e := range events {
		if o, ok := high[e.Partition]; !ok || e.Offset > o {
			high[e.Partition] = e.Offset
		}
	}
	out := make([]PartitionOffset, 0, len(high))
	for _, p := range slices.Sorted(maps.Keys(high)) {
		out = append(out, PartitionOffset{Partition: p, Offset: high[p]})
	}
	return out
}

// stamp prints a time as a date when it is midnight UTC, else with the time
// of day; the report prints every time in UTC, ISO 8601 style.
func stamp(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04:05") + " UTC"
}
