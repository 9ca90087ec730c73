package ext4

import "encoding/binary"

// claim resolves the pending offsets that lie in in's blocks: use gets the offset within
// the file. Blocks of an ext2/3 block map's pointer blocks are the file's metadata.
func (o *owners) claim(in *inode, use func(fileOff int64) Use) error {
	if o.claims.Len() == 0 || in.flags&flagInlineData != 0 || isFastSymlink(in) {
		return nil
	}
	bs := o.fs.sb.blockSize
	visit := func(lblk, phys, n uint64) {
		o.claims.Claim(int64(phys)*bs, int64(phys+n)*bs, func(fromLo int64) Use {
			switch lblk {
			case metaBlock:
				return Use{Kind: UseMetadata, Path: use(0).Path}
			case unwrittenBlock: // reads as zeros: what the disk holds there is a remnant
				return Use{Kind: UseSlack, Path: use(0).Path}
			}
			return use(int64(lblk)*bs + fromLo)
		})
	}
	if in.flags&flagExtents != 0 {
		c, err := o.fs.newContent(in)
		if err != nil {
			return err
		}
		for _, e := range c.extents {
			if e.uninit {
				visit(unwrittenBlock, e.phys, e.length)
			} else {
				visit(e.logical, e.phys, e.length)
			}
		}
		return nil
	}
	return o.fs.blockMap(in, visit, func() bool { return o.claims.Len() > 0 })
}

// Markers for visit's lblk: blocks that hold no file data.
const (
	metaBlock      = ^uint64(0)     // a block map's pointer block
	unwrittenBlock = ^uint64(0) - 1 // an unwritten (preallocated) extent
)

// blockMap visits the data and pointer blocks of an ext2/3 block-mapped inode, reading
// only the pointer blocks (about 1/1024 of the file), while more says to go on.
func (f *FS) blockMap(in *inode, visit func(lblk, phys, n uint64), more func() bool) error {
	le := binary.LittleEndian
	per := uint64(f.sb.blockSize / 4)
	limit := (uint64(in.size) + uint64(f.sb.blockSize) - 1) / uint64(f.sb.blockSize)
	for i := uint64(0); i < 12 && i < limit; i++ {
		if b := uint64(le.Uint32(in.block[i*4:])); b != 0 && b < f.sb.blocksCount {
			visit(i, b, 1)
		}
	}
	first, span := uint64(12), per
	for level := 1; level <= 3 && first < limit; level++ {
		root := uint64(le.Uint32(in.block[(11+level)*4:]))
		if err := f.pointers(root, level, first, limit, visit, more); err != nil {
			return err
		}
		first += span
		span *= per
	}
	return nil
}

func (f *FS) pointers(blk uint64, level int, first, limit uint64, visit func(lblk, phys, n uint64), more func() bool) error {
	if blk == 0 || blk >= f.sb.blocksCount || first >= limit || !more() {
		return nil
	}
	visit(metaBlock, blk, 1)
	buf := make([]byte, f.sb.blockSize)
	if err := f.readAt(buf, int64(blk)*f.sb.blockSize); err != nil {
		return err
	}
	per := uint64(len(buf) / 4)
	span := uint64(1)
	for range level - 1 {
		span *= per
	}
	for i := uint64(0); i < per; i++ {
		child := uint64(binary.LittleEndian.Uint32(buf[i*4:]))
		lblk := first + i*span
		if lblk >= limit {
			break
		}
		if level == 1 {
			if child != 0 && child < f.sb.blocksCount {
				visit(lblk, child, 1)
			}
		} else if err := f.pointers(child, level-1, lblk, limit, visit, more); err != nil {
			return err
		}
	}
	return nil
}

// isFastSymlink tells a symlink whose target lives in i_block (no blocks), as readLink does.
func isFastSymlink(in *inode) bool {
	return in.isSymlink() && in.size < 60 && in.flags&flagInlineData == 0 &&
		(in.flags&flagExtents == 0 || in.block[0] != 0x0A || in.block[1] != 0xF3)
}

// BlockSize is the filesystem's block size in bytes.
func (f *FS) BlockSize() int64 { return f.sb.blockSize }
