package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"
)

// benchDatabase is the 10M-event, 1M-subject store that the chstore lookup
// benchmarks generate (services/chstore/testdata/bench/events.sql).
const benchDatabase = "lineage_bench"

// BenchmarkRecipientsAPI times GET /v1/subjects/{id}/recipients through the
// API binary for random subjects, one request at a time, as a responder
// would: authentication, the audit record acknowledged by the broker
// (acks=all), the ClickHouse query and the JSON answer. It reports p50 and
// p99. It needs the lineage_bench store: run scripts/bench lookup first.
// Run it with: go test -run '^$' -bench RecipientsAPI -benchtime 2000x
func BenchmarkRecipientsAPI(b *testing.B) {
	benchRecipientsAPI(b, singleNode(), benchDatabase)
}

// benchRecipientsAPI is BenchmarkRecipientsAPI on database of target.
func benchRecipientsAPI(b *testing.B, target storeTarget, database string) {
	var rows uint64
	err := target.conn(b).QueryRow(context.Background(), "SELECT count() FROM "+database+".lineage_events").Scan(&rows)
	if err != nil || rows < 10_000_000 {
		b.Skipf("needs %s with 10M events (scripts/bench lookup makes it): %d rows, %v", database, rows, err)
	}
	broker := startBroker(b, 1)
	addr := startAPI(b, broker, database, target.apiEnv()...)

	rng := rand.New(rand.NewPCG(7, 11))
	client := &http.Client{Timeout: 10 * time.Second}
	ask := func() time.Duration {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v1/subjects/C%08d/recipients", addr, rng.IntN(1_000_000)), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		began := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return time.Since(began)
	}
	for range 50 { // warm connections and caches
		ask()
	}
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		latencies = append(latencies, ask())
	}
	b.StopTimer()
	slices.Sort(latencies)
	at := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1), "max-ms")
}
