package chstore

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// TestMigrateLinksBySource: migration 0010 carries the links stored before
// it into the per-source tables with their source, also when it was
// interrupted halfway and is run again, or run twice at once; links that a
// materializer of an older version writes into identity_links during and
// after the migration reach the new tables too.
func TestMigrateLinksBySource(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	files := projectMigrations(t, nil)
	const linksMigration = "m/0010_links_by_source.sql"
	script := files[linksMigration]
	if script == nil {
		t.Fatalf("%s missing", linksMigration)
	}
	for name := range files {
		if name >= "m/0010" && name != "m/"+recordFile {
			delete(files, name)
		}
	}
	if err := s.migrate(ctx, files, "m"); err != nil {
		t.Fatalf("migrate to 0009: %v", err)
	}
	// Two sources' statements of one link that identity_links has not yet
	// merged into one.
	if err := s.conn.Exec(ctx, "SYSTEM STOP MERGES "+s.cfg.Database+".identity_links"); err != nil {
		t.Fatalf("stop merges: %v", err)
	}

	var (
		holder, other = lineagetest.Subject(31), lineagetest.Subject(32)
		number        = lineagetest.Identifier(lineage.MSISDN, 29100031)
		during        = lineagetest.Identifier(lineage.MSISDN, 29100032)
		after         = lineagetest.Identifier(lineage.MSISDN, 29100033)
		since         = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
		at            = since.AddDate(0, 3, 0)
		id            = func(n uint64) string { return lineagetest.UUID(n) + "/msisdn" }
	)
	insert(t, s, 0,
		lineagetest.CDR(lineagetest.UUID(1), number, at),
		lineagetest.CDR(lineagetest.UUID(2), during, at),
		lineagetest.CDR(lineagetest.UUID(3), after, at),
	)
	crm := lineagetest.Link(holder, number, since, time.Time{})
	centre := crm
	centre.SourceSystem, centre.RecordedAt = "contact_centre", since.Add(time.Hour)
	insertLinksInto(t, s, "identity_links", 0, crm)
	insertLinksInto(t, s, "identity_links", 1, centre)

	// Interrupted halfway; an older materializer goes on writing.
	stmts := splitStatements(string(script.Data))
	for _, stmt := range stmts[:len(stmts)/2] {
		if err := s.conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("the first half of 0010: %v", err)
		}
	}
	insertLinksInto(t, s, "identity_links", 2, lineagetest.Link(other, during, since, time.Time{}))
	// Run again in full, and by a second materializer at the same time.
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := s.execScript(ctx, string(script.Data)); err != nil {
		t.Fatalf("0010 again: %v", err)
	}
	insertLinksInto(t, s, "identity_links", 3, lineagetest.Link(other, after, since, time.Time{}))

	if tableExists(t, s, "identity_links_to_by_identifier") {
		t.Error("the view into identity_links_by_identifier is still there")
	}
	for _, tc := range []struct {
		id     lineage.Identifier
		holder string
	}{{number, holder}, {during, other}, {after, other}} {
		want := []Holding{{SubjectID: tc.holder, From: since}}
		if got, err := s.Holders(ctx, tc.id); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("holders of %s: %+v (%v), want %+v", tc.id.Key(), got, err, want)
		}
	}
	for subject, want := range map[string][]string{holder: {id(1)}, other: {id(2), id(3)}} {
		if tl, _ := answer(t, s, subject); !slices.Equal(tl, want) {
			t.Errorf("%s after the migration: timeline %v, want %v", subject, tl, want)
		}
	}
	// Both statements were copied with their source: the contact centre's
	// retraction leaves CRM's.
	centre.Retracted, centre.RecordedAt = true, at
	insertLinks(t, s, 4, centre)
	if tl, _ := answer(t, s, holder); !slices.Equal(tl, []string{id(1)}) {
		t.Errorf("%s after the contact centre retracted its statement: timeline %v", holder, tl)
	}
}
