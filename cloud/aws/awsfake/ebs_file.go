package awsfake

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// lseek whences for sparse files (Linux, FreeBSD, macOS); io has no names for them.
const (
	seekData = 3
	seekHole = 4
)

// AddSnapshotFile serves the image file at path as snapshot id. Holes of a sparse file
// are skipped without reading them, so a mostly empty 8 GiB image loads in a moment.
func (e *EBS) AddSnapshotFile(id, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	snap := &snapshotData{volumeGiB: (size + 1<<30 - 1) >> 30, data: map[int32][]byte{}, sums: map[int32]string{}}
	buf := make([]byte, BlockSize)
	next := int64(0) // first block not yet looked at
	for next*BlockSize < size {
		start, end, err := dataRun(f, next*BlockSize, size)
		if err != nil {
			return fmt.Errorf("awsfake: %s: %w", path, err)
		}
		if start >= size {
			break
		}
		for b := max(next, start/BlockSize); b*BlockSize < end; b++ {
			clear(buf)
			n := min(BlockSize, size-b*BlockSize)
			if _, err := f.ReadAt(buf[:n], b*BlockSize); err != nil && err != io.EOF {
				return fmt.Errorf("awsfake: %s: %w", path, err)
			}
			if !isZero(buf) {
				snap.add(int32(b), buf)
			}
			next = b + 1
		}
	}
	e.mu.Lock()
	e.snapshots[id] = snap
	e.mu.Unlock()
	return nil
}

// dataRun finds the next run of data at or after off: [start, end). Without
// SEEK_DATA support the rest of the file is one run.
func dataRun(f *os.File, off, size int64) (start, end int64, err error) {
	start, err = f.Seek(off, seekData)
	if errors.Is(err, syscall.ENXIO) {
		return size, size, nil // only a hole is left
	}
	if err != nil {
		return off, size, nil
	}
	end, err = f.Seek(start, seekHole)
	if err != nil {
		return start, size, nil
	}
	return start, end, nil
}
