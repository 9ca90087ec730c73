package ext4

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

// The deep scan's owner index is built from the inode tables, not by walking the tree:
// on a flex_bg filesystem the tables lie together near the start of the volume, where
// the scan has just read them, so they are read in large pieces from the page cache,
// and every in-use inode's blocks are recorded under its number. The walk built the
// same record through every directory, every file's inode and a path for each, and
// cost the scan running beside it three times as much. Names are found after the scan,
// only for the inodes holding hits (pathsFromEntries, else pathsOf).

// bgInodeUninit marks a group whose inode table and bitmap were never written.
const bgInodeUninit = 0x1

// tableReadBytes is how much of an inode table is read at once, and maxIndexedInodes
// the most inodes an index is built for (its two bitsets then take 32 MiB).
const (
	tableReadBytes   = 256 << 10
	maxIndexedInodes = 1 << 27
)

// inodeRange is a run of blocks of one inode: its bytes [lo, hi) of the volume, from
// logical block lblk on (or metaBlock, unwrittenBlock).
type inodeRange struct {
	lo, hi int64
	lblk   uint64
	ino    uint32
}

// inodeIndex answers Uses from the ranges of every in-use directory, file and symlink,
// and of the journal.
type inodeIndex struct {
	fs      *FS
	journal uint32
	ranges  []inodeRange // sorted by lo, none overlapping
	// used and dirs are bitsets over inode numbers: in use (with a link), and a
	// directory.
	used, dirs []uint64
	dirSize    map[uint32]int64 // what a directory's blocks hold entries up to
	extents    []extent         // reused from inode to inode
}

var _ blockuse.Indexed = (*inodeIndex)(nil)

// Index records the blocks of the journal and of every in-use directory, file and
// symlink from the inode tables. The result answers as Uses does, looking the allocated
// offsets up and walking the tree only for the names of the inodes they are in. It
// fails (and the deep scan then walks after the scan, as without an index) when two
// inodes claim one block, when it would pass blockuse.MaxIndexRanges ranges, or when
// ctx is cancelled.
func (f *FS) Index(ctx context.Context) (blockuse.Indexed, error) {
	// The inode tables must fit in the filesystem; a count past that, or past what the
	// bitsets are allowed to take, is a hostile superblock (or a filesystem to walk).
	if uint64(f.sb.inodesCount)*uint64(f.sb.inodeSize) > f.sb.blocksCount*uint64(f.sb.blockSize) {
		return nil, fmt.Errorf("%w: %d inodes of %d bytes do not fit in %d blocks", ErrCorrupt, f.sb.inodesCount, f.sb.inodeSize, f.sb.blocksCount)
	}
	if f.sb.inodesCount > maxIndexedInodes {
		return nil, fmt.Errorf("%w (%d inodes, more than %d)", blockuse.ErrIndexFull, f.sb.inodesCount, maxIndexedInodes)
	}
	words := (uint64(f.sb.inodesCount) + 64) / 64
	x := &inodeIndex{fs: f, used: make([]uint64, words), dirs: make([]uint64, words), dirSize: map[uint32]int64{}}
	// room for a range per inode in use (most have one extent), within the bound
	if free := f.sb.freeInodes; free <= f.sb.inodesCount {
		x.ranges = make([]inodeRange, 0, min(int(f.sb.inodesCount-free), blockuse.MaxIndexRanges))
	}
	if ino := f.sb.journalIno; ino != 0 {
		in, err := f.readInode(ino)
		if err != nil {
			return nil, fmt.Errorf("journal inode: %w", err)
		}
		x.journal = ino
		if err := x.record(in); err != nil {
			return nil, err
		}
	}
	first := f.sb.firstIno
	buf := make([]byte, tableReadBytes)
	for g := uint64(0); g < f.sb.groupCount; g++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := x.group(g, first, buf); err != nil {
			return nil, err
		}
	}
	return x, x.seal()
}

