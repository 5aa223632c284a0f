package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/wire"
)

// TestConfluentFramingThroughRegistryClient decodes Confluent-framed records
// with the franz-go registry client talking HTTP to a server that answers
// the Schema Registry's GET /schemas/ids/{id} as the real one does.
func TestConfluentFramingThroughRegistryClient(t *testing.T) {
	plain, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		switch r.URL.Path {
		case "/schemas/ids/42":
			_ = json.NewEncoder(w).Encode(map[string]any{"schema": plain.Schema()})
		default:
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]any{"error_code": 40403, "message": "Schema not found"})
		}
	}))
	defer srv.Close()
	reg, err := newRegistry(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := wire.New(wire.WithRegistry(reg))
	if err != nil {
		t.Fatal(err)
	}
	want := lineagetest.Transfer(lineagetest.UUID(42), "C00000042", lineagetest.Base)
	soe, err := plain.Append(nil, &want)
	if err != nil {
		t.Fatal(err)
	}
	frame := func(id uint32) []byte { return append(binary.BigEndian.AppendUint32([]byte{0}, id), soe[10:]...) }

	var got lineage.Event
	if err := codec.Decode(context.Background(), frame(42), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Recipient == nil || got.Recipient.ID != want.Recipient.ID {
		t.Fatalf("decoded %+v", got)
	}
	var pe *wire.PoisonError
	if err := codec.Decode(context.Background(), frame(7), &got); !errors.As(err, &pe) || pe.Reason != wire.ReasonUnknownSchema {
		t.Fatalf("an id the registry does not know is poison (%s), got %v", wire.ReasonUnknownSchema, err)
	}
	srv.Close()
	if err := codec.Decode(context.Background(), frame(8), &got); err == nil || errors.As(err, &pe) {
		t.Fatalf("a registry that does not answer is transient, not poison: %v", err)
	}
}
