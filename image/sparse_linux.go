package image

import (
	"errors"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// sparseFile is an image file read as it is, whose holes (ranges never written, in a
// sparse file as qemu-img and truncate leave them) are known zeros.
type sparseFile struct {
	*os.File
	fd int
	// the last range found, all data or all hole: scans ask chunk after chunk, and a
	// range holds many chunks
	mu     sync.Mutex
	lo, hi int64
	hole   bool
}

// sparse is r, knowing its holes when it is a file.
func sparse(r io.ReaderAt) io.ReaderAt {
	if f, ok := r.(*os.File); ok {
		return &sparseFile{File: f, fd: int(f.Fd())}
	}
	return r
}

// KnownZeros finds the range holding off with lseek: SEEK_DATA gives the end of a hole,
// SEEK_HOLE the end of data.
func (f *sparseFile) KnownZeros(off, n int64) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if off < f.lo || off >= f.hi {
		if !f.find(off) {
			return 0, nil // a filesystem that cannot tell: the bytes are read
		}
	}
	if !f.hole {
		return 0, nil
	}
	return min(f.hi-off, n), nil
}

// find sets the range holding off; false when lseek cannot tell.
func (f *sparseFile) find(off int64) bool {
	data, err := unix.Seek(f.fd, off, unix.SEEK_DATA)
	switch {
	case errors.Is(err, unix.ENXIO): // no data from off to the end of the file
		f.lo, f.hi, f.hole = off, 1<<62, true
		return true
	case err != nil:
		return false
	case data > off:
		f.lo, f.hi, f.hole = off, data, true
		return true
	}
	end, err := unix.Seek(f.fd, off, unix.SEEK_HOLE)
	if err != nil || end <= off {
		return false
	}
	f.lo, f.hi, f.hole = off, end, false
	return true
}
