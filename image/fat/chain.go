package fat

import (
	"fmt"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// table is the FAT in use, held in memory (at most maxFATSize bytes).
type table struct {
	bs  *bootSector
	fat []byte
}

// next returns the entry of cluster n: the next cluster of its chain, or an end marker.
func (t *table) next(n uint32) uint32 {
	switch t.bs.bits {
	case 12:
		v := uint32(le.Uint16(t.fat[n+n/2:]))
		if n%2 == 1 {
			v >>= 4
		}
		v &= 0xFFF
		if v >= 0xFF7 { // bad cluster or end of chain
			v |= 0x0FFFF000
		}
		return v
	case 16:
		v := uint32(le.Uint16(t.fat[2*n:]))
		if v >= 0xFFF7 {
			v |= 0x0FFF0000
		}
		return v
	}
	return le.Uint32(t.fat[4*n:]) & 0x0FFFFFFF
}

const (
	badCluster = 0x0FFFFFF7
	endOfChain = 0x0FFFFFF8 // and above
)

// follow returns the cluster after n in a chain, or an error when the FAT says the chain
// goes nowhere sensible: a free or bad cluster, or a number outside the volume.
func (t *table) follow(n uint32) (next uint32, end bool, err error) {
	v := t.next(n)
	switch {
	case v >= endOfChain:
		return 0, true, nil
	case v == badCluster:
		return 0, false, fmt.Errorf("%w: cluster %d chains to a bad cluster", ErrCorrupt, n)
	case !t.bs.valid(v):
		return 0, false, fmt.Errorf("%w: cluster %d chains to %d", ErrCorrupt, n, v)
	}
	return v, false, nil
}

// chain reads the clusters of a file or directory of a known maximum length. A chain
// longer than max (a loop, or a cross-link into a longer one) is an error.
type chain struct {
	t     *table
	r     io.ReaderAt
	first uint32
	// cursor: the cluster holding byte pos*clusterSize, so sequential reads cost O(1)
	pos uint32
	cur uint32
	// the last cluster read in part
	cached  []byte
	cachedN uint32
}

// readAt fills p from the chain's byte offset off; bytes past the chain's end are an
// error (the caller bounds reads by the file size first).
func (c *chain) readAt(p []byte, off int64) error {
	cs := c.t.bs.clusterSize
	for len(p) > 0 {
		idx, within := uint32(off/cs), off%cs
		n, err := c.seek(idx)
		if err != nil {
			return err
		}
		if within != 0 || int64(len(p)) < cs {
			// part of a cluster: through a one-cluster cache, so that small reads
			// (io.ReadAll starts at 512 bytes) do not cost a device read each
			if err := c.load(n); err != nil {
				return err
			}
			k := copy(p, c.cached[within:])
			p, off = p[k:], off+int64(k)
			continue
		}
		// whole clusters: physically contiguous ones in one read
		span := cs
		for last, k := n, idx; span+cs <= int64(len(p)); k++ {
			nx, end, err := c.t.follow(last)
			if err != nil || end || nx != last+1 {
				break
			}
			last, span = nx, span+cs
			c.pos, c.cur = k+1, nx
		}
		if err := readat.Full(c.r, p[:span], c.t.bs.clusterOffset(n)); err != nil {
			return err
		}
		p, off = p[span:], off+span
	}
	return nil
}

func (c *chain) load(n uint32) error {
	if c.cached != nil && c.cachedN == n {
		return nil
	}
	if c.cached == nil {
		c.cached = make([]byte, c.t.bs.clusterSize)
	}
	if err := readat.Full(c.r, c.cached, c.t.bs.clusterOffset(n)); err != nil {
		c.cached = nil
		return err
	}
	c.cachedN = n
	return nil
}

// seek returns the idx-th cluster of the chain, walking from the cursor (or the start).
func (c *chain) seek(idx uint32) (uint32, error) {
	if c.cur == 0 || idx < c.pos {
		c.pos, c.cur = 0, c.first
	}
	for c.pos < idx {
		nx, end, err := c.t.follow(c.cur)
		if err != nil {
			return 0, err
		}
		if end {
			return 0, fmt.Errorf("%w: the cluster chain from %d ends after %d clusters, before the data it should hold", ErrCorrupt, c.first, c.pos+1)
		}
		c.pos, c.cur = c.pos+1, nx
	}
	return c.cur, nil
}

// clusters lists a directory's chain, at most max clusters long.
func (t *table) clusters(first uint32, max int) ([]uint32, error) {
	if !t.bs.valid(first) {
		return nil, fmt.Errorf("%w: first cluster %d", ErrCorrupt, first)
	}
	out := []uint32{first}
	for n := first; ; {
		nx, end, err := t.follow(n)
		if err != nil {
			return nil, err
		}
		if end {
			return out, nil
		}
		if len(out) == max {
			return nil, fmt.Errorf("%w: the cluster chain from %d is longer than %d clusters (a loop?)", ErrCorrupt, first, max)
		}
		out = append(out, nx)
		n = nx
	}
}
