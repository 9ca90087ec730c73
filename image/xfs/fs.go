package xfs

import (
	"fmt"
	"io"
	"io/fs"
	"sort"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// The metadata page cache: 64 KiB pages (two chunks of 64 inodes of 512 bytes), 4 MiB
// at most.
const (
	metaPageSize = 64 << 10
	metaPages    = 64
)

// FS is a read-only XFS v5 filesystem. Paths are fs.FS paths ("etc/shadow"). It is safe
// for concurrent use.
type FS struct {
	fsfile.Files[*inode] // Open, ReadFile, ReadDir, Stat, Lstat, ReadLink

	r  io.ReaderAt
	sb *superblock
	// meta serves inode reads from cached pages: a walk of 50,000 files reads each inode
	// chunk once, not each inode with a read of its own.
	meta *readat.Pages

	inodes *fsfile.Cache[uint64, *inode]
	dirs   *fsfile.Cache[uint64, []dirent]
	tree   fsfile.Tree[*inode]
}

var (
	_ fs.ReadLinkFS = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
)

// Open reads the filesystem held in the first size bytes of r. A log that needs recovery
// is refused: the files would be read as they were before the last writes.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	sb, err := readSuperblock(r, size)
	if err != nil {
		return nil, err
	}
	f := newFS(r, sb)
	if err := f.checkLog(); err != nil {
		return nil, err
	}
	root, err := f.readInode(sb.rootIno)
	if err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	if !root.isDir() {
		return nil, fmt.Errorf("%w: the root inode is not a directory", ErrCorrupt)
	}
	return f, nil
}

// newFS sets up the reader over a superblock already read, with empty caches.
func newFS(r io.ReaderAt, sb *superblock) *FS {
	f := &FS{r: r, sb: sb, meta: readat.NewPages(r, int64(sb.blocks)*sb.blockSize, metaPageSize, metaPages),
		inodes: fsfile.NewCache[uint64, *inode](fsfile.CachedInodes, nil),
		dirs:   fsfile.NewListCache[uint64, dirent](fsfile.CachedDirEntries)}
	f.tree = f.newTree()
	f.Files = f.files()
	return f
}

// Features names the features that change how files are read ("nrext64", "bigtime").
func (f *FS) Features() []string {
	var out []string
	for _, ft := range []struct {
		bit  uint32
		name string
	}{{incompatNrext64, "nrext64"}, {incompatBigtime, "bigtime"}, {incompatFtype, "ftype"}, {incompatSpinodes, "sparse inodes"}} {
		if f.sb.incompat&ft.bit != 0 {
			out = append(out, ft.name)
		}
	}
	return out
}

// resolve walks name from the root directory, following symlinks inside the image (the
// last element only when followLast is set).
func (f *FS) resolve(op, name string, followLast bool) (*inode, error) {
	return f.tree.Resolve(op, name, followLast)
}

// newTree is the path walk over this filesystem's inodes.
func (f *FS) newTree() fsfile.Tree[*inode] {
	return fsfile.Tree[*inode]{
		Root: func() (*inode, error) { return f.readInode(f.sb.rootIno) },
		Child: func(dir *inode, name string) (*inode, string, bool, error) {
			entries, err := f.listDir(dir)
			if err != nil {
				return nil, "", false, err
			}
			i := sort.Search(len(entries), func(i int) bool { return entries[i].name >= name })
			if i == len(entries) || entries[i].name != name {
				return nil, "", false, nil
			}
			in, err := f.readInode(entries[i].ino)
			return in, name, true, err
		},
		ReadLink:  f.readLink,
		IsDir:     (*inode).isDir,
		IsSymlink: (*inode).isSymlink,
		Num:       func(in *inode) uint64 { return in.num },
		Corrupt:   ErrCorrupt,
	}
}

// readLink reads a symlink's target: in the inode, or in remote blocks each led by a
// 56-byte header.
func (f *FS) readLink(in *inode) (string, error) {
	if in.size == 0 || in.size > maxSymlinkBytes {
		return "", fmt.Errorf("%w: symlink inode %d has a %d-byte target", ErrCorrupt, in.num, in.size)
	}
	if in.format == formatLocal {
		return string(in.fork[:in.size]), nil
	}
	c, err := f.newContent(in)
	if err != nil {
		return "", err
	}
	const hdr = 56
	var target []byte
	for blk := int64(0); int64(len(target)) < in.size; blk++ {
		b := make([]byte, f.sb.blockSize)
		if err := c.readMapped(b, blk*f.sb.blockSize); err != nil {
			return "", err
		}
		if string(b[:4]) != "XSLM" || !crcOK(b, 12) || be.Uint64(b[32:]) != in.num {
			return "", fmt.Errorf("%w: symlink inode %d: a remote block fails its magic, checksum or owner", ErrCorrupt, in.num)
		}
		n := int64(be.Uint32(b[8:]))
		if n <= 0 || n > f.sb.blockSize-hdr {
			return "", fmt.Errorf("%w: symlink inode %d: a remote block holds %d bytes", ErrCorrupt, in.num, n)
		}
		target = append(target, b[hdr:hdr+n]...)
	}
	return string(target[:in.size]), nil
}
