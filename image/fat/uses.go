package fat

import (
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

var _ blockuse.Mapper = (*FS)(nil)

// Uses tells what holds each byte offset: a cluster the FAT marks free, a live file (with
// its path) or the slack past its end, or metadata (the boot sector, the FATs, the root
// directory region, directories). It walks the directory tree only while some offset in
// a used cluster is still unexplained.
func (f *FS) Uses(offsets []int64) (map[int64]blockuse.Use, error) {
	out := map[int64]blockuse.Use{}
	cs := f.bs.clusterSize
	end := f.bs.dataOffset + int64(f.bs.clusters)*cs
	var pending []int64
	for _, off := range offsets {
		switch {
		case off < 0 || off >= end:
			out[off] = blockuse.Use{Kind: blockuse.Outside}
		case off < f.bs.dataOffset:
			out[off] = blockuse.Use{Kind: blockuse.Metadata}
		case f.t.next(uint32((off-f.bs.dataOffset)/cs)+2) == 0:
			out[off] = blockuse.Use{Kind: blockuse.Free}
		default:
			pending = append(pending, off)
		}
	}
	o := &owners{fs: f, pending: blockuse.NewPending(out, pending)}
	if o.pending.Len() > 0 {
		if err := o.tree().Walk(f.root(), o.pending); err != nil {
			return nil, err
		}
	}
	o.pending.Finish(blockuse.Use{Kind: blockuse.Metadata}) // a lost chain, a bad cluster
	return out, nil
}

// owners resolves pending offsets to the files whose cluster chains hold them.
type owners struct {
	fs      *FS
	pending *blockuse.Pending[blockuse.Use]
}

func (o *owners) tree() blockuse.Tree[dirent, dirent] {
	cs := o.fs.bs.clusterSize
	return blockuse.Tree[dirent, dirent]{
		Entries: o.fs.listDir,
		Name:    func(e dirent) string { return e.name },
		Load:    func(e dirent) (dirent, error) { return e, nil },
		ID:      func(d dirent) uint64 { return uint64(d.cluster) },
		IsDir:   func(d dirent) bool { return d.isDir() },
		Claim: func(d dirent, p string) error {
			switch {
			case d.root && o.fs.bs.bits != 32, d.cluster == 0:
				return nil // the FAT12/16 root region (metadata), or an empty file
			case d.isDir():
				return o.claim(d.cluster, max(1, maxDirSize/cs), blockuse.MetadataOf(p))
			}
			size := int64(d.size)
			return o.claim(d.cluster, max(1, (size+cs-1)/cs), blockuse.FileUse(p, size))
		},
	}
}

// claim follows the chain from first for at most limit clusters (a file's size bounds
// its chain) and resolves the pending offsets in them: use gets the offset in the file.
func (o *owners) claim(first uint32, limit int64, use func(fileOff int64) blockuse.Use) error {
	bs := o.fs.bs
	if !bs.valid(first) {
		return fmt.Errorf("%w: first cluster %d", ErrCorrupt, first)
	}
	n := first
	for idx := int64(0); idx < limit && o.pending.Len() > 0; idx++ {
		lo := bs.clusterOffset(n)
		o.pending.Claim(lo, lo+bs.clusterSize, func(fromLo int64) blockuse.Use { return use(idx*bs.clusterSize + fromLo) })
		next, end, err := o.fs.t.follow(n)
		if err != nil {
			return err
		}
		if end {
			return nil
		}
		n = next
	}
	return nil
}
