package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/services/chstore"
)

// The ClickHouse server of the integration tests, as in chstore's tests:
// the one scripts/clickhouse starts unless the variable names another. The
// tests fail, not skip, without a server.
const (
	clickhouseAddrEnv     = "LINEAGE_TEST_CLICKHOUSE_ADDR"
	defaultClickhouseAddr = "127.0.0.1:9000"
)

// newClickhouseStore opens the real store on a fresh, migrated database that
// is dropped when the test ends, and inserts events and identity links.
func newClickhouseStore(t *testing.T, events []chstore.StoredEvent, links ...chstore.StoredLink) *chstore.Store {
	t.Helper()
	addr := os.Getenv(clickhouseAddrEnv)
	if addr == "" {
		addr = defaultClickhouseAddr
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "api_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	admin, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("dial clickhouse: %v", err)
	}
	if err := admin.Ping(ctx); err != nil {
		_ = admin.Close()
		t.Fatalf("no ClickHouse at %s (%v): start one with scripts/clickhouse start, or set %s", addr, err, clickhouseAddrEnv)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		_ = admin.Close()
	})

	s, err := chstore.Open(ctx, chstore.Config{Addrs: []string{addr}, Database: name, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("chstore.Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	batch := chstore.NewBatch(len(events))
	for i := range events {
		batch.Add(&events[i].Event, events[i].Partition, events[i].Offset)
	}
	if err := s.Insert(ctx, batch); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if err := s.InsertLinks(ctx, links); err != nil {
		t.Fatalf("InsertLinks: %v", err)
	}
	// The overview's rollups, as the materializer settles them.
	if _, err := s.Settle(ctx); err != nil {
		t.Fatalf("Settle: %v", err)
	}
	return s
}

// TestClickhouseStore runs the API on the real store: the answers must be
// the ones the in-memory store gives (the same golden files) where the data
// are the same, and a retried event must count once.
func TestClickhouseStore(t *testing.T) {
	fixture := fixtureStore()
	events := fixture.events
	// A retry of the transfer, stored again at a later offset.
	events = append(events, chstore.StoredEvent{Event: events[1].Event, Partition: 0, Offset: 20})
	// The fixture's contested window, as links make it: the subject and
	// another customer both hold the number from its start.
	var links []chstore.StoredLink
	for i, c := range fixture.contested[subject] {
		for j, holder := range []string{subject, otherSubject} {
			l := lineagetest.Link(holder, c.Identifier, c.From, c.To)
			links = append(links, chstore.StoredLink{IdentityLink: l, Offset: int64(2*i + j)})
		}
	}
	store := newClickhouseStore(t, events, links...)
	k := startKafka(t, 5*time.Second)
	s := newTestServer(t, store, k.auditor, &bytes.Buffer{},
		httphealth.Check{Name: "clickhouse", Func: store.Ping}, httphealth.Check{Name: "kafka", Func: k.auditor.Ping})

	tests := []struct {
		name, target, golden string
	}{
		{name: "recipients", target: "/v1/subjects/" + subject + "/recipients?from=2026-03-01&to=2026-04-01T00:00:00%2B03:00",
			golden: "clickhouse-recipients.golden.json"},
		{name: "events page", target: "/v1/subjects/" + subject + "/events?limit=2", golden: "events.golden.json"},
		{name: "events in a window", target: "/v1/subjects/" + subject + "/events?from=2026-03-02&to=2026-03-02T10:00:00Z",
			golden: "events-access.golden.json"},
		{name: "no events", target: "/v1/subjects/C99999999/events", golden: "events-empty.golden.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(s, tt.target, bearer(dpoToken, "it-"+tt.name))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			assertGolden(t, tt.golden, rec.Body.Bytes())
		})
	}

	t.Run("cursor walks the timeline", func(t *testing.T) {
		var ids []string
		target := "/v1/subjects/" + subject + "/events?limit=1"
		for range 10 {
			rec := get(s, target, bearer(dpoToken, "it-page"))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			var resp eventsResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			for _, e := range resp.Events {
				ids = append(ids, e.EventID)
			}
			if resp.NextCursor == nil {
				break
			}
			target = "/v1/subjects/" + subject + "/events?limit=1&cursor=" + *resp.NextCursor
		}
		want := []string{events[2].ID, events[1].ID, events[0].ID}
		if len(ids) != len(want) || ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] {
			t.Errorf("timeline = %v, want %v (newest first, the retried event once)", ids, want)
		}
	})

	t.Run("ready", func(t *testing.T) {
		if rec := get(s, "/readyz", nil); rec.Code != http.StatusOK {
			t.Errorf("readyz: %d %s", rec.Code, rec.Body)
		}
	})
}
