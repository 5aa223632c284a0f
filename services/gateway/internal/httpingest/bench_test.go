package httpingest

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// BenchmarkGateway measures the whole ingest path: concurrent clients post
// batches over HTTP on loopback TCP; the gateway decodes, validates,
// encodes and produces them to an in-process Kafka (kfake over TCP) and
// answers after acks=all. One op is one batch request. It reports events/s
// and the median and 99th-percentile request latency.
//
//	go test -run '^$' -bench Gateway -benchtime 10s ./internal/httpingest
func BenchmarkGateway(b *testing.B) {
	for _, c := range []struct{ batch, clients int }{{100, 8}, {500, 8}, {100, 32}, {1, 32}} {
		b.Run(fmt.Sprintf("batch=%d/clients=%d", c.batch, c.clients), func(b *testing.B) {
			benchGateway(b, c.batch, c.clients)
		})
	}
}

func benchGateway(b *testing.B, batch, clients int) {
	g := startGateway(b, func(d *Deps) { d.Log = slog.New(slog.DiscardHandler) })
	// Distinct bodies of realistic events: several subjects, sources' own.
	bodies := make([]string, 16)
	for i := range bodies {
		events := make([]lineage.Event, batch)
		for j := range events {
			n := i*batch + j
			events[j] = lineagetest.Access(lineagetest.UUID(uint64(n)), lineagetest.Subject(n%5000), lineagetest.Base)
		}
		bodies[i] = batchJSON(b, events...)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()

	lat := make([]time.Duration, b.N)
	var (
		next   atomic.Int64
		failed atomic.Value
		wg     sync.WaitGroup
	)
	b.SetBytes(int64(len(bodies[0])))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if err := postBatch(client, g.srv.URL, bodies[i%int64(len(bodies))]); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}

func postBatch(client *http.Client, base, body string) error {
	req, err := http.NewRequest(http.MethodPost, base+"/v1/events/batch", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+crmToken)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return nil
}
