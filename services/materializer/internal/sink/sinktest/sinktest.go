// Package sinktest drives a loop of the materializer (a small-topic sink
// of package sink, or the events engine behind an adapter) on a real
// Kafka-protocol broker (kfake over TCP) for their tests: produce records,
// run the loop until its group has committed all of them, and read what it
// dead-lettered.
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
	errs := map[string]string{}
	for _, r := range Drive(t, topic, group, records, sink) {
		info, err := deadletter.Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		errs[info.Reason] = info.Error
	}
	return errs
}

// Drive is Run returning the dead-letter records themselves, in the order
// of the dead-letter topic's partitions.
func Drive(t *testing.T, topic, group string, records []*kgo.Record, sink Sink) []*kgo.Record {
	t.Helper()
	h := New(t, topic, group, records)
	run := h.Start(sink)
	h.WaitCommitted(15 * time.Second)
	if err := run.Stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	return h.DeadLetters()
}

// Harness is a fresh broker holding topic, with records produced to it,
// and the dead-letter topic.
type Harness struct {
	t            *testing.T
	Brokers      []string
	topic, group string
	raw          *kgo.Client
	adm          *kadm.Client
}

// New starts a broker, closed at the end of the test, with topic and the
// dead-letter topic of two partitions each, and produces records to topic.
func New(t *testing.T, topic, group string, records []*kgo.Record) *Harness {
	t.Helper()
	kafka, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, topic, topics.DeadLetter))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kafka.Close)
	brokers := kafka.ListenAddrs()
	raw, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(raw.Close)
	if err := raw.ProduceSync(t.Context(), records...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	return &Harness{t: t, Brokers: brokers, topic: topic, group: group, raw: raw, adm: kadm.NewClient(raw)}
}

// Running is a loop started by Start.
type Running struct {
	stop context.CancelFunc
	done chan error
}

// Start runs sink on a client of its own, consuming the harness's topic.
func (h *Harness) Start(sink Sink) *Running {
	h.t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(h.Brokers...), kgo.ConsumeTopics(h.topic)}, sink.Options()...)...)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, stop := context.WithCancel(h.t.Context())
	x := &Running{stop: stop, done: make(chan error, 1)}
	go func() {
		err := sink.Run(ctx, cl)
		cl.Close()
		x.done <- err
	}()
	return x
}

// Stop stops the loop and returns what its Run returned.
func (x *Running) Stop() error {
	x.stop()
	return <-x.done
}

// Wait returns what the loop's Run returned by itself within d, or fails
// the test.
func (x *Running) Wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case err := <-x.done:
		x.stop()
		return err
	case <-time.After(d):
		t.Fatalf("the loop did not stop within %v", d)
		return nil
	}
}

// WaitCommitted waits until the group has committed every record of the
// topic, or fails the test after d.
func (h *Harness) WaitCommitted(d time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(d)
	for {
		lag, err := topics.Lag(h.t.Context(), h.adm, h.group, h.topic)
		if err == nil && lag == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("the group did not commit every record: lag %d, %v", lag, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Committed returns the group's committed offsets of the topic's
// partitions (none for a partition never committed).
func (h *Harness) Committed() map[int32]int64 {
	h.t.Helper()
	resp, err := h.adm.FetchOffsets(h.t.Context(), h.group)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[int32]int64{}
	resp.Each(func(o kadm.OffsetResponse) {
		if o.Topic == h.topic && o.At >= 0 {
			out[o.Partition] = o.At
		}
	})
	return out
}

// DeadLetters reads the dead-letter topic to its end, checking that each
// record is a dead letter from the topic and the group.
func (h *Harness) DeadLetters() []*kgo.Record {
	t := h.t
	t.Helper()
	ends, err := h.adm.ListEndOffsets(t.Context(), topics.DeadLetter)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	ends.Each(func(o kadm.ListedOffset) { want += o.Offset })
	dlq, err := kgo.NewClient(kgo.SeedBrokers(h.Brokers...), kgo.ConsumeTopics(topics.DeadLetter),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer dlq.Close()
	var out []*kgo.Record
	pollCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for int64(len(out)) < want {
		f := dlq.PollFetches(pollCtx)
		if pollCtx.Err() != nil {
			t.Fatalf("dead letters: read %d of %d", len(out), want)
		}
		f.EachRecord(func(r *kgo.Record) {
			info, err := deadletter.Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			if info.Topic != h.topic || info.Group != h.group {
				t.Errorf("dead letter from %s, group %s", info.Topic, info.Group)
			}
			out = append(out, r)
		})
	}
	return out
}
