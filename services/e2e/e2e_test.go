package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

const (
	token   = "e2e-responder-token-0123456789"
	subject = "C09990001"
)

// TestEndToEnd publishes through the SDK (with a producer's retries, i.e.
// the same events twice) and raw poison records, through the real broker
// binary and a fleet of two materializer processes into ClickHouse, and
// reads the answers from the API process over HTTP, exactly.
func TestEndToEnd(t *testing.T) {
	broker := startBroker(t, 4)
	db := randomName("e2e_")
	t.Cleanup(func() { dropDatabase(t, db) })
	startMaterializer(t, "materializer-1", broker, db)
	startMaterializer(t, "materializer-2", broker, db)
	apiAddr := startAPI(t, broker, db)

	base := lineagetest.Base
	bank1 := lineagetest.Transfer(lineagetest.UUID(1_000_001), subject, base)
	bank2 := lineagetest.Transfer(lineagetest.UUID(1_000_002), subject, base.Add(time.Hour))
	vendor := lineagetest.Handoff(lineagetest.UUID(1_000_003), subject, base.Add(2*time.Hour))
	access := lineagetest.Access(lineagetest.UUID(1_000_004), subject, base.Add(3*time.Hour))
	mine := []lineage.Event{bank1, bank2, vendor, access}

	p, err := producer.New(producer.Config{Brokers: []string{broker}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	noise := lineagetest.Events(21, 3000, 300) // other customers, C00000001..C00000300
	if err := p.Publish(ctx, noise[:1500]...); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, mine...); err != nil {
		t.Fatal(err)
	}
	poison := publishPoison(t, broker)
	if err := p.Publish(ctx, noise[1500:]...); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, bank1, vendor); err != nil { // a retry after a lost ack
		t.Fatal(err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, broker, db, 2*time.Minute)

	t.Run("recipients", func(t *testing.T) {
		got := get(t, apiAddr, "/v1/subjects/"+subject+"/recipients", nil)
		want := `{
		  "subject_id": "C09990001", "from": null, "to": null,
		  "recipients": [
		    {"recipient_id": "rcp-vendor-acme-in", "name": "Acme Software Pvt Ltd", "category": "processor",
		     "country": "IN", "transfer_mechanism": "standard_contractual_clauses",
		     "kinds": ["processor_handoff"], "data_categories": ["crm_activity", "customer"],
		     "purposes": ["service_provision"], "legal_bases": ["legitimate_interest"],
		     "first_at": "2026-03-02T11:30:00.123456Z", "last_at": "2026-03-02T11:30:00.123456Z", "events": 1},
		    {"recipient_id": "rcp-bank-swedbank", "name": "Swedbank AS", "category": "bank",
		     "country": "LV", "transfer_mechanism": null,
		     "kinds": ["transfer"], "data_categories": ["billing", "identification"],
		     "purposes": ["service_provision"], "legal_bases": ["contract"],
		     "first_at": "2026-03-02T09:30:00.123456Z", "last_at": "2026-03-02T10:30:00.123456Z", "events": 2}
		  ],
		  "withheld": []}`
		sameJSON(t, want, got)
	})

	t.Run("recipients in a window", func(t *testing.T) {
		got := get(t, apiAddr, "/v1/subjects/"+subject+"/recipients",
			url.Values{"from": {"2026-03-02T10:30:00.123456Z"}, "to": {"2026-03-02T11:30:00.123456Z"}})
		var body struct {
			Recipients []struct {
				ID     string `json:"recipient_id"`
				Events int    `json:"events"`
			} `json:"recipients"`
		}
		decode(t, got, &body)
		if len(body.Recipients) != 1 || body.Recipients[0].ID != "rcp-bank-swedbank" || body.Recipients[0].Events != 1 {
			t.Fatalf("from is inclusive and to exclusive: want only the bank's second transfer, got %s", got)
		}
	})

	t.Run("timeline pages newest first, each event once", func(t *testing.T) {
		var ids []string
		cursor := ""
		for page := 0; ; page++ {
			q := url.Values{"limit": {"3"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			var body struct {
				Events []struct {
					ID string `json:"event_id"`
				} `json:"events"`
				Next *string `json:"next_cursor"`
			}
			decode(t, get(t, apiAddr, "/v1/subjects/"+subject+"/events", q), &body)
			for _, e := range body.Events {
				ids = append(ids, e.ID)
			}
			if body.Next == nil {
				break
			}
			cursor = *body.Next
			if page > 3 {
				t.Fatal("paging does not end")
			}
		}
		want := []string{access.ID, vendor.ID, bank2.ID, bank1.ID}
		if len(ids) != len(want) {
			t.Fatalf("timeline %v, want %v", ids, want)
		}
		for i := range want {
			if ids[i] != want[i] {
				t.Fatalf("timeline %v, want %v", ids, want)
			}
		}
	})

	t.Run("the dashboard shows the recipients in a browser", func(t *testing.T) {
		dashboardInBrowser(t, apiAddr, 2)
	})

	t.Run("bad input is refused naming the field", func(t *testing.T) {
		status, body := request(t, apiAddr, "/v1/subjects/29123456/recipients", nil, token)
		if status != http.StatusBadRequest || !bytes.Contains(body, []byte(`"field":"subject_id"`)) {
			t.Fatalf("a phone number as subject: %d %s", status, body)
		}
		if status, _ := request(t, apiAddr, "/v1/subjects/"+subject+"/recipients", nil, "wrong-token-wrong-token"); status != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d", status)
		}
	})

	t.Run("dead-letter topic holds each poison record with its reason", func(t *testing.T) {
		got := map[string]deadletter.Info{}
		for _, r := range consume(t, broker, topics.DeadLetter, len(poison)) {
			info, err := deadletter.Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			got[string(r.Key)] = info
		}
		for name, reason := range poison {
			if got[name].Reason != reason || got[name].Topic != topics.Events {
				t.Fatalf("poison %q: got %+v, want reason %s", name, got[name], reason)
			}
		}
	})

	t.Run("every lookup is audited with the caller", func(t *testing.T) {
		for _, r := range consume(t, broker, topics.Audit, 3) {
			var rec struct {
				Caller    string `json:"caller"`
				SubjectID string `json:"subject_id"`
			}
			decode(t, r.Value, &rec)
			if rec.Caller != "dpo" || rec.SubjectID != subject || string(r.Key) != subject {
				t.Fatalf("audit record %s", r.Value)
			}
		}
	})
}

// publishPoison writes records no SDK would send and returns, per record
// key, the reason the dead-letter topic must give.
func publishPoison(t *testing.T, broker string) map[string]string {
	t.Helper()
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	bad := lineagetest.Transfer(lineagetest.UUID(2_000_001), subject, lineagetest.Base)
	bad.Recipient.Category = "friend_of_a_friend"
	invalid, err := codec.Append(nil, &bad)
	if err != nil {
		t.Fatal(err)
	}
	records := map[string][]byte{
		"random":    []byte("{\"not\": \"avro\"}"),
		"truncated": invalid[:len(invalid)-9],
		"invalid":   invalid,
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.DefaultProduceTopic(topics.Events))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for key, value := range records {
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Key: []byte(key), Value: value}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{"random": wire.ReasonUnknownFormat, "truncated": wire.ReasonMalformed, "invalid": deadletter.ReasonInvalid}
}

func consume(t *testing.T, broker, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s holds %d records, want %d", topic, len(out), n)
		}
		out = append(out, f.Records()...)
	}
	return out
}

func request(t *testing.T, addr, path string, q url.Values, bearer string) (int, []byte) {
	t.Helper()
	u := "http://" + addr + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func get(t *testing.T, addr, path string, q url.Values) []byte {
	t.Helper()
	status, body := request(t, addr, path, q, token)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return body
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func sameJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	var w, g any
	decode(t, []byte(want), &w)
	decode(t, got, &g)
	wb, _ := json.MarshalIndent(w, "", "  ")
	gb, _ := json.MarshalIndent(g, "", "  ")
	if !bytes.Equal(wb, gb) {
		t.Fatalf("answer differs\nwant %s\ngot  %s", wb, gb)
	}
}
