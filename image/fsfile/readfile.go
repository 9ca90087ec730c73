package fsfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"syscall"
)

// MaxReadFile caps ReadFile: fs.ReadFile would otherwise allocate whatever size a
// hostile inode claims. Callers wanting part of a big file use Open and a LimitReader.
const MaxReadFile = 64 << 20

// ReadFile reads the whole of f, a file its reader opened under name: a directory is
// EISDIR, a device, fifo or socket reads empty, and a file over MaxReadFile is refused
// with an error wrapping tooBig (the reader's own "unsupported" error).
func ReadFile(f fs.File, name string, tooBig error) ([]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	switch {
	case info.IsDir():
		return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	case !info.Mode().IsRegular():
		return []byte{}, nil
	case info.Size() > MaxReadFile:
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: %d bytes is more than ReadFile reads", tooBig, info.Size())}
	}
	r, ok := f.(io.ReaderAt)
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.ErrUnsupported}
	}
	b := make([]byte, info.Size())
	if _, err := r.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		if _, named := err.(*fs.PathError); named {
			return nil, err // the reader already said which file
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b, nil
}
