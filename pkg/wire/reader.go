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

// blockHeader reads the header of an array or map block: its item count,
// 0 at the end of the array or map, and the block's size in bytes, which
// follows a negative count only (-1 when there is none).
func (r *reader) blockHeader() (n, size int64) {
	n, size = r.long(), -1
	if n < 0 {
		size = r.long()
		if n = -n; n < 0 {
			r.fail(errBlockCount)
		}
	}
	if r.err != nil {
		return 0, -1
	}
	return n, size
}

// blockCount reads the header of an array or map block and returns its item
// count; 0 ends the array or map. The byte size after a negative count is
// read and ignored, as hamba's decoders do. Each item takes at least
// minItemBytes, so a count that the bytes left cannot hold is an error
// before any item is read.
func (r *reader) blockCount(minItemBytes int) int {
	n, _ := r.blockHeader()
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
// their type (an array of nulls takes no bytes), and bounds the items of
// the whole datum (see checker.itemsLeft), so that its walk, and hamba's,
// take time linear in len(b). Bytes after the datum are left alone, as
// hamba leaves them.
//
// checkDatum is for data that hamba decodes with s itself; data that hamba
// reads through a schema resolved from s go through checkResolvedDatum.
func checkDatum(s avro.Schema, b []byte) error { return check(s, b, false) }

// checkResolvedDatum is checkDatum for a writer schema s that hamba reads
// through a schema resolved to a reader's. Hamba skips the fields that the
// reader lacks, and skips an array or map block that has a byte size by
// jumping over that many bytes, without reading its items: where the size
// is not the bytes the items take, hamba goes on reading from another
// place than the one checked, with nothing checked there (a block count of
// 2^62 that its skip then iterates, ignoring the end of the bytes: a
// decode that never returns). So every block must take exactly the bytes
// its header says. Data decoded with the writer's own schema are held to
// nothing of the kind: hamba ignores byte sizes there, and so does the
// Decoder, which must agree with the codec on them.
func checkResolvedDatum(s avro.Schema, b []byte) error { return check(s, b, true) }

func check(s avro.Schema, b []byte, exactSizes bool) error {
	c := checker{reader: reader{b: b}, itemsLeft: len(b) + maxSliceItems, exactSizes: exactSizes}
	c.skip(s)
	return c.err
}

// checker walks a datum for checkDatum.
type checker struct {
	reader

	// itemsLeft is how many more array items and map entries the datum may
	// claim, all its arrays and maps together: one per byte of the datum,
	// plus one full array of items that take no bytes (nulls, empty
	// records). An item that takes bytes pays for itself, so this never
	// refuses data of the published schemas; but without it, arrays of
	// arrays of empty records claim 1024 items for every 3 bytes, some 85
	// million in a record of MaxRecordBytes, each walked here and again by
	// hamba (in a field it skips, with no limit of its own): half a second.
	itemsLeft int

	// exactSizes holds every block that has a byte size to that size (see
	// checkResolvedDatum).
	exactSizes bool
}

var errDatumItems = fmt.Errorf("arrays and maps claim more items than the datum has bytes, beyond %d", maxSliceItems)

func (c *checker) skip(s avro.Schema) {
	if c.err != nil {
		return
	}
	switch s := s.(type) {
	case *avro.RecordSchema:
		for _, f := range s.Fields() {
			c.skip(f.Type())
		}
	case *avro.RefSchema:
		c.skip(s.Schema())
	case *avro.EnumSchema:
		c.int()
	case *avro.UnionSchema:
		types := s.Types()
		if i := c.index(len(types)); c.err == nil {
			c.skip(types[i])
		}
	case *avro.ArraySchema:
		c.array(s)
	case *avro.MapSchema:
		c.mapEntries(s)
	case *avro.FixedSchema:
		c.take(s.Size())
	case *avro.NullSchema:
	case *avro.PrimitiveSchema:
		c.primitive(s.Type())
	default:
		c.fail(fmt.Errorf("schema type %s cannot be checked", s.Type()))
	}
}

func (c *checker) array(s *avro.ArraySchema) {
	total := 0
	for {
		n, size := c.blockHeader()
		if n == 0 {
			return
		}
		if n > int64(maxSliceItems-total) {
			c.fail(errTooManyItems)
			return
		}
		total += int(n)
		c.block(int(n), size, s.Items(), false)
	}
}

func (c *checker) mapEntries(s *avro.MapSchema) {
	for {
		n, size := c.blockHeader()
		if n == 0 {
			return
		}
		if n > int64(len(c.b)) { // every key takes a byte at least
			c.fail(errShort)
			return
		}
		c.block(int(n), size, s.Values(), true)
	}
}

// block walks the n items of an array block, or the n entries of a map
// block (keyed), whose items are of schema s, after charging them to the
// datum's itemsLeft; then it holds the block to its byte size if it must.
// A size of 0 or less makes hamba read the items one by one, as here.
func (c *checker) block(n int, size int64, s avro.Schema, keyed bool) {
	if n > c.itemsLeft {
		c.fail(errDatumItems)
		return
	}
	c.itemsLeft -= n
	start := len(c.b)
	for range n {
		if keyed {
			c.bytes()
		}
		c.skip(s)
	}
	if took := int64(start - len(c.b)); c.exactSizes && size > 0 && c.err == nil && took != size {
		c.fail(fmt.Errorf("block size %d, its items take %d bytes", size, took))
	}
}

func (c *checker) primitive(t avro.Type) {
	switch t {
	case avro.Boolean:
		c.take(1)
	case avro.Int:
		c.int()
	case avro.Long:
		c.long()
	case avro.Float:
		c.take(4)
	case avro.Double:
		c.take(8)
	default: // string, bytes
		c.bytes()
	}
}
