package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/balticom/lineage/pkg/wire"
)

// registry adapts a Confluent Schema Registry client to wire.Registry.
type registry struct{ cl *sr.Client }

func newRegistry(url string) (registry, error) {
	cl, err := sr.NewClient(sr.URLs(url))
	if err != nil {
		return registry{}, fmt.Errorf("schema registry client: %w", err)
	}
	return registry{cl}, nil
}

func (r registry) SchemaByID(ctx context.Context, id int) (string, error) {
	s, err := r.cl.SchemaByID(ctx, id)
	var re *sr.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
		return "", fmt.Errorf("schema id %d: %w", id, wire.ErrSchemaNotFound)
	}
	if err != nil {
		return "", err
	}
	return s.Schema, nil
}
