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
	spare [][]byte // the buffers of pages dropped when the cache started over
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
		i, in := at/c.pageSize, at%c.pageSize
		// Bytes are copied out of a cached page under the lock, and out of a page just
		// read before it is shared: a page buffer is reused once the cache starts over.
		c.mu.Lock()
		if b, ok := c.pages[i]; ok {
			n += copy(p[n:], b[in:])
			c.mu.Unlock()
			continue
		}
		b := c.buffer(min(c.pageSize, c.size-i*c.pageSize))
		c.mu.Unlock()
		if got, _ := c.r.ReadAt(b, i*c.pageSize); got < len(b) {
			// The page is cut short (a read error, or a reader shorter than it said): not
			// cached, and the bytes asked for are read alone, as without the cache, so
			// that an unreadable sector fails only the reads that touch it.
			m, err := c.r.ReadAt(p[n:], at)
			return n + m, err
		}
		n += copy(p[n:], b[in:])
		c.mu.Lock()
		if len(c.pages) >= c.maxPages {
			for _, old := range c.pages {
				c.spare = append(c.spare, old)
			}
			clear(c.pages)
		}
		c.pages[i] = b
		c.mu.Unlock()
	}
	return n, nil
}

// buffer returns a page buffer of n bytes, reusing a dropped page's when it can: a walk
// that keeps starting the cache over would otherwise allocate a page per miss. The
// caller holds c.mu.
func (c *Pages) buffer(n int64) []byte {
	if k := len(c.spare); k > 0 && int64(cap(c.spare[k-1])) >= n {
		b := c.spare[k-1][:n]
		c.spare = c.spare[:k-1]
		return b
	}
	return make([]byte, n)
}
