package xfs

import (
	"fmt"
	"sort"
)

// dirent is one directory entry.
type dirent struct {
	name string
	ino  uint64
}

// Directory data blocks live below this byte offset of a directory; the leaf and free
// index blocks above it repeat what the data blocks hold.
const dirLeafOffset = 32 << 30

// maxDirEntries bounds one directory's listing (far beyond real directories).
const maxDirEntries = 1 << 22

// listDir returns a directory's entries, "." and ".." left out, sorted by name.
func (f *FS) listDir(in *inode) ([]dirent, error) {
	if d, ok := f.dirs.Get(in.num); ok {
		return d, nil
	}
	var entries []dirent
	var err error
	switch in.format {
	case formatLocal:
		entries, err = f.shortformDir(in)
	case formatExtents, formatBtree:
		entries, err = f.blockDir(in)
	default:
		err = fmt.Errorf("%w: directory inode %d has format %d", ErrCorrupt, in.num, in.format)
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	for i := 1; i < len(entries); i++ {
		if entries[i].name == entries[i-1].name {
			return nil, fmt.Errorf("%w: directory inode %d lists %q twice", ErrCorrupt, in.num, entries[i].name)
		}
	}
	f.dirs.Put(in.num, entries)
	return entries, nil
}

// shortformDir decodes a directory kept in the inode: a count, the parent, then entries
// of name length, a 2-byte offset, the name, the file type (with ftype) and a 4- or
// 8-byte inode number.
func (f *FS) shortformDir(in *inode) ([]dirent, error) {
	b := in.fork[:in.size]
	if len(b) < 6 {
		return nil, fmt.Errorf("%w: short-form directory inode %d of %d bytes", ErrCorrupt, in.num, len(b))
	}
	count, inoSize := int(b[0]), 4
	if b[1] != 0 {
		count, inoSize = int(b[1]), 8
	}
	pos := 2 + inoSize
	var out []dirent
	for i := 0; i < count; i++ {
		if pos >= len(b) {
			return nil, fmt.Errorf("%w: short-form directory inode %d ends early", ErrCorrupt, in.num)
		}
		n := int(b[pos])
		end := pos + 3 + n + inoSize
		if f.sb.ftype {
			end++
		}
		if n == 0 || end > len(b) {
			return nil, fmt.Errorf("%w: short-form directory inode %d: entry %d overruns", ErrCorrupt, in.num, i)
		}
		name := string(b[pos+3 : pos+3+n])
		var ino uint64
		if inoSize == 8 {
			ino = be.Uint64(b[end-8:])
		} else {
			ino = uint64(be.Uint32(b[end-4:]))
		}
		if err := checkName(in.num, name); err != nil {
			return nil, err
		}
		out = append(out, dirent{name: name, ino: ino})
		pos = end
	}
	return out, nil
}

// blockDir reads the data blocks of a block, leaf or node directory. Each holds a 64-byte
// header, then entries (inode, name length, name, file type, padding, tag) and free
// spaces (0xFFFF, length); a single-block directory ends with its leaf and a tail.
func (f *FS) blockDir(in *inode) ([]dirent, error) {
	c, err := f.newContent(in)
	if err != nil {
		return nil, err
	}
	dbs := f.sb.blockSize << f.sb.dirBlkLog
	seen := map[int64]bool{}
	var out []dirent
	for _, e := range c.ext {
		for blk := e.off; blk < e.off+e.count; blk++ {
			at := int64(blk) * f.sb.blockSize / dbs * dbs
			if at >= dirLeafOffset || seen[at] {
				continue
			}
			seen[at] = true
			b := make([]byte, dbs)
			if err := c.readMapped(b, at); err != nil {
				return nil, err
			}
			if out, err = f.dirBlock(in, b, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (f *FS) dirBlock(in *inode, b []byte, out []dirent) ([]dirent, error) {
	end := len(b)
	switch string(b[:4]) {
	case "XDD3":
	case "XDB3": // single-block directory: leaf entries and a tail close the block
		count := int64(be.Uint32(b[len(b)-8:]))
		end = len(b) - 8 - int(count)*8
		if count < 0 || end < 64 {
			return nil, fmt.Errorf("%w: directory inode %d: block tail counts %d leaves", ErrCorrupt, in.num, count)
		}
	default:
		return nil, fmt.Errorf("%w: directory inode %d: a data block has magic %q", ErrCorrupt, in.num, b[:4])
	}
	if !crcOK(b, 4) || be.Uint64(b[40:]) != in.num {
		return nil, fmt.Errorf("%w: directory inode %d: a data block fails its checksum or owner", ErrCorrupt, in.num)
	}
	for pos := 64; pos < end; {
		if be.Uint16(b[pos:]) == 0xFFFF { // free space
			n := int(be.Uint16(b[pos+2:]))
			if n < 8 || n%8 != 0 || pos+n > end {
				return nil, fmt.Errorf("%w: directory inode %d: free space of %d bytes", ErrCorrupt, in.num, n)
			}
			pos += n
			continue
		}
		if pos+11 > end {
			return nil, fmt.Errorf("%w: directory inode %d: entry overruns its block", ErrCorrupt, in.num)
		}
		n := int(b[pos+8])
		size := 8 + 1 + n + 2
		if f.sb.ftype {
			size++
		}
		size = (size + 7) &^ 7
		if n == 0 || pos+size > end {
			return nil, fmt.Errorf("%w: directory inode %d: entry overruns its block", ErrCorrupt, in.num)
		}
		name := string(b[pos+9 : pos+9+n])
		pos += size
		if name == "." || name == ".." {
			continue
		}
		if err := checkName(in.num, name); err != nil {
			return nil, err
		}
		if len(out) >= maxDirEntries {
			return nil, fmt.Errorf("%w: directory inode %d has more than %d entries", ErrUnsupported, in.num, maxDirEntries)
		}
		out = append(out, dirent{name: name, ino: be.Uint64(b[pos-size:])})
	}
	return out, nil
}

// checkName refuses names no path can hold: a walk would go wrong on them.
func checkName(dir uint64, name string) error {
	for i := 0; i < len(name); i++ {
		if name[i] == '/' || name[i] == 0 {
			return fmt.Errorf("%w: directory inode %d holds the name %q", ErrCorrupt, dir, name)
		}
	}
	if name == "." || name == ".." {
		return fmt.Errorf("%w: directory inode %d holds an entry named %q", ErrCorrupt, dir, name)
	}
	return nil
}
