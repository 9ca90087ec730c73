package readat

import (
	"io"
	"sync"
)

// Pages serves small reads (inodes, group descriptors, bitmap bytes) from whole pages
// of the underlying reader kept in memory, so that walking 50,000 inodes costs a few
// thousand reads, not 50,000. Reads of a page or more go straight through. At most
// maxPages pages are kept; past that the cache starts over. Safe for concurrent use.
type Pages struct {
	r        io.ReaderAt
	size     int64
	pageSize int64
	maxPages int

	mu    sync.Mutex
	pages map[int64][]byte
}

// NewPages caches pages of pageSize bytes of the size bytes of r, at most maxPages.
func NewPages(r io.ReaderAt, size int64, pageSize, maxPages int) *Pages {
	return &Pages{r: r, size: size, pageSize: int64(pageSize), maxPages: maxPages, pages: map[int64][]byte{}}
}

// ReadAt reads len(p) bytes at off, as io.ReaderAt.
func (c *Pages) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) >= c.pageSize || off < 0 {
		return c.r.ReadAt(p, off)
	}
	n := 0
	for n < len(p) {
		at := off + int64(n)
		if at >= c.size {
			return n, io.EOF
		}
		page, err := c.page(at / c.pageSize)
		in := int(at % c.pageSize)
		if in >= len(page) {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
		n += copy(p[n:], page[in:])
		if err != nil && n < len(p) {
			return n, err
		}
	}
	return n, nil
}

// page returns page i, reading it when it is not cached. A page cut short by the end of
// the reader is returned with the error that cut it.
func (c *Pages) page(i int64) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.pages[i]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b = make([]byte, min(c.pageSize, c.size-i*c.pageSize))
	n, err := c.r.ReadAt(b, i*c.pageSize)
	if n < len(b) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return b[:n], err
	}
	c.mu.Lock()
	if len(c.pages) >= c.maxPages {
		clear(c.pages)
	}
	c.pages[i] = b
	c.mu.Unlock()
	return b, nil
}
