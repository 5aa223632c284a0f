package kafkapub

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

func TestNewRequiresBrokersAndBuffer(t *testing.T) {
	for _, cfg := range []Config{{MaxBuffered: 10}, {Brokers: []string{"127.0.0.1:1"}}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

func TestPingAndPublish(t *testing.T) {
	tests := []struct {
		name    string
		seed    []string
		wantErr string
	}{
		{name: "topic exists", seed: []string{topics.Events}},
		{name: "topic missing", seed: []string{topics.Audit}, wantErr: "kafka metadata of " + topics.Events},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, tt.seed...))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			p, err := New(Config{Brokers: c.ListenAddrs(), MaxBuffered: 100, DeliveryTimeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close(context.Background())
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = p.Ping(ctx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Ping = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Ping: %v", err)
			}
			e := lineagetest.Access(lineagetest.UUID(1), lineagetest.Subject(1), lineagetest.Base)
			if err := p.Publish(ctx, []lineage.Event{e}); err != nil {
				t.Fatalf("Publish: %v", err)
			}
			e.SubjectID = "personal code"
			err = p.Publish(ctx, []lineage.Event{e})
			var ee *producer.EventError
			if !errors.Is(err, lineage.ErrInvalid) || !errors.As(err, &ee) || ee.Index != 0 {
				t.Errorf("Publish of an invalid event = %v, want ErrInvalid with an EventError", err)
			}
		})
	}
}

func TestPublishLinks(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics.Events, topics.IdentityLinks))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := New(Config{Brokers: c.ListenAddrs(), MaxBuffered: 100, DeliveryTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	l := lineagetest.Link(lineagetest.Subject(1), lineagetest.Identifier(lineage.MSISDN, 1), lineagetest.Base, time.Time{})
	if err := p.PublishLinks(ctx, []lineage.IdentityLink{l}); err != nil {
		t.Fatalf("PublishLinks: %v", err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topics.IdentityLinks),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	codec, err := wire.NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	fetches := cl.PollRecords(ctx, 1)
	if errs := fetches.Errors(); len(errs) > 0 {
		t.Fatalf("consume: %v", errs[0].Err)
	}
	recs := fetches.Records()
	if len(recs) != 1 {
		t.Fatalf("read %d records, want 1", len(recs))
	}
	var got lineage.IdentityLink
	if err := codec.Decode(recs[0].Value, &got); err != nil {
		t.Fatal(err)
	}
	if string(recs[0].Key) != l.Identifier.Key() || got.Identifier != l.Identifier || got.SubjectID != l.SubjectID {
		t.Errorf("record %s: %+v, want %+v keyed by its identifier", recs[0].Key, got, l)
	}

	l.SubjectID = "personal code"
	if err := p.PublishLinks(ctx, []lineage.IdentityLink{l}); !errors.Is(err, lineage.ErrInvalid) {
		t.Errorf("PublishLinks of an invalid link = %v, want ErrInvalid", err)
	}
}
