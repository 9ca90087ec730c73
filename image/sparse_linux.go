package image

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// sparseFile is an image file read as it is, whose holes (ranges never written, in a
// sparse file as qemu-img and truncate leave them) are known zeros.
type sparseFile struct {
	*os.File
	fd int
}

// sparse is r, knowing its holes when it is a file.
func sparse(r io.ReaderAt) io.ReaderAt {
	if f, ok := r.(*os.File); ok {
		return sparseFile{File: f, fd: int(f.Fd())}
	}
	return r
}

// KnownZeros finds the next data with lseek(SEEK_DATA): the bytes before it are a hole.
func (f sparseFile) KnownZeros(off, n int64) (int64, error) {
	data, err := unix.Seek(f.fd, off, unix.SEEK_DATA)
	switch {
	case errors.Is(err, unix.ENXIO):
		return n, nil // no data from off to the end of the file
	case err != nil:
		return 0, nil // a filesystem that cannot tell: the bytes are read
	}
	return min(max(data-off, 0), n), nil
}
