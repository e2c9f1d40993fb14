package history

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// chunkMinutes is the number of minutes one chunk covers: one hour.
const chunkMinutes = 60

// chunkSpan is the time one chunk covers.
const chunkSpan = chunkMinutes * time.Minute

// errCorrupt reports an undecodable record.
var errCorrupt = errors.New("history: corrupt record")

// chunk is the decoded form of one series-hour: the stats of each minute,
// present[i] telling whether minute i has data.
type chunk struct {
	present uint64
	stats   [chunkMinutes]model.StatisticSet
}

func (c *chunk) has(i int) bool { return c.present&(1<<uint(i)) != 0 }

// merge folds s into minute i.
func (c *chunk) merge(i int, s model.StatisticSet) {
	if c.has(i) {
		c.stats[i] = c.stats[i].Merge(s)
		return
	}
	c.present |= 1 << uint(i)
	c.stats[i] = s
}

// Entry tag byte (see the package documentation):
//
//	bits 0-1 shape, bits 2-3 value code (shapes single and uniform),
//	bits 4-7 gap: minutes skipped since the previous entry (15: a byte follows).
const (
	shapeSingle  = 0 // one sample of value v
	shapeUniform = 1 // n samples all equal to v: uvarint n, then v
	shapeFull    = 2 // codes byte, then n, sum, min, max
	shapeRepeat  = 3 // uvarint r: the previous minute's stats repeat for r more minutes

	codeZero  = 0 // +0
	codeOne   = 1 // 1
	codeInt   = 2 // zigzag varint of an integral value, |v| < 2^53
	codeFloat = 3 // 8 bytes, IEEE 754 little-endian

	gapEscape = 15
)

const maxExactInt = 1 << 53

func valueCode(v float64) byte {
	switch {
	case v == 0 && !math.Signbit(v):
		return codeZero
	case v == 1:
		return codeOne
	case v != 0 && v == math.Trunc(v) && math.Abs(v) < maxExactInt:
		return codeInt
	}
	return codeFloat
}