// group records the in-use inodes of block group g, by its inode bitmap.
func (x *inodeIndex) group(g uint64, first uint32, buf []byte) error {
	f, le := x.fs, binary.LittleEndian
	d := make([]byte, f.sb.descSize)
	if err := f.readMeta(d, f.sb.descriptorOffset(g)); err != nil {
		return fmt.Errorf("reading group descriptor %d: %w", g, err)
	}
	if le.Uint16(d[0x12:])&bgInodeUninit != 0 {
		return nil
	}
	bitmapBlock := uint64(le.Uint32(d[0x04:]))
	if f.sb.descSize >= 64 {
		bitmapBlock |= uint64(le.Uint32(d[0x24:])) << 32
	}
	if bitmapBlock == 0 || bitmapBlock >= f.sb.blocksCount {
		return fmt.Errorf("%w: group %d inode bitmap at block %d", ErrCorrupt, g, bitmapBlock)
	}
	table, err := f.inodeTable(g)
	if err != nil {
		return err
	}
	ipg := uint64(f.sb.inodesPerGroup)
	if g*ipg >= uint64(f.sb.inodesCount) {
		return nil // a superblock counting fewer inodes than its groups hold
	}
	count := min(ipg, uint64(f.sb.inodesCount)-g*ipg) // the last group may hold fewer
	bitmap := make([]byte, (count+7)/8)
	if err := f.readAt(bitmap, int64(bitmapBlock)*f.sb.blockSize); err != nil {
		return fmt.Errorf("reading the inode bitmap of group %d: %w", g, err)
	}
	last := -1 // the table is read only as far as its last in-use inode
	for i := len(bitmap) - 1; i >= 0 && last < 0; i-- {
		for b := 7; b >= 0; b-- {
			if bitmap[i]&(1<<b) != 0 && uint64(i*8+b) < count {
				last = i*8 + b
				break
			}
		}
	}
	isz := f.sb.inodeSize
	per := int64(len(buf)) / isz
	for start := int64(0); start <= int64(last); start += per {
		n := min(per, int64(last)+1-start)
		piece := buf[:n*isz]
		if err := f.readAt(piece, int64(table)*f.sb.blockSize+start*isz); err != nil {
			return fmt.Errorf("reading the inode table of group %d: %w", g, err)
		}
		for i := range n {
			idx := start + i
			if bitmap[idx/8]&(1<<(idx%8)) == 0 {
				continue
			}
			ino := uint32(g*ipg) + uint32(idx) + 1
			if ino < first && ino != rootIno {
				continue // reserved: the journal, the resize inode, ...
			}
			if err := x.inode(ino, piece[i*isz:(i+1)*isz]); err != nil {
				return err
			}
		}
	}
	return nil
}

// inode records the blocks of one in-use inode, given its bytes in the table.
func (x *inodeIndex) inode(ino uint32, b []byte) error {
	le := binary.LittleEndian
	if le.Uint16(b[0x1A:]) == 0 {
		return nil // no links: deleted, or open but unlinked when the image was taken
	}
	in := inode{
		num:   ino,
		mode:  le.Uint16(b[0x00:]),
		size:  int64(uint64(le.Uint32(b[0x04:])) | uint64(le.Uint32(b[0x6C:]))<<32),
		flags: le.Uint32(b[0x20:]),
	}
	copy(in.block[:], b[0x28:0x28+60])
	x.used[ino/64] |= 1 << (ino % 64)
	if in.isDir() {
		x.dirs[ino/64] |= 1 << (ino % 64)
		x.dirSize[ino] = in.size
	}
	if !in.isDir() && !in.isRegular() && !in.isSymlink() {
		return nil // a device, fifo or socket has no blocks
	}
	return x.record(&in)
}

// record adds in's blocks, as owners.claim would claim them.
func (x *inodeIndex) record(in *inode) error {
	if in.flags&flagInlineData != 0 || isFastSymlink(in) {
		return nil
	}
	if in.flags&flagExtents != 0 {
		extents, reads := maxExtents, maxExtentNodeReads
		x.extents = x.extents[:0]
		if err := x.fs.collectExtents(in.block[:], -1, &x.extents, &extents, &reads); err != nil {
			return fmt.Errorf("inode %d: %w", in.num, err)
		}
		for _, e := range x.extents {
			lblk := e.logical
			if e.uninit {
				lblk = unwrittenBlock
			}
			if !x.add(in.num, lblk, e.phys, e.length) {
				return x.full()
			}
		}
		return nil
	}
	room := true
	if err := x.fs.blockMap(in, func(lblk, phys, n uint64) { room = room && x.add(in.num, lblk, phys, n) },
		func() bool { return room }); err != nil {
		return err
	}
	if !room {
		return x.full()
	}
	return nil
}

