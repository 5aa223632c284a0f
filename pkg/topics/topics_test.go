package topics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestPing runs on clusters that would create a topic on request: a
// readiness probe must not create the topic it looks for, so a missing one
// stays missing.
func TestPing(t *testing.T) {
	tests := []struct {
		name    string
		seed    string
		closed  bool
		wantErr error
		wantAny bool
	}{
		{name: "topic exists", seed: Events},
		{name: "topic missing", seed: Audit, wantErr: kerr.UnknownTopicOrPartition},
		{name: "cluster down", seed: Events, closed: true, wantAny: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, tt.seed), kfake.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if tt.closed {
				c.Close()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			err = Ping(ctx, cl, Events)
			switch {
			case tt.wantAny && err == nil:
				t.Error("Ping: want an error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Ping: err = %v, want %v", err, tt.wantErr)
			case !tt.wantAny && tt.wantErr == nil && err != nil:
				t.Errorf("Ping: %v", err)
			}
		})
	}
}

// TestEnsureKeepsTheLog: the project's topics are created with the
// retention asked for (forever by default), so a broker whose default is
// seven days does not expire the source of truth; a topic that exists is
// left alone.
func TestEnsureKeepsTheLog(t *testing.T) {
	ctx := context.Background()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, Audit))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	if err := Ensure(ctx, adm, 3, -1); err != nil {
		t.Fatal(err)
	}
	if err := EnsureRetention(ctx, adm, 3, -1, 1000); err != nil {
		t.Fatalf("again, with another retention: %v", err)
	}
	configs, err := adm.DescribeTopicConfigs(ctx, All()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range configs {
		if rc.Name == Audit {
			continue // seeded before: left as it was
		}
		got := map[string]string{}
		for _, c := range rc.Configs {
			got[c.Key] = c.MaybeValue()
		}
		if got["retention.ms"] != "-1" || got["retention.bytes"] != "-1" {
			t.Errorf("topic %s: retention.ms %q, retention.bytes %q; want -1 and -1", rc.Name, got["retention.ms"], got["retention.bytes"])
		}
	}
}
