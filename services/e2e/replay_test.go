package e2e

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
)

// TestReplay rebuilds the projection from the log with `materializer
// replay` while the fleet runs and new events keep arriving, and checks
// that the rebuilt answers equal the live ones, that nothing that arrived
// during the rebuild is missing, and that poison is not dead-lettered again.
func TestReplay(t *testing.T) {
	broker := startBroker(t, 4)
	db := randomName("e2e_replay_")
	t.Cleanup(func() { dropDatabase(t, db) })
	startMaterializer(t, "materializer-1", broker, db)
	startMaterializer(t, "materializer-2", broker, db)
	apiAddr := startAPI(t, broker, db)

	p, err := producer.New(producer.Config{Brokers: []string{broker}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	ctx := context.Background()
	before := lineagetest.Events(41, 4000, 100) // subjects C00000001..C00000100
	if err := p.Publish(ctx, before...); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, before[:500]...); err != nil { // retries
		t.Fatal(err)
	}
	poison := publishPoison(t, broker)
	waitCaughtUp(t, broker, db, 2*time.Minute)

	subjects := []string{lineagetest.Subject(1), lineagetest.Subject(17), lineagetest.Subject(58), lineagetest.Subject(100)}
	snapshot := answers(t, apiAddr, subjects)

	// New customers' events arrive all through the rebuild.
	var (
		wg      sync.WaitGroup
		during  []lineage.Event
		publish = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-publish:
				return
			default:
			}
			batch := make([]lineage.Event, 50)
			for j := range batch {
				n := uint64(i*50 + j)
				batch[j] = lineagetest.Access(lineagetest.UUID(9_000_000+n), "C0999"+strconv.Itoa(10000+int(n%500)), lineagetest.Base.Add(time.Duration(n)*time.Second))
			}
			if err := p.Publish(ctx, batch...); err != nil {
				t.Error(err)
				return
			}
			during = append(during, batch...)
			time.Sleep(20 * time.Millisecond)
		}
	}()

	rebuild := startArgs(t, "replay", "materializer", []string{"replay"},
		materializerEnv(t, broker, db, "MATERIALIZER_REPLAY_GRACE=2s")...)
	select {
	case <-rebuild.done:
	case <-time.After(3 * time.Minute):
		t.Fatal("replay did not finish")
	}
	if code := rebuild.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("replay exited with %d", code)
	}
	close(publish)
	wg.Wait()
	waitCaughtUp(t, broker, db, 2*time.Minute)

	if got := answers(t, apiAddr, subjects); !slices.Equal(got, snapshot) {
		t.Fatalf("rebuilt answers differ from the live ones:\nlive    %q\nrebuilt %q", snapshot, got)
	}
	if got, want := countDistinct(t, db), len(before)+len(during); got != want {
		t.Fatalf("after the rebuild %d distinct events are stored, want %d (%d before, %d during)", got, want, len(before), len(during))
	}
	if len(during) == 0 {
		t.Fatal("no event arrived during the rebuild: the test proves nothing about it")
	}
	if got := topicRecords(t, broker, topics.DeadLetter); got != int64(len(poison)) {
		t.Fatalf("the dead-letter topic holds %d records after the rebuild, want the %d from before", got, len(poison))
	}
	var previous uint64
	if err := clickhouseConn(t).QueryRow(ctx, "SELECT uniqExact(event_id) FROM "+db+".lineage_events_previous").Scan(&previous); err != nil || previous < uint64(len(before)) {
		t.Fatalf("the old table is kept as lineage_events_previous: %d events, %v", previous, err)
	}
}

// answers are the API's recipients and whole timelines of subjects, as text.
func answers(t *testing.T, apiAddr string, subjects []string) []string {
	t.Helper()
	var out []string
	for _, s := range subjects {
		out = append(out, string(get(t, apiAddr, "/v1/subjects/"+s+"/recipients", nil)))
		cursor := ""
		for {
			q := url.Values{"limit": {"1000"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			page := get(t, apiAddr, "/v1/subjects/"+s+"/events", q)
			out = append(out, string(page))
			var body struct {
				Next *string `json:"next_cursor"`
			}
			decode(t, page, &body)
			if body.Next == nil {
				break
			}
			cursor = *body.Next
		}
	}
	return out
}
