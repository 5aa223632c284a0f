package chstore

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// The authorities of the fixture, by recipient id.
const (
	police      = "rcp-le-valsts-policija"
	security    = "rcp-le-valsts-drosibas-dienests"
	corruption  = "rcp-le-knab"
	prosecution = "rcp-le-prokuratura"
)

var authorityNames = map[string]string{
	police:     "Valsts policija",
	security:   "Valsts drošības dienests",
	corruption: "Korupcijas novēršanas un apkarošanas birojs",
}

// insertUnmet stores a lawful_request_unmet fact with plain SQL, as the
// materializer's insert of subject facts would store it.
func insertUnmet(t *testing.T, s *Store, fact uint64, recipient, reference string, received time.Time) {
	t.Helper()
	err := s.conn.Exec(t.Context(), `INSERT INTO subject_facts (
    subject_id, fact_id, fact_type, at_us, recorded_us, source_system, actor,
    purpose, channel, recipient_id, reference, reason, kafka_partition, kafka_offset)
SELECT '', @fact_id, @type, @at_us, @at_us, 'cdr_mediation', 'svc-lawful-requests',
    '', '', @recipient, @reference, 'data not retained for the period asked', toInt32(0), toInt64(@fact)`,
		clickhouse.Named("fact_id", lineagetest.UUID(5000+fact)), clickhouse.Named("type", "lawful_request_unmet"),
		clickhouse.Named("at_us", received.UnixMicro()), clickhouse.Named("recipient", recipient),
		clickhouse.Named("reference", reference), clickhouse.Named("fact", int64(fact)))
	if err != nil {
		t.Fatalf("insert an unmet request: %v", err)
	}
}

// TestRetainedDataStatistics: a year's statistics with known answers: a
// request answered by two events (one retried) counted once, a reference
// shared by two authorities counted per authority, disclosures without a
// reference or without retention_from, every elapsed bucket with its
// boundaries, a request answered on both sides of New Year, events that
// are not CDR disclosures left out, and unmet requests, one stored twice.
func TestRetainedDataStatistics(t *testing.T) {
	s := newMigratedStore(t)
	ctx := t.Context()
	n := uint64(0)
	number := 0
	disclosure := func(recipient, occurred, ref, from string) lineage.Event {
		t.Helper()
		n++
		number++
		e := lineagetest.CDR(lineagetest.UUID(n), lineagetest.Identifier(lineage.MSISDN, number), mustTime(t, occurred))
		e.Recipient = &lineage.Recipient{ID: recipient, Name: authorityNames[recipient], Category: "law_enforcement", Country: "LV"}
		e.Attributes = map[string]string{}
		if ref != "" {
			e.Attributes[lineage.AttrRequestRef] = ref
		}
		return dated(t, e, from, "")
	}
	vp1a := disclosure(police, "2026-02-10T10:00:00Z", "VP-1", "2025-12-01")          // 0-3
	vp1b := disclosure(police, "2026-02-11T10:00:00Z", "VP-1", "2025-11-15")          // the request's oldest data
	vp2 := disclosure(police, "2026-04-30T23:00:00Z", "VP-2", "2026-01-31")           // 0-3: on the 3 months' last day
	vp3 := disclosure(police, "2026-05-01T10:00:00Z", "VP-3", "2023-01-01")           // over 24
	vp3.SubjectIdentifier = vp2.SubjectIdentifier                                     // the same number: one subject
	shared := disclosure(police, "2026-07-10T10:00:00Z", "17/2026", "2026-01-10")     // 3-6: on the 6 months' last day
	vp9old := disclosure(police, "2025-12-31T23:59:59.999999Z", "VP-9", "2025-06-30") // in 2025: 6-12
	vp9new := disclosure(police, "2026-01-01T00:00:00Z", "VP-9", "2025-06-30")        // in 2026: 6-12
	lone := disclosure(police, "2026-03-05T10:00:00Z", "", "2025-09-01")              // 6-12
	vdd7 := disclosure(security, "2026-06-01T10:00:00Z", "VDD-7", "2024-10-01")       // 18-24
	knab := disclosure(corruption, "2026-03-01T10:00:00Z", "17/2026", "2024-12-01")   // 12-18
	undated := disclosure(corruption, "2026-04-01T10:00:00Z", "", "")                 // unknown

	// Not disclosures of retained data: the officer's look-up, a
	// subscriber-data answer without traffic data, another purpose, and
	// a bank transfer that names a reference.
	lookup := disclosure(police, "2026-02-10T09:00:00Z", "VP-1", "2025-12-01")
	lookup.Kind, lookup.Recipient = lineage.Access, nil
	subscriber := disclosure(police, "2026-02-12T10:00:00Z", "VP-5", "2026-02-01")
	subscriber.DataCategories = []string{"identification", "contact"}
	fraud := disclosure(police, "2026-02-13T10:00:00Z", "VP-6", "2026-02-01")
	fraud.Purpose, fraud.LegalBasis, fraud.LegitimateInterest = "security", "legitimate_interest", lineage.Ptr("7.21")
	bank := dated(t, lineagetest.Transfer(lineagetest.UUID(99), lineagetest.Subject(1), mustTime(t, "2026-02-14T10:00:00Z")), "2026-02-01", "")
	bank.Attributes[lineage.AttrRequestRef] = "VP-7"

	insert(t, s, 0, vp1a, vp1b, vp2, vp3, shared, vp9old, vp9new, lone, vdd7, knab, undated, lookup, subscriber, fraud, bank)
	insert(t, s, 100, vp1a) // the retry
	insertUnmet(t, s, 1, police, "VP-4", mustTime(t, "2026-03-01T10:00:00Z"))
	insertUnmet(t, s, 1, police, "VP-4", mustTime(t, "2026-03-01T10:00:00Z")) // stored twice
	insertUnmet(t, s, 2, corruption, "K-12", mustTime(t, "2026-07-01T10:00:00Z"))
	insertUnmet(t, s, 3, prosecution, "P-3", mustTime(t, "2026-12-31T23:59:59Z"))
	insertUnmet(t, s, 4, police, "VP-8", mustTime(t, "2025-12-31T23:00:00Z"))
	if err := s.conn.Exec(ctx, `INSERT INTO subject_facts (subject_id, fact_id, fact_type, at_us, recorded_us, source_system, actor,
    purpose, channel, recipient_id, reference, reason, kafka_partition, kafka_offset)
SELECT 'C00000001', @id, 'erasure_requested', toInt64(1775000000000000), toInt64(1775000000000000), 'crm', 'crm', '', '', '', 'ER-1', '', toInt32(0), toInt64(9)`,
		clickhouse.Named("id", lineagetest.UUID(6000))); err != nil {
		t.Fatal(err)
	}

	buckets := func(counts ...uint64) []ElapsedBucket {
		out := []ElapsedBucket{{0, 3, 0}, {3, 6, 0}, {6, 12, 0}, {12, 18, 0}, {18, 24, 0}, {24, 0, 0}}
		for i, c := range counts {
			out[i].Requests = c
		}
		return out
	}
	for _, tc := range []struct {
		year int
		want RetainedDataStatistics
	}{
		{2026, RetainedDataStatistics{
			Year: 2026, Requests: 9, WithoutReference: 2, Disclosures: 10, Subjects: 9,
			Elapsed: buckets(2, 1, 2, 1, 1, 1), ElapsedUnknown: 1, Unmet: 3,
			Authorities: []AuthorityStatistics{
				{RecipientID: corruption, Name: authorityNames[corruption], Requests: 2, Unmet: 1},
				{RecipientID: prosecution, Unmet: 1},
				{RecipientID: security, Name: authorityNames[security], Requests: 1},
				{RecipientID: police, Name: authorityNames[police], Requests: 6, Unmet: 1},
			},
		}},
		{2025, RetainedDataStatistics{
			Year: 2025, Requests: 1, Disclosures: 1, Subjects: 1, Elapsed: buckets(0, 0, 1), Unmet: 1,
			Authorities: []AuthorityStatistics{{RecipientID: police, Name: authorityNames[police], Requests: 1, Unmet: 1}},
		}},
		{2024, RetainedDataStatistics{Year: 2024, Elapsed: buckets()}},
	} {
		got, err := s.RetainedDataStatistics(ctx, tc.year)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("RetainedDataStatistics(%d)\n got %+v\nwant %+v", tc.year, got, tc.want)
		}
	}
	for _, year := range []int{1999, 10000} {
		if _, err := s.RetainedDataStatistics(ctx, year); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("year %d: %v, want ErrInvalidQuery", year, err)
		}
	}
}

