package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpserve"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/services/chstore"
)

// serveHealth answers /healthz (the process runs) and /readyz (ClickHouse
// answers, the broker answers and knows the events topic, and the group is
// at most cfg.ReadyMaxLag records behind) on cfg.HealthAddr until ctx ends.
// /readyz names the failing check; the log says why.
func serveHealth(ctx context.Context, cfg Config, log *slog.Logger, store *chstore.Store, cl *kgo.Client) error {
	adm := kadm.NewClient(cl)
	checks := []httphealth.Check{
		{Name: "clickhouse", Func: store.Ping},
		{Name: "kafka", Func: func(ctx context.Context) error { return topics.Ping(ctx, cl, cfg.Topic) }},
		{Name: "lag", Func: func(ctx context.Context) error {
			lag, err := topics.Lag(ctx, adm, cfg.Group, cfg.Topic)
			if err != nil {
				return err
			}
			if lag > cfg.ReadyMaxLag {
				return fmt.Errorf("group %s is %d records behind, more than %d", cfg.Group, lag, cfg.ReadyMaxLag)
			}
			return nil
		}},
	}
	mux := http.NewServeMux()
	httphealth.Register(mux, log, 2*time.Second, checks)
	return httpserve.Run(ctx, httpserve.Config{
		Addr: cfg.HealthAddr, Handler: mux, Log: log.With("server", "health"),
		ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second, ShutdownTimeout: 5 * time.Second,
	})
}
