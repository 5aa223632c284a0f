// Package sinktest drives a small-topic sink (package sink) on a real
// Kafka-protocol broker (kfake over TCP) for the tests of the sinks:
// produce records, run the sink until its group has committed all of
// them, and read what it dead-lettered.
package sinktest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/topics"
)

// Sink is the loop of package sink, whatever its records.
type Sink interface {
	Options() []kgo.Opt
	Run(ctx context.Context, cl *kgo.Client) error
}

// Run produces records to topic on a fresh broker, runs sink under group
// until the group has committed every record, stops it, and returns the
// dead letters it wrote: reason → error text, each checked to name topic
// and group.
func Run(t *testing.T, topic, group string, records []*kgo.Record, sink Sink) map[string]string {
	t.Helper()
	ctx := t.Context()
	kafka, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, topic, topics.DeadLetter))
	if err != nil {
		t.Fatal(err)
	}
	defer kafka.Close()
	brokers := kafka.ListenAddrs()
	raw, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.ProduceSync(ctx, records...).FirstErr(); err != nil {
		t.Fatal(err)
	}

	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic)}, sink.Options()...)...)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sink.Run(runCtx, cl) }()
	adm := kadm.NewClient(raw)
	deadline := time.Now().Add(15 * time.Second)
	for {
		lag, err := topics.Lag(ctx, adm, group, topic)
		if err == nil && lag == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sink did not commit all %d records: lag %d, %v", len(records), lag, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	cl.Close()

	// The dead letters: as many as the topic has, read to its end.
	ends, err := adm.ListEndOffsets(ctx, topics.DeadLetter)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	ends.Each(func(o kadm.ListedOffset) { want += o.Offset })
	dlq, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.DeadLetter),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer dlq.Close()
	errs := map[string]string{}
	pollCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for read := int64(0); read < want; {
		f := dlq.PollFetches(pollCtx)
		if pollCtx.Err() != nil {
			t.Fatalf("dead letters: read %d of %d: %v", read, want, errs)
		}
		f.EachRecord(func(r *kgo.Record) {
			read++
			info, err := deadletter.Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			if info.Topic != topic || info.Group != group {
				t.Errorf("dead letter from %s, group %s", info.Topic, info.Group)
			}
			errs[info.Reason] = info.Error
		})
	}
	return errs
}