func TestElapsedBucket(t *testing.T) {
	for _, tc := range []struct {
		oldest, first string
		want          int
		ok            bool
	}{
		{"2026-01-31", "2026-01-31T12:00:00Z", 0, true},
		{"2026-01-31", "2026-04-30T23:59:59Z", 0, true}, // 3 months end on 30 April
		{"2026-01-31", "2026-05-01T00:00:00Z", 1, true},
		{"2025-08-31", "2026-02-28T10:00:00Z", 1, true}, // 6 months end on 28 February
		{"2025-08-31", "2026-03-01T10:00:00Z", 2, true},
		{"2024-02-29", "2026-02-28T10:00:00Z", 4, true}, // 24 months end on 28 February
		{"2024-02-29", "2026-03-01T10:00:00Z", 5, true},
		{"", "2026-03-01T10:00:00Z", 0, false},
		{"March", "2026-03-01T10:00:00Z", 0, false},
	} {
		got, ok := elapsedBucket(tc.oldest, mustTime(t, tc.first))
		if got != tc.want || ok != tc.ok {
			t.Errorf("elapsedBucket(%q, %s) = %d, %v; want %d, %v", tc.oldest, tc.first, got, ok, tc.want, tc.ok)
		}
	}
	labels := []string{"0-3", "3-6", "6-12", "12-18", "18-24", "over 24"}
	for i, b := range []ElapsedBucket{{0, 3, 0}, {3, 6, 0}, {6, 12, 0}, {12, 18, 0}, {18, 24, 0}, {24, 0, 0}} {
		if b.Label() != labels[i] {
			t.Errorf("bucket %+v label %q, want %q", b, b.Label(), labels[i])
		}
	}
}
