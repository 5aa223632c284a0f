// Package deadletter defines the records of the dead-letter topic: the
// original key, value and headers of a record that could not be stored, plus
// headers that say why and where it came from, so that it can be inspected
// and re-driven after a fix.
package deadletter

import (
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Header keys added to a dead-lettered record.
const (
	HeaderReason    = "lineage.dlq.reason"    // stable reason code, e.g. malformed_avro, invalid_event
	HeaderError     = "lineage.dlq.error"     // human-readable error; never carries personal data
	HeaderTopic     = "lineage.dlq.topic"     // origin topic
	HeaderPartition = "lineage.dlq.partition" // origin partition
	HeaderOffset    = "lineage.dlq.offset"    // origin offset
	HeaderGroup     = "lineage.dlq.group"     // consumer group that gave up on it
	HeaderFailedAt  = "lineage.dlq.failed_at" // RFC 3339 time of the decision
)

// ReasonInvalid is the reason of an event that decoded but broke a
// validation rule (the error names the field and the rule).
const ReasonInvalid = "invalid_event"

// Info is what a dead-letter record says about its origin and its failure.
type Info struct {
	Reason    string
	Error     string
	Topic     string
	Partition int32
	Offset    int64
	Group     string
	FailedAt  time.Time
}

// Record builds the dead-letter record of orig: same key, value and headers,
// plus the dead-letter headers. topic is the dead-letter topic.
func Record(topic string, orig *kgo.Record, info Info) *kgo.Record {
	headers := make([]kgo.RecordHeader, 0, len(orig.Headers)+7)
	headers = append(headers, orig.Headers...)
	headers = append(headers,
		kgo.RecordHeader{Key: HeaderReason, Value: []byte(info.Reason)},
		kgo.RecordHeader{Key: HeaderError, Value: []byte(info.Error)},
		kgo.RecordHeader{Key: HeaderTopic, Value: []byte(orig.Topic)},
		kgo.RecordHeader{Key: HeaderPartition, Value: strconv.AppendInt(nil, int64(orig.Partition), 10)},
		kgo.RecordHeader{Key: HeaderOffset, Value: strconv.AppendInt(nil, orig.Offset, 10)},
		kgo.RecordHeader{Key: HeaderGroup, Value: []byte(info.Group)},
		kgo.RecordHeader{Key: HeaderFailedAt, Value: []byte(info.FailedAt.UTC().Format(time.RFC3339Nano))},
	)
	return &kgo.Record{Topic: topic, Key: orig.Key, Value: orig.Value, Headers: headers}
}

// Parse reads the dead-letter headers of r.
func Parse(r *kgo.Record) (Info, error) {
	var info Info
	var err error
	seen := 0
	for _, h := range r.Headers {
		v := string(h.Value)
		switch h.Key {
		case HeaderReason:
			info.Reason = v
		case HeaderError:
			info.Error = v
		case HeaderTopic:
			info.Topic = v
		case HeaderPartition:
			var p int64
			p, err = strconv.ParseInt(v, 10, 32)
			info.Partition = int32(p)
		case HeaderOffset:
			info.Offset, err = strconv.ParseInt(v, 10, 64)
		case HeaderGroup:
			info.Group = v
		case HeaderFailedAt:
			info.FailedAt, err = time.Parse(time.RFC3339Nano, v)
		default:
			continue
		}
		if err != nil {
			return Info{}, fmt.Errorf("dead-letter header %s: %w", h.Key, err)
		}
		seen++
	}
	if info.Reason == "" || info.Topic == "" || seen < 7 {
		return Info{}, fmt.Errorf("record at %s/%d@%d is not a dead-letter record", r.Topic, r.Partition, r.Offset)
	}
	return info, nil
}

// Original returns the record as it was before it was dead-lettered, for a
// re-drive to topic: the dead-letter headers are dropped.
func Original(r *kgo.Record, topic string) *kgo.Record {
	headers := make([]kgo.RecordHeader, 0, len(r.Headers))
	for _, h := range r.Headers {
		switch h.Key {
		case HeaderReason, HeaderError, HeaderTopic, HeaderPartition, HeaderOffset, HeaderGroup, HeaderFailedAt:
		default:
			headers = append(headers, h)
		}
	}
	return &kgo.Record{Topic: topic, Key: r.Key, Value: r.Value, Headers: headers}
}
