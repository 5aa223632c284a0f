package httpingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// publishers routes each call to the publisher of its source system, so
// that one source's Kafka can be slow (a blocking fakePublisher) while
// another's answers.
type publishers map[string]*fakePublisher

func (p publishers) Publish(ctx context.Context, events []lineage.Event) error {
	return p[events[0].SourceSystem].Publish(ctx, events)
}

func (p publishers) PublishLinks(ctx context.Context, links []lineage.IdentityLink) error {
	return p[links[0].SourceSystem].PublishLinks(ctx, links)
}

// sourceRequest is a valid single event of a source system and its token.
type sourceRequest struct {
	token string
	event func(n int) lineage.Event
}

var bySource = map[string]sourceRequest{
	"crm": {crmToken, access},
	"billing": {billingToken, func(n int) lineage.Event {
		return lineagetest.Transfer(lineagetest.UUID(uint64(n)), lineagetest.Subject(n), lineagetest.Base)
	}},
	"third_country_processor": {processorTok, func(n int) lineage.Event {
		return lineagetest.Handoff(lineagetest.UUID(uint64(n)), lineagetest.Subject(n), lineagetest.Base)
	}},
}

// TestSourceShare: a source whose requests hang (its Kafka partition is
// slow) holds at most its share of the slots; its next request is refused
// with 429 and Retry-After, while the other sources are still served. When
// the sources together hold every slot, the refusal names the gateway's
// maximum instead.
func TestSourceShare(t *testing.T) {
	type probe struct {
		source     string
		wantStatus int
		wantMsg    string // part of the message of a 429
	}
	tests := []struct {
		name                   string
		maxInFlight, perSource int
		// hold: how many requests of each source hang in publish.
		hold   map[string]int
		probes []probe
	}{
		{
			name: "default share is half", maxInFlight: 4,
			hold: map[string]int{"crm": 2},
			probes: []probe{
				{source: "crm", wantStatus: http.StatusTooManyRequests, wantMsg: "2 requests of the source crm, its share of the 4"},
				{source: "billing", wantStatus: http.StatusCreated},
				{source: "third_country_processor", wantStatus: http.StatusCreated},
			},
		},
		{
			name: "a set share", maxInFlight: 4, perSource: 3,
			hold: map[string]int{"crm": 3},
			probes: []probe{
				{source: "crm", wantStatus: http.StatusTooManyRequests, wantMsg: "3 requests of the source crm, its share of the 4"},
				{source: "billing", wantStatus: http.StatusCreated},
			},
		},
		{
			name: "two sources at their share fill the gateway", maxInFlight: 4,
			hold: map[string]int{"crm": 2, "billing": 2},
			probes: []probe{
				{source: "crm", wantStatus: http.StatusTooManyRequests, wantMsg: "its share"},
				{source: "third_country_processor", wantStatus: http.StatusTooManyRequests, wantMsg: "its maximum of 4 requests"},
			},
		},
		{
			name: "the gateway is full before a source's share", maxInFlight: 3, perSource: 2,
			hold: map[string]int{"crm": 2, "billing": 1},
			probes: []probe{
				{source: "billing", wantStatus: http.StatusTooManyRequests, wantMsg: "its maximum of 3 requests"},
			},
		},
		{
			name: "a share of all is no share", maxInFlight: 2, perSource: 2,
			hold: map[string]int{"crm": 2},
			probes: []probe{
				{source: "billing", wantStatus: http.StatusTooManyRequests, wantMsg: "its maximum of 2 requests"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pubs := publishers{}
			for source := range bySource {
				pubs[source] = &fakePublisher{}
			}
			for source := range tt.hold {
				pubs[source] = &fakePublisher{block: make(chan struct{}), started: make(chan struct{}, 16)}
			}
			reader := sdkmetric.NewManualReader()
			s := newServer(t, pubs, func(d *Deps) {
				d.MaxInFlight, d.MaxInFlightPerSource = tt.maxInFlight, tt.perSource
				d.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			})

			n := 0
			held := make(chan *httptest.ResponseRecorder, 16)
			for source, count := range tt.hold {
				for range count {
					n++
					body := mustJSON(t, eventJSON(bySource[source].event(n)))
					go func() { held <- post(s, "/v1/events", bySource[source].token, body) }()
					waitStarted(t, pubs[source])
				}
			}
			// Whatever happens below, the held requests end with the test.
			unblocked := false
			unblock := func() {
				if !unblocked {
					unblocked = true
					for source := range tt.hold {
						pubs[source].unblock()
					}
				}
			}
			defer unblock()

			wantShed := map[string]int64{}
			for _, p := range tt.probes {
				n++
				w, ok := answerWithin(s, bySource[p.source].token, mustJSON(t, eventJSON(bySource[p.source].event(n))), 5*time.Second)
				if !ok {
					t.Errorf("%s: not answered within 5s (it waits for a slot it should not have had)", p.source)
					continue
				}
				if w.Code != p.wantStatus {
					t.Errorf("%s: status %d, want %d: %s", p.source, w.Code, p.wantStatus, w.Body)
					continue
				}
				if p.wantStatus != http.StatusTooManyRequests {
					continue
				}
				a := decodeAnswer(t, w.Body.Bytes())
				if w.Header().Get("Retry-After") != retryAfterOverloaded || a.Error.Code != codeOverloaded || !strings.Contains(a.Error.Message, p.wantMsg) {
					t.Errorf("%s: Retry-After %q, error %+v; want %s, %s with %q", p.source, w.Header().Get("Retry-After"), a.Error,
						retryAfterOverloaded, codeOverloaded, p.wantMsg)
				}
				limit := "gateway"
				if strings.Contains(p.wantMsg, "share") {
					limit = "source"
				}
				wantShed[p.source+" "+limit]++
			}
			if got := shedCounts(t, reader); !equalCounts(got, wantShed) {
				t.Errorf("lineage.gateway.shed %v, want %v", got, wantShed)
			}

			unblock()
			for range n - len(tt.probes) {
				if w := <-held; w.Code != http.StatusCreated {
					t.Errorf("held request: status %d: %s", w.Code, w.Body)
				}
			}
			// Every slot is given back: each source gets its share again.
			if got := s.slots.inUse(); got != 0 {
				t.Errorf("%d slots in use after the load", got)
			}
			for source := range tt.hold {
				n++
				if w := post(s, "/v1/events", bySource[source].token, mustJSON(t, eventJSON(bySource[source].event(n)))); w.Code != http.StatusCreated {
					t.Errorf("%s after the load: status %d: %s", source, w.Code, w.Body)
				}
			}
		})
	}
}

// answerWithin posts one event and waits at most d for the answer.
func answerWithin(s http.Handler, token, body string, d time.Duration) (*httptest.ResponseRecorder, bool) {
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- post(s, "/v1/events", token, body) }()
	select {
	case w := <-done:
		return w, true
	case <-time.After(d):
		return nil, false
	}
}

