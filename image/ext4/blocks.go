package ext4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// Bounds on what a hostile inode can make the reader do.
const (
	maxExtents         = 1 << 20 // leaf extents per file (a 4 GiB file fragmented block by block)
	maxExtentNodeReads = 1 << 20
	maxExtentDepth     = 5
	extentMagic        = 0xF30A
)

type extent struct {
	logical, length, phys uint64
	uninit                bool // allocated but unwritten: reads as zeros
}

// content reads an inode's data: inline, through an extent tree, or through an ext2/ext3
// block map. Holes and unwritten extents read as zeros.
type content struct {
	fs      *FS
	in      *inode
	inline  []byte
	extents []extent // sorted by logical block
	ptrs    map[uint64][]byte

	mu        sync.Mutex // guards the one-block cache that keeps small reads cheap
	cached    []byte
	cachedBlk uint64
}

func (f *FS) newContent(in *inode) (*content, error) {
	c := &content{fs: f, in: in}
	switch {
	case in.flags&flagEncrypt != 0:
		return nil, fmt.Errorf("%w: inode %d is encrypted", ErrUnsupported, in.num)
	case in.flags&flagInlineData != 0:
		if in.isDir() {
			return c, nil // directories are read by inlineDirEntries
		}
		data, err := in.inlineData()
		if err != nil {
			return nil, err
		}
		c.inline = data
	case in.flags&flagExtents != 0:
		budget := struct{ extents, reads int }{maxExtents, maxExtentNodeReads}
		if err := f.collectExtents(in.block[:], -1, &c.extents, &budget.extents, &budget.reads); err != nil {
			return nil, fmt.Errorf("inode %d: %w", in.num, err)
		}
		sort.Slice(c.extents, func(i, j int) bool { return c.extents[i].logical < c.extents[j].logical })
	default:
		c.ptrs = map[uint64][]byte{}
	}
	return c, nil
}

func (f *FS) collectExtents(node []byte, wantDepth int, out *[]extent, extentBudget, readBudget *int) error {
	le := binary.LittleEndian
	if len(node) < 12 || le.Uint16(node) != extentMagic {
		return fmt.Errorf("%w: bad extent header", ErrCorrupt)
	}
	entries, max, depth := int(le.Uint16(node[2:])), int(le.Uint16(node[4:])), int(le.Uint16(node[6:]))
	if depth > maxExtentDepth || (wantDepth >= 0 && depth != wantDepth) {
		return fmt.Errorf("%w: extent tree depth %d (expected %d)", ErrCorrupt, depth, wantDepth)
	}
	if entries > max || 12+entries*12 > len(node) {
		return fmt.Errorf("%w: extent node with %d entries (max %d)", ErrCorrupt, entries, max)
	}
	for i := 0; i < entries; i++ {
		e := node[12+i*12:]
		if depth == 0 {
			x := extent{logical: uint64(le.Uint32(e)), length: uint64(le.Uint16(e[4:])),
				phys: uint64(le.Uint16(e[6:]))<<32 | uint64(le.Uint32(e[8:]))}
			if x.length > 32768 {
				x.length, x.uninit = x.length-32768, true
			}
			if x.phys+x.length > f.sb.blocksCount {
				return fmt.Errorf("%w: extent at block %d runs past the filesystem", ErrCorrupt, x.phys)
			}
			// Extent trees are ordered: a leaf that goes back means a corrupt or hostile
			// tree (one that repeats a subtree to make the reader loop).
			if n := len(*out); n > 0 && x.logical < (*out)[n-1].logical+(*out)[n-1].length {
				return fmt.Errorf("%w: extents out of order at logical block %d", ErrCorrupt, x.logical)
			}
			if *extentBudget--; *extentBudget < 0 {
				return fmt.Errorf("%w: more than %d extents", ErrUnsupported, maxExtents)
			}
			*out = append(*out, x)
			continue
		}
		child := uint64(le.Uint16(e[8:]))<<32 | uint64(le.Uint32(e[4:]))
		if child >= f.sb.blocksCount {
			return fmt.Errorf("%w: extent index points to block %d", ErrCorrupt, child)
		}
		if *readBudget--; *readBudget < 0 {
			return fmt.Errorf("%w: extent tree too large", ErrCorrupt)
		}
		buf := make([]byte, f.sb.blockSize)
		if err := f.readAt(buf, int64(child)*f.sb.blockSize); err != nil {
			return err
		}
		if err := f.collectExtents(buf, depth-1, out, extentBudget, readBudget); err != nil {
			return err
		}
	}
	return nil
}

