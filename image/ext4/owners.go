package ext4

import (
	"encoding/binary"
	"fmt"
	"path"
	"sort"
)

// What a byte of the filesystem belongs to, for the deep scan's findings.
const (
	UseFile     = "file"     // a live regular file's data
	UseSlack    = "slack"    // past the end of a live file, in its last block: a remnant
	UseFree     = "free"     // a block the bitmap says is free: a remnant
	UseJournal  = "journal"  // the journal's blocks
	UseMetadata = "metadata" // allocated to no file: inode tables, bitmaps, directories, xattrs
	UseOutside  = "outside"  // past the filesystem's last block (partition slack)
)

// Use says what holds one byte offset of the volume.
type Use struct {
	Kind string
	Path string // the file (or directory, for metadata) holding it, "/"-rooted; "" if none
}

// bgBlockUninit marks a group whose block bitmap was never written: all its blocks are free.
const bgBlockUninit = 0x2

// maxOwnerDepth bounds the directory walk that finds the files owning blocks.
const maxOwnerDepth = 256

// Uses tells what holds each byte offset: free space, the journal, a live file (with its
// path), or other metadata. It reads the block bitmaps of the offsets' groups, and walks
// the directory tree only while some offset in an allocated block is still unexplained.
func (f *FS) Uses(offsets []int64) (map[int64]Use, error) {
	out := map[int64]Use{}
	var pending []int64
	for _, off := range offsets {
		blk := uint64(off / f.sb.blockSize)
		if off < 0 || blk >= f.sb.blocksCount {
			out[off] = Use{Kind: UseOutside}
			continue
		}
		used, err := f.blockInUse(blk)
		if err != nil {
			return nil, err
		}
		if !used {
			out[off] = Use{Kind: UseFree}
			continue
		}
		pending = append(pending, off)
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i] < pending[j] })
	o := &owners{fs: f, pending: pending, out: out, seenDirs: map[uint32]bool{}}
	if len(pending) > 0 {
		if err := o.journal(); err != nil {
			return nil, err
		}
	}
	if len(o.pending) > 0 {
		root, err := f.readInode(rootIno)
		if err != nil {
			return nil, err
		}
		if err := o.walk(root, "/", 0); err != nil {
			return nil, err
		}
	}
	for _, off := range o.pending {
		out[off] = Use{Kind: UseMetadata}
	}
	return out, nil
}

func (f *FS) blockInUse(blk uint64) (bool, error) {
	if blk < uint64(f.sb.firstDataBlock) {
		return true, nil // the boot block and superblock of a 1 KiB-block filesystem
	}
	group := (blk - uint64(f.sb.firstDataBlock)) / uint64(f.sb.blocksPerGroup)
	d := make([]byte, f.sb.descSize)
	if err := f.readAt(d, f.sb.descriptorOffset(group)); err != nil {
		return false, fmt.Errorf("reading group descriptor %d: %w", group, err)
	}
	le := binary.LittleEndian
	if le.Uint16(d[0x12:])&bgBlockUninit != 0 {
		return false, nil
	}
	bitmap := uint64(le.Uint32(d[0x00:]))
	if f.sb.descSize >= 64 {
		bitmap |= uint64(le.Uint32(d[0x20:])) << 32
	}
	if bitmap == 0 || bitmap >= f.sb.blocksCount {
		return false, fmt.Errorf("%w: group %d block bitmap at block %d", ErrCorrupt, group, bitmap)
	}
	bit := (blk - uint64(f.sb.firstDataBlock)) % uint64(f.sb.blocksPerGroup)
	b := make([]byte, 1)
	if err := f.readAt(b, int64(bitmap)*f.sb.blockSize+int64(bit/8)); err != nil {
		return false, fmt.Errorf("reading the block bitmap of group %d: %w", group, err)
	}
	return b[0]&(1<<(bit%8)) != 0, nil
}

// owners resolves pending offsets (sorted) to the inodes whose blocks hold them.
type owners struct {
	fs       *FS
	pending  []int64
	out      map[int64]Use
	seenDirs map[uint32]bool
}

// journal claims the offsets in the journal inode's blocks.
func (o *owners) journal() error {
	b := make([]byte, 4)
	if err := o.fs.readAt(b, superblockOffset+0xE0); err != nil {
		return err
	}
	ino := binary.LittleEndian.Uint32(b)
	if o.fs.sb.compat&compatHasJournal == 0 || ino == 0 {
		return nil
	}
	in, err := o.fs.readInode(ino)
	if err != nil {
		return fmt.Errorf("journal inode: %w", err)
	}
	return o.claim(in, func(int64) Use { return Use{Kind: UseJournal} })
}

func (o *owners) walk(dir *inode, p string, depth int) error {
	if depth > maxOwnerDepth || o.seenDirs[dir.num] {
		return nil
	}
	o.seenDirs[dir.num] = true
	meta := func(int64) Use { return Use{Kind: UseMetadata, Path: p} }
	if err := o.claim(dir, meta); err != nil {
		return err
	}
	entries, err := o.fs.listDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	for _, e := range entries {
		if len(o.pending) == 0 {
			return nil
		}
		in, err := o.fs.readInode(e.ino)
		if err != nil {
			return fmt.Errorf("%s: %w", path.Join(p, e.name), err)
		}
		child := path.Join(p, e.name)
		switch {
		case in.isDir():
			if err := o.walk(in, child, depth+1); err != nil {
				return err
			}
		case in.isRegular() || in.isSymlink():
			size := in.size
			err := o.claim(in, func(fileOff int64) Use {
				if fileOff >= size {
					return Use{Kind: UseSlack, Path: child}
				}
				return Use{Kind: UseFile, Path: child}
			})
			if err != nil {
				return fmt.Errorf("%s: %w", child, err)
			}
		}
	}
	return nil
}
