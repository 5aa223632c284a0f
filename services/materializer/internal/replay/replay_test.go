package replay

import (
	"context"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestWholeLog: a log whose every partition starts at offset 0 may be
// replayed; once records were deleted from its start, it may not.
func TestWholeLog(t *testing.T) {
	ctx := context.Background()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "events"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("events"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range 10 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Partition: int32(i % 2), Value: []byte("x")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	adm := kadm.NewClient(cl)
	if err := wholeLog(ctx, adm, "events"); err != nil {
		t.Fatalf("a whole log: %v", err)
	}
	to := kadm.Offsets{}
	to.Add(kadm.Offset{Topic: "events", Partition: 1, At: 3})
	if _, err := adm.DeleteRecords(ctx, to); err != nil {
		t.Fatal(err)
	}
	err = wholeLog(ctx, adm, "events")
	if !errors.Is(err, ErrLogTruncated) {
		t.Fatalf("a log whose start was deleted: %v, want ErrLogTruncated", err)
	}
	t.Log(err)
}
