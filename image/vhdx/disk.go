package vhdx

import (
	"errors"
	"fmt"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// Payload block states in the block allocation table.
const (
	blockNotPresent       = 0
	blockUndefined        = 1
	blockZero             = 2
	blockUnmapped         = 3
	blockFullyPresent     = 6
	blockPartiallyPresent = 7 // differencing disks only
)

// maxBATSize bounds the table held in memory: 8M blocks, 256 TiB of 32 MiB blocks.
const maxBATSize = 64 << 20

// Disk is the virtual disk of a VHDX: an io.ReaderAt, safe for concurrent use (it holds
// no cache).
type Disk struct {
	r      io.ReaderAt
	l      *layout
	blocks []int64 // file offset of each payload block, 0 when it reads as zeros
}

// Open reads the VHDX held in the first size bytes of r.
func Open(r io.ReaderAt, size int64) (*Disk, error) {
	l, err := readLayout(r, size)
	if err != nil {
		return nil, err
	}
	// every chunkRatio payload entries, the table interleaves one sector bitmap entry
	chunkRatio := (int64(1) << 23) * l.sectorSize / l.blockSize
	payload := (l.diskSize + l.blockSize - 1) / l.blockSize
	entries := payload + (payload-1)/chunkRatio
	if entries*8 > maxBATSize || entries*8 > l.batLength {
		return nil, fmt.Errorf("%w: %d block table entries in a %d-byte region", ErrCorrupt, entries, l.batLength)
	}
	raw := make([]byte, entries*8)
	if err := readat.Full(r, raw, l.batOffset); err != nil {
		return nil, fmt.Errorf("block table: %w", err)
	}
	d := &Disk{r: r, l: l, blocks: make([]int64, payload)}
	for i := range d.blocks {
		e := le.Uint64(raw[8*(int64(i)+int64(i)/chunkRatio):])
		off := int64(e>>20) * mib
		switch state := e & 7; state {
		case blockNotPresent, blockUndefined, blockZero, blockUnmapped:
		case blockFullyPresent:
			// a truncated file is an error here, not zeros or an error deep in a walk
			// that may never read the lost block
			if off < mib || off+l.blockSize > size {
				return nil, fmt.Errorf("%w: block %d at offset %d lies past the end of the %d-byte file (truncated?)", ErrCorrupt, i, off, size)
			}
			d.blocks[i] = off
		case blockPartiallyPresent:
			return nil, fmt.Errorf("%w: block %d is partially present, which only a differencing disk may be", ErrCorrupt, i)
		default:
			return nil, fmt.Errorf("%w: block %d has state %d", ErrCorrupt, i, state)
		}
	}
	return d, nil
}

// Size is the virtual disk's size in bytes.
func (d *Disk) Size() int64 { return d.l.diskSize }

// errNegativeOffset: ReadAt at an offset below zero.
var errNegativeOffset = errors.New("vhdx: negative offset")

// ReadAt reads the virtual disk; blocks not present read as zeros.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) {
	p, eof, err := readat.Clip(p, off, d.l.diskSize, errNegativeOffset)
	if err != nil {
		return 0, err
	}
	for n := 0; n < len(p); {
		pos := off + int64(n)
		block, within := pos/d.l.blockSize, pos%d.l.blockSize
		chunk := p[n:min(len(p), n+int(d.l.blockSize-within))]
		if at := d.blocks[block]; at == 0 {
			clear(chunk)
		} else if err := readat.Full(d.r, chunk, at+within); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return len(p), eof
}
