package ext4

import (
	"errors"
	"io"
	"io/fs"
	"syscall"
)

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

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

func (f *file) Read(p []byte) (int, error) {
	n, err := f.c.ReadAt(p, f.off)
	f.off += int64(n)
	if n > 0 && err == io.EOF {
		err = nil // the next Read says EOF
	}
	return n, err
}

func (f *file) ReadAt(p []byte, off int64) (int, error) { return f.c.ReadAt(p, off) }

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
	if n > len(d.entries) {
		n = len(d.entries)
	}
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, nil
}

// dirEntry takes its type from the inode, not from the directory entry's type byte: a
// hostile image could label a directory as a file so that a walk would not enter it.
type dirEntry struct {
	fs   *FS
	d    dirent
	mode fs.FileMode
}

func (e *dirEntry) Name() string      { return e.d.name }
func (e *dirEntry) IsDir() bool       { return e.mode.IsDir() }
func (e *dirEntry) Type() fs.FileMode { return e.mode.Type() }

func (e *dirEntry) Info() (fs.FileInfo, error) {
	in, err := e.fs.readInode(e.d.ino)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: e.d.name, Err: err}
	}
	return fileInfo{name: e.d.name, in: in}, nil
}
