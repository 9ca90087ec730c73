package ext4

import "io/fs"

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
