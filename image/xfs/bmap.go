package xfs

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// extent maps file blocks [off, off+count) to filesystem block start.
type extent struct {
	off, start, count uint64
	unwritten         bool // preallocated: reads as zeros
}

// maxBtreeDepth bounds the block map btree walk (real ones are a few levels deep).
const maxBtreeDepth = 8

// decodeExtent unpacks a 128-bit extent record: flag, 54-bit offset, 52-bit start block,
// 21-bit count.
func decodeExtent(b []byte) extent {
	hi, lo := be.Uint64(b), be.Uint64(b[8:])
	return extent{
		unwritten: hi>>63 != 0,
		off:       hi << 1 >> 10,
		start:     (hi&0x1FF)<<43 | lo>>21,
		count:     lo & (1<<21 - 1),
	}
}

func (a extent) byOffset(b extent) int { return cmp.Compare(a.off, b.off) }

// extents returns an inode's data fork mapping, sorted by file offset and checked: no
// overlap, every block inside the filesystem.
func (f *FS) extents(in *inode) ([]extent, error) { return f.extentsInto(nil, in) }

// extentsInto is extents, in buf's storage while it has room (the index reads every
// inode's mapping, and keeps none of them).
func (f *FS) extentsInto(buf []extent, in *inode) ([]extent, error) {
	out := buf[:0]
	switch in.format {
	case formatExtents:
		if in.nextents*16 > uint64(len(in.fork)) {
			return nil, fmt.Errorf("%w: inode %d lists %d extents in a %d-byte fork", ErrCorrupt, in.num, in.nextents, len(in.fork))
		}
		for i := uint64(0); i < in.nextents; i++ {
			out = append(out, decodeExtent(in.fork[16*i:]))
		}
	case formatBtree:
		if len(in.fork) < 4 {
			return nil, fmt.Errorf("%w: inode %d: btree root too small", ErrCorrupt, in.num)
		}
		level, n := int(be.Uint16(in.fork)), int(be.Uint16(in.fork[2:]))
		maxrecs := (len(in.fork) - 4) / 16 // the root's keys, then its pointers
		if level == 0 || n == 0 || n > maxrecs {
			return nil, fmt.Errorf("%w: inode %d: btree root of level %d with %d records", ErrCorrupt, in.num, level, n)
		}
		for i := 0; i < n; i++ {
			ptr := be.Uint64(in.fork[4+maxrecs*8+i*8:])
			if err := f.walkBtree(in, ptr, level-1, &out); err != nil {
				return nil, err
			}
		}
		if uint64(len(out)) != in.nextents {
			return nil, fmt.Errorf("%w: inode %d: the block map holds %d extents, the inode says %d", ErrCorrupt, in.num, len(out), in.nextents)
		}
	default:
		return nil, nil
	}
	if !slices.IsSortedFunc(out, extent.byOffset) {
		slices.SortFunc(out, extent.byOffset)
	}
	for i, e := range out {
		last := e.start + e.count - 1 // in the same allocation group: its bytes are contiguous
		if e.count == 0 || f.sb.offset(e.start) < 0 || f.sb.offset(last) < 0 || e.start>>f.sb.agBlkLog != last>>f.sb.agBlkLog {
			return nil, fmt.Errorf("%w: inode %d: extent of %d blocks at block %d lies outside the filesystem", ErrCorrupt, in.num, e.count, e.start)
		}
		if i > 0 && out[i-1].off+out[i-1].count > e.off {
			return nil, fmt.Errorf("%w: inode %d: overlapping extents at file block %d", ErrCorrupt, in.num, e.off)
		}
	}
	return out, nil
}

// walkBtree collects the extents under the long-format btree block at fsbno.
func (f *FS) walkBtree(in *inode, fsbno uint64, level int, out *[]extent) error {
	if level >= maxBtreeDepth || uint64(len(*out)) > in.nextents {
		return fmt.Errorf("%w: inode %d: block map btree too deep or too big", ErrCorrupt, in.num)
	}
	off := f.sb.offset(fsbno)
	if off < 0 {
		return fmt.Errorf("%w: inode %d: btree block %d lies outside the filesystem", ErrCorrupt, in.num, fsbno)
	}
	b := make([]byte, f.sb.blockSize)
	if err := readat.Full(f.r, b, off); err != nil {
		return err
	}
	const hdr = 72 // v5 long-format header
	n := int(be.Uint16(b[6:]))
	switch {
	case string(b[:4]) != "BMA3":
		return fmt.Errorf("%w: inode %d: btree block %d has no BMA3 magic", ErrCorrupt, in.num, fsbno)
	case !crcOK(b, 64):
		return fmt.Errorf("%w: inode %d: btree block %d fails its checksum", ErrCorrupt, in.num, fsbno)
	case int(be.Uint16(b[4:])) != level || be.Uint64(b[56:]) != in.num:
		return fmt.Errorf("%w: inode %d: btree block %d is level %d of inode %d", ErrCorrupt, in.num, fsbno, be.Uint16(b[4:]), be.Uint64(b[56:]))
	}
	if level == 0 {
		if n > (len(b)-hdr)/16 {
			return fmt.Errorf("%w: inode %d: btree leaf with %d records", ErrCorrupt, in.num, n)
		}
		for i := 0; i < n; i++ {
			*out = append(*out, decodeExtent(b[hdr+16*i:]))
		}
		return nil
	}
	maxrecs := (len(b) - hdr) / 16
	if n == 0 || n > maxrecs {
		return fmt.Errorf("%w: inode %d: btree node with %d records", ErrCorrupt, in.num, n)
	}
	for i := 0; i < n; i++ {
		if err := f.walkBtree(in, be.Uint64(b[hdr+maxrecs*8+8*i:]), level-1, out); err != nil {
			return err
		}
	}
	return nil
}