func appendValue(b []byte, code byte, v float64) []byte {
	switch code {
	case codeInt:
		return binary.AppendVarint(b, int64(v))
	case codeFloat:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func readValue(b []byte, code byte) (float64, []byte, error) {
	switch code {
	case codeZero:
		return 0, b, nil
	case codeOne:
		return 1, b, nil
	case codeInt:
		v, n := binary.Varint(b)
		if n <= 0 {
			return 0, nil, errCorrupt
		}
		return float64(v), b[n:], nil
	default:
		if len(b) < 8 {
			return 0, nil, errCorrupt
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), b[8:], nil
	}
}

func sameStats(a, b model.StatisticSet) bool {
	return sameFloat(a.SampleCount, b.SampleCount) && sameFloat(a.Sum, b.Sum) &&
		sameFloat(a.Minimum, b.Minimum) && sameFloat(a.Maximum, b.Maximum)
}

// appendStats appends one entry's tag (with the given gap) and payload. The
// short shapes are used only when the decoder's rebuilt Sum (n*v) is
// bit-exact.
func appendStats(b []byte, gap int, s model.StatisticSet) []byte {
	n, v := s.SampleCount, s.Minimum
	if sameFloat(s.Maximum, v) && n >= 1 && n == math.Trunc(n) && n < maxExactInt && sameFloat(n*v, s.Sum) {
		code := valueCode(v)
		if n == 1 {
			b = appendTag(b, shapeSingle|code<<2, gap)
		} else {
			b = appendTag(b, shapeUniform|code<<2, gap)
			b = binary.AppendUvarint(b, uint64(n))
		}
		return appendValue(b, code, v)
	}
	b = appendTag(b, shapeFull, gap)
	vals := [4]float64{s.SampleCount, s.Sum, s.Minimum, s.Maximum}
	var codes byte
	for i, x := range vals {
		codes |= valueCode(x) << (2 * uint(i))
	}
	b = append(b, codes)
	for i, x := range vals {
		b = appendValue(b, (codes>>(2*uint(i)))&3, x)
	}
	return b
}

func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

func appendTag(b []byte, shape byte, gap int) []byte {
	if gap < gapEscape {
		return append(b, shape|byte(gap)<<4)
	}
	return append(b, shape|gapEscape<<4, byte(gap))
}

// encode returns the compact form of c; nil when c is empty.
func (c *chunk) encode() []byte {
	if c.present == 0 {
		return nil
	}
	var b []byte
	next := 0 // first minute the next entry may describe
	for i := 0; i < chunkMinutes; {
		if !c.has(i) {
			i++
			continue
		}
		b = appendStats(b, i-next, c.stats[i])
		// Count the following consecutive minutes with identical stats.
		r := 0
		for j := i + 1; j < chunkMinutes && c.has(j) && sameStats(c.stats[j], c.stats[i]); j++ {
			r++
		}
		if r > 0 {
			// A repeat costs a tag and a uvarint; use it when shorter.
			if one := len(appendStats(nil, 0, c.stats[i])); r*one > 1+uvarintLen(uint64(r)) {
				b = append(b, shapeRepeat)
				b = binary.AppendUvarint(b, uint64(r))
				i += r
			}
		}
		next = i + 1
		i++
	}
	return b
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// decodeChunk decodes an encoded chunk into c (which is reset first).
func decodeChunk(b []byte, c *chunk) error {
	*c = chunk{}
	next := 0
	last := -1
	for len(b) > 0 {
		tag := b[0]
		b = b[1:]
		gap := int(tag >> 4)
		if gap == gapEscape {
			if len(b) == 0 {
				return errCorrupt
			}
			gap = int(b[0])
			b = b[1:]
		}
		code := (tag >> 2) & 3
		var s model.StatisticSet
		var err error
		switch tag & 3 {
		case shapeSingle:
			var v float64
			if v, b, err = readValue(b, code); err != nil {
				return err
			}
			s = model.Single(v)
		case shapeUniform:
			n, k := binary.Uvarint(b)
			if k <= 0 {
				return errCorrupt
			}
			b = b[k:]
			var v float64
			if v, b, err = readValue(b, code); err != nil {
				return err
			}
			s = model.StatisticSet{SampleCount: float64(n), Sum: float64(n) * v, Minimum: v, Maximum: v}
		case shapeFull:
			if len(b) == 0 {
				return errCorrupt
			}
			codes := b[0]
			b = b[1:]
			var vals [4]float64
			for i := range vals {
				if vals[i], b, err = readValue(b, (codes>>(2*uint(i)))&3); err != nil {
					return err
				}
			}
			s = model.StatisticSet{SampleCount: vals[0], Sum: vals[1], Minimum: vals[2], Maximum: vals[3]}
		case shapeRepeat:
			r, k := binary.Uvarint(b)
			if k <= 0 || last < 0 || gap != 0 || r == 0 || uint64(next)+r > chunkMinutes {
				return errCorrupt
			}
			b = b[k:]
			for j := 0; j < int(r); j++ {
				c.present |= 1 << uint(next)
				c.stats[next] = c.stats[last]
				next++
			}
			last = next - 1
			continue
		}
		i := next + gap
		if i >= chunkMinutes {
			return errCorrupt
		}
		c.present |= 1 << uint(i)
		c.stats[i] = s
		last = i
		next = i + 1
	}
	return nil
}

// Chunk keys: 4-byte big-endian hour number since the Unix epoch, then the
// 4-byte big-endian series id. Time-major, so that one minute's writes for
// every series touch adjacent pages and pruning removes a prefix.
func chunkKey(hour, id uint32) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint32(k, hour)
	binary.BigEndian.PutUint32(k[4:], id)
	return k
}

func splitChunkKey(k []byte) (hour, id uint32, ok bool) {
	if len(k) != 8 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint32(k), binary.BigEndian.Uint32(k[4:]), true
}

// seriesInfo is a series registry record. Encoded as: id u32, first hour
// u32, last hour u32 (all big-endian), uvarint-prefixed unit, then the metric:
// uvarint-prefixed namespace and name, uvarint dimension count, and each
// dimension's uvarint-prefixed name and value.
type seriesInfo struct {
	id        uint32
	firstHour uint32
	lastHour  uint32
	unit      string
	metric    model.Metric
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func readString(b []byte) (string, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, errCorrupt
	}
	return string(b[k : k+int(n)]), b[k+int(n):], nil
}

func (s *seriesInfo) encode() []byte {
	b := make([]byte, 12, 64)
	binary.BigEndian.PutUint32(b, s.id)
	binary.BigEndian.PutUint32(b[4:], s.firstHour)
	binary.BigEndian.PutUint32(b[8:], s.lastHour)
	b = appendString(b, s.unit)
	b = appendString(b, s.metric.Namespace)
	b = appendString(b, s.metric.MetricName)
	b = binary.AppendUvarint(b, uint64(len(s.metric.Dimensions)))
	for _, d := range s.metric.Dimensions {
		b = appendString(b, d.Name)
		b = appendString(b, d.Value)
	}
	return b
}

// decodeSeries decodes a registry record; with full false only the fixed
// header and unit are read.
func decodeSeries(b []byte, full bool) (seriesInfo, error) {
	var s seriesInfo
	if len(b) < 12 {
		return s, errCorrupt
	}
	s.id = binary.BigEndian.Uint32(b)
	s.firstHour = binary.BigEndian.Uint32(b[4:])
	s.lastHour = binary.BigEndian.Uint32(b[8:])
	var err error
	if s.unit, b, err = readString(b[12:]); err != nil {
		return s, err
	}
	if !full {
		return s, nil
	}
	if s.metric.Namespace, b, err = readString(b); err != nil {
		return s, err
	}
	if s.metric.MetricName, b, err = readString(b); err != nil {
		return s, err
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return s, errCorrupt
	}
	b = b[k:]
	if n > 0 {
		s.metric.Dimensions = make([]model.Dimension, n)
	}
	for i := range s.metric.Dimensions {
		d := &s.metric.Dimensions[i]
		if d.Name, b, err = readString(b); err != nil {
			return s, err
		}
		if d.Value, b, err = readString(b); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Event keys: stream name, a 0 byte, the time as 8 big-endian bytes
// (UnixNano with the sign bit flipped, so byte order is time order), then an
// 8-byte big-endian sequence number that keeps insertion order among equal
// times.
func eventPrefix(stream string) []byte {
	b := make([]byte, 0, len(stream)+17)
	b = append(b, stream...)
	return append(b, 0)
}

func appendEventTime(b []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t.UnixNano())^(1<<63))
}

func eventKey(stream string, t time.Time, seq uint64) []byte {
	b := appendEventTime(eventPrefix(stream), t)
	return binary.BigEndian.AppendUint64(b, seq)
}

// splitEventKey returns the stream and time of an event key.
func splitEventKey(k []byte) (stream string, t time.Time, ok bool) {
	if len(k) < 17 || k[len(k)-17] != 0 {
		return "", time.Time{}, false
	}
	ns := int64(binary.BigEndian.Uint64(k[len(k)-16:]) ^ (1 << 63))
	return string(k[:len(k)-17]), time.Unix(0, ns).UTC(), true
}
