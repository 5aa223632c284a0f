package wire

import (
	"errors"
	"fmt"

	"github.com/hamba/avro/v2"
)

// reader reads the Avro binary encoding from a byte slice. Every read
// accepts exactly the bytes hamba's Reader accepts (same varint widths, same
// limits), so that the hand-written decoder and the hamba path agree on
// every input; where they part is where hamba is wrong (see checkDatum).
// The first error sticks: later reads return zero values and read nothing,
// so a decoder checks err once at the end.
type reader struct {
	b   []byte // the bytes not read yet
	err error
}

var (
	errShort      = errors.New("datum cut short")
	errVarint     = errors.New("varint longer than its type allows")
	errBlockCount = errors.New("block count -2^63 has no item count")

	errTooManyItems = fmt.Errorf("array of more than %d items", maxSliceItems)
)

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

// long reads a zigzag varint of at most 10 bytes. Like hamba, it keeps the
// low 64 bits of an over-wide 10th byte rather than refusing it.
func (r *reader) long() int64 {
	var v uint64
	var shift uint
	for i, c := range r.b {
		if i == 10 {
			break
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			r.b = r.b[i+1:]
			return int64((v >> 1) ^ -(v & 1))
		}
		shift += 7
	}
	r.failVarint(10)
	return 0
}

// int reads a zigzag varint of at most 5 bytes into 32 bits, as hamba's
// ReadInt does for enum symbols and union branches.
func (r *reader) int() int32 {
	var v uint32
	var shift uint
	for i, c := range r.b {
		if i == 5 {
			break
		}
		v |= uint32(c&0x7f) << shift
		if c < 0x80 {
			r.b = r.b[i+1:]
			return int32((v >> 1) ^ -(v & 1))
		}
		shift += 7
	}
	r.failVarint(5)
	return 0
}

func (r *reader) failVarint(width int) {
	if len(r.b) >= width {
		r.fail(errVarint)
	} else {
		r.fail(errShort)
	}
}

// bytes reads a length-prefixed string or bytes value and returns it
// without copying. A length above maxStringBytes, or above what is left, is
// an error before anything is allocated.
func (r *reader) bytes() []byte {
	n := r.long()
	switch {
	case r.err != nil:
		return nil
	case n < 0:
		r.fail(fmt.Errorf("negative length %d", n))
		return nil
	case n > maxStringBytes:
		r.fail(fmt.Errorf("length %d exceeds %d", n, maxStringBytes))
		return nil
	case n > int64(len(r.b)):
		r.fail(errShort)
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// take reads n bytes of a fixed-size value.
func (r *reader) take(n int) {
	if n > len(r.b) {
		r.fail(errShort)
		return
	}
	r.b = r.b[n:]
}

// index reads an enum symbol or union branch number below n.
func (r *reader) index(n int) int {
	i := int(r.int())
	if r.err == nil && (i < 0 || i >= n) {
		r.fail(fmt.Errorf("index %d out of range [0,%d)", i, n))
		return 0
	}
	return i
}

// blockCount reads the header of an array or map block and returns its item
// count; 0 ends the array or map. A negative count is followed by the
// block's size in bytes, which is read and ignored, as hamba does. Each item
// takes at least minItemBytes, so a count that the bytes left cannot hold is
// an error before any item is read.
func (r *reader) blockCount(minItemBytes int) int {
	n := r.long()
	if n < 0 {
		r.long()
		if n = -n; n < 0 {
			r.fail(errBlockCount)
			return 0
		}
	}
	if minItemBytes > 0 && n > int64(len(r.b)/minItemBytes) {
		r.fail(errShort)
		return 0
	}
	return int(n)
}

// checkDatum walks one datum of writer schema s at the start of b, reading
// only what it needs to find the datum's end, and reports the data that
// hamba's Unmarshal mishandles, so that Codec.Decode never hands it over:
//
//   - a datum cut short: hamba reports running out of bytes at a number as
//     success, leaving every later field zero, so a truncated record would
//     be stored without its tail;
//   - an array or map block count of -2^63, or array block counts whose sum
//     wraps past 2^63: hamba takes either for a negative length, and for an
//     array then writes items outside the slice.
//
// It also enforces the decoder's array limit before reading items, whatever
// their type (an array of nulls takes no bytes). Bytes after the datum are
// left alone, as hamba leaves them.
func checkDatum(s avro.Schema, b []byte) error {
	r := reader{b: b}
	r.skip(s)
	return r.err
}

func (r *reader) skip(s avro.Schema) {
	if r.err != nil {
		return
	}
	switch s := s.(type) {
	case *avro.RecordSchema:
		for _, f := range s.Fields() {
			r.skip(f.Type())
		}
	case *avro.RefSchema:
		r.skip(s.Schema())
	case *avro.EnumSchema:
		r.int()
	case *avro.UnionSchema:
		types := s.Types()
		if i := r.index(len(types)); r.err == nil {
			r.skip(types[i])
		}
	case *avro.ArraySchema:
		for n, total := r.blockCount(0), 0; n > 0; n = r.blockCount(0) {
			if n > maxSliceItems-total {
				r.fail(errTooManyItems)
				return
			}
			total += n
			for range n {
				r.skip(s.Items())
			}
		}
	case *avro.MapSchema:
		for n := r.blockCount(1); n > 0; n = r.blockCount(1) {
			for range n {
				r.bytes()
				r.skip(s.Values())
			}
		}
	case *avro.FixedSchema:
		r.take(s.Size())
	case *avro.NullSchema:
	case *avro.PrimitiveSchema:
		switch s.Type() {
		case avro.Boolean:
			r.take(1)
		case avro.Int:
			r.int()
		case avro.Long:
			r.long()
		case avro.Float:
			r.take(4)
		case avro.Double:
			r.take(8)
		default: // string, bytes
			r.bytes()
		}
	default:
		r.fail(fmt.Errorf("schema type %s cannot be checked", s.Type()))
	}
}
