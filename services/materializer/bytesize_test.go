package main

import "testing"

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{
		"0": 0, "2097152": 2 << 20, "512KiB": 512 << 10, "2MiB": 2 << 20, "1GiB": 1 << 30, "10B": 10, " 3 MiB": 3 << 20,
	} {
		var got ByteSize
		if err := got.EnvDecode(in); err != nil || got != want {
			t.Errorf("%q: got %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1MiB", "2MB", "1.5GiB", "9999999999GiB"} {
		var got ByteSize
		if err := got.EnvDecode(in); err == nil {
			t.Errorf("%q: want an error, got %d", in, got)
		}
	}
	for s, want := range map[ByteSize]string{0: "0B", 200 << 20: "200MiB", 1536: "1536B", 1 << 30: "1GiB"} {
		if got := s.String(); got != want {
			t.Errorf("%d: got %s, want %s", s, got, want)
		}
	}
}
