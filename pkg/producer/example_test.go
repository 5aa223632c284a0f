package producer_test

import (
	"context"
	"log"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/producer"
)

// A billing system records that it sent a customer's payment data to the
// operator's bank (policy §17.1).
func ExampleProducer_Publish() {
	ctx := context.Background()
	p, err := producer.New(producer.Config{Brokers: []string{"127.0.0.1:9092"}, ClientID: "billing"})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close(ctx)
	err = p.Publish(ctx, lineage.Event{
		ID: lineage.NewID(), Kind: lineage.Transfer, OccurredAt: time.Now(),
		SourceSystem:   "billing",
		Actor:          lineage.Actor{Type: lineage.ServiceAccount, ID: "svc-billing-payments"},
		SubjectID:      "C00012345",
		DataCategories: []string{"billing", "identification"},
		Purpose:        "service_provision", LegalBasis: "contract",
		Recipient: &lineage.Recipient{ID: "rcp-bank-swedbank", Name: "Swedbank AS", Category: "bank", Country: "LV"},
	})
	if err != nil {
		log.Fatal(err) // a validation error names the field and the rule
	}
}
