package vmdk

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// Disk is the virtual disk of a sparse VMDK. It is an io.ReaderAt, safe for concurrent
// use.
type Disk struct {
	r    io.ReaderAt
	size int64 // of the file
	h    *header
	gd   []uint32 // grain directory: sector of each grain table, 0 for none

	mu     sync.Mutex
	gts    map[int64][]uint32 // grain tables read, by directory index
	grains [grainCacheSize]cachedGrain
	next   int // grain cache slot to reuse
}

type cachedGrain struct {
	idx  int64 // grain number + 1; 0 for an empty slot
	data []byte
}

// Cache sizes: sequential reads of a file hit the same grain again and again, and a
// compressed grain is expensive to inflate.
const (
	grainCacheSize = 8
	maxCachedGTs   = 1024
)

// Open reads the VMDK held in the first size bytes of r.
func Open(r io.ReaderAt, size int64) (*Disk, error) {
	h, err := parseHeader(r, size)
	if err != nil {
		return nil, err
	}
	return openWith(r, size, h)
}

// openExtent reads a hosted sparse extent of a descriptor file: its header has no
// embedded descriptor, or one that is not about it alone.
func openExtent(r io.ReaderAt, size int64) (*Disk, error) {
	h, err := parseHeaderOf(r, size, false)
	if err != nil {
		return nil, err
	}
	return openWith(r, size, h)
}

func openWith(r io.ReaderAt, size int64, h *header) (*Disk, error) {
	span := h.grainSize * h.gtes // bytes of disk one grain table covers
	n := (h.capacity + span - 1) / span
	if n*4 > maxGDSize || h.gdOffset+n*4 > size {
		return nil, fmt.Errorf("%w: a %d-entry grain directory at offset %d of a %d-byte file (truncated?)", ErrCorrupt, n, h.gdOffset, size)
	}
	raw := make([]byte, n*4)
	if err := readat.Full(r, raw, h.gdOffset); err != nil {
		return nil, fmt.Errorf("grain directory: %w", err)
	}
	d := &Disk{r: r, size: size, h: h, gd: make([]uint32, n), gts: map[int64][]uint32{}}
	// Grain tables are distinct: a directory pointing many times at one table would make
	// the work of reading them unbounded by the file's size.
	seen := make(map[uint32]bool, n)
	for i := range d.gd {
		d.gd[i] = le.Uint32(raw[4*i:])
		if v := d.gd[i]; v != 0 {
			if seen[v] {
				return nil, fmt.Errorf("%w: two grain directory entries name the grain table at sector %d", ErrCorrupt, v)
			}
			seen[v] = true
		}
	}
	if err := d.checkGrainTables(); err != nil {
		return nil, err
	}
	return d, nil
}

// checkGrainTables reads every grain table once (a 64th of a percent of the disk's size)
// so that a truncated file is an error at Open, not zeros or an error deep in a walk
// that may never read the lost grains.
func (d *Disk) checkGrainTables() error {
	minSize := d.h.grainSize // what an allocated grain needs in the file
	if d.h.compressed() {
		minSize = 12
	}
	for i, gt := range d.gd {
		if gt == 0 {
			continue // no table: its grains read as zeros
		}
		for k := int64(0); k < d.h.gtes; k++ {
			gte, err := d.entry(int64(i)*d.h.gtes + k)
			if err != nil {
				return err
			}
			if gte > 1 && int64(gte)*sector+minSize > d.size {
				return fmt.Errorf("%w: grain %d at offset %d lies past the end of the %d-byte file (truncated?)",
					ErrCorrupt, int64(i)*d.h.gtes+k, int64(gte)*sector, d.size)
			}
		}
	}
	return nil
}

// Size is the virtual disk's size in bytes.
func (d *Disk) Size() int64 { return d.h.capacity }

// Kind is the createType: "monolithicSparse" or "streamOptimized".
func (d *Disk) Kind() string { return d.h.createType }

// errNegativeOffset: ReadAt at an offset below zero.
var errNegativeOffset = errors.New("vmdk: negative offset")

// ReadAt reads the virtual disk; unallocated grains read as zeros.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) {
	p, eof, err := readat.Clip(p, off, d.h.capacity, errNegativeOffset)
	if err != nil {
		return 0, err
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		grain, within := pos/d.h.grainSize, pos%d.h.grainSize
		chunk := p[n:min(len(p), n+int(d.h.grainSize-within))]
		if err := d.readGrain(chunk, grain, within); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return n, eof
}

