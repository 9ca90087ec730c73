package image

import (
	"fmt"
	"io"
	"io/fs"
)

// guardFS turns a panic inside a filesystem reader (on a hostile or corrupt image) into
// an error naming the source, so that one bad volume is "not verified", not a crashed
// plugin. Checks see the same fs.ReadLinkFS, ReadDirFS, StatFS and ReadFileFS.
type guardFS struct {
	inner  fs.FS
	source string
}

func guard(inner fs.FS, source string) fs.FS { return &guardFS{inner: inner, source: source} }

// Reader returns the volume's filesystem reader itself (*ext4.FS, *xfs.FS, ...), without
// the guard FS puts around it, or nil: for a caller that needs more than fs.FS of it
// (the deep scan maps offsets to files with it) and recovers from its panics itself.
func (v Volume) Reader() fs.FS {
	if g, ok := v.FS.(*guardFS); ok {
		return g.inner
	}
	return v.FS
}

var (
	_ fs.ReadLinkFS = (*guardFS)(nil)
	_ fs.ReadDirFS  = (*guardFS)(nil)
	_ fs.StatFS     = (*guardFS)(nil)
	_ fs.ReadFileFS = (*guardFS)(nil)
)

func (g *guardFS) recover(op, name string, err *error) {
	if p := recover(); p != nil {
		*err = &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%s: the filesystem reader crashed: %v", g.source, p)}
	}
}

func (g *guardFS) Open(name string) (f fs.File, err error) {
	defer g.recover("open", name, &err)
	f, err = g.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return &guardFile{File: f, g: g, name: name}, nil
}

func (g *guardFS) ReadDir(name string) (entries []fs.DirEntry, err error) {
	defer g.recover("readdir", name, &err)
	return fs.ReadDir(g.inner, name)
}

func (g *guardFS) ReadFile(name string) (b []byte, err error) {
	defer g.recover("read", name, &err)
	return fs.ReadFile(g.inner, name)
}

func (g *guardFS) Stat(name string) (fi fs.FileInfo, err error) {
	defer g.recover("stat", name, &err)
	return fs.Stat(g.inner, name)
}

func (g *guardFS) Lstat(name string) (fi fs.FileInfo, err error) {
	defer g.recover("lstat", name, &err)
	return fs.Lstat(g.inner, name)
}

func (g *guardFS) ReadLink(name string) (target string, err error) {
	defer g.recover("readlink", name, &err)
	return fs.ReadLink(g.inner, name)
}

// guardFile guards reads of an open file the same way.
type guardFile struct {
	fs.File
	g    *guardFS
	name string
}

func (f *guardFile) Read(p []byte) (n int, err error) {
	defer f.g.recover("read", f.name, &err)
	return f.File.Read(p)
}

func (f *guardFile) ReadAt(p []byte, off int64) (n int, err error) {
	defer f.g.recover("read", f.name, &err)
	ra, ok := f.File.(io.ReaderAt)
	if !ok {
		return 0, &fs.PathError{Op: "readat", Path: f.name, Err: fs.ErrInvalid}
	}
	return ra.ReadAt(p, off)
}

func (f *guardFile) ReadDir(n int) (entries []fs.DirEntry, err error) {
	defer f.g.recover("readdir", f.name, &err)
	d, ok := f.File.(fs.ReadDirFile)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: f.name, Err: fs.ErrInvalid}
	}
	return d.ReadDir(n)
}
