package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/services/materializer/internal/dlq"
	"github.com/balticom/lineage/services/materializer/internal/replay"
)

// replayCommand rebuilds the ClickHouse projection from the Kafka log into a
// fresh table and swaps it in without downtime (see package replay).
func replayCommand(ctx context.Context, cfg Config, log *slog.Logger) error {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	codec, err := newCodec(cfg)
	if err != nil {
		return err
	}
	return replay.Run(ctx, replay.Config{
		LiveGroup: cfg.Group, Topic: cfg.Topic, Engine: engineConfig(cfg), Grace: cfg.ReplayGrace,
	}, store, codec.NewDecoder(), log, kafkaOptions(cfg)...)
}

// dlqCommand lists ("dlq list") or re-drives ("dlq redrive") the
// dead-letter topic; -reason selects one reason, and redrive -from-start
// forgets how far earlier re-drives went.
func dlqCommand(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "redrive") {
		return fmt.Errorf("want dlq list or dlq redrive, got %q", args)
	}
	flags := flag.NewFlagSet("dlq "+args[0], flag.ContinueOnError)
	reason := flags.String("reason", "", "only dead letters with this reason (e.g. invalid_event)")
	fromStart := flags.Bool("from-start", false, "redrive: start at the beginning of the dead-letter topic")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	cl, err := kgo.NewClient(kafkaOptions(cfg)...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	filter := dlq.Filter{Reason: *reason}
	if args[0] == "list" {
		n, err := dlq.List(ctx, cl, cfg.DeadLetterTopic, filter, out)
		if err == nil {
			fmt.Fprintf(out, "# %d dead letters in %s\n", n, cfg.DeadLetterTopic)
		}
		return err
	}
	n, err := dlq.Redrive(ctx, cl, cfg.DeadLetterTopic, cfg.Group+"-dlq-redrive", filter, *fromStart)
	fmt.Fprintf(out, "# re-driven %d dead letters from %s\n", n, cfg.DeadLetterTopic)
	return err
}
