package xfs

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"syscall"
	"time"
)

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

// ReadDir lists a directory sorted by name. Every entry's inode is read now, so that an
// unreadable one fails the listing instead of hiding from a walk.
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
	out := make([]fs.DirEntry, len(entries))
	for i, e := range entries {
		child, err := f.readInode(e.ino)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: path.Join(name, e.name), Err: err}
		}
		out[i] = fs.FileInfoToDirEntry(fileInfo{name: e.name, in: child})
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

// ReadLink returns a symlink's target as stored (absolute targets mean the image's root).
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

// fileInfo describes an inode; the type comes from the inode, never from a directory
// entry's file type byte (which a hostile image could get wrong on purpose).
type fileInfo struct {
	name string
	in   *inode
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return fi.in.size }
func (fi fileInfo) Mode() fs.FileMode  { return fi.in.fileMode() }
func (fi fileInfo) ModTime() time.Time { return fi.in.mtime }
func (fi fileInfo) IsDir() bool        { return fi.in.isDir() }

// Sys returns the inode number.
func (fi fileInfo) Sys() any { return fi.in.num }

// file is an open regular file (or an empty stand-in for a device, fifo or socket).
type file struct {
	info fileInfo
	c    *content
	off  int64
}

var (
	_ io.ReaderAt = (*file)(nil)
	_ io.Seeker   = (*file)(nil)
)

func (f *file) Stat() (fs.FileInfo, error)              { return f.info, nil }
func (f *file) Close() error                            { return nil }
func (f *file) ReadAt(p []byte, off int64) (int, error) { return f.c.ReadAt(p, off) }

func (f *file) Read(p []byte) (int, error) {
	n, err := f.c.ReadAt(p, f.off)
	f.off += int64(n)
	if n > 0 && err == io.EOF {
		err = nil // the next Read says EOF
	}
	return n, err
}

func (f *file) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.c.in.size
	default:
		return 0, errors.New("seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: negative position")
	}
	f.off = offset
	return offset, nil
}

// dirFile is an open directory.
type dirFile struct {
	fs      *FS
	info    fileInfo
	path    string
	entries []fs.DirEntry
	read    bool
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }

func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: syscall.EISDIR}
}

// ReadDir follows fs.ReadDirFile: n <= 0 returns everything left.
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		entries, err := d.fs.dirEntries(d.path, d.info.in)
		if err != nil {
			return nil, err
		}
		d.entries, d.read = entries, true
	}
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, nil
}
