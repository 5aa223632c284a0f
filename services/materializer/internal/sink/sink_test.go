package sink_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/chstore/chstoretest"
	"github.com/balticom/lineage/services/materializer/internal/facts"
	"github.com/balticom/lineage/services/materializer/internal/sink"
	"github.com/balticom/lineage/services/materializer/internal/sink/sinktest"
)

const group = "test-sink"

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// factRecords are erasure requests, one a subject (C00000001, ...) and
// recorded by the given actor, keyed by subject.
func factRecords(t *testing.T, actors ...string) []*kgo.Record {
	t.Helper()
	codec, err := wire.NewFactCodec()
	if err != nil {
		t.Fatal(err)
	}
	var records []*kgo.Record
	for i, actor := range actors {
		f := subjectfact.Fact{ID: fmt.Sprintf("6f1c3a52-8d0e-4b7a-9c21-%012d", i), Type: subjectfact.ErasureRequested,
			At: at, RecordedAt: at, SourceSystem: "crm", Actor: actor, SubjectID: fmt.Sprintf("C%08d", i+1)}
		value, err := codec.Append(nil, &f)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, &kgo.Record{Key: []byte(f.SubjectID), Value: value})
	}
	return records
}

func newFacts(t *testing.T, store *chstore.Store) sinktest.Sink {
	t.Helper()
	s, err := facts.New(sink.Config{Group: group, DeadLetter: topics.DeadLetter, RetryMin: 10 * time.Millisecond,
		Now: func() time.Time { return at.Add(time.Hour) }}, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSinkStopsWhenClickHouseIsMisconfigured: a store whose database lacks
// the table stops a small-topic loop within seconds, with an error naming
// the table, and commits nothing.
func TestSinkStopsWhenClickHouseIsMisconfigured(t *testing.T) {
	_, admin, db := chstoretest.Fresh(t, "test_sink_")
	empty := db + "_empty"
	if err := admin.Exec(context.Background(), "CREATE DATABASE "+empty); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+empty) })
	store, err := chstore.Open(t.Context(), chstore.Config{Addrs: []string{chstoretest.Addr()}, Database: empty})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	h := sinktest.New(t, topics.Facts, group, factRecords(t, "crm-consents", "crm-consents"))
	err = h.Start(newFacts(t, store)).Wait(t, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "subject_facts") {
		t.Fatalf("Run = %v, want an error naming subject_facts", err)
	}
	if got := h.Committed(); len(got) > 0 {
		t.Errorf("committed %v though nothing was stored", got)
	}
}

// TestSinkDeadLettersRowsClickHouseRejects: a column an operator added
// that takes the actor for a staff number (a MATERIALIZED expression)
// refuses the fact of an actor with a letter, which passed validation: it
// is dead-lettered with the ClickHouse error, the other facts are stored,
// and the group commits past all of them.
func TestSinkDeadLettersRowsClickHouseRejects(t *testing.T) {
	store, admin, db := chstoretest.Fresh(t, "test_sink_")
	if err := admin.Exec(context.Background(), "ALTER TABLE "+db+".subject_facts ADD COLUMN actor_number UInt32 MATERIALIZED toUInt32(concat('0', actor))"); err != nil {
		t.Fatal(err)
	}
	actors := []string{"4711", "4712", "E17", "4713", "4714"}
	records := factRecords(t, actors...)
	dead := sinktest.Drive(t, topics.Facts, group, records, newFacts(t, store))

	if len(dead) != 1 || string(dead[0].Key) != "C00000003" {
		t.Fatalf("dead letters %v, want only the fact of subject C00000003", dead)
	}
	info, err := deadletter.Parse(dead[0])
	if err != nil {
		t.Fatal(err)
	}
	if info.Reason != "clickhouse_cannot_parse_text" || !strings.Contains(info.Error, "CANNOT_PARSE_TEXT") || strings.Contains(info.Error, "0E17") ||
		info.Partition != records[2].Partition || info.Offset != records[2].Offset {
		t.Errorf("dead letter %+v, want clickhouse_cannot_parse_text from %d@%d without the value", info, records[2].Partition, records[2].Offset)
	}
	for i := range actors {
		subject := fmt.Sprintf("C%08d", i+1)
		stored, err := store.SubjectFacts(t.Context(), subject)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 0, false: 1}[i == 2]; len(stored) != want {
			t.Errorf("%s: %d facts stored, want %d", subject, len(stored), want)
		}
	}
}
