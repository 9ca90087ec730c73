package ntfs

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"time"
)

// fileInfo describes a directory entry.
type fileInfo struct {
	name string
	n    *node
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) ModTime() time.Time { return fi.n.mtime }
func (fi fileInfo) IsDir() bool        { return fi.n.dir && !fi.n.symlink() }
func (fi fileInfo) Sys() any           { return nil }

func (fi fileInfo) Size() int64 {
	switch {
	case fi.n.symlink():
		return int64(len(fi.n.target))
	case fi.n.dir:
		return 0
	}
	return fi.n.size
}

// Mode maps the attributes to permissions the way ntfs-3g shows them without a user
// mapping, but read-only files lose their write bits.
func (fi fileInfo) Mode() fs.FileMode {
	switch {
	case fi.n.symlink():
		return fs.ModeSymlink | 0o777
	case fi.n.dir:
		return fs.ModeDir | 0o755
	case fi.n.fileAttrs&fileReadOnly != 0:
		return 0o444
	}
	return 0o644
}

// reparseNames names the reparse tags an image is likely to hold, for error messages.
var reparseNames = map[uint32]string{
	0x80000017: "WOF-compressed (CompactOS)",
	0x80000013: "deduplicated",
	0x9000001A: "cloud files placeholder",
	0x8000001B: "AppExecLink",
}

// dataReader opens the unnamed $DATA of a file, or says why its bytes cannot be read.
func (f *FS) dataReader(n *node) (io.ReaderAt, error) {
	if n.reparse != 0 && !n.symlink() {
		what := reparseNames[n.reparse]
		if what == "" {
			what = "unknown kind"
		}
		return nil, fmt.Errorf("%w: content behind reparse point 0x%08x (%s) not verified", ErrUnsupported, n.reparse, what)
	}
	data := n.extents(attrData, "")
	if len(data) == 0 {
		return bytes.NewReader(nil), nil
	}
	if data[0].flags&flagEncrypted != 0 || n.fileAttrs&fileEncrypted != 0 {
		return nil, fmt.Errorf("%w: EFS-encrypted content not verified", ErrUnsupported)
	}
	if data[0].resident {
		return bytes.NewReader(data[0].value), nil
	}
	s, err := newStream(f.r, f.bs.clusterSize, data)
	if err != nil {
		return nil, err
	}
	if data[0].flags&flagCompressed != 0 {
		return newCompressed(s, data)
	}
	return s, nil
}
