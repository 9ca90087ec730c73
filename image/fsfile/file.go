// Package fsfile holds what the image's filesystem readers (ext4, xfs, fat, ntfs) share
// once they have found a file's bytes: the open file and directory types fs.FS hands
// out, a ReadFile that never trusts a size read from the image, bounded caches, the path
// walk (Tree) and the io/fs methods over a reader's own nodes (Files).
package fsfile

import (
	"errors"
	"io"
	"io/fs"
	"sync"
)

// File is an open regular file whose bytes r holds, read up to size. Devices, fifos and
// sockets open as Empty files.
type File struct {
	r    io.ReaderAt
	size int64
	info fs.FileInfo

	mu  sync.Mutex // guards off
	off int64
}

var (
	_ fs.File     = (*File)(nil)
	_ io.ReaderAt = (*File)(nil)
	_ io.Seeker   = (*File)(nil)
)

// New opens the file described by info whose first size bytes r holds. r need not stop
// at size itself: File does not read past it.
func New(r io.ReaderAt, size int64, info fs.FileInfo) *File {
	return &File{r: r, size: size, info: info}
}

// Empty opens a file with no content (a device, fifo or socket of the image).
func Empty(info fs.FileInfo) *File { return &File{info: info} }

func (f *File) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *File) Close() error               { return nil }

// ReadAt reads within the file's size.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.info.Name(), Err: fs.ErrInvalid}
	}
	if off >= f.size {
		return 0, io.EOF
	}
	var eof error
	if rest := f.size - off; int64(len(p)) > rest {
		p, eof = p[:rest], io.EOF
	}
	n, err := f.r.ReadAt(p, off)
	if err == io.EOF && n == len(p) {
		err = nil
	}
	if err != nil {
		return n, err
	}
	return n, eof
}

func (f *File) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.ReadAt(p, f.off)
	f.off += int64(n)
	if n > 0 && err == io.EOF {
		err = nil // the next Read says EOF
	}
	return n, err
}

func (f *File) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.size
	default:
		return 0, errors.New("seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: negative position")
	}
	f.off = offset
	return offset, nil
}

// Open opens what a reader resolved name to, described by info: a directory listed by
// list, an empty stand-in for a device, fifo or socket, or a regular file whose bytes
// content gives (an error from it is reported under op and name).
func Open(op, name string, info fs.FileInfo, list func() ([]fs.DirEntry, error), content func() (io.ReaderAt, error)) (fs.File, error) {
	switch {
	case info.IsDir():
		return NewDir(name, info, list), nil
	case !info.Mode().IsRegular():
		return Empty(info), nil
	}
	r, err := content()
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return New(r, info.Size(), info), nil
}
