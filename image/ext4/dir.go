package ext4

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Bounds on directories: a 20,000-entry directory is about 1 MiB.
const (
	maxDirSize    = 256 << 20
	maxDirEntries = 1 << 20
)

// blockBufs are directory block buffers, reused: a walk of the whole tree (the deep
// scan's owner index) lists every directory. parseEntries copies the names out.
var blockBufs = sync.Pool{New: func() any { return new([]byte) }}

type dirent struct {
	name  string
	ino   uint32
	ftype uint8 // the directory entry's file type (0 when the filesystem has none)
}

// listDir returns a directory's entries sorted by name, without "." and "..". Directories
// are read linearly, block by block, as readdir does: an htree's index blocks hide
// behind entries with inode 0, so every leaf entry is seen.
func (f *FS) listDir(in *inode) ([]dirent, error) {
	if entries, ok := f.dirs.Get(in.num); ok {
		return entries, nil
	}
	var out []dirent
	if in.flags&flagInlineData != 0 {
		// i_block holds the parent's inode number, then entries; system.data more entries.
		if err := f.parseEntries(in.block[4:], &out, false); err != nil {
			return nil, fmt.Errorf("inline directory inode %d: %w", in.num, err)
		}
		extra, err := in.inlineXattr()
		if err != nil {
			return nil, err
		}
		if err := f.parseEntries(extra, &out, false); err != nil {
			return nil, fmt.Errorf("inline directory inode %d: %w", in.num, err)
		}
	} else {
		if in.size > maxDirSize {
			return nil, fmt.Errorf("%w: directory inode %d claims %d bytes", ErrUnsupported, in.num, in.size)
		}
		c, err := f.newContent(in)
		if err != nil {
			return nil, err
		}
		bs := f.sb.blockSize
		bp := blockBufs.Get().(*[]byte)
		defer blockBufs.Put(bp)
		if int64(cap(*bp)) < bs {
			*bp = make([]byte, bs)
		}
		buf := (*bp)[:bs]
		for off := int64(0); off < in.size; off += bs {
			phys, _, err := c.mapBlock(uint64(off / bs))
			if err != nil {
				return nil, fmt.Errorf("directory inode %d: %w", in.num, err)
			}
			if phys == 0 {
				continue // a hole in a directory holds no entries
			}
			if phys >= f.sb.blocksCount {
				return nil, fmt.Errorf("%w: directory inode %d: block %d beyond the filesystem", ErrCorrupt, in.num, phys)
			}
			if err := f.readAt(buf, int64(phys)*bs); err != nil {
				return nil, err
			}
			if err := f.parseEntries(buf, &out, true); err != nil {
				return nil, fmt.Errorf("directory inode %d, block %d: %w", in.num, off/bs, err)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	// A hostile directory may repeat a name; the first one wins, as a lookup would.
	uniq := out[:0]
	for i, e := range out {
		if i == 0 || e.name != out[i-1].name {
			uniq = append(uniq, e)
		}
	}
	f.dirs.Put(in.num, uniq)
	return uniq, nil
}

// parseEntries reads a chain of ext4_dir_entry_2 records filling b.
func (f *FS) parseEntries(b []byte, out *[]dirent, wholeBlock bool) error {
	le := binary.LittleEndian
	hasType := f.sb.incompat&incompatFiletype != 0
	for off := 0; off < len(b); {
		if len(b)-off < 8 {
			return fmt.Errorf("%w: directory entry cut short", ErrCorrupt)
		}
		ino := le.Uint32(b[off:])
		recLen := int(le.Uint16(b[off+4:]))
		if wholeBlock && f.sb.blockSize == 65536 && (recLen == 65535 || recLen == 0) {
			recLen = 65536 // how 64 KiB blocks encode a record spanning the block
		}
		nameLen, ftype := int(b[off+6]), b[off+7]
		if !hasType {
			nameLen, ftype = int(le.Uint16(b[off+6:])), 0
		}
		if recLen < 8 || off+recLen > len(b) || 8+nameLen > recLen {
			return fmt.Errorf("%w: directory entry at offset %d has record length %d and name length %d", ErrCorrupt, off, recLen, nameLen)
		}
		if ino != 0 && nameLen > 0 {
			name := string(b[off+8 : off+8+nameLen])
			if strings.ContainsAny(name, "/\x00") {
				return fmt.Errorf("%w: directory entry name %q", ErrCorrupt, name)
			}
			if name != "." && name != ".." {
				if len(*out) >= maxDirEntries {
					return fmt.Errorf("%w: more than %d entries in one directory", ErrUnsupported, maxDirEntries)
				}
				*out = append(*out, dirent{name: name, ino: ino, ftype: ftype})
			}
		}
		off += recLen
	}
	return nil
}

func lookup(entries []dirent, name string) (dirent, bool) {
	i := sort.Search(len(entries), func(i int) bool { return entries[i].name >= name })
	if i < len(entries) && entries[i].name == name {
		return entries[i], true
	}
	return dirent{}, false
}
