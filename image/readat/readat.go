// Package readat holds the one read primitive every image parser needs: fill a buffer
// from an offset or say exactly what was missing.
package readat

import (
	"fmt"
	"io"
)

// Full reads len(b) bytes at off. A short read is io.ErrUnexpectedEOF (an image cut
// short), never a silent partial buffer; the error names the size and offset.
func Full(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading %d bytes at offset %d: %w", len(b), off, err)
}
