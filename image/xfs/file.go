package xfs

import (
	"io"
	"io/fs"
	"path"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
)

// files is the io/fs face of this filesystem (fsfile.Files) over its inodes.
func (f *FS) files() fsfile.Files[*inode] {
	return fsfile.Files[*inode]{
		Resolve:     f.resolve,
		Info:        func(name string, in *inode) fs.FileInfo { return fileInfo{name: name, in: in} },
		IsDir:       (*inode).isDir,
		IsSymlink:   (*inode).isSymlink,
		Entries:     f.dirEntries,
		Content:     func(in *inode) (io.ReaderAt, error) { return f.newContent(in) },
		Target:      f.readLink,
		Unsupported: ErrUnsupported,
	}
}

// dirEntries reads every entry's inode now, so that an unreadable one fails the
// listing instead of hiding from a walk.
func (f *FS) dirEntries(name string, in *inode) ([]fs.DirEntry, error) {
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
