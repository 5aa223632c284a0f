package httpingest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/gateway/internal/kafkapub"
)

// gateway is the HTTP server on a TCP port in front of a real publisher
// and an in-process Kafka cluster (the Kafka protocol over TCP).
type gateway struct {
	cluster *kfake.Cluster
	pub     *kafkapub.Publisher
	srv     *httptest.Server
}

func startGateway(t testing.TB, mod func(*Deps)) *gateway {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topics.Events, topics.IdentityLinks))
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	pub, err := kafkapub.New(kafkapub.Config{
		Brokers: c.ListenAddrs(), ClientID: "gateway-test", DeliveryTimeout: time.Second, MaxBuffered: 64 * 500,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = pub.Close(ctx)
	})
	s := newServer(t, pub, func(d *Deps) {
		d.Now = time.Now
		d.NewEventID = nil
		d.MaxBatch = 500
		d.Checks = []httphealth.Check{{Name: "kafka", Func: pub.Ping}}
		if mod != nil {
			mod(d)
		}
	})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &gateway{cluster: c, pub: pub, srv: srv}
}

// post sends body over TCP and returns the status, Retry-After and body.
func (g *gateway) post(t testing.TB, path, token, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, g.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := g.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func (g *gateway) get(t *testing.T, path string) int {
	t.Helper()
	resp, err := g.srv.Client().Get(g.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// record is one record read back: its key and decoded event.
type record struct {
	key   string
	event lineage.Event
}

// readBack reads want records of the events topic from the start.
func (g *gateway) readBack(t *testing.T, want int) []record {
	t.Helper()
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	var out []record
	for _, r := range g.rawRecords(t, topics.Events, want, 0) {
		var e lineage.Event
		if err := codec.Decode(context.Background(), r.Value, &e); err != nil {
			t.Fatalf("decode record at %d/%d: %v", r.Partition, r.Offset, err)
		}
		out = append(out, record{key: string(r.Key), event: e})
	}
	return out
}

// rawRecords reads want records of topic from the start, then goes on
// polling for linger to make sure that no more were published.
func (g *gateway) rawRecords(t *testing.T, topic string, want int, linger time.Duration) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(g.cluster.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	poll := func(ctx context.Context, until int) {
		for len(out) < until && ctx.Err() == nil {
			fetches := cl.PollFetches(ctx)
			fetches.EachError(func(topic string, p int32, err error) {
				if ctx.Err() == nil {
					t.Fatalf("consume %s/%d: %v", topic, p, err)
				}
			})
			out = append(out, fetches.Records()...)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	poll(ctx, want)
	if linger > 0 {
		lctx, lcancel := context.WithTimeout(context.Background(), linger)
		defer lcancel()
		poll(lctx, want+1)
	}
	if len(out) != want {
		t.Fatalf("read %d records of %s, want %d", len(out), topic, want)
	}
	return out
}

// normal makes events comparable: UTC times, no empty attribute maps.
func normal(e lineage.Event) lineage.Event {
	e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
	if len(e.Attributes) == 0 {
		e.Attributes = nil
	}
	return e
}

func TestKafkaHappyPath(t *testing.T) {
	g := startGateway(t, nil)
	if code := g.get(t, "/readyz"); code != http.StatusOK {
		t.Fatalf("readyz %d", code)
	}
	at := time.Now().Add(-time.Hour).Truncate(time.Microsecond).UTC()
	var posted []lineage.Event

	// A batch of crm accesses of four subjects, the second one twice.
	batch := make([]lineage.Event, 5)
	for i := range batch {
		batch[i] = lineagetest.Access(lineagetest.UUID(uint64(100+i)), lineagetest.Subject(1+min(i, 3)), at.Add(time.Duration(i)*time.Millisecond))
	}
	code, _, body := g.post(t, "/v1/events/batch", crmToken, batchJSON(t, batch...))
	if code != http.StatusOK {
		t.Fatalf("batch: %d %s", code, body)
	}
	if a := decodeAnswer(t, body); len(a.EventIDs) != len(batch) || a.EventIDs[4] != batch[4].ID {
		t.Fatalf("batch answer %s", body)
	}
	posted = append(posted, batch...)

	// A single event without event_id and recorded_at: the gateway's.
	bare := lineagetest.Access("", lineagetest.Subject(5), at)
	bare.RecordedAt, bare.Attributes = time.Time{}, nil
	sent := time.Now()
	code, _, body = g.post(t, "/v1/events", crmToken, mustJSON(t, eventJSON(bare)))
	if code != http.StatusCreated {
		t.Fatalf("single: %d %s", code, body)
	}
	bare.ID = decodeAnswer(t, body).EventID
	if !lineage.ValidUUID(bare.ID) {
		t.Fatalf("generated id %q", bare.ID)
	}
	posted = append(posted, bare)

	// Each optional field, from the source systems that send them.
	transfer := lineagetest.Transfer(lineagetest.UUID(200), lineagetest.Subject(6), at)
	handoff := lineagetest.Handoff(lineagetest.UUID(201), lineagetest.Subject(7), at)
	for _, p := range []struct {
		token string
		e     lineage.Event
	}{{billingToken, transfer}, {processorTok, handoff}} {
		if code, _, body := g.post(t, "/v1/events", p.token, mustJSON(t, eventJSON(p.e))); code != http.StatusCreated {
			t.Fatalf("%s: %d %s", p.e.SourceSystem, code, body)
		}
		posted = append(posted, p.e)
	}

	records := g.readBack(t, len(posted))
	byID := map[string]record{}
	for _, r := range records {
		byID[r.event.ID] = r
	}
	for _, want := range posted {
		got, ok := byID[want.ID]
		if !ok {
			t.Errorf("event %s not in Kafka", want.ID)
			continue
		}
		if got.key != want.SubjectID {
			t.Errorf("event %s keyed %q, want its subject %q", want.ID, got.key, want.SubjectID)
		}
		if want.RecordedAt.IsZero() {
			if r := got.event.RecordedAt; r.Before(sent.Add(-time.Second)) || r.After(time.Now()) {
				t.Errorf("defaulted recorded_at %s is not the time of receipt", r)
			}
			want.RecordedAt = got.event.RecordedAt
		}
		if g, w := normal(got.event), normal(want); !reflect.DeepEqual(g, w) {
			t.Errorf("event %s\n got %+v\nwant %+v", want.ID, g, w)
		}
	}
	// One subject's events stay in order in its partition.
	var order []string
	for _, r := range records {
		if r.key == lineagetest.Subject(4) {
			order = append(order, r.event.ID)
		}
	}
	if !slices.Equal(order, []string{batch[3].ID, batch[4].ID}) {
		t.Errorf("subject 4's events in order %v", order)
	}
}

func TestKafkaDown(t *testing.T) {
	g := startGateway(t, func(d *Deps) { d.PublishTimeout = time.Second; d.CheckTimeout = 500 * time.Millisecond })
	if code, _, body := g.post(t, "/v1/events", crmToken, mustJSON(t, eventJSON(access(1)))); code != http.StatusCreated {
		t.Fatalf("before: %d %s", code, body)
	}
	g.cluster.Close()

	start := time.Now()
	code, header, body := g.post(t, "/v1/events/batch", crmToken, batchJSON(t, access(2), access(3)))
	if code != http.StatusServiceUnavailable || header.Get("Retry-After") == "" {
		t.Fatalf("Kafka down: %d (Retry-After %q) %s", code, header.Get("Retry-After"), body)
	}
	took := time.Since(start)
	t.Logf("answered 503 after %s", took)
	if took > 5*time.Second {
		t.Errorf("answered after %s, want about the publish timeout", took)
	}
	a := decodeAnswer(t, body)
	want := []eventProblem{{Index: 0, EventID: access(2).ID}, {Index: 1, EventID: access(3).ID}}
	if a.Error.Code != codeKafkaUnavailable || !reflect.DeepEqual(a.Error.Events, want) {
		t.Errorf("error %+v, want kafka_unavailable listing %+v", a.Error, want)
	}
	if code := g.get(t, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with Kafka down: %d", code)
	}
	if bytes.Contains(body, []byte(lineagetest.Subject(2))) {
		t.Error("answer holds a subject id")
	}
}
