package ext4

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sync"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// FS is a read-only ext2/3/4 filesystem. Paths are fs.FS paths ("etc/shadow"). It is
// safe for concurrent use.
type FS struct {
	fsfile.Files[*inode] // Open, ReadFile, ReadDir, Stat, Lstat, ReadLink

	r  io.ReaderAt
	sb *superblock
	// meta serves the small metadata reads (inodes, group descriptors, bitmap bytes)
	// from cached pages: a walk of 50,000 files reads each inode table page once.
	meta *readat.Pages

	mu     sync.Mutex
	tables map[uint64]uint64 // block group -> inode table block
	inodes *fsfile.Cache[uint32, *inode]
	dirs   *fsfile.Cache[uint32, []dirent]
	tree   fsfile.Tree[*inode]
}

var (
	_ fs.ReadLinkFS = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
)

// Open reads the filesystem held in the first size bytes of r. It refuses (with an error
// wrapping ErrUnsupported) a filesystem using a feature it cannot read correctly.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	sb, err := readSuperblock(r, size)
	if err != nil {
		return nil, err
	}
	f := &FS{r: r, sb: sb, meta: readat.NewPages(r, size, metaPageSize, metaPages), tables: map[uint64]uint64{},
		inodes: fsfile.NewCache[uint32, *inode](fsfile.CachedInodes, nil),
		dirs:   fsfile.NewListCache[uint32, dirent](fsfile.CachedDirEntries)}
	f.tree = f.newTree()
	f.Files = f.files()
	root, err := f.readInode(rootIno)
	if err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	if !root.isDir() {
		return nil, fmt.Errorf("%w: the root inode is not a directory", ErrCorrupt)
	}
	return f, nil
}

// Kind is "ext2", "ext3" or "ext4", from the superblock's features.
func (f *FS) Kind() string { return f.sb.kind() }

// Label is the volume label.
func (f *FS) Label() string { return f.sb.volumeName }

// The metadata page cache: 64 KiB pages (256 inodes of 256 bytes), 4 MiB at most.
const (
	metaPageSize = 64 << 10
	metaPages    = 64
)

func (f *FS) readAt(b []byte, off int64) error { return readat.Full(f.r, b, off) }

// readMeta reads small metadata through the page cache.
func (f *FS) readMeta(b []byte, off int64) error { return readat.Full(f.meta, b, off) }

// resolve walks name from the root directory, following symlinks inside the image (the
// last element only when followLast is set).
func (f *FS) resolve(op, name string, followLast bool) (*inode, error) {
	return f.tree.Resolve(op, name, followLast)
}

// newTree is the path walk over this filesystem's inodes.
func (f *FS) newTree() fsfile.Tree[*inode] {
	return fsfile.Tree[*inode]{
		Root: func() (*inode, error) { return f.readInode(rootIno) },
		Child: func(dir *inode, name string) (*inode, string, bool, error) {
			entries, err := f.listDir(dir)
			if err != nil {
				return nil, "", false, err
			}
			e, ok := lookup(entries, name)
			if !ok {
				return nil, "", false, nil
			}
			in, err := f.readInode(e.ino)
			return in, e.name, true, err
		},
		ReadLink:  f.readLink,
		IsDir:     (*inode).isDir,
		IsSymlink: (*inode).isSymlink,
		Num:       func(in *inode) uint64 { return uint64(in.num) },
		Corrupt:   ErrCorrupt,
	}
}

func (f *FS) readLink(in *inode) (string, error) {
	if in.size > maxSymlinkSize || in.size == 0 {
		return "", fmt.Errorf("%w: symlink inode %d has a %d-byte target", ErrCorrupt, in.num, in.size)
	}
	// A fast symlink keeps its target in i_block (never with inline data, and without
	// an extent header even when the extents flag is set).
	fast := in.size < 60 && in.flags&flagInlineData == 0 &&
		(in.flags&flagExtents == 0 || in.block[0] != 0x0A || in.block[1] != 0xF3)
	if fast {
		return string(in.block[:in.size]), nil
	}
	c, err := f.newContent(in)
	if err != nil {
		return "", err
	}
	b := make([]byte, in.size)
	if _, err := c.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return string(b), nil
}

// files is the io/fs face of this filesystem (fsfile.Files) over its inodes.
func (f *FS) files() fsfile.Files[*inode] {
	return fsfile.Files[*inode]{
		Resolve:     f.resolve,
		Info:        func(name string, in *inode) fs.FileInfo { return fileInfo{name: name, in: in} },
		IsDir:       (*inode).isDir,
		IsSymlink:   (*inode).isSymlink,
		Entries:     f.dirEntries,
		Content:     func(in *inode) (io.ReaderAt, error) { return f.newContent(in) },
		Target:      f.readLink,
		Unsupported: ErrUnsupported,
	}
}

func (f *FS) dirEntries(name string, in *inode) ([]fs.DirEntry, error) {
	entries, err := f.listDir(in)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	// Every entry's inode is read now, so that an unreadable one fails the listing
	// instead of hiding from a walk.
	out := make([]fs.DirEntry, len(entries))
	for i, e := range entries {
		child, err := f.readInode(e.ino)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: path.Join(name, e.name), Err: err}
		}
		out[i] = &dirEntry{fs: f, d: e, mode: child.fileMode()}
	}
	return out, nil
}
