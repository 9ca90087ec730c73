package xfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// maxSymlinkHops bounds symlink resolution, as the kernel's ELOOP limit does.
const maxSymlinkHops = 40

// Cache budgets: enough for the checks' working set, bounded whatever the image.
const (
	maxCachedInodes     = 1 << 16
	maxCachedDirEntries = 1 << 20
)

// FS is a read-only XFS v5 filesystem. Paths are fs.FS paths ("etc/shadow"). It is safe
// for concurrent use.
type FS struct {
	r  io.ReaderAt
	sb *superblock

	mu            sync.Mutex
	inodes        map[uint64]*inode
	dirs          map[uint64][]dirent
	cachedEntries int
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
	f := &FS{r: r, sb: sb, inodes: map[uint64]*inode{}, dirs: map[uint64][]dirent{}}
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

func (f *FS) cachedInode(num uint64) *inode {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inodes[num]
}

func (f *FS) cacheInode(in *inode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.inodes) >= maxCachedInodes {
		clear(f.inodes)
	}
	f.inodes[in.num] = in
}

func (f *FS) cachedDir(num uint64) ([]dirent, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.dirs[num]
	return d, ok
}

func (f *FS) cacheDir(num uint64, entries []dirent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cachedEntries+len(entries) > maxCachedDirEntries {
		clear(f.dirs)
		f.cachedEntries = 0
	}
	f.dirs[num] = entries
	f.cachedEntries += len(entries)
}

// resolve walks name from the root directory, following symlinks inside the image (the
// last element only when followLast is set).
func (f *FS) resolve(op, name string, followLast bool) (*inode, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	root, err := f.readInode(f.sb.rootIno)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	stack := []*inode{root} // the directories walked, so ".." after a symlink is right
	pending := splitPath(name)
	for hops := 0; len(pending) > 0; {
		elem := pending[0]
		pending = pending[1:]
		if elem == ".." {
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		dir := stack[len(stack)-1]
		if !dir.isDir() {
			return nil, &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
		}
		entries, err := f.listDir(dir)
		if err != nil {
			return nil, &fs.PathError{Op: op, Path: name, Err: err}
		}
		i := sort.Search(len(entries), func(i int) bool { return entries[i].name >= elem })
		if i == len(entries) || entries[i].name != elem {
			return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		in, err := f.readInode(entries[i].ino)
		if err != nil {
			return nil, &fs.PathError{Op: op, Path: name, Err: err}
		}
		if in.isSymlink() && (len(pending) > 0 || followLast) {
			if hops++; hops > maxSymlinkHops {
				return nil, &fs.PathError{Op: op, Path: name, Err: syscall.ELOOP}
			}
			target, err := f.readLink(in)
			if err != nil {
				return nil, &fs.PathError{Op: op, Path: name, Err: err}
			}
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			pending = append(splitPath(target), pending...)
			continue
		}
		for _, a := range stack {
			if in.isDir() && a.num == in.num {
				// a directory listed below itself: a walk through it would never end
				return nil, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%w: directory loop (inode %d)", ErrCorrupt, in.num)}
			}
		}
		stack = append(stack, in)
	}
	return stack[len(stack)-1], nil
}

func splitPath(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" && e != "." {
			out = append(out, e)
		}
	}
	return out
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

func baseName(name string) string {
	if name == "." {
		return "."
	}
	return path.Base(name)
}

// maxReadFile caps ReadFile, as the ext4 reader does.
const maxReadFile = 64 << 20

// ReadFile reads a whole file of at most 64 MiB.
func (f *FS) ReadFile(name string) ([]byte, error) {
	in, err := f.resolve("read", name, true)
	if err != nil {
		return nil, err
	}
	if in.isDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	}
	if !in.isRegular() {
		return []byte{}, nil
	}
	if in.size > maxReadFile {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: %d bytes is more than ReadFile reads", ErrUnsupported, in.size)}
	}
	c, err := f.newContent(in)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	b := make([]byte, in.size)
	if _, err := c.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b, nil
}
