package vmdk

import (
	"fmt"
	"io"
	"sort"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// Split is the virtual disk of a descriptor file: its extents, in order, as one
// io.ReaderAt, safe for concurrent use.
type Split struct {
	kind   string
	size   int64
	pieces []piece // by start
}

type piece struct {
	start, size int64 // in the virtual disk, bytes
	r           io.ReaderAt
	off         int64 // in r
}

// ExtentOpener opens an extent file named by the descriptor (validated by
// ParseDescriptor: relative, no ".."). It returns the file's bytes and size.
type ExtentOpener func(name string) (io.ReaderAt, int64, error)

// OpenDescriptor opens the extents of a parsed descriptor. SPARSE extents are hosted
// sparse extents (each with its grain directory); FLAT extents are raw bytes at their
// offset; ZERO extents read as zeros. An extent that is missing, shorter than the
// descriptor says, or disagrees with it is an error naming its file.
func OpenDescriptor(d *Descriptor, open ExtentOpener) (*Split, error) {
	s := &Split{kind: d.CreateType}
	for i, e := range d.Extents {
		p := piece{start: s.size, size: e.Sectors * sector}
		switch e.Type {
		case "ZERO":
			p.r = zeros{}
		case "FLAT":
			r, size, err := open(e.File)
			if err != nil {
				return nil, fmt.Errorf("extent %d (%s): %w", i+1, e.File, err)
			}
			p.r, p.off = r, e.Offset*sector
			if p.off+p.size > size {
				return nil, fmt.Errorf("%w: extent %d (%s) is %d bytes, the descriptor needs %d from offset %d (truncated?)",
					ErrCorrupt, i+1, e.File, size, p.size, p.off)
			}
		case "SPARSE":
			r, size, err := open(e.File)
			if err != nil {
				return nil, fmt.Errorf("extent %d (%s): %w", i+1, e.File, err)
			}
			disk, err := openExtent(r, size)
			if err != nil {
				return nil, fmt.Errorf("extent %d (%s): %w", i+1, e.File, err)
			}
			if disk.Size() != p.size {
				return nil, fmt.Errorf("%w: extent %d (%s) holds %d sectors, the descriptor says %d", ErrCorrupt, i+1, e.File, disk.Size()/sector, e.Sectors)
			}
			p.r = disk
		}
		s.pieces = append(s.pieces, p)
		s.size += p.size
	}
	return s, nil
}

// Size is the virtual disk's size in bytes.
func (s *Split) Size() int64 { return s.size }

// Kind is the descriptor's createType.
func (s *Split) Kind() string { return s.kind }

// ReadAt reads the virtual disk across its extents.
func (s *Split) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("vmdk: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= s.size {
			return n, io.EOF
		}
		i := sort.Search(len(s.pieces), func(i int) bool { return s.pieces[i].start+s.pieces[i].size > pos })
		pc := s.pieces[i]
		within := pos - pc.start
		chunk := p[n:min(len(p), n+int(min(pc.size-within, 1<<30)))]
		if err := readat.Full(pc.r, chunk, pc.off+within); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return n, nil
}

type zeros struct{}

func (zeros) ReadAt(p []byte, _ int64) (int, error) {
	clear(p)
	return len(p), nil
}
