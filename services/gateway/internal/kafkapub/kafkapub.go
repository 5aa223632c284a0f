// Package kafkapub is the gateway's Kafka side: it publishes events and
// identity links through the SDK (pkg/producer: validate, Avro, keyed by
// subject or identifier, acks=all) and tells whether Kafka answers.
//
// It configures the SDK for a server that answers callers: a record that
// cannot be delivered within the timeout fails instead of waiting for
// Kafka indefinitely, and the producer's buffer holds exactly the records
// that the gateway's requests in flight may hold, so it never blocks.
package kafkapub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
)

// Config of a Publisher. Brokers and MaxBuffered are required.
type Config struct {
	Brokers []string
	// Topic defaults to topics.Events.
	Topic string
	// LinkTopic defaults to topics.IdentityLinks.
	LinkTopic string
	// ClientID names the gateway in the brokers' logs.
	ClientID string
	// DeliveryTimeout bounds how long a record may wait for Kafka before
	// it fails (at least 1 s, kgo's minimum).
	DeliveryTimeout time.Duration
	// MaxBuffered is the most records held at once: the gateway's requests
	// in flight times their batch size (events and links alike).
	MaxBuffered int
}

// Publisher publishes events and links, and pings Kafka. It is safe for concurrent
// use; Close it once, after the last Publish.
type Publisher struct {
	prod  *producer.Producer
	admin *kgo.Client
	topic string
}

// New builds a Publisher. It does not connect: a broker that is down shows
// in Ping and in Publish. Extra kgo options (TLS, SASL) go in opts.
func New(cfg Config, opts ...kgo.Opt) (*Publisher, error) {
	if len(cfg.Brokers) == 0 || cfg.MaxBuffered <= 0 {
		return nil, errors.New("kafka publisher: Brokers and MaxBuffered are required")
	}
	if cfg.Topic == "" {
		cfg.Topic = topics.Events
	}
	prodOpts := append([]kgo.Opt{
		// A record given up on may still land; the caller then retries it
		// with the same event id, and every answer counts an id once.
		kgo.AllowIdempotentProduceCancellation(),
		kgo.RecordDeliveryTimeout(max(cfg.DeliveryTimeout, time.Second)),
	}, opts...)
	prod, err := producer.New(producer.Config{
		Brokers: cfg.Brokers, Topic: cfg.Topic, LinkTopic: cfg.LinkTopic, ClientID: cfg.ClientID, MaxBuffered: cfg.MaxBuffered,
	}, prodOpts...)
	if err != nil {
		return nil, fmt.Errorf("kafka publisher: %w", err)
	}
	adminOpts := append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...)}, opts...)
	if cfg.ClientID != "" {
		adminOpts = append(adminOpts, kgo.ClientID(cfg.ClientID))
	}
	admin, err := kgo.NewClient(adminOpts...)
	if err != nil {
		_ = prod.Close(context.Background())
		return nil, fmt.Errorf("kafka publisher: new metadata client: %w", err)
	}
	return &Publisher{prod: prod, admin: admin, topic: cfg.Topic}, nil
}

// Publish validates events and returns once Kafka acknowledged every one,
// or with the SDK's error: errors.Is lineage.ErrInvalid when one is invalid
// (nothing was sent), else a *producer.EventError for each event Kafka
// refused or that timed out (the others were delivered).
func (p *Publisher) Publish(ctx context.Context, events []lineage.Event) error {
	return p.prod.Publish(ctx, events...)
}

// PublishLinks validates identity links and returns once Kafka acknowledged
// every one, with the errors of Publish; a *producer.EventError's ID is then
// the link's identifier key ("msisdn:<hmac>"), and its Index the link's.
func (p *Publisher) PublishLinks(ctx context.Context, links []lineage.IdentityLink) error {
	return p.prod.PublishLinks(ctx, links...)
}

// Ping checks that a broker answers and knows the events topic: without it
// nothing can be published. It does not ask for the links topic: links are
// few and come from few sources, and a gateway that cannot take them
// should still take events (a link then fails with its request).
func (p *Publisher) Ping(ctx context.Context) error {
	return topics.Ping(ctx, p.admin, p.topic)
}

// Close flushes what is buffered (bounded by ctx) and closes both clients.
func (p *Publisher) Close(ctx context.Context) error {
	err := p.prod.Close(ctx)
	p.admin.Close()
	if err != nil {
		return fmt.Errorf("close kafka publisher: %w", err)
	}
	return nil
}
