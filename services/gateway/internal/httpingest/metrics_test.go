package httpingest

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

func TestMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	s := newServer(t, &fakePublisher{}, func(d *Deps) { d.MeterProvider = mp })
	post(s, "/v1/events/batch", crmToken, batchJSON(t, access(1), access(2)))
	billing := lineagetest.Transfer(lineagetest.UUID(9), lineagetest.Subject(9), lineagetest.Base)
	post(s, "/v1/events", crmToken, mustJSON(t, eventJSON(billing)))
	link := linkJSON(msisdnLink(t, 1, time.Time{}), clearMSISDN)
	post(s, "/v1/identity-links", crmToken, linksJSON(t, link, link))
	post(s, "/v1/identity-links", cdrToken, linksJSON(t, link))

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	events := map[string]int64{}
	links := map[string]int64{}
	requests := map[string]int64{}
	var inFlight bool
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch m.Name {
			case "lineage.gateway.events":
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					src, _ := dp.Attributes.Value(attribute.Key("lineage.source_system"))
					out, _ := dp.Attributes.Value(attribute.Key("outcome"))
					events[src.AsString()+" "+out.AsString()] += dp.Value
				}
			case "lineage.gateway.links":
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					src, _ := dp.Attributes.Value(attribute.Key("lineage.source_system"))
					out, _ := dp.Attributes.Value(attribute.Key("outcome"))
					links[src.AsString()+" "+out.AsString()] += dp.Value
				}
			case "http.server.requests":
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					route, _ := dp.Attributes.Value(attribute.Key("http.route"))
					status, _ := dp.Attributes.Value(attribute.Key("http.response.status_code"))
					requests[route.AsString()+" "+status.Emit()] += dp.Value
				}
			case "lineage.gateway.in_flight":
				inFlight = true
			}
		}
	}
	if events["crm published"] != 2 || events["crm rejected"] != 1 {
		t.Errorf("events %v, want 2 published and 1 rejected", events)
	}
	if links["crm published"] != 2 || links["cdr_mediation rejected"] != 1 || len(links) != 2 {
		t.Errorf("links %v, want 2 published by crm and 1 rejected", links)
	}
	if requests["/v1/events/batch 200"] != 1 || requests["/v1/events 403"] != 1 ||
		requests["/v1/identity-links 200"] != 1 || requests["/v1/identity-links 403"] != 1 {
		t.Errorf("requests %v", requests)
	}
	if !inFlight {
		t.Error("no in-flight gauge")
	}
}
