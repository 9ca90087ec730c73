package ext4

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
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

// FS is a read-only ext2/3/4 filesystem. Paths are fs.FS paths ("etc/shadow"). It is
// safe for concurrent use.
type FS struct {
	r  io.ReaderAt
	sb *superblock

	mu            sync.Mutex
	tables        map[uint64]uint64 // block group -> inode table block
	inodes        map[uint32]*inode
	dirs          map[uint32][]dirent
	cachedEntries int
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
	f := &FS{r: r, sb: sb, tables: map[uint64]uint64{}, inodes: map[uint32]*inode{}, dirs: map[uint32][]dirent{}}
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

func (f *FS) readAt(b []byte, off int64) error {
	n, err := f.r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading %d bytes at offset %d: %w", len(b), off, err)
}

// resolve walks name from the root directory, following symlinks inside the image (the
// last element only when followLast is set).
func (f *FS) resolve(op, name string, followLast bool) (*inode, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	root, err := f.readInode(rootIno)
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
		e, ok := lookup(entries, elem)
		if !ok {
			return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		in, err := f.readInode(e.ino)
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
		if in.isDir() && inStack(stack, in.num) {
			// a hard link to an ancestor directory: a walk through it would never end
			return nil, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%w: directory loop (inode %d)", ErrCorrupt, in.num)}
		}
		stack = append(stack, in)
	}
	return stack[len(stack)-1], nil
}

func inStack(stack []*inode, num uint32) bool {
	for _, in := range stack {
		if in.num == num {
			return true
		}
	}
	return false
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

func baseName(name string) string {
	if name == "." {
		return "."
	}
	return path.Base(name)
}

// Open opens a file or directory, following symlinks inside the image.
func (f *FS) Open(name string) (fs.File, error) {
	in, err := f.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	info := fileInfo{name: baseName(name), in: in}
	if in.isDir() {
		return &dirFile{fs: f, info: info, path: name}, nil
	}
	if !in.isRegular() {
		return &file{info: info, c: &content{fs: f, in: &inode{num: in.num}, inline: []byte{}}}, nil
	}
	c, err := f.newContent(in)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &file{info: info, c: c}, nil
}

// maxReadFile caps ReadFile: fs.ReadFile would otherwise allocate whatever i_size a
// hostile inode claims. Callers wanting part of a big file use Open and a LimitReader.
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

// ReadDir lists a directory sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	in, err := f.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	return f.dirEntries(name, in)
}

func (f *FS) dirEntries(name string, in *inode) ([]fs.DirEntry, error) {
	if !in.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
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

// Stat describes a file, following symlinks.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	in, err := f.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: baseName(name), in: in}, nil
}

// Lstat describes a file without following a final symlink.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	in, err := f.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: baseName(name), in: in}, nil
}

// ReadLink returns a symlink's target as stored (absolute targets stay absolute; they
// mean the image's root).
func (f *FS) ReadLink(name string) (string, error) {
	in, err := f.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !in.isSymlink() {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	target, err := f.readLink(in)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return target, nil
}
