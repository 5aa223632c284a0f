package materialize

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"

	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/dlq"
	"github.com/balticom/lineage/services/materializer/internal/retry"
)

// refusal is a row of a batch that ClickHouse rejected for its values.
type refusal struct {
	row int
	err error
}

// origin is where Kafka has a record.
type origin struct {
	topic     string
	partition int32
	offset    int64
}

// deadLetterRefused dead-letters the records of the rows ClickHouse
// rejected, and returns once the broker acknowledged them all. The batch
// no longer holds the records (they went back to the client's pool when
// decoded: keeping them would hold a fetch's memory per batch), so they
// are read again from Kafka, which keeps them, by their offsets. Reading
// and producing are retried until they succeed or ctx ends; an error the
// broker gives for a dead letter is returned, as the poller's are fatal.
func (m *Materializer) deadLetterRefused(ctx context.Context, b *batch) error {
	if len(b.refused) == 0 {
		return nil
	}
	reasons := make([]string, len(b.refused))
	details := make([]error, len(b.refused))
	want := make([]origin, len(b.refused))
	for i, ref := range b.refused {
		reason, detail := chstore.Rejection(ref.err)
		reasons[i], details[i] = reason, errors.New(detail)
		p, o := b.rows.Origin(ref.row)
		want[i] = origin{b.topics[ref.row], p, o}
		m.metrics.deadLettered(ctx, reason)
	}
	if m.cfg.DeadLetter == "" {
		return nil // a rebuild: the live fleet dead-lettered them
	}
	var found map[origin]*kgo.Record
	for attempt := 0; ; attempt++ {
		var err error
		if found, err = m.originals(ctx, want); err == nil {
			break
		}
		m.log.Warn("reading rejected records again failed, retrying", "records", len(want), "attempt", attempt, "err", err)
		if !retry.Sleep(ctx, retry.Backoff(attempt, m.cfg.RetryMin, m.cfg.RetryMax)) {
			return ctx.Err()
		}
	}
	letters := make([]*kgo.Record, len(want))
	for i, o := range want {
		m.log.Info("dead-lettering record", "topic", o.topic, "partition", o.partition, "offset", o.offset, "reason", reasons[i])
		letters[i] = dlq.Letter(m.cfg.DeadLetter, found[o], m.cfg.Group, reasons[i], details[i], m.cfg.Now())
	}
	return m.cl.ProduceSync(context.WithoutCancel(ctx), letters...).FirstErr()
}

// originals reads the records at want from Kafka, with a client of its own
// on the same brokers (the group's client cannot consume partitions
// directly).
func (m *Materializer) originals(ctx context.Context, want []origin) (map[origin]*kgo.Record, error) {
	lowest := map[string]map[int32]int64{}
	wanted := map[origin]bool{}
	for _, o := range want {
		wanted[o] = true
		parts := lowest[o.topic]
		if parts == nil {
			parts = map[int32]int64{}
			lowest[o.topic] = parts
		}
		if at, ok := parts[o.partition]; !ok || o.offset < at {
			parts[o.partition] = o.offset
		}
	}
	from := map[string]map[int32]kgo.Offset{}
	for t, parts := range lowest {
		from[t] = map[int32]kgo.Offset{}
		for p, at := range parts {
			from[t][p] = kgo.NewOffset().At(at)
		}
	}
	cl, err := kgo.NewClient(append(connection(m.cl), kgo.ConsumePartitions(from))...)
	if err != nil {
		return nil, fmt.Errorf("client to read rejected records again: %w", err)
	}
	defer cl.Close()
	found := make(map[origin]*kgo.Record, len(wanted))
	for len(found) < len(wanted) {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var ferr error
		fetches.EachError(func(t string, p int32, err error) {
			ferr = errors.Join(ferr, fmt.Errorf("fetch %s/%d: %w", t, p, err))
		})
		if ferr != nil {
			return nil, ferr
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if o := (origin{r.Topic, r.Partition, r.Offset}); wanted[o] {
				found[o] = r
			}
		})
	}
	return found, nil
}

// connection are the options cl connects to the brokers with.
func connection(cl *kgo.Client) []kgo.Opt {
	seeds, _ := cl.OptValue(kgo.SeedBrokers).([]string)
	opts := []kgo.Opt{kgo.SeedBrokers(seeds...)}
	if id, _ := cl.OptValue(kgo.ClientID).(string); id != "" {
		opts = append(opts, kgo.ClientID(id))
	}
	if d, _ := cl.OptValue(kgo.Dialer).(func(ctx context.Context, network, host string) (net.Conn, error)); d != nil {
		opts = append(opts, kgo.Dialer(d))
	}
	if c, _ := cl.OptValue(kgo.DialTLSConfig).(*tls.Config); c != nil {
		opts = append(opts, kgo.DialTLSConfig(c))
	}
	if ms, _ := cl.OptValue(kgo.SASL).([]sasl.Mechanism); len(ms) > 0 {
		opts = append(opts, kgo.SASL(ms...))
	}
	return opts
}
