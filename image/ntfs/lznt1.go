package ntfs

import (
	"fmt"
	"sort"
	"sync"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// compressed reads an LZNT1-compressed $DATA. The stream is cut into compression units
// (16 clusters as Windows formats): a unit whose clusters are all allocated is stored
// as is, a unit with none allocated is zeros, and a unit whose first clusters are
// allocated and the rest sparse holds LZNT1 chunks in those clusters.
type compressed struct {
	s        *stream
	unitSize int64 // bytes of a compression unit
	clusters int64 // per unit

	mu     sync.Mutex
	unit   int64 // decompressed unit held in buf, -1 for none
	buf    []byte
	packed []byte
}

// maxUnitSize bounds the buffers of one compressed file.
const maxUnitSize = 1 << 20

func newCompressed(s *stream, data []attribute) (*compressed, error) {
	cu := data[0].compressionUnit
	if cu == 0 {
		return nil, fmt.Errorf("%w: compressed $DATA with no compression unit", ErrCorrupt)
	}
	c := &compressed{s: s, clusters: 1 << uint(cu), unit: -1}
	c.unitSize = c.clusters * s.clusterSize
	if c.unitSize > maxUnitSize {
		return nil, fmt.Errorf("%w: %d-byte compression units", ErrUnsupported, c.unitSize)
	}
	if s.clusterSize > 4096 {
		return nil, fmt.Errorf("%w: compressed $DATA with %d-byte clusters", ErrCorrupt, s.clusterSize)
	}
	return c, nil
}

func (c *compressed) ReadAt(p []byte, off int64) (int, error) {
	p, eof, err := readat.Clip(p, off, c.s.dataSize, errNegativeOffset)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= c.s.initSize {
			clear(p[n:])
			break
		}
		if err := c.load(pos / c.unitSize); err != nil {
			return n, err
		}
		n += copy(p[n:], c.buf[pos%c.unitSize:])
	}
	return len(p), eof
}

// load decompresses unit u into buf.
func (c *compressed) load(u int64) error {
	if c.unit == u {
		return nil
	}
	if c.buf == nil {
		c.buf, c.packed = make([]byte, c.unitSize), make([]byte, c.unitSize)
	}
	c.unit = -1
	first := u * c.clusters
	allocated, sparseSeen := int64(0), false
	for v := first; v < first+c.clusters; v++ {
		if c.mappedCluster(v) {
			if sparseSeen {
				return fmt.Errorf("%w: compression unit %d has an allocated cluster after a sparse one", ErrCorrupt, u)
			}
			allocated++
		} else {
			sparseSeen = true
		}
	}
	switch allocated {
	case 0:
		clear(c.buf)
	case c.clusters:
		if err := c.s.readRaw(c.buf, u*c.unitSize); err != nil {
			return err
		}
	default:
		packed := c.packed[:allocated*c.s.clusterSize]
		if err := c.s.readRaw(packed, u*c.unitSize); err != nil {
			return err
		}
		if err := decompressLZNT1(c.buf, packed); err != nil {
			return fmt.Errorf("compression unit %d: %w", u, err)
		}
	}
	c.unit = u
	return nil
}

// mappedCluster tells whether VCN v is allocated (a VCN past the runlist is sparse).
func (c *compressed) mappedCluster(v int64) bool {
	runs := c.s.runs
	i := sort.Search(len(runs), func(i int) bool { return runs[i].vcn+runs[i].length > v })
	return i < len(runs) && runs[i].vcn <= v && !runs[i].sparse()
}

// lzntChunk is what one LZNT1 chunk decompresses to at most.
const lzntChunk = 4096

// decompressLZNT1 decodes LZNT1 chunks from in into out (chunk k fills out[4096k:]; what
// no chunk fills is zero). A back reference before the chunk's start, or a chunk past
// out, is corruption.
func decompressLZNT1(out, in []byte) error {
	clear(out)
	for k := 0; len(in) >= 2; k++ {
		h := int(le.Uint16(in))
		if h == 0 {
			return nil
		}
		size := h&0xFFF + 1
		if 2+size > len(in) {
			return fmt.Errorf("%w: LZNT1 chunk %d of %d bytes past the data", ErrCorrupt, k, size)
		}
		chunk := in[2 : 2+size]
		in = in[2+size:]
		start := k * lzntChunk
		if start >= len(out) {
			return fmt.Errorf("%w: LZNT1 chunk %d past the compression unit", ErrCorrupt, k)
		}
		dst := out[start:min(start+lzntChunk, len(out))]
		if h&0x8000 == 0 { // stored
			if len(chunk) > len(dst) {
				return fmt.Errorf("%w: stored LZNT1 chunk %d of %d bytes", ErrCorrupt, k, len(chunk))
			}
			copy(dst, chunk)
			continue
		}
		if err := lzntDecodeChunk(dst, chunk); err != nil {
			return fmt.Errorf("LZNT1 chunk %d: %w", k, err)
		}
	}
	return nil
}

func lzntDecodeChunk(dst, src []byte) error {
	pos := 0
	for i := 0; i < len(src); {
		flags := src[i]
		i++
		for bit := 0; bit < 8 && i < len(src); bit++ {
			if flags&(1<<bit) == 0 {
				if pos >= len(dst) {
					return fmt.Errorf("%w: decompresses past 4096 bytes", ErrCorrupt)
				}
				dst[pos] = src[i]
				pos, i = pos+1, i+1
				continue
			}
			if i+2 > len(src) {
				return fmt.Errorf("%w: truncated back reference", ErrCorrupt)
			}
			if pos == 0 {
				return fmt.Errorf("%w: back reference at the start", ErrCorrupt)
			}
			token := int(le.Uint16(src[i:]))
			i += 2
			lenBits := 12
			for p := pos - 1; p >= 0x10; p >>= 1 {
				lenBits--
			}
			back := token>>lenBits + 1
			length := token&(1<<lenBits-1) + 3
			if back > pos {
				return fmt.Errorf("%w: back reference %d bytes before byte %d", ErrCorrupt, back, pos)
			}
			if pos+length > len(dst) {
				return fmt.Errorf("%w: decompresses past 4096 bytes", ErrCorrupt)
			}
			for j := 0; j < length; j++ { // overlapping copies repeat bytes
				dst[pos+j] = dst[pos-back+j]
			}
			pos += length
		}
	}
	return nil
}
