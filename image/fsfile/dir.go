package fsfile

import (
	"io"
	"io/fs"
	"syscall"
)

// Dir is an open directory, listed on the first ReadDir.
type Dir struct {
	info    fs.FileInfo
	path    string
	list    func() ([]fs.DirEntry, error)
	entries []fs.DirEntry
	read    bool
}

var _ fs.ReadDirFile = (*Dir)(nil)

// NewDir opens the directory at path; list returns its entries sorted by name.
func NewDir(path string, info fs.FileInfo, list func() ([]fs.DirEntry, error)) *Dir {
	return &Dir{info: info, path: path, list: list}
}

func (d *Dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *Dir) Close() error               { return nil }

func (d *Dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: syscall.EISDIR}
}

// ReadDir follows fs.ReadDirFile: n <= 0 returns everything left.
func (d *Dir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		entries, err := d.list()
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