// readGrain fills p from grain number g at offset within.
func (d *Disk) readGrain(p []byte, g, within int64) error {
	gte, err := d.entry(g)
	if err != nil {
		return err
	}
	if gte == 0 || (gte == 1 && d.h.flags&flagZeroGTE != 0) {
		clear(p)
		return nil
	}
	off := int64(gte) * sector
	if !d.h.compressed() {
		if off+d.h.grainSize > d.size {
			return fmt.Errorf("%w: grain %d at offset %d lies past the end of the %d-byte file (truncated?)", ErrCorrupt, g, off, d.size)
		}
		return readat.Full(d.r, p, off+within)
	}
	data, err := d.inflated(g, off)
	if err != nil {
		return err
	}
	copy(p, data[within:])
	return nil
}

// entry returns the grain table entry of grain g, reading its grain table once.
func (d *Disk) entry(g int64) (uint32, error) {
	i := g / d.h.gtes
	if d.gd[i] == 0 {
		return 0, nil
	}
	d.mu.Lock()
	gt, ok := d.gts[i]
	d.mu.Unlock()
	if !ok {
		off := int64(d.gd[i]) * sector
		if off+d.h.gtes*4 > d.size {
			return 0, fmt.Errorf("%w: grain table %d at offset %d lies past the end of the file (truncated?)", ErrCorrupt, i, off)
		}
		raw := make([]byte, d.h.gtes*4)
		if err := readat.Full(d.r, raw, off); err != nil {
			return 0, fmt.Errorf("grain table %d: %w", i, err)
		}
		gt = make([]uint32, d.h.gtes)
		for k := range gt {
			gt[k] = le.Uint32(raw[4*k:])
		}
		d.mu.Lock()
		if len(d.gts) >= maxCachedGTs {
			clear(d.gts)
		}
		d.gts[i] = gt
		d.mu.Unlock()
	}
	return gt[g%d.h.gtes], nil
}

// inflated returns compressed grain g (stored at off behind its lba and size) inflated.
func (d *Disk) inflated(g, off int64) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.grains {
		if c.idx == g+1 {
			return c.data, nil
		}
	}
	hdr := make([]byte, 12)
	if err := readat.Full(d.r, hdr, off); err != nil {
		return nil, fmt.Errorf("grain %d: %w", g, err)
	}
	lba, clen := int64(le.Uint64(hdr)), int64(le.Uint32(hdr[8:]))
	if lba*sector != g*d.h.grainSize {
		return nil, fmt.Errorf("%w: grain %d at offset %d says it holds sector %d", ErrCorrupt, g, off, lba)
	}
	if clen == 0 || clen > 2*d.h.grainSize || off+12+clen > d.size {
		return nil, fmt.Errorf("%w: grain %d: %d compressed bytes at offset %d of a %d-byte file (truncated?)", ErrCorrupt, g, clen, off, d.size)
	}
	packed := make([]byte, clen)
	if err := readat.Full(d.r, packed, off+12); err != nil {
		return nil, fmt.Errorf("grain %d: %w", g, err)
	}
	want := min(d.h.grainSize, d.h.capacity-g*d.h.grainSize)
	data, err := inflate(packed, want)
	if err != nil {
		return nil, fmt.Errorf("%w: grain %d: %v", ErrCorrupt, g, err)
	}
	slot := &d.grains[d.next]
	d.next = (d.next + 1) % grainCacheSize
	slot.idx, slot.data = g+1, data
	return data, nil
}

// inflate decompresses a grain: zlib as qemu and VMware write it, or bare deflate. It
// must give exactly want bytes (a grain can be shorter only at the disk's end).
func inflate(packed []byte, want int64) ([]byte, error) {
	var zr io.ReadCloser
	if len(packed) >= 2 && packed[0]&0x0F == 8 && (uint16(packed[0])<<8|uint16(packed[1]))%31 == 0 {
		r, err := zlib.NewReader(bytes.NewReader(packed))
		if err != nil {
			return nil, err
		}
		zr = r
	} else {
		zr = flate.NewReader(bytes.NewReader(packed))
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, want+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) != want {
		return nil, fmt.Errorf("inflates to %d bytes, want %d", min(int64(len(out)), want+1), want)
	}
	return out, nil
}
