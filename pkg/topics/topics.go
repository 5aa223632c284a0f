// Package topics names the project's Kafka topics and creates them.
//
// Kafka is the source of truth of the lineage tracker: every projection
// (ClickHouse tables) can be rebuilt by replaying these topics.
package topics

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

const (
	// Events carries the Avro lineage events, keyed by subject id so that one
	// subject's events stay in one partition, in order.
	Events = "lineage.events.v1"
	// DeadLetter carries every event the materializer could not store, with
	// headers that say why and where it came from.
	DeadLetter = "lineage.events.dlq.v1"
	// Audit carries one record per lookup of a data subject by the query API.
	Audit = "lineage.audit.v1"

	// DefaultPartitions is the partition count of a new events topic: the
	// ceiling of the materializer fleet's size.
	DefaultPartitions = 12
)

// All returns every topic the project uses.
func All() []string { return []string{Events, DeadLetter, Audit} }

// Ensure creates the project's topics if they do not exist yet, each with the
// given number of partitions and replication factor (-1: the broker default).
// Topics that exist are left as they are, whatever their partition count.
func Ensure(ctx context.Context, adm *kadm.Client, partitions int32, replication int16) error {
	resp, err := adm.CreateTopics(ctx, partitions, replication, nil, All()...)
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
