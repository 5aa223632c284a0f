// Package dlq is the dead-letter topic. Check and Letter are what every
// loop of the materializer sends there and how: the one policy for a
// record that cannot be decoded or validated.
//
// List and Redrive list and re-drive the topic: after a fix (a new
// taxonomy code deployed, a schema version published, a producer bug
// corrected), an operator sends the dead letters back to the events topic,
// where the materializer tries them again. A record that still fails is
// dead-lettered again, with a new reason and time.
//
// Re-driving is safe to repeat: a re-driven event that had been stored meanwhile
// keeps its id and is counted once. A consumer group remembers how far the
// dead-letter topic has been re-driven, so each dead letter is re-driven once
// unless the operator asks to start over.
package dlq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
)

// Entry is one dead letter as List prints it. The key and value are personal
// data (the subject id, the event) and are not printed; ValueSHA256 tells
// identical values apart.
type Entry struct {
	Partition   int32     `json:"dlq_partition"`
	Offset      int64     `json:"dlq_offset"`
	Reason      string    `json:"reason"`
	Error       string    `json:"error"`
	Topic       string    `json:"origin_topic"`
	OrigPart    int32     `json:"origin_partition"`
	OrigOffset  int64     `json:"origin_offset"`
	Group       string    `json:"group"`
	FailedAt    time.Time `json:"failed_at"`
	ValueBytes  int       `json:"value_bytes"`
	ValueSHA256 string    `json:"value_sha256"`
}

// Filter selects dead letters. The zero Filter selects all.
type Filter struct {
	Reason string // only this reason, if set
}

func (f Filter) match(info deadletter.Info) bool { return f.Reason == "" || f.Reason == info.Reason }

// List writes one JSON line per dead letter of topic that f selects, from
// the start of the topic to its end when List began.
func List(ctx context.Context, cl *kgo.Client, topic string, f Filter, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	n := 0
	err := scan(ctx, cl, topic, nil, func(r *kgo.Record, info deadletter.Info) error {
		if !f.match(info) {
			return nil
		}
		sum := sha256.Sum256(r.Value)
		n++
		return enc.Encode(Entry{
			Partition: r.Partition, Offset: r.Offset, Reason: info.Reason, Error: info.Error,
			Topic: info.Topic, OrigPart: info.Partition, OrigOffset: info.Offset, Group: info.Group,
			FailedAt: info.FailedAt, ValueBytes: len(r.Value), ValueSHA256: hex.EncodeToString(sum[:8]),
		})
	})
	return n, err
}

// Redrive produces the dead letters of topic that f selects back to their
// origin topic, as they were first produced (same key, value and headers),
// each origin record once, and waits for the broker's acknowledgement. group records how far the
// dead-letter topic was re-driven: the next Redrive starts after it, unless
// fromStart. It returns how many records were re-driven.
func Redrive(ctx context.Context, cl *kgo.Client, topic, group string, f Filter, fromStart bool) (int, error) {
	adm := kadm.NewClient(cl)
	var from kadm.OffsetResponses
	if !fromStart {
		var err error
		// A group that never re-drove anything has no position yet.
		if from, err = adm.FetchOffsets(ctx, group); err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
			return 0, fmt.Errorf("fetch re-drive position of group %s: %w", group, err)
		}
	}
	// Records go out in chunks, so a large dead-letter topic needs no more
	// memory than one chunk.
	const chunk = 1000
	var (
		n       int
		pending []*kgo.Record
	)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := cl.ProduceSync(ctx, pending...).FirstErr(); err != nil {
			return fmt.Errorf("re-drive to origin topic: %w", err)
		}
		n += len(pending)
		pending = pending[:0]
		return nil
	}
	// A record read twice by the materializers (after a crash before their
	// commit) is dead-lettered twice; it goes back once.
	seen := map[origin]bool{}
	next := kadm.Offsets{}
	err := scan(ctx, cl, topic, from, func(r *kgo.Record, info deadletter.Info) error {
		next.AddOffset(r.Topic, r.Partition, r.Offset+1, -1)
		o := origin{info.Topic, info.Partition, info.Offset}
		if !f.match(info) || seen[o] {
			return nil
		}
		seen[o] = true
		pending = append(pending, deadletter.Original(r, info.Topic))
		if len(pending) < chunk {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return n, err
	}
	if len(next) > 0 {
		resp, err := adm.CommitOffsets(ctx, group, next)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return n, fmt.Errorf("re-driven %d records but could not record the position (a repeat re-drives them again, which is harmless): %w", n, err)
		}
	}
	return n, nil
}

// origin is where a dead letter was first read.
type origin struct {
	topic     string
	partition int32
	offset    int64
}

// scan reads topic from the given offsets (or its start) to its end offsets
// as they were when scan began, calling fn for each dead letter.
func scan(ctx context.Context, cl *kgo.Client, topic string, from kadm.OffsetResponses, fn func(*kgo.Record, deadletter.Info) error) error {
	adm := kadm.NewClient(cl)
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return fmt.Errorf("list end offsets of %s: %w", topic, err)
	}
	starts := map[string]map[int32]kgo.Offset{topic: {}}
	remaining := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		start := int64(0)
		if c, ok := from.Lookup(topic, o.Partition); ok && c.At > 0 {
			start = c.At
		}
		if o.Offset > start {
			starts[topic][o.Partition] = kgo.NewOffset().At(start)
			remaining[o.Partition] = o.Offset
		}
	})
	if len(remaining) == 0 {
		return nil
	}
	cl.AddConsumePartitions(starts)
	defer cl.RemoveConsumePartitions(map[string][]int32{topic: keys(remaining)})
	for len(remaining) > 0 {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		var ferr error
		fetches.EachError(func(t string, p int32, err error) {
			ferr = errors.Join(ferr, fmt.Errorf("fetch %s/%d: %w", t, p, err))
		})
		if ferr != nil {
			return ferr
		}
		for _, r := range fetches.Records() {
			end, ok := remaining[r.Partition]
			if !ok || r.Offset >= end {
				continue
			}
			info, err := deadletter.Parse(r)
			if err != nil {
				return err
			}
			if err := fn(r, info); err != nil {
				return err
			}
			if r.Offset+1 >= end {
				delete(remaining, r.Partition)
			}
		}
	}
	return nil
}

func keys(m map[int32]int64) []int32 {
	out := make([]int32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
