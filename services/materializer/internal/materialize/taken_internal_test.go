package materialize

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestTaken(t *testing.T) {
	rec := func(offset int64, value string) *kgo.Record {
		return &kgo.Record{Topic: "events", Partition: 3, Offset: offset, Value: []byte(value)}
	}
	type step struct {
		r    *kgo.Record
		want bool // handed over again: skip
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"a rewind hands over the same records", []step{
			{rec(10, "a"), false}, {rec(11, "b"), false}, {rec(12, "c"), false},
			{rec(10, "a"), true}, {rec(11, "b"), true}, {rec(12, "c"), true}, {rec(13, "d"), false},
		}},
		{"another partition's offsets are its own", []step{
			{rec(10, "a"), false},
			{&kgo.Record{Topic: "events", Partition: 4, Offset: 10, Value: []byte("a")}, false},
			{&kgo.Record{Topic: "other", Partition: 3, Offset: 10, Value: []byte("a")}, false},
		}},
		{"a truncated log's new records are taken, and what followed is forgotten", []step{
			{rec(10, "a"), false}, {rec(11, "b"), false}, {rec(12, "c"), false},
			{rec(11, "x"), false}, {rec(12, "c"), false}, {rec(11, "x"), true},
		}},
		{"a gap between records", []step{
			{rec(10, "a"), false}, {rec(14, "e"), false}, {rec(10, "a"), true}, {rec(14, "e"), true},
		}},
		{"a record where there was a gap is another log", []step{
			{rec(10, "a"), false}, {rec(14, "e"), false}, {rec(12, "c"), false}, {rec(10, "a"), false},
		}},
		{"an offset before the window is stored again", []step{
			{rec(0, "a"), false}, {rec(takenWindow, "z"), false}, {rec(0, "a"), false},
		}},
		{"the window's oldest offset is remembered", []step{
			{rec(1, "a"), false}, {rec(takenWindow, "z"), false}, {rec(1, "a"), true},
		}},
		{"a jump past the window forgets", []step{
			{rec(1, "a"), false}, {rec(1+takenWindow, "z"), false}, {rec(1, "a"), false},
		}},
		{"a key is part of the record", []step{
			{&kgo.Record{Topic: "events", Offset: 5, Key: []byte("k1"), Value: []byte("v")}, false},
			{&kgo.Record{Topic: "events", Offset: 5, Key: []byte("k2"), Value: []byte("v")}, false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := newTaken()
			for i, s := range tc.steps {
				again, h := tk.again(s.r)
				if again != s.want {
					t.Fatalf("step %d (offset %d, %q): again = %v, want %v", i, s.r.Offset, s.r.Value, again, s.want)
				}
				if !again {
					tk.take(s.r, h)
				}
			}
		})
	}
}