// shedCounts reads lineage.gateway.shed by "source limit".
func shedCounts(t *testing.T, reader *sdkmetric.ManualReader) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "lineage.gateway.shed" {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				src, _ := dp.Attributes.Value(attribute.Key("lineage.source_system"))
				limit, _ := dp.Attributes.Value(attribute.Key("limit"))
				out[src.AsString()+" "+limit.AsString()] += dp.Value
			}
		}
	}
	return out
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestLimiter: the slots of the gateway and of each source, taken and given
// back.
func TestLimiter(t *testing.T) {
	type step struct {
		source  string
		release int // >0: give back the slot of step release-1 instead
		want    refusal
	}
	tests := []struct {
		name           string
		max, perSource int
		wantShare      int
		steps          []step
	}{
		{name: "defaults", wantShare: defaultMaxInFlight / 2},
		{name: "share of one slot", max: 1, wantShare: 1, steps: []step{
			{source: "crm", want: admitted}, {source: "crm", want: sourceFull}, {source: "billing", want: gatewayFull},
			{release: 1}, {source: "billing", want: admitted},
		}},
		{name: "half", max: 4, wantShare: 2, steps: []step{
			{source: "crm", want: admitted}, {source: "crm", want: admitted}, {source: "crm", want: sourceFull},
			{source: "billing", want: admitted}, {source: "billing", want: admitted},
			{source: "cdr_mediation", want: gatewayFull}, {source: "billing", want: sourceFull},
			{release: 1}, {source: "billing", want: sourceFull}, {source: "crm", want: admitted}, {source: "crm", want: sourceFull},
		}},
		{name: "share above the maximum is the maximum", max: 2, perSource: 5, wantShare: 2, steps: []step{
			{source: "crm", want: admitted}, {source: "crm", want: admitted}, {source: "crm", want: sourceFull},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(tt.max, tt.perSource)
			if l.share() != tt.wantShare {
				t.Errorf("share %d, want %d", l.share(), tt.wantShare)
			}
			releases := make([]func(), len(tt.steps))
			taken := 0
			for i, st := range tt.steps {
				if st.release > 0 {
					releases[st.release-1]()
					taken--
					continue
				}
				release, why := l.tryAcquire(st.source)
				if why != st.want {
					t.Fatalf("step %d (%s): %v, want %v", i, st.source, why, st.want)
				}
				if why == admitted {
					releases[i] = release
					taken++
				}
				if l.inUse() != taken {
					t.Fatalf("step %d: %d in use, want %d", i, l.inUse(), taken)
				}
			}
		})
	}
}
