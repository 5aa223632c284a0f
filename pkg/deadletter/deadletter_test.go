package deadletter

import (
	"bytes"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestRoundTrip(t *testing.T) {
	orig := &kgo.Record{
		Topic: "lineage.events.v1", Partition: 7, Offset: 123456789,
		Key: []byte("C00000001"), Value: []byte{0xC3, 0x01, 9},
		Headers: []kgo.RecordHeader{{Key: "traceparent", Value: []byte("00-x")}},
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	want := Info{Reason: ReasonInvalid, Error: "subject_id: must be a customer id", Topic: orig.Topic,
		Partition: 7, Offset: 123456789, Group: "g", FailedAt: at}
	dl := Record("lineage.events.dlq.v1", orig, want)
	if dl.Topic != "lineage.events.dlq.v1" || !bytes.Equal(dl.Key, orig.Key) || !bytes.Equal(dl.Value, orig.Value) {
		t.Fatalf("dead-letter record must keep key and value: %+v", dl)
	}
	got, err := Parse(dl)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("parse: got %+v, want %+v", got, want)
	}
	back := Original(dl, orig.Topic)
	if len(back.Headers) != 1 || back.Headers[0].Key != "traceparent" || !bytes.Equal(back.Value, orig.Value) {
		t.Fatalf("re-driven record must have only the original headers: %+v", back.Headers)
	}
	if _, err := Parse(orig); err == nil {
		t.Fatal("a plain record is not a dead-letter record")
	}
}
