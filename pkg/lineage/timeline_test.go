package lineage_test

import (
	"slices"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

func TestTimeline(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	type ev struct {
		at, rec time.Duration
		id      string
	}
	stamp := func(e *ev) lineage.Stamp {
		return lineage.Stamp{At: t0.Add(e.at), RecordedAt: t0.Add(e.rec), ID: e.id}
	}
	ids := func(es []ev) []string {
		out := make([]string, len(es))
		for i, e := range es {
			out[i] = e.id
		}
		return out
	}
	tests := []struct {
		name string
		in   []ev
		want []string
	}{
		{name: "empty", in: nil, want: []string{}},
		{name: "by the time it happened", in: []ev{{at: 2, id: "b"}, {at: 1, id: "a"}}, want: []string{"a", "b"}},
		{name: "then by the time it was recorded", in: []ev{{at: 1, rec: 5, id: "a"}, {at: 1, rec: 3, id: "b"}}, want: []string{"b", "a"}},
		{name: "then by id", in: []ev{{at: 1, id: "b"}, {at: 1, id: "a"}}, want: []string{"a", "b"}},
		{name: "a copy counts once, the first in that order", in: []ev{{at: 3, id: "a"}, {at: 1, id: "b"}, {at: 2, id: "a"}},
			want: []string{"b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			got := lineage.Timeline(in, stamp)
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("Timeline = %v, want %v", ids(got), tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Errorf("Timeline changed its input: %v", in)
			}
		})
	}
	// The copy kept is the earliest: a retry recorded later never moves
	// the event.
	got := lineage.Timeline([]ev{{at: 3, id: "a"}, {at: 2, id: "a"}}, stamp)
	if len(got) != 1 || got[0].at != 2 {
		t.Errorf("kept %v, want the copy at 2", got)
	}
}
