// Command broker is the project's embedded default Kafka broker: a single
// kfake node that keeps its log in a data directory, so that a developer
// machine or CI runs the whole pipeline without a Kafka installation.
//
// It creates the project's topics (package topics) when it first starts on an
// empty data directory, and the ones missing from an older data directory on
// later starts. Topics are not created on first use: a producer that
// misspells a topic name gets UNKNOWN_TOPIC_OR_PARTITION instead of a new
// topic. (An explicit CreateTopics request, as kadm sends, still works.)
//
// Durability: a record is written to the data directory's files before it is
// acknowledged, and acknowledged records survived SIGKILL in every test, also
// when the kill came in the middle of a stream of produce requests. So do
// committed group offsets, which are appended to a log as they come. Without
// BROKER_SYNC_WRITES those writes sit in the page cache: they survive the
// process, not a power cut; SYNC_WRITES fsyncs every batch. A graceful stop
// (SIGTERM, SIGINT) also saves group members, open transactions and
// partition snapshots, so that the next start is quicker and consumer groups
// need not rejoin.
//
// Configuration is read from BROKER_* environment variables, see config.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sethvargo/go-envconfig"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/balticom/lineage/pkg/topics"
)

// config is the broker's whole configuration, read once in run.
type config struct {
	// Addr is the host:port the broker listens on and also the address it
	// advertises to clients, so it must be one that clients can dial: an
	// unspecified host (0.0.0.0, ::) is refused. Port 0 picks a free port,
	// which the "listening" log line reports.
	Addr string `env:"ADDR, default=127.0.0.1:9092"`
	// DataDir holds the topics, the records, group offsets and producer
	// state. A relative path is relative to the working directory.
	DataDir string `env:"DATA_DIR, default=.run/broker"`
	// Partitions is the partition count of topics the broker creates. Topics
	// that exist keep theirs. The default is topics.DefaultPartitions, set
	// before parsing; "overwrite" lets the variable replace it.
	Partitions int32 `env:"PARTITIONS, overwrite"`
	// SyncWrites fsyncs every produced batch before acknowledging it.
	SyncWrites bool `env:"SYNC_WRITES, default=false"`
	// LogLevel is debug, info, warn or error; it applies to kfake's own
	// lines too.
	LogLevel slog.Level `env:"LOG_LEVEL, default=info"`
	// ShutdownTimeout bounds the graceful stop, which saves the broker state.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT, default=30s"`
}

// loadConfig reads the BROKER_* variables from lookuper and checks them.
func loadConfig(ctx context.Context, lookuper envconfig.Lookuper) (config, error) {
	cfg := config{Partitions: topics.DefaultPartitions}
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target:   &cfg,
		Lookuper: envconfig.PrefixLookuper("BROKER_", lookuper),
	}); err != nil {
		return config{}, fmt.Errorf("read config: %w", err)
	}
	if err := cfg.validate(); err != nil {
		return config{}, err
	}
	return cfg, nil
}

func (c config) validate() error {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("BROKER_ADDR %q: %w", c.Addr, err)
	}
	// kfake advertises the address its listener is bound to; clients told to
	// connect to 0.0.0.0 would fail or, on Linux, reach only this machine.
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return fmt.Errorf("BROKER_ADDR %q: the host is advertised to clients and must be one they can dial, not a wildcard", c.Addr)
	}
	if c.Partitions < 1 {
		return fmt.Errorf("BROKER_PARTITIONS %d: want at least 1", c.Partitions)
	}
	if c.DataDir == "" {
		return errors.New("BROKER_DATA_DIR is empty: the broker keeps no state in memory only")
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, stop, envconfig.OsLookuper())
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "broker: %v\n", err)
		os.Exit(1)
	}
}

// run starts the broker and serves until ctx is done. stopSignals is called
// once shutdown begins, so that a second signal kills the process at once
// instead of waiting for the graceful stop.
func run(ctx context.Context, stopSignals func(), lookuper envconfig.Lookuper) error {
	cfg, err := loadConfig(ctx, lookuper)
	if err != nil {
		return err
	}
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("resolve BROKER_DATA_DIR: %w", err)
	}

	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	// No field of config is a secret; it is logged whole.
	log.Info("starting",
		slog.String("addr", cfg.Addr),
		slog.String("data_dir", dataDir),
		slog.Int("partitions", int(cfg.Partitions)),
		slog.Bool("sync_writes", cfg.SyncWrites),
		slog.String("log_level", cfg.LogLevel.String()),
		slog.String("shutdown_timeout", cfg.ShutdownTimeout.String()),
		slog.Any("topics", topics.All()),
	)

	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		// kfake binds 127.0.0.1 with whatever port it is given; this binds the
		// configured host:port instead.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, cfg.Addr)
		}),
		kfake.DataDir(dataDir),
		// Seeded topics are written to the data directory before the first
		// client connects, so they survive a SIGKILL even on the first run.
		// kfake ignores seeds when it loads an existing data directory;
		// ensureTopics covers that case.
		kfake.SeedTopics(cfg.Partitions, topics.All()...),
		kfake.DefaultNumPartitions(int(cfg.Partitions)),
		kfake.WithLogger(kfakeLogger{log: log.With(slog.String("component", "kfake"))}),
	}
	if cfg.SyncWrites {
		opts = append(opts, kfake.SyncWrites())
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		return fmt.Errorf("start kfake on %s with data in %s: %w", cfg.Addr, dataDir, err)
	}
	// Close is idempotent: this covers the error returns below, the graceful
	// path closes first.
	defer cluster.Close()

	if err := ensureTopics(log, cluster, cfg.Partitions); err != nil {
		return err
	}
	log.Info("listening", slog.String("addr", cluster.ListenAddrs()[0]))

	<-ctx.Done()
	stopSignals()
	log.Info("stopping: saving state", slog.String("data_dir", dataDir))
	return closeWithin(log, cluster, cfg.ShutdownTimeout)
}

// ensureTopics creates the project's topics that a data directory from an
// older release lacks, and warns about partition counts that differ from the
// configured one, which it leaves alone: changing them would move keys to
// other partitions.
func ensureTopics(log *slog.Logger, cluster *kfake.Cluster, partitions int32) error {
	for _, t := range topics.All() {
		if cluster.TopicInfo(t) == nil {
			if err := cluster.CreateTopic(t, partitions, nil); err != nil {
				return fmt.Errorf("create topic %s: %w", t, err)
			}
			log.Info("created topic missing from the data directory", slog.String("topic", t), slog.Int("partitions", int(partitions)))
			continue
		}
		if n := len(cluster.PartitionInfos(t)); n != int(partitions) {
			log.Warn("topic has a partition count other than BROKER_PARTITIONS; left as is",
				slog.String("topic", t), slog.Int("partitions", n), slog.Int("configured", int(partitions)))
		}
	}
	return nil
}

// closeWithin closes the cluster, which writes its state to the data
// directory, and gives up after timeout so that a stuck broker still exits.
func closeWithin(log *slog.Logger, cluster *kfake.Cluster, timeout time.Duration) error {
	done := make(chan struct{})
	go func() {
		cluster.Close()
		close(done)
	}()
	select {
	case <-done:
		log.Info("stopped")
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("close broker: state not saved within %s", timeout)
	}
}
