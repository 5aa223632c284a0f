package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/balticom/lineage/services/api/internal/csvcell"
)

// The sections of the CSV rendering, in its first column. They are codes,
// the same in both languages, so that a program can pick the rows it
// wants; the header and the values are in the report's language.
const (
	csvReport   = "report"
	csvWithheld = "withheld"
	csvEvent    = "event"
)

// WriteCSV writes the report as one CSV table, UTF-8 with a byte-order mark
// so that spreadsheet programs read the Latvian letters. Its first column
// names the section of each row: "report" rows carry the report's facts
// (title, subject, window, counts, content hash and store position) as a
// field and a value, "withheld" rows say what was left out, and "event" rows
// are the event layer, oldest first, with every field of an event (the
// DPO's view adds the restriction and the employee). Every row has the same
// number of fields.
//
// A cell that a spreadsheet would read as a formula (starting with =, +,
// -, @, tab or carriage return) is prefixed with an apostrophe: recipient
// names and attributes come from outside.
func WriteCSV(w io.Writer, r *Report) error {
	l, err := labelsFor(r.Language)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	cw := csv.NewWriter(bw)
	header := []string{l.ColSection, l.ColEvent, l.ColKind, l.ColOccurred, l.ColRecorded, l.ColSystem, l.ColActorType, l.ColActorID,
		l.ColCategories, l.ColPurpose, l.ColBases, l.ColInterest, l.ColRecipientID, l.ColRecipient, l.ColCategory, l.ColCountry,
		l.ColMechanism, l.ColResolvedVia, l.ColAttributes, l.ColPartition, l.ColOffset}
	dpo := r.View == ViewDPO
	if dpo {
		header = append(header, l.ColRestriction, l.ColReviewAt, l.ColEmployee)
	}
	width := len(header)
	write := func(cells ...string) {
		rec := make([]string, width)
		for i, c := range cells {
			rec[i] = csvcell.Safe(c)
		}
		_ = cw.Write(rec) // the error sticks in cw and is read by Error below
	}
	write(header...)

	facts := [][2]string{
		{l.Title, ""},
		{l.ControllerHead, r.Controller.Text},
		{l.SubjectLabel, r.SubjectID},
		{l.WindowLabel, r.Window.Text},
		{l.ViewLabel, l.viewText(r)},
		{l.ComputedAt, clock(r.ComputedAt)},
		{l.HashLabel, r.Hash},
		{l.PositionLabel, l.positionText(r.Position)},
		{l.HeadHolds, r.Summary.Holds},
	}
	for _, c := range r.Summary.Counts {
		facts = append(facts, [2]string{c.Label, strconv.Itoa(c.Value)})
	}
	for _, f := range facts {
		write(csvReport, f[0], f[1])
	}
	for _, t := range r.Withheld.BasesText {
		write(csvWithheld, t)
	}
	for _, win := range r.Withheld.Identity {
		write(csvWithheld, win.Text)
	}
	for _, row := range r.Rows {
		rec := []string{csvEvent, row.EventID, row.Kind.Name, row.OccurredAt.Format(time.RFC3339Nano), row.RecordedAt.Format(time.RFC3339Nano),
			row.Source.Name, row.ActorType.Name, row.ActorID, names(row.Categories), cited(row.Purpose), cited(row.Basis.Basis), "",
			"", "", "", "", "", "", attributesText(row.Attributes), strconv.Itoa(int(row.Partition)), strconv.FormatInt(row.Offset, 10)}
		if row.Basis.Interest != nil {
			rec[11] = cited(*row.Basis.Interest)
		}
		if rc := row.Recipient; rc != nil {
			rec[12], rec[13], rec[14] = rc.ID, rc.Name, rc.Category.Name
			rec[15] = l.countryText(rc.Country, false)
			if rc.Mechanism != nil {
				rec[16] = rc.Mechanism.Name
			}
		}
		if row.ResolvedVia != nil {
			rec[17] = row.ResolvedVia.Name
		}
		if dpo {
			rec = append(rec, "", "", row.Employee)
			if n := row.Restriction; n != nil {
				rec[width-3], rec[width-2] = n.Basis, day(n.ReviewAt)
			}
		}
		write(rec...)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	return nil
}
