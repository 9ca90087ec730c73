package ext4

import (
	"encoding/binary"
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

// What a byte of the filesystem belongs to, for the deep scan's findings: the kinds of
// package blockuse, which every filesystem reader shares.
const (
	UseFile     = blockuse.File
	UseSlack    = blockuse.Slack
	UseFree     = blockuse.Free
	UseJournal  = blockuse.Journal
	UseMetadata = blockuse.Metadata
	UseOutside  = blockuse.Outside
)

// Use says what holds one byte offset of the volume.
type Use = blockuse.Use

var _ blockuse.Indexer = (*FS)(nil)

// bgBlockUninit marks a group whose block bitmap was never written: all its blocks are free.
const bgBlockUninit = 0x2

// Uses tells what holds each byte offset: free space, the journal, a live file (with its
// path), or other metadata. It reads the block bitmaps of the offsets' groups, and walks
// the directory tree only while some offset in an allocated block is still unexplained.
func (f *FS) Uses(offsets []int64) (map[int64]Use, error) { return f.uses(offsets) }

// claimOwners claims the journal's blocks, then walks the tree while c wants more.
func (f *FS) claimOwners(c blockuse.Claimer) error {
	o := &owners{fs: f, claims: c}
	if err := o.journal(); err != nil {
		return err
	}
	if c.Len() == 0 {
		return nil
	}
	root, err := f.readInode(rootIno)
	if err != nil {
		return err
	}
	return o.tree().Walk(root, c)
}

func (f *FS) uses(offsets []int64) (map[int64]Use, error) {
	out, pending, err := f.allocated(offsets)
	if err != nil {
		return nil, err
	}
	return blockuse.ResolveByWalk(out, pending, f.claimOwners)
}

// allocated answers for the offsets outside the filesystem and in free blocks, and
// returns those in allocated blocks, left to find an owner for.
func (f *FS) allocated(offsets []int64) (map[int64]Use, []int64, error) {
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
			return nil, nil, err
		}
		if !used {
			out[off] = Use{Kind: UseFree}
			continue
		}
		pending = append(pending, off)
	}
	return out, pending, nil
}

func (f *FS) blockInUse(blk uint64) (bool, error) {
	if blk < uint64(f.sb.firstDataBlock) {
		return true, nil // the boot block and superblock of a 1 KiB-block filesystem
	}
	group := (blk - uint64(f.sb.firstDataBlock)) / uint64(f.sb.blocksPerGroup)
	d := make([]byte, f.sb.descSize)
	if err := f.readMeta(d, f.sb.descriptorOffset(group)); err != nil {
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
	if err := f.readMeta(b, int64(bitmap)*f.sb.blockSize+int64(bit/8)); err != nil {
		return false, fmt.Errorf("reading the block bitmap of group %d: %w", group, err)
	}
	return b[0]&(1<<(bit%8)) != 0, nil
}

// owners claims the blocks of inodes: for pending offsets (Uses) or for an index.
type owners struct {
	fs     *FS
	claims blockuse.Claimer
}

// journal claims the offsets in the journal inode's blocks.
func (o *owners) journal() error {
	ino := o.fs.sb.journalIno
	if ino == 0 {
		return nil
	}
	in, err := o.fs.readInode(ino)
	if err != nil {
		return fmt.Errorf("journal inode: %w", err)
	}
	return o.claim(in, func(int64) Use { return Use{Kind: UseJournal} })
}

func (o *owners) tree() blockuse.Tree[*inode, dirent] {
	return blockuse.Tree[*inode, dirent]{
		Entries: o.fs.listDir,
		Name:    func(e dirent) string { return e.name },
		Load:    func(e dirent) (*inode, error) { return o.fs.readInode(e.ino) },
		ID:      func(in *inode) uint64 { return uint64(in.num) },
		EntryID: func(e dirent) uint64 { return uint64(e.ino) },
		IsDir:   (*inode).isDir,
		Claim: func(in *inode, p string) error {
			switch {
			case in.isDir():
				return o.claim(in, blockuse.MetadataOf(p))
			case in.isRegular() || in.isSymlink():
				return o.claim(in, blockuse.FileUse(p, in.size))
			}
			return nil
		},
	}
}
