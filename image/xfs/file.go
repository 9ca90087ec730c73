package xfs

import (
	"io"
	"io/fs"
	"path"
	"syscall"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
)

// Open opens a file or directory, following symlinks inside the image.
func (f *FS) Open(name string) (fs.File, error) { return f.open("open", name) }

func (f *FS) open(op, name string) (fs.File, error) {
	in, err := f.resolve(op, name, true)
	if err != nil {
		return nil, err
	}
	return fsfile.Open(op, name, fileInfo{name: fsfile.BaseName(name), in: in},
		func() ([]fs.DirEntry, error) { return f.dirEntries(name, in) },
		func() (io.ReaderAt, error) { return f.newContent(in) })
}

// ReadFile reads a whole file of at most fsfile.MaxReadFile bytes.
func (f *FS) ReadFile(name string) ([]byte, error) {
	fl, err := f.open("read", name)
	if err != nil {
		return nil, err
	}
	return fsfile.ReadFile(fl, name, ErrUnsupported)
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
	return fileInfo{name: fsfile.BaseName(name), in: in}, nil
}

// Lstat describes a file without following a final symlink.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	in, err := f.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: fsfile.BaseName(name), in: in}, nil
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