// mapBlock returns the physical block of a logical one (0 for a hole or an unwritten
// extent) and how many following logical blocks continue the same run.
func (c *content) mapBlock(lblk uint64) (phys, run uint64, err error) {
	if c.in.flags&flagExtents != 0 {
		i := sort.Search(len(c.extents), func(i int) bool { return c.extents[i].logical > lblk }) - 1
		if i >= 0 {
			e := c.extents[i]
			if lblk < e.logical+e.length {
				if e.uninit {
					return 0, e.logical + e.length - lblk, nil
				}
				return e.phys + lblk - e.logical, e.logical + e.length - lblk, nil
			}
		}
		if i+1 < len(c.extents) {
			return 0, c.extents[i+1].logical - lblk, nil
		}
		return 0, 1 << 32, nil
	}
	phys, err = c.mapIndirect(lblk)
	return phys, 1, err
}

// mapIndirect follows the ext2/ext3 block map: 12 direct pointers, then single, double
// and triple indirect blocks.
func (c *content) mapIndirect(lblk uint64) (uint64, error) {
	le := binary.LittleEndian
	per := uint64(c.fs.sb.blockSize / 4)
	if lblk < 12 {
		return uint64(le.Uint32(c.in.block[lblk*4:])), nil
	}
	lblk -= 12
	var slot int
	var path []uint64
	switch {
	case lblk < per:
		slot, path = 12, []uint64{lblk}
	case lblk < per+per*per:
		lblk -= per
		slot, path = 13, []uint64{lblk / per, lblk % per}
	case lblk < per+per*per+per*per*per:
		lblk -= per + per*per
		slot, path = 14, []uint64{lblk / (per * per), lblk / per % per, lblk % per}
	default:
		return 0, fmt.Errorf("%w: block %d beyond the triple-indirect map", ErrCorrupt, lblk)
	}
	block := uint64(le.Uint32(c.in.block[slot*4:]))
	for _, idx := range path {
		if block == 0 {
			return 0, nil // a hole
		}
		ptrs, err := c.pointerBlock(block)
		if err != nil {
			return 0, err
		}
		block = uint64(le.Uint32(ptrs[idx*4:]))
	}
	return block, nil
}

func (c *content) pointerBlock(block uint64) ([]byte, error) {
	if b, ok := c.ptrs[block]; ok {
		return b, nil
	}
	if block >= c.fs.sb.blocksCount {
		return nil, fmt.Errorf("%w: indirect block %d beyond the filesystem", ErrCorrupt, block)
	}
	if len(c.ptrs) >= 16 {
		clear(c.ptrs)
	}
	b := make([]byte, c.fs.sb.blockSize)
	if err := c.fs.readAt(b, int64(block)*c.fs.sb.blockSize); err != nil {
		return nil, err
	}
	c.ptrs[block] = b
	return b, nil
}

// errNegativeOffset: ReadAt at an offset below zero.
var errNegativeOffset = errors.New("negative offset")

// ReadAt reads the inode's data, size-limited by i_size.
func (c *content) ReadAt(p []byte, off int64) (int, error) {
	size := c.in.size
	p, eof, err := readat.Clip(p, off, size, errNegativeOffset)
	if err != nil {
		return 0, err
	}
	if c.inline != nil {
		return copy(p, c.inline[off:]), eof
	}
	bs := c.fs.sb.blockSize
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		lblk, within := uint64(pos/bs), pos%bs
		phys, run, err := c.mapBlock(lblk)
		if err != nil {
			return n, fmt.Errorf("inode %d: %w", c.in.num, err)
		}
		want := int64(len(p) - n)
		if avail := int64(run)*bs - within; avail < want {
			want = avail
		}
		chunk := p[n : n+int(want)]
		if phys == 0 {
			clear(chunk)
		} else {
			if phys+(uint64(within)+uint64(want)+uint64(bs)-1)/uint64(bs) > c.fs.sb.blocksCount {
				return n, fmt.Errorf("%w: inode %d: block %d beyond the filesystem", ErrCorrupt, c.in.num, phys)
			}
			if err := c.readPhys(chunk, phys, within); err != nil {
				return n, err
			}
		}
		n += len(chunk)
	}
	return n, eof
}

// readPhys reads from physical block phys at offset within; reads smaller than a block
// go through a one-block cache, so byte-sized reads do not cost a syscall each.
func (c *content) readPhys(p []byte, phys uint64, within int64) error {
	bs := c.fs.sb.blockSize
	if int64(len(p)) >= bs || within+int64(len(p)) > bs {
		return c.fs.readAt(p, int64(phys)*bs+within)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached == nil || c.cachedBlk != phys {
		if c.cached == nil {
			c.cached = make([]byte, bs)
		}
		if err := c.fs.readAt(c.cached, int64(phys)*bs); err != nil {
			c.cached = nil
			return err
		}
		c.cachedBlk = phys
	}
	copy(p, c.cached[within:])
	return nil
}
