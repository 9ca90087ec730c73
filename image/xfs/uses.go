package xfs

import (
	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

var _ blockuse.Indexer = (*FS)(nil)

// Uses tells what holds each byte offset: free space (the allocation groups' free-space
// btrees), the log, a live file (with its path) or the slack past its end, or other
// metadata (AG headers, inode chunks, btree blocks). It walks the directory tree only
// while some offset in an allocated block is still unexplained.
func (f *FS) Uses(offsets []int64) (map[int64]blockuse.Use, error) {
	out, pending, err := f.allocated(offsets)
	if err != nil {
		return nil, err
	}
	return blockuse.ResolveByWalk(out, pending, f.claimOwners)
}

// claimOwners walks the tree, claiming extents while c wants more.
func (f *FS) claimOwners(c blockuse.Claimer) error {
	root, err := f.readInode(f.sb.rootIno)
	if err != nil {
		return err
	}
	return (&owners{fs: f, claims: c}).tree().Walk(root, c)
}

// allocated answers for the offsets outside the filesystem, in the log and in free
// blocks, and returns those in allocated blocks, left to find an owner for.
func (f *FS) allocated(offsets []int64) (map[int64]blockuse.Use, []int64, error) {
	out := map[int64]blockuse.Use{}
	logStart := f.sb.offset(f.sb.logStart)
	logEnd := logStart + int64(f.sb.logBlocks)*f.sb.blockSize
	free := &freeSpace{fs: f, agfs: map[uint64][]byte{}}
	var pending []int64
	for _, off := range offsets {
		if off < 0 || off >= int64(f.sb.blocks)*f.sb.blockSize {
			out[off] = blockuse.Use{Kind: blockuse.Outside}
			continue
		}
		if f.sb.logStart != 0 && logStart >= 0 && off >= logStart && off < logEnd {
			out[off] = blockuse.Use{Kind: blockuse.Journal}
			continue
		}
		blk := uint64(off / f.sb.blockSize)
		isFree, err := free.contains(blk/f.sb.agBlocks, blk%f.sb.agBlocks)
		if err != nil {
			return nil, nil, err
		}
		if isFree {
			out[off] = blockuse.Use{Kind: blockuse.Free}
			continue
		}
		pending = append(pending, off)
	}
	return out, pending, nil
}

// owners claims the extents of inodes: for pending offsets (Uses) or for an index.
type owners struct {
	fs     *FS
	claims blockuse.Claimer
}

func (o *owners) tree() blockuse.Tree[*inode, dirent] {
	return blockuse.Tree[*inode, dirent]{
		Entries: o.fs.listDir,
		Name:    func(e dirent) string { return e.name },
		Load:    func(e dirent) (*inode, error) { return o.fs.readInode(e.ino) },
		ID:      func(in *inode) uint64 { return in.num },
		EntryID: func(e dirent) uint64 { return e.ino },
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

// claim resolves the pending offsets that lie in in's data fork extents: use gets the
// offset within the file. An unwritten (preallocated) extent reads as zeros, so what the
// disk holds there is a remnant: slack.
func (o *owners) claim(in *inode, use func(fileOff int64) blockuse.Use) error {
	if o.claims.Len() == 0 || (in.format != formatExtents && in.format != formatBtree) {
		return nil
	}
	ext, err := o.fs.extents(in)
	if err != nil {
		return err
	}
	bs := o.fs.sb.blockSize
	for _, e := range ext {
		lo := o.fs.sb.offset(e.start) // extents() checked the whole extent lies inside
		o.claims.Claim(lo, lo+int64(e.count)*bs, func(fromLo int64) blockuse.Use {
			u := use(int64(e.off)*bs + fromLo)
			if e.unwritten {
				u.Kind = blockuse.Slack
			}
			return u
		})
	}
	return nil
}
