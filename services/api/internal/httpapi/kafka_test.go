package httpapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/api/internal/kafkaaudit"
)

// kafka is an in-process cluster (real Kafka protocol over TCP) with the
// audit topic, a real auditor producing to it, and a consumer reading it.
type kafka struct {
	cluster  *kfake.Cluster
	auditor  *kafkaaudit.Auditor
	consumer *kgo.Client
}

func startKafka(t testing.TB, auditTimeout time.Duration) *kafka {
	t.Helper()
	c, err := kfake.NewCluster(kfake.SeedTopics(1, topics.Audit, topics.Events))
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	a, err := kafkaaudit.New(kafkaaudit.Config{Brokers: c.ListenAddrs(), Timeout: auditTimeout})
	if err != nil {
		t.Fatalf("new auditor: %v", err)
	}
	t.Cleanup(a.Close)
	cons, err := kgo.NewClient(
		kgo.SeedBrokers(c.ListenAddrs()...),
		kgo.ConsumeTopics(topics.Audit),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		t.Fatalf("new consumer: %v", err)
	}
	t.Cleanup(cons.Close)
	return &kafka{cluster: c, auditor: a, consumer: cons}
}

// auditMessage is one audit record as read back, with its key.
type auditMessage struct {
	Key    string
	Record audit.Record
	Raw    map[string]any
}

// readAudit reads audit records until it has want of them or wait passes
// without a new one, and returns what it read.
func (k *kafka) readAudit(t *testing.T, want int, wait time.Duration) []auditMessage {
	t.Helper()
	var out []auditMessage
	for len(out) < want || want == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		fetches := k.consumer.PollFetches(ctx)
		cancel()
		if ctx.Err() != nil && fetches.NumRecords() == 0 {
			break
		}
		fetches.EachError(func(topic string, p int32, err error) {
			if ctx.Err() == nil {
				t.Fatalf("consume %s/%d: %v", topic, p, err)
			}
		})
		fetches.EachRecord(func(r *kgo.Record) {
			m := auditMessage{Key: string(r.Key)}
			if err := json.Unmarshal(r.Value, &m.Record); err != nil {
				t.Fatalf("decode audit record: %v", err)
			}
			if err := json.Unmarshal(r.Value, &m.Raw); err != nil {
				t.Fatalf("decode audit record: %v", err)
			}
			out = append(out, m)
		})
	}
	return out
}
