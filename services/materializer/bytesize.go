package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ByteSize is a number of bytes, given in the environment as an integer
// with an optional binary unit: "2097152", "512KiB", "2MiB", "1GiB".
type ByteSize int64

var byteUnits = []struct {
	suffix string
	size   int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// EnvDecode implements envconfig.Decoder.
func (s *ByteSize) EnvDecode(v string) error {
	num, size := v, int64(1)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			num, size = n, u.size
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/size {
		return fmt.Errorf("want a size such as 200MiB, got %q", v)
	}
	*s = ByteSize(n * size)
	return nil
}

// String prints the size in the largest unit that divides it.
func (s ByteSize) String() string {
	for _, u := range byteUnits {
		if s != 0 && int64(s)%u.size == 0 {
			return strconv.FormatInt(int64(s)/u.size, 10) + u.suffix
		}
	}
	return "0B"
}
