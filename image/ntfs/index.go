package ntfs

import (
	"fmt"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// Index entry flags.
const (
	entrySubnode = 0x01
	entryLast    = 0x02
)

// $FILE_NAME namespaces: a DOS-only name is the 8.3 alias of a long name listed too.
const nsDOS = 2

// Bounds on a directory: entries, B+ tree depth.
const (
	maxDirEntries = 1 << 20
	maxIndexDepth = 32
)

// dirent is a name in a directory index.
type dirent struct {
	name string
	num  uint64
	seq  uint16
}

// index walks a directory's $I30 B+ tree from $INDEX_ROOT through the INDX blocks of
// $INDEX_ALLOCATION, each visited once: a block reached twice is a loop.
type index struct {
	f         *FS
	dir       uint64
	blockSize int64
	vcnSize   int64
	alloc     *stream
	visited   map[int64]bool
	entries   []dirent
}

// listIndex returns the names of directory n, without DOS-only aliases, "." or the
// entries of the directory itself.
func (f *FS) listIndex(n *node) ([]dirent, error) {
	roots := n.extents(attrIndexRoot, "$I30")
	if len(roots) == 0 || !roots[0].resident || len(roots[0].value) < 0x20 {
		return nil, fmt.Errorf("%w: directory %d: no resident $I30 index root", ErrCorrupt, n.num)
	}
	root := roots[0].value
	ix := &index{f: f, dir: n.num, blockSize: int64(le.Uint32(root[8:])), visited: map[int64]bool{}}
	if ix.blockSize < 512 || ix.blockSize > 64<<10 || ix.blockSize&(ix.blockSize-1) != 0 {
		return nil, fmt.Errorf("%w: directory %d: %d-byte index blocks", ErrCorrupt, n.num, ix.blockSize)
	}
	ix.vcnSize = f.bs.clusterSize
	if ix.blockSize < f.bs.clusterSize { // small blocks are addressed in 512-byte units
		ix.vcnSize = 512
	}
	if alloc := n.extents(attrIndexAlloc, "$I30"); len(alloc) > 0 && !alloc[0].resident {
		s, err := newStream(f.r, f.bs.clusterSize, alloc)
		if err != nil {
			return nil, fmt.Errorf("directory %d: $INDEX_ALLOCATION: %w", n.num, err)
		}
		ix.alloc = s
	}
	if err := ix.node(root[0x10:], "index root", 0); err != nil {
		return nil, fmt.Errorf("directory %d: %w", n.num, err)
	}
	return ix.entries, nil
}

// node reads the entries of one index node (header at h[0]) and of its subnodes.
func (ix *index) node(h []byte, where string, depth int) error {
	if depth > maxIndexDepth {
		return fmt.Errorf("%w: index deeper than %d levels", ErrCorrupt, maxIndexDepth)
	}
	if len(h) < 16 {
		return fmt.Errorf("%w: %s: truncated node header", ErrCorrupt, where)
	}
	start, end := int(le.Uint32(h[0:])), int(le.Uint32(h[4:]))
	if start < 16 || end > len(h) || start > end {
		return fmt.Errorf("%w: %s: entries %d..%d in a %d-byte node", ErrCorrupt, where, start, end, len(h))
	}
	for off := start; ; {
		if off+16 > end {
			return fmt.Errorf("%w: %s: entries run past the node without a last entry", ErrCorrupt, where)
		}
		e := h[off:end]
		length, keyLen, flags := int(le.Uint16(e[8:])), int(le.Uint16(e[10:])), le.Uint16(e[12:])
		if length < 16 || length%8 != 0 || length > len(e) || 16+keyLen > length {
			return fmt.Errorf("%w: %s: entry at %d has length %d, key %d", ErrCorrupt, where, off, length, keyLen)
		}
		if flags&entrySubnode != 0 {
			if length < 24 || 16+keyLen > length-8 {
				return fmt.Errorf("%w: %s: entry at %d too short for a subnode", ErrCorrupt, where, off)
			}
			if err := ix.block(int64(le.Uint64(e[length-8:])), depth+1); err != nil {
				return err
			}
		}
		if flags&entryLast != 0 {
			return nil
		}
		if err := ix.add(e[16:16+keyLen], le.Uint64(e[0:]), where, off); err != nil {
			return err
		}
		off += length
	}
}

// add records the $FILE_NAME key of an entry.
func (ix *index) add(key []byte, ref uint64, where string, off int) error {
	if len(key) < 0x42 || 0x42+2*int(key[0x40]) > len(key) {
		return fmt.Errorf("%w: %s: entry at %d has a %d-byte $FILE_NAME key", ErrCorrupt, where, off, len(key))
	}
	if key[0x41] == nsDOS {
		return nil
	}
	d := dirent{name: utf16String(key[0x42 : 0x42+2*int(key[0x40])]), num: ref & refMask, seq: uint16(ref >> 48)}
	if d.num == ix.dir || d.name == "." || d.name == ".." || d.name == "" || strings.ContainsAny(d.name, "/\x00") {
		if d.num == ix.dir || d.name == "." {
			return nil // the root lists itself as "."
		}
		return fmt.Errorf("%w: %s: entry at %d is named %q", ErrCorrupt, where, off, d.name)
	}
	if len(ix.entries) >= maxDirEntries {
		return fmt.Errorf("%w: more than %d entries in a directory", ErrUnsupported, maxDirEntries)
	}
	ix.entries = append(ix.entries, d)
	return nil
}

// block reads the INDX block at vcn and its entries.
func (ix *index) block(vcn int64, depth int) error {
	where := fmt.Sprintf("index block at VCN %d", vcn)
	if ix.alloc == nil {
		return fmt.Errorf("%w: %s, but no $INDEX_ALLOCATION", ErrCorrupt, where)
	}
	if vcn < 0 || vcn > ix.alloc.dataSize/ix.vcnSize {
		return fmt.Errorf("%w: %s, past the %d-byte allocation", ErrCorrupt, where, ix.alloc.dataSize)
	}
	if ix.visited[vcn] {
		return fmt.Errorf("%w: %s is reached twice (index loop)", ErrCorrupt, where)
	}
	ix.visited[vcn] = true
	b := make([]byte, ix.blockSize)
	if err := readat.Full(ix.alloc, b, vcn*ix.vcnSize); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if string(b[:4]) != "INDX" {
		return fmt.Errorf("%w: %s has no INDX signature", ErrCorrupt, where)
	}
	if err := applyFixups(b, where); err != nil {
		return err
	}
	if got := int64(le.Uint64(b[0x10:])); got != vcn {
		return fmt.Errorf("%w: %s says it is at VCN %d", ErrCorrupt, where, got)
	}
	return ix.node(b[0x18:], where, depth)
}
