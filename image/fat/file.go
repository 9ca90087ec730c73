package fat

import (
	"errors"
	"io"
	"io/fs"
	"sync"
	"syscall"
	"time"
)

// fileInfo describes a directory entry.
type fileInfo struct {
	name string
	d    dirent
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) ModTime() time.Time { return fi.d.mtime }
func (fi fileInfo) IsDir() bool        { return fi.d.isDir() }
func (fi fileInfo) Sys() any           { return nil }

func (fi fileInfo) Size() int64 {
	if fi.d.isDir() {
		return 0
	}
	return int64(fi.d.size)
}

// Mode maps the attributes to permissions the way Linux mounts FAT by default.
func (fi fileInfo) Mode() fs.FileMode {
	switch {
	case fi.d.isDir():
		return fs.ModeDir | 0o755
	case fi.d.attr&attrReadOnly != 0:
		return 0o444
	}
	return 0o644
}

// file is an open regular file.
type file struct {
	info fileInfo
	name string
	mu   sync.Mutex // guards the chain's cursor and off
	c    *chain
	off  int64
}

var (
	_ io.ReaderAt = (*file)(nil)
	_ io.Seeker   = (*file)(nil)
)

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

func (f *file) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.readAt(p, f.off)
	f.off += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.readAt(p, off)
}

// readAt reads within the file's size; the cluster chain must cover it.
func (f *file) readAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrInvalid}
	}
	size := int64(f.info.d.size)
	if off >= size {
		return 0, io.EOF
	}
	var eof error
	if rest := size - off; int64(len(p)) > rest {
		p, eof = p[:rest], io.EOF
	}
	if err := f.c.readAt(p, off); err != nil {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
	}
	return len(p), eof
}

func (f *file) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += int64(f.info.d.size)
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
		entries, err := d.fs.dirEntries(d.path, d.info.d)
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
