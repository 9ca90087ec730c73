package readat

import "io"

// ZeroReporter is a reader that knows bytes that read as zeros without being stored: the
// holes of a sparse image file, the clusters of a qcow2 image never written or written as
// zeros. A scan of every byte skips them: they hold nothing.
type ZeroReporter interface {
	// KnownZeros returns how many of the bytes from off on, at most n, read as zeros
	// without being stored: 0 when the byte at off may not.
	KnownZeros(off, n int64) (int64, error)
}

// KnownZeros asks r, or the reader under the io.SectionReaders that r is, how many of
// the bytes from off on (at most n) read as zeros without being stored; 0 when no reader
// knows.
func KnownZeros(r io.ReaderAt, off, n int64) (int64, error) {
	for {
		switch x := r.(type) {
		case ZeroReporter:
			return x.KnownZeros(off, n)
		case *io.SectionReader:
			outer, base, size := x.Outer()
			if off < 0 || off >= size {
				return 0, nil
			}
			r, off, n = outer, base+off, min(n, size-off)
		default:
			return 0, nil
		}
	}
}
