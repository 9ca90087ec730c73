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

// Clip starts a ReadAt of an object of size bytes: it cuts p to the bytes before size.
// err is io.EOF when off is at or past the end, negative when off is below zero; eof is
// io.EOF when the cut read reaches the end, to be returned with the bytes read, as
// io.ReaderAt asks.
func Clip(p []byte, off, size int64, negative error) (clipped []byte, eof, err error) {
	if off < 0 {
		return nil, nil, negative
	}
	if off >= size {
		return nil, nil, io.EOF
	}
	if rest := size - off; int64(len(p)) > rest {
		return p[:rest], io.EOF, nil
	}
	return p, nil, nil
}
