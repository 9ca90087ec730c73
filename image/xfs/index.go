package xfs

import (
	"context"
	"fmt"
	"slices"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// The deep scan's owner index is built from the inode btrees, not by walking the tree:
// each allocation group's inode btree lists its inode chunks (64 inodes each) with the
// ones in use, each chunk is read at once, and every in-use inode's extents are recorded
// under its number. Names are found after the scan, only for the inodes holding hits
// (blockuse.Tree.Names). The walk read every inode on its own, in directory order.

// Magic numbers and header sizes of the AG inode header and the v5 inode btree blocks.
const (
	agiMagic        = "XAGI"
	inobtMagic      = "IAB3"
	shortBlockBytes = 56 // a v5 short-form btree block's header
	inobtRecBytes   = 16
	inodesPerChunk  = 64
	maxInobtLevels  = 9
)

// extentRange is a run of blocks of one inode: its bytes [lo, hi) of the volume, from
// file block off on.
type extentRange struct {
	lo, hi    int64
	off       uint64
	ino       uint64
	unwritten bool
}

// inodeIndex answers Uses from the extents of every in-use inode.
type inodeIndex struct {
	fs     *FS
	ranges []extentRange // sorted by lo, none overlapping
	// inUse is every in-use inode, as its number shifted left by one with the low bit set
	// for a directory, sorted.
	inUse  []uint64
	seen   map[uint64]bool // inode btree blocks read: a block reached twice is a loop
	chunks uint64          // chunks read in the current group, at most what it can hold
	buf    []byte          // the chunks of a leaf that lie together, read at once
	in     inode           // the inode being recorded
	ext    []extent        // its extents
}

// chunkReadBytes is the most inode chunks' bytes read at once.
const chunkReadBytes = 256 << 10

// inobtRec is a leaf record of an inode btree: a chunk of 64 inodes from agino start on,
// with its holes (sparse chunks: a bit per 4 inodes not allocated) and free inodes.
type inobtRec struct {
	start uint32
	holes uint16
	free  uint64
}

var _ blockuse.Indexed = (*inodeIndex)(nil)

func (r extentRange) span() (lo, hi int64) { return r.lo, r.hi }

// Index records the extents of every in-use inode from the allocation groups' inode
// btrees. The result answers as Uses does, looking the allocated offsets up and walking
// the tree only for the names of the inodes they are in. It fails (and the deep scan
// then walks after the scan, as without an index) on an inode btree or inode it cannot
// read, when two inodes claim one block, past blockuse.MaxIndexRanges ranges, or when
// ctx is cancelled.
func (f *FS) Index(ctx context.Context) (blockuse.Indexed, error) {
	x := &inodeIndex{fs: f, seen: map[uint64]bool{}, buf: make([]byte, max(chunkReadBytes, inodesPerChunk*f.sb.inodeSize))}
	// the inode headers first, for room for a range per inode in use at once (most have
	// one extent), within the bound
	agis := make([][]byte, f.sb.agCount)
	inUse := 0
	for ag := range agis {
		agi, err := x.inodeHeader(uint64(ag))
		if err != nil {
			return nil, fmt.Errorf("allocation group %d: %w", ag, err)
		}
		if count, free := be.Uint32(agi[16:]), be.Uint32(agi[28:]); free <= count {
			inUse = min(inUse+int(count-free), blockuse.MaxIndexRanges)
		}
		agis[ag] = agi
	}
	x.ranges = make([]extentRange, 0, inUse)
	x.inUse = make([]uint64, 0, inUse)
	for ag, agi := range agis {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := x.group(uint64(ag), agi); err != nil {
			return nil, fmt.Errorf("allocation group %d: %w", ag, err)
		}
	}
	if i := blockuse.SortSpans(x.ranges, extentRange.span); i > 0 {
		return nil, fmt.Errorf("block index: inodes %d and %d claim the block at %d", x.ranges[i-1].ino, x.ranges[i].ino, x.ranges[i].lo)
	}
	slices.Sort(x.inUse) // in order already, unless the btrees are not
	x.buf, x.seen, x.in, x.ext = nil, nil, inode{}, nil
	return x, nil
}

// inodeHeader reads and checks allocation group ag's inode header (AGI).
func (x *inodeIndex) inodeHeader(ag uint64) ([]byte, error) {
	f := x.fs
	start := f.sb.offset(ag << f.sb.agBlkLog)
	if start < 0 {
		return nil, fmt.Errorf("%w: outside the filesystem", ErrCorrupt)
	}
	agi := make([]byte, f.sb.sectorSize)
	if err := readat.Full(f.r, agi, start+2*f.sb.sectorSize); err != nil {
		return nil, fmt.Errorf("reading the inode header: %w", err)
	}
	if string(agi[:4]) != agiMagic || be.Uint32(agi[8:]) != uint32(ag) || !crcOK(agi, 312) {
		return nil, fmt.Errorf("%w: bad inode header (AGI)", ErrCorrupt)
	}
	return agi, nil
}

// group walks allocation group ag's inode btree, from its inode header agi.
func (x *inodeIndex) group(ag uint64, agi []byte) error {
	root, levels := be.Uint32(agi[20:]), int(be.Uint32(agi[24:]))
	if levels < 1 || levels > maxInobtLevels {
		return fmt.Errorf("%w: inode btree of %d levels", ErrCorrupt, levels)
	}
	x.chunks = 0
	return x.inobt(ag, root, levels-1)
}

// inobt walks the inode btree block at agbno, of the given level, recording the in-use
// inodes of every chunk its leaves list.
func (x *inodeIndex) inobt(ag uint64, agbno uint32, level int) error {
	f := x.fs
	fsbno := ag<<f.sb.agBlkLog | uint64(agbno)
	if x.seen[fsbno] {
		return fmt.Errorf("%w: inode btree block %d reached twice", ErrCorrupt, agbno)
	}
	x.seen[fsbno] = true
	off := f.sb.offset(fsbno)
	if off < 0 {
		return fmt.Errorf("%w: inode btree block %d outside the group", ErrCorrupt, agbno)
	}
	b := make([]byte, f.sb.blockSize)
	if err := readat.Full(f.r, b, off); err != nil {
		return err
	}
	n := int(be.Uint16(b[6:]))
	if string(b[:4]) != inobtMagic || int(be.Uint16(b[4:])) != level || !crcOK(b, 52) {
		return fmt.Errorf("%w: bad inode btree block %d (level %d)", ErrCorrupt, agbno, level)
	}
	if level > 0 {
		maxrecs := (len(b) - shortBlockBytes) / 8 // keys (a start inode each), then pointers
		if n > maxrecs {
			return fmt.Errorf("%w: inode btree node with %d records", ErrCorrupt, n)
		}
		for i := range n {
			if err := x.inobt(ag, be.Uint32(b[shortBlockBytes+maxrecs*4+i*4:]), level-1); err != nil {
				return err
			}
		}
		return nil
	}
	if n > (len(b)-shortBlockBytes)/inobtRecBytes {
		return fmt.Errorf("%w: inode btree leaf with %d records", ErrCorrupt, n)
	}
	recs := make([]inobtRec, 0, n)
	for i := range n {
		rec := b[shortBlockBytes+i*inobtRecBytes:]
		r := inobtRec{start: be.Uint32(rec), free: be.Uint64(rec[8:])}
		if f.sb.incompat&incompatSpinodes != 0 {
			r.holes = be.Uint16(rec[4:])
		}
		if r.start%inodesPerChunk != 0 {
			return fmt.Errorf("%w: inode chunk at %d", ErrCorrupt, r.start)
		}
		if ^r.free == 0 {
			continue // all free: nothing to read
		}
		if x.chunks++; x.chunks > f.sb.agBlocks<<f.sb.inoPBLog/inodesPerChunk {
			return fmt.Errorf("%w: more inode chunks listed than the group holds", ErrCorrupt)
		}
		recs = append(recs, r)
	}
	return x.inodeChunks(ag, recs)
}

// inodeChunks records the in-use inodes of the chunks of recs, reading the chunks that
// lie one after the other at once.
func (x *inodeIndex) inodeChunks(ag uint64, recs []inobtRec) error {
	f := x.fs
	chunkBytes := inodesPerChunk * f.sb.inodeSize
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && recs[j].start == recs[j-1].start+inodesPerChunk && int64(j+1-i)*chunkBytes <= int64(len(x.buf)) {
			j++
		}
		// a chunk may start inside a block: 64 KiB blocks hold 128 inodes of 512 bytes
		start := uint64(recs[i].start)
		off := f.sb.offset(ag<<f.sb.agBlkLog | start>>f.sb.inoPBLog)
		if off >= 0 {
			off += int64(start&(1<<f.sb.inoPBLog-1)) * f.sb.inodeSize
		}
		run := x.buf[:int64(j-i)*chunkBytes]
		if off < 0 || off+int64(len(run)) > int64(f.sb.blocks)*f.sb.blockSize {
			return fmt.Errorf("%w: inode chunk %d outside the filesystem", ErrCorrupt, recs[i].start)
		}
		if err := readat.Full(f.r, run, off); err != nil {
			return err
		}
		for k, r := range recs[i:j] {
			if err := x.inodeChunk(ag, r, run[int64(k)*chunkBytes:int64(k+1)*chunkBytes]); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// inodeChunk records the in-use inodes of the chunk r, given its bytes.
func (x *inodeIndex) inodeChunk(ag uint64, r inobtRec, chunk []byte) error {
	f := x.fs
	isz := f.sb.inodeSize
	for i := range uint64(inodesPerChunk) {
		if r.holes&(1<<(i/4)) != 0 || r.free&(1<<i) != 0 {
			continue
		}
		ino := ag<<(f.sb.agBlkLog+f.sb.inoPBLog) | (uint64(r.start) + i)
		in := &x.in
		if err := f.parseInodeInto(in, ino, chunk[int64(i)*isz:int64(i+1)*isz]); err != nil {
			return err
		}
		entry := ino << 1
		if in.isDir() {
			entry |= 1
		}
		x.inUse = append(x.inUse, entry)
		if !in.isDir() && !in.isRegular() && !in.isSymlink() {
			continue
		}
		ext, err := f.extentsInto(x.ext, in)
		if err != nil {
			return err
		}
		x.ext = ext
		if len(x.ranges)+len(ext) > blockuse.MaxIndexRanges {
			return fmt.Errorf("%w (more than %d)", blockuse.ErrIndexFull, blockuse.MaxIndexRanges)
		}
		for _, e := range ext {
			lo := f.sb.offset(e.start) // extents() checked the whole extent lies inside
			x.ranges = append(x.ranges, extentRange{lo: lo, hi: lo + int64(e.count)*f.sb.blockSize, off: e.off, ino: ino, unwritten: e.unwritten})
		}
	}
	return nil
}

// isDir tells whether ino is in use, and a directory, as the inode btrees say.
func (x *inodeIndex) isDir(ino uint64) (known, dir bool) {
	i, found := slices.BinarySearch(x.inUse, ino<<1)
	if !found && i < len(x.inUse) && x.inUse[i] == ino<<1|1 {
		return true, true
	}
	return found, false
}

// Uses tells what holds each offset, as FS.Uses does.
func (x *inodeIndex) Uses(offsets []int64) (map[int64]blockuse.Use, error) {
	f := x.fs
	out, pending, err := f.allocated(offsets)
	if err != nil {
		return nil, err
	}
	found := map[int64]extentRange{}
	names := map[uint64]string{}
	for _, off := range pending {
		i, ok := blockuse.SpanHolding(x.ranges, off, extentRange.span)
		if !ok {
			out[off] = blockuse.Use{Kind: blockuse.Metadata}
			continue
		}
		found[off] = x.ranges[i]
		names[x.ranges[i].ino] = ""
	}
	if len(names) == 0 {
		return out, nil
	}
	root, err := f.readInode(f.sb.rootIno)
	if err != nil {
		return nil, err
	}
	if err := (&owners{fs: f}).tree().Names(root, names, x.isDir); err != nil {
		return nil, err
	}
	for off, r := range found {
		p := names[r.ino]
		if p == "" { // in use, but under no name the walk reaches
			out[off] = blockuse.Use{Kind: blockuse.Metadata}
			continue
		}
		in, err := f.readInode(r.ino)
		if err != nil {
			return nil, err
		}
		u := blockuse.MetadataOf(p)(0)
		if !in.isDir() {
			u = blockuse.FileUse(p, in.size)(int64(r.off)*f.sb.blockSize + off - r.lo)
		}
		if r.unwritten {
			u.Kind = blockuse.Slack
		}
		out[off] = u
	}
	return out, nil
}