// add records n blocks of inode ino from phys on, which hold its block lblk on; false
// when the index is full.
func (x *inodeIndex) add(ino uint32, lblk, phys, n uint64) bool {
	if len(x.ranges) >= blockuse.MaxIndexRanges {
		return false
	}
	bs := x.fs.sb.blockSize
	x.ranges = append(x.ranges, inodeRange{lo: int64(phys) * bs, hi: int64(phys+n) * bs, lblk: lblk, ino: ino})
	return true
}

func (x *inodeIndex) full() error {
	return fmt.Errorf("%w (more than %d)", blockuse.ErrIndexFull, blockuse.MaxIndexRanges)
}

// seal sorts the ranges and refuses blocks claimed twice (blockuse.SortSpans).
func (x *inodeIndex) seal() error {
	if i := blockuse.SortSpans(x.ranges, inodeRange.span); i > 0 {
		return fmt.Errorf("block index: inodes %d and %d claim the block at %d", x.ranges[i-1].ino, x.ranges[i].ino, x.ranges[i].lo)
	}
	x.extents = nil
	return nil
}

func (r inodeRange) span() (lo, hi int64) { return r.lo, r.hi }

// lookup finds the range holding off.
func (x *inodeIndex) lookup(off int64) (inodeRange, bool) {
	if i, ok := blockuse.SpanHolding(x.ranges, off, inodeRange.span); ok {
		return x.ranges[i], true
	}
	return inodeRange{}, false
}

// isDir tells whether ino is in use, and a directory, as the inode tables say.
func (x *inodeIndex) isDir(ino uint32) (known, dir bool) {
	if int(ino/64) >= len(x.used) || x.used[ino/64]&(1<<(ino%64)) == 0 {
		return false, false
	}
	return true, x.dirs[ino/64]&(1<<(ino%64)) != 0
}

// Uses tells what holds each offset, as FS.Uses does.
func (x *inodeIndex) Uses(offsets []int64) (map[int64]Use, error) {
	f := x.fs
	out, pending, err := f.allocated(offsets)
	if err != nil {
		return nil, err
	}
	found := map[int64]inodeRange{}
	names := map[uint32]string{}
	for _, off := range pending {
		r, ok := x.lookup(off)
		switch {
		case !ok:
			out[off] = Use{Kind: UseMetadata}
		case r.ino == x.journal:
			out[off] = Use{Kind: UseJournal}
		default:
			found[off] = r
			names[r.ino] = ""
		}
	}
	if len(names) == 0 {
		return out, nil
	}
	if ok, err := x.pathsFromEntries(names); err != nil || !ok {
		if err := x.pathsOf(names); err != nil {
			return nil, err
		}
	}
	for off, r := range found {
		p := names[r.ino]
		if p == "" { // in use, but under no name the walk reaches
			out[off] = Use{Kind: UseMetadata}
			continue
		}
		in, err := f.readInode(r.ino)
		if err != nil {
			return nil, err
		}
		switch {
		case r.lblk == metaBlock:
			out[off] = Use{Kind: UseMetadata, Path: p}
		case r.lblk == unwrittenBlock:
			out[off] = Use{Kind: UseSlack, Path: p}
		case in.isDir():
			out[off] = Use{Kind: UseMetadata, Path: p}
		default:
			out[off] = blockuse.FileUse(p, in.size)(int64(r.lblk)*f.sb.blockSize + off - r.lo)
		}
	}
	return out, nil
}

// pathsOf sets the path of each inode of names as the walk of Uses would meet it first
// (blockuse.Tree.Names; pathsFromEntries does it faster, in the common case).
func (x *inodeIndex) pathsOf(names map[uint32]string) error {
	wide := make(map[uint64]string, len(names))
	for ino := range names {
		wide[uint64(ino)] = ""
	}
	root, err := x.fs.readInode(rootIno)
	if err != nil {
		return err
	}
	err = (&owners{fs: x.fs}).tree().Names(root, wide, func(id uint64) (bool, bool) { return x.isDir(uint32(id)) })
	for ino := range names {
		names[ino] = wide[uint64(ino)]
	}
	return err
}
