// Package vhd reads dynamic VHD disks (Virtual PC, Hyper-V's first format, qemu-img's
// "vpc") read-only. Fixed VHDs are raw disks with a footer and need no reader; a
// differencing VHD needs its parent and is refused.
package vhd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// ErrCorrupt marks a disk that contradicts itself or its file.
var ErrCorrupt = errors.New("corrupt VHD")

// ErrUnsupported marks a disk this reader cannot read alone.
var ErrUnsupported = errors.New("unsupported VHD")

var be = binary.BigEndian

const (
	typeFixed        = 2
	typeDynamic      = 3
	typeDifferencing = 4
	unallocated      = 0xFFFFFFFF
	maxBATSize       = 64 << 20 // bytes: 16M blocks, 32 TiB of 2 MiB blocks
)

// Disk is the virtual disk of a dynamic VHD: an io.ReaderAt, safe for concurrent use
// (it holds no cache).
type Disk struct {
	r         io.ReaderAt
	size      int64 // virtual
	blockSize int64
	bitmap    int64 // bytes of sector bitmap before each block's data
	bat       []uint32
}

// Open reads the dynamic VHD held in the first size bytes of r. Its footer is at the end,
// with a copy at offset 0; a footer that fails its checksum falls back to the copy.
func Open(r io.ReaderAt, size int64) (*Disk, error) {
	footer, err := readFooter(r, size)
	if err != nil {
		return nil, err
	}
	switch typ := be.Uint32(footer[60:]); typ {
	case typeDynamic:
	case typeDifferencing:
		return nil, fmt.Errorf("%w: a differencing disk: its parent is needed", ErrUnsupported)
	case typeFixed:
		return nil, fmt.Errorf("%w: a fixed disk has no block table", ErrUnsupported)
	default:
		return nil, fmt.Errorf("%w: disk type %d", ErrCorrupt, typ)
	}
	hdrOff := int64(be.Uint64(footer[16:]))
	if hdrOff <= 0 || hdrOff+1024 > size {
		return nil, fmt.Errorf("%w: dynamic header at offset %d of a %d-byte file (truncated?)", ErrCorrupt, hdrOff, size)
	}
	h := make([]byte, 1024)
	if err := readat.Full(r, h, hdrOff); err != nil {
		return nil, fmt.Errorf("dynamic header: %w", err)
	}
	if string(h[:8]) != "cxsparse" || checksum(h, 36) != be.Uint32(h[36:]) {
		return nil, fmt.Errorf("%w: the dynamic header fails its signature or checksum", ErrCorrupt)
	}
	d := &Disk{r: r, size: int64(be.Uint64(footer[48:])), blockSize: int64(be.Uint32(h[32:]))}
	batOff, entries := int64(be.Uint64(h[16:])), int64(be.Uint32(h[28:]))
	if d.blockSize < 512 || d.blockSize&(d.blockSize-1) != 0 || d.blockSize > 256<<20 {
		return nil, fmt.Errorf("%w: block size %d", ErrCorrupt, d.blockSize)
	}
	if entries*4 > maxBATSize || batOff < 0 || batOff+entries*4 > size {
		return nil, fmt.Errorf("%w: a %d-entry block table at offset %d of a %d-byte file (truncated?)", ErrCorrupt, entries, batOff, size)
	}
	// qemu sizes the table from the CHS geometry, which may cover less than the footer's
	// size: what no block can hold does not exist.
	d.size = min(d.size, entries*d.blockSize)
	if d.size <= 0 {
		return nil, fmt.Errorf("%w: virtual size %d", ErrCorrupt, d.size)
	}
	d.bitmap = (d.blockSize/512/8 + 511) &^ 511
	raw := make([]byte, entries*4)
	if err := readat.Full(r, raw, batOff); err != nil {
		return nil, fmt.Errorf("block table: %w", err)
	}
	d.bat = make([]uint32, entries)
	for i := range d.bat {
		d.bat[i] = be.Uint32(raw[4*i:])
		// every allocated block must be in the file: a truncated file is an error here,
		// not zeros or an error deep in a walk that may never read the lost block
		if off := int64(d.bat[i]) * 512; d.bat[i] != unallocated && off+d.bitmap+d.blockSize > size {
			return nil, fmt.Errorf("%w: block %d at offset %d lies past the end of the %d-byte file (truncated?)", ErrCorrupt, i, off, size)
		}
	}
	return d, nil
}

// Size is the virtual disk's size in bytes.
func (d *Disk) Size() int64 { return d.size }

// errNegativeOffset: ReadAt at an offset below zero.
var errNegativeOffset = errors.New("vhd: negative offset")

// ReadAt reads the virtual disk; unallocated blocks read as zeros. Like qemu, it does not
// consult a block's sector bitmap: a sector marked empty but holding data is read as
// stored, which can only show more, never hide residue.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) {
	p, eof, err := readat.Clip(p, off, d.size, errNegativeOffset)
	if err != nil {
		return 0, err
	}
	for n := 0; n < len(p); {
		pos := off + int64(n)
		block, within := pos/d.blockSize, pos%d.blockSize
		chunk := p[n:min(len(p), n+int(d.blockSize-within))]
		if e := d.bat[block]; e == unallocated {
			clear(chunk)
		} else if err := readat.Full(d.r, chunk, int64(e)*512+d.bitmap+within); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return len(p), eof
}

// readFooter returns the footer at the end of the file, or its copy at offset 0 when
// the end's fails its checksum (a truncated or torn file).
func readFooter(r io.ReaderAt, size int64) ([]byte, error) {
	if size < 3*512 {
		return nil, fmt.Errorf("%w: %d bytes is too small", ErrCorrupt, size)
	}
	for _, off := range []int64{size - 512, 0} {
		f := make([]byte, 512)
		if err := readat.Full(r, f, off); err != nil {
			return nil, err
		}
		if string(f[:8]) == "conectix" && checksum(f, 64) == be.Uint32(f[64:]) {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%w: no footer with a valid checksum at the end or the start", ErrCorrupt)
}

// checksum is the one's complement of the byte sum, the checksum field (at at) left out.
func checksum(b []byte, at int) uint32 {
	var sum uint32
	for i, c := range b {
		if i < at || i >= at+4 {
			sum += uint32(c)
		}
	}
	return ^sum
}
