package fat

import (
	"io/fs"
	"sync"
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

// content reads a file's cluster chain. The chain keeps a cursor, so reads take turns.
type content struct {
	name string
	mu   sync.Mutex
	c    *chain
}

// ReadAt reads what fsfile.File asks for: never past the file's size, which the chain
// must cover.
func (c *content) ReadAt(p []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.c.readAt(p, off); err != nil {
		return 0, &fs.PathError{Op: "read", Path: c.name, Err: err}
	}
	return len(p), nil
}
