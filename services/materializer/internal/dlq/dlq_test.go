package dlq

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/topics"
)

func TestListAndRedrive(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, topics.Events, topics.DeadLetter))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()

	reasons := []string{deadletter.ReasonInvalid, "malformed_avro", deadletter.ReasonInvalid, "unknown_schema", deadletter.ReasonInvalid}
	// The last record is dead-lettered twice, as after a materializer crash
	// between dead-lettering and committing.
	for i, reason := range append(reasons, deadletter.ReasonInvalid) {
		i := min(i, len(reasons)-1)
		orig := &kgo.Record{
			Topic: topics.Events, Partition: int32(i % 2), Offset: int64(100 + i),
			Key: []byte("C0000000" + string(rune('1'+i))), Value: []byte{0xC3, 0x01, byte(i)},
			Headers: []kgo.RecordHeader{{Key: "traceparent", Value: []byte("00-t")}},
		}
		dl := deadletter.Record(topics.DeadLetter, orig, deadletter.Info{
			Reason: reason, Error: "data_categories[0]: unknown data category code", Group: "g", FailedAt: time.Now(),
		})
		if err := cl.ProduceSync(ctx, dl).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}

	var out bytes.Buffer
	n, err := List(ctx, cl, topics.DeadLetter, Filter{}, &out)
	if err != nil || n != len(reasons)+1 {
		t.Fatalf("list: %d entries, %v", n, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var e Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Topic != topics.Events || e.OrigOffset < 100 || e.Reason == "" || e.ValueSHA256 == "" {
			t.Fatalf("entry %s", line)
		}
		if strings.Contains(line, "C0000000") {
			t.Fatalf("list printed a subject id: %s", line)
		}
	}

	const group = "test-redrive"
	redriven, err := Redrive(ctx, cl, topics.DeadLetter, group, Filter{Reason: deadletter.ReasonInvalid}, false)
	if err != nil || redriven != 3 {
		t.Fatalf("re-drive invalid events: %d, %v", redriven, err)
	}
	back := readAll(t, cl, topics.Events, 3)
	for _, r := range back {
		if len(r.Headers) != 1 || r.Headers[0].Key != "traceparent" || r.Value[0] != 0xC3 {
			t.Fatalf("re-driven record must be the original: %+v", r)
		}
	}
	if again, err := Redrive(ctx, cl, topics.DeadLetter, group, Filter{}, false); err != nil || again != 0 {
		t.Fatalf("a second re-drive must start after the first: %d, %v", again, err)
	}
	if all, err := Redrive(ctx, cl, topics.DeadLetter, group, Filter{}, true); err != nil || all != len(reasons) {
		t.Fatalf("re-drive from the start: %d, %v", all, err)
	}
}

func readAll(t *testing.T, cl *kgo.Client, topic string, want int) []*kgo.Record {
	t.Helper()
	reader, err := kgo.NewClient(kgo.SeedBrokers(cl.OptValue(kgo.SeedBrokers).([]string)...),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < want {
		f := reader.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s has %d records, want %d", topic, len(out), want)
		}
		out = append(out, f.Records()...)
	}
	if len(out) != want {
		t.Fatalf("%s has %d records, want %d", topic, len(out), want)
	}
	return out
}
