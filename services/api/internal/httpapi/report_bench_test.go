package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/services/chstore"
)

// Report benchmark: a customer with reportBenchEvents events, added to the
// 10M-event store of chstore's lookup benchmarks (services/chstore
// lookup_bench_test.go; scripts/bench lookup makes it).
const (
	reportBenchDatabase = "lineage_bench"
	reportBenchSubject  = "C09999990"
	reportBenchEvents   = 10_000
)

// BenchmarkReport times GET /v1/subjects/{id}/report for a customer with
// 10,000 events in a store of 12 million, one request at a time, over HTTP
// from the handler as the API serves it, the body read to its end: the audit record and the consultation
// event acknowledged by a Kafka-protocol broker (kfake, in process), the
// ClickHouse query (18.16, the project's server), the report built and
// rendered. It reports p50 and p99 per format. Run it with
//
//	go test -run '^$' -bench Report -benchtime 50x ./internal/httpapi
func BenchmarkReport(b *testing.B) {
	// The API's default (API_GC_PERCENT).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	store := reportBenchStore(b)
	k := startKafka(b, 5*time.Second)
	tokens, err := httpauth.ParseTokens("dpo:" + dpoToken)
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Deps{
		Store: store, Auditor: k.auditor, RequestLog: &memStore{}, Tokens: tokens,
		Roles: map[string]Role{"dpo": RoleDPO}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), QueryTimeout: time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	for _, format := range []string{"json", "csv", "html", "pdf"} {
		b.Run(format, func(b *testing.B) {
			target := srv.URL + "/v1/subjects/" + reportBenchSubject + "/report?lang=lv&format=" + format
			var took []time.Duration
			size := int64(0)
			for b.Loop() {
				began := time.Now()
				req, _ := http.NewRequest(http.MethodGet, target, nil)
				req.Header.Set("Authorization", "Bearer "+dpoToken)
				resp, err := srv.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				size, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took = append(took, time.Since(began))
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d, %v", resp.StatusCode, err)
				}
			}
			slices.Sort(took)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(took[len(took)/2]), "p50_ms")
			b.ReportMetric(ms(took[len(took)*99/100]), "p99_ms")
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}

// reportBenchStore opens the benchmark store and gives reportBenchSubject
// its events, once: accesses by the contact centre and CRM, transfers to
// twenty recipients, hand-offs to processors in and outside the EEA, over
// 2025 (one partition, so the insert adds one part).
func reportBenchStore(b *testing.B) *chstore.Store {
	b.Helper()
	addr := os.Getenv(clickhouseAddrEnv)
	if addr == "" {
		addr = defaultClickhouseAddr
	}
	ctx := context.Background()
	s, err := chstore.Open(ctx, chstore.Config{Addrs: []string{addr}, Database: reportBenchDatabase})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	have, err := s.AllEvents(ctx, chstore.EventsQuery{SubjectID: reportBenchSubject})
	if err != nil {
		b.Fatal(err)
	}
	if len(have.Events) >= reportBenchEvents {
		return s
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := chstore.NewBatch(reportBenchEvents)
	for i := range reportBenchEvents {
		at := start.Add(time.Duration(i) * 52 * time.Minute)
		id := fmt.Sprintf("00000000-0000-4000-9000-%012d", i)
		var e lineage.Event
		switch i % 5 {
		case 0, 1:
			e = lineagetest.Access(id, reportBenchSubject, at)
			e.Actor.Employee = lineage.Ptr(fmt.Sprintf("E%04d", i%37))
		case 2, 3:
			e = lineagetest.Transfer(id, reportBenchSubject, at)
			n := i % 20
			e.Recipient = &lineage.Recipient{ID: fmt.Sprintf("rcp-%02d", n), Name: fmt.Sprintf("Saņēmējs %02d SIA", n), Category: "bank", Country: "LV"}
		default:
			e = lineagetest.Handoff(id, reportBenchSubject, at)
		}
		batch.Add(&e, 0, int64(90_000_000+i))
	}
	if err := s.Insert(ctx, batch); err != nil {
		b.Fatal(err)
	}
	return s
}
