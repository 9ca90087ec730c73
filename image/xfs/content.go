package xfs

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// content reads an inode's data: extents mapped, holes and unwritten extents as zeros.
type content struct {
	fs     *FS
	in     *inode
	ext    []extent
	inline []byte // local format: the bytes in the inode

	mu        sync.Mutex // guards the one-block cache that keeps small reads cheap
	cached    []byte
	cachedOff int64
}

func (f *FS) newContent(in *inode) (*content, error) {
	c := &content{fs: f, in: in}
	if in.format == formatLocal {
		c.inline = in.fork[:in.size]
		return c, nil
	}
	ext, err := f.extents(in)
	if err != nil {
		return nil, err
	}
	c.ext = ext
	return c, nil
}

// errNegativeOffset: ReadAt at an offset below zero.
var errNegativeOffset = errors.New("negative offset")

// ReadAt reads the data, size-limited by di_size.
func (c *content) ReadAt(p []byte, off int64) (int, error) {
	size := c.in.size
	p, eof, err := readat.Clip(p, off, size, errNegativeOffset)
	if err != nil {
		return 0, err
	}
	if c.inline != nil {
		return copy(p, c.inline[off:]), eof
	}
	if err := c.readMapped(p, off); err != nil {
		return 0, err
	}
	return len(p), eof
}

// readMapped reads through the block map whatever di_size says (directory blocks).
func (c *content) readMapped(p []byte, off int64) error {
	bs := c.fs.sb.blockSize
	for n := 0; n < len(p); {
		pos := off + int64(n)
		blk := uint64(pos / bs)
		// the extent holding blk, or the first one after it
		i := sort.Search(len(c.ext), func(i int) bool { return c.ext[i].off+c.ext[i].count > blk })
		var chunk []byte
		switch {
		case i == len(c.ext) || c.ext[i].off > blk: // a hole, up to the next extent
			end := int64(len(p))
			if i < len(c.ext) {
				end = min(end, int64(c.ext[i].off)*bs-off)
			}
			chunk = p[n:end]
			clear(chunk)
		default:
			e := c.ext[i]
			end := min(int64(len(p)), int64(e.off+e.count)*bs-off)
			chunk = p[n:end]
			if e.unwritten {
				clear(chunk)
				break
			}
			phys := c.fs.sb.offset(e.start+(blk-e.off)) + pos%bs
			if err := c.read(chunk, phys); err != nil {
				return fmt.Errorf("inode %d: %w", c.in.num, err)
			}
		}
		n += len(chunk)
	}
	return nil
}

// read reads at a physical offset. An extent is contiguous within its allocation group;
// reads smaller than a block go through a one-block cache.
func (c *content) read(p []byte, phys int64) error {
	bs := c.fs.sb.blockSize
	if int64(len(p)) >= bs || phys%bs+int64(len(p)) > bs {
		return readat.Full(c.fs.r, p, phys)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	base := phys - phys%bs
	if c.cached == nil || c.cachedOff != base {
		if c.cached == nil {
			c.cached = make([]byte, bs)
		}
		if err := readat.Full(c.fs.r, c.cached, base); err != nil {
			c.cached = nil
			return err
		}
		c.cachedOff = base
	}
	copy(p, c.cached[phys-base:])
	return nil
}
