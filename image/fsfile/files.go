package fsfile

import (
	"io"
	"io/fs"
	"syscall"
)

// Files is the io/fs face of a reader whose files are nodes of its own (ext4's and xfs's
// inodes, NTFS's MFT records): given its path walk and what each node is, it gives Open,
// ReadFile, ReadDir, Stat, Lstat and ReadLink, the same for every reader. A reader
// embeds it, so that its FS is an fs.ReadLinkFS, ReadDirFS, StatFS and ReadFileFS.
type Files[N any] struct {
	// Resolve walks name from the root, following symlinks inside the image (the last
	// element only when followLast is set); its errors are *fs.PathError.
	Resolve func(op, name string, followLast bool) (N, error)
	// Info describes a node met under the given base name.
	Info      func(name string, n N) fs.FileInfo
	IsDir     func(N) bool
	IsSymlink func(N) bool
	// Entries lists a directory, sorted by name; its errors are *fs.PathError, naming the
	// entry a child's error is about.
	Entries func(name string, dir N) ([]fs.DirEntry, error)
	// Content is a regular file's bytes.
	Content func(N) (io.ReaderAt, error)
	// Target is a symlink's target as stored.
	Target func(N) (string, error)
	// Unsupported is the reader's error for what it cannot read (ReadFile's cap wraps it).
	Unsupported error
}

// Open opens a file or directory, following symlinks inside the image.
func (x *Files[N]) Open(name string) (fs.File, error) { return x.open("open", name) }

func (x *Files[N]) open(op, name string) (fs.File, error) {
	n, err := x.Resolve(op, name, true)
	if err != nil {
		return nil, err
	}
	return Open(op, name, x.Info(BaseName(name), n),
		func() ([]fs.DirEntry, error) { return x.entries(name, n) },
		func() (io.ReaderAt, error) { return x.Content(n) })
}

// ReadFile reads a whole file of at most MaxReadFile bytes.
func (x *Files[N]) ReadFile(name string) ([]byte, error) {
	fl, err := x.open("read", name)
	if err != nil {
		return nil, err
	}
	return ReadFile(fl, name, x.Unsupported)
}

// ReadDir lists a directory sorted by name.
func (x *Files[N]) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := x.Resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	return x.entries(name, n)
}

func (x *Files[N]) entries(name string, n N) ([]fs.DirEntry, error) {
	if !x.IsDir(n) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
	return x.Entries(name, n)
}

// Stat describes a file, following symlinks.
func (x *Files[N]) Stat(name string) (fs.FileInfo, error) {
	n, err := x.Resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return x.Info(BaseName(name), n), nil
}

// Lstat describes a file without following a final symlink.
func (x *Files[N]) Lstat(name string) (fs.FileInfo, error) {
	n, err := x.Resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return x.Info(BaseName(name), n), nil
}

// ReadLink returns a symlink's target as stored.
func (x *Files[N]) ReadLink(name string) (string, error) {
	n, err := x.Resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !x.IsSymlink(n) {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	target, err := x.Target(n)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return target, nil
}
