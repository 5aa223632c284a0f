package report

import (
	"bytes"
	"testing"
)

// The benchmarks measure a customer with 10,000 events. The whole JSON
// report request has 200 ms; Build and WriteJSON must take a small part of
// it. The PDF's time and size are reported.
const benchEvents = 10_000

func benchReport(b *testing.B) *Report {
	b.Helper()
	return build(b, bigFixture(benchEvents), fixtureOptions("lv"))
}

func BenchmarkBuild(b *testing.B) {
	events := bigFixture(benchEvents)
	opt := fixtureOptions("lv")
	b.ResetTimer()
	for b.Loop() {
		if _, err := Build(events, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkRender(b *testing.B, f Format) {
	r := benchReport(b)
	var buf bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, r, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1e6, "MB")
}

func BenchmarkRenderJSON(b *testing.B) { benchmarkRender(b, FormatJSON) }
func BenchmarkRenderCSV(b *testing.B)  { benchmarkRender(b, FormatCSV) }
func BenchmarkRenderHTML(b *testing.B) { benchmarkRender(b, FormatHTML) }
func BenchmarkRenderPDF(b *testing.B)  { benchmarkRender(b, FormatPDF) }
