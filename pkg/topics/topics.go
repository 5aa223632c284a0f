// Package topics names the project's Kafka topics and creates them.
//
// Kafka is the source of truth of the lineage tracker: every projection
// (ClickHouse tables) can be rebuilt by replaying these topics.
package topics

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	// Events carries the Avro lineage events, keyed by subject id so that one
	// subject's events stay in one partition, in order.
	Events = "lineage.events.v1"
	// DeadLetter carries every event the materializer could not store, with
	// headers that say why and where it came from.
	DeadLetter = "lineage.events.dlq.v1"
	// IdentityLinks carries the Avro identity links (which customer held a
	// phone number, an IP address, a contract or a device, and when), keyed
	// by the identifier, so that the statements of one link stay in order.
	IdentityLinks = "lineage.identity.v1"
	// Audit carries one record per lookup of a data subject by the query API.
	Audit = "lineage.audit.v1"
	// Requests carries the Avro access request events (a request received,
	// the identity checked, the period extended, the request answered or
	// refused), keyed by request id, so that one request's events stay in
	// order. It is the request log of GDPR Art. 15 and Art. 12(3).
	Requests = "lineage.requests.v1"
	// Facts carries the Avro subject facts (consent given or withdrawn, an
	// opt-out, an erasure requested, told to a recipient and confirmed, an
	// authority's request that could not be met), keyed by subject id (by
	// the request's reference when no subject is known), so that one
	// subject's facts stay in order.
	Facts = "lineage.facts.v1"
	// Incidents carries the Avro incident events of personal-data breaches
	// (opened, counted, the authority notified, closed), keyed by incident
	// id. It is the DPO's breach record of GDPR Art. 33(5).
	Incidents = "lineage.incidents.v1"

	// DefaultPartitions is the partition count of a new events topic: the
	// ceiling of the materializer fleet's size.
	DefaultPartitions = 12
)

// All returns every topic the project uses.
func All() []string {
	return []string{Events, DeadLetter, IdentityLinks, Audit, Requests, Facts, Incidents}
}

// Forever is the retention.ms of a topic whose records never expire.
const Forever = -1

// Ensure creates the project's topics that do not exist yet, keeping their
// records forever: EnsureRetention with Forever.
func Ensure(ctx context.Context, adm *kadm.Client, partitions int32, replication int16) error {
	return EnsureRetention(ctx, adm, partitions, replication, Forever)
}

// EnsureRetention creates the project's topics if they do not exist yet,
// each with the given number of partitions and replication factor (-1: the
// broker default) and retention.ms (Forever: never delete). The topics are
// the source of truth: on a broker whose default is seven days, a topic
// created without the setting would lose the log a rebuild needs. Topics
// that exist are left as they are, whatever their partition count or
// retention: changing them is an operator's decision.
func EnsureRetention(ctx context.Context, adm *kadm.Client, partitions int32, replication int16, retentionMS int64) error {
	retention := strconv.FormatInt(retentionMS, 10)
	configs := map[string]*string{"retention.ms": &retention, "retention.bytes": kmsg.StringPtr("-1")}
	resp, err := adm.CreateTopics(ctx, partitions, replication, configs, All()...)
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	for _, t := range resp.Sorted() {
		if t.Err != nil && !errors.Is(t.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", t.Topic, t.Err)
		}
	}
	return nil
}

// Lag returns how many records of topic the consumer group has not yet
// committed, summed over partitions; a partition the group never committed
// counts from its start. Zero means the group has caught up.
func Lag(ctx context.Context, adm *kadm.Client, group, topic string) (int64, error) {
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("list end offsets of %s: %w", topic, err)
	}
	if err := ends.Error(); err != nil {
		return 0, fmt.Errorf("list end offsets of %s: %w", topic, err)
	}
	committed, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return 0, fmt.Errorf("fetch offsets of group %s: %w", group, err)
	}
	var lag int64
	ends.Each(func(o kadm.ListedOffset) {
		at := int64(0)
		if c, ok := committed.Lookup(o.Topic, o.Partition); ok && c.At > 0 {
			at = c.At
		}
		if o.Offset > at {
			lag += o.Offset - at
		}
	})
	return lag, nil
}

// Ping checks that a broker answers cl and knows topic, with at least one
// partition: the readiness check of a service that cannot work without
// that topic. It asks for the topic's metadata only and never creates it.
// A topic the brokers do not know is errors.Is kerr.UnknownTopicOrPartition.
func Ping(ctx context.Context, cl *kgo.Client, topic string) error {
	req := kmsg.NewPtrMetadataRequest()
	req.AllowAutoTopicCreation = false
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("request kafka metadata: %w", err)
	}
	for _, t := range resp.Topics {
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			return fmt.Errorf("kafka metadata of %s: %w", topic, err)
		}
		if len(t.Partitions) > 0 {
			return nil
		}
	}
	return fmt.Errorf("kafka metadata of %s: topic has no partitions", topic)
}
