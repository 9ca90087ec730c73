package ext4

import (
	"encoding/binary"
	"slices"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

// dirReadBytes is the most directory blocks pathsFromEntries reads at once.
const dirReadBytes = 1 << 20

// link is a directory entry naming an inode: the directory holding it, and the name.
type link struct {
	dir  uint32
	name string
}

// pathsFromEntries names the inodes of names from one read of every directory block
// (found in the index, in disk order), keeping only the entries that point at those
// inodes or at a directory; a path is then a chain of links up to the root. A walk of
// the tree in name order, the walk's way, reads the same blocks but allocates every name
// and reads every inode.
//
// It answers as pathsOf would, or not at all (ok false): with inline-data directories
// (not in blocks), an entry it cannot read, an entry pointing at an inode the inode
// tables do not hold, or a directory under more than one name. A file under several
// names (hard links) gets the one the walk meets first: the least path, compared name
// by name.
func (x *inodeIndex) pathsFromEntries(names map[uint32]string) (ok bool, err error) {
	f := x.fs
	if f.sb.incompat&incompatInlineData != 0 {
		return false, nil
	}
	// the directories' blocks below their size, in disk order, cut to fit the buffer
	type dirSpan struct {
		lo, hi int64
		dir    uint32
	}
	bs := f.sb.blockSize
	buf := make([]byte, max(dirReadBytes, bs))
	var spans []dirSpan
	for _, r := range x.ranges {
		if known, dir := x.isDir(r.ino); !known || !dir || r.lblk == metaBlock || r.lblk == unwrittenBlock {
			continue
		}
		size := x.dirSize[r.ino]
		if size > maxDirSize {
			return false, nil // listDir refuses it: so does the walk, with the error
		}
		below := (size+bs-1)/bs - int64(r.lblk) // blocks of the range within the size
		for lo, hi := r.lo, min(r.hi, r.lo+max(below, 0)*bs); lo < hi; lo += int64(len(buf)) {
			spans = append(spans, dirSpan{lo, min(hi, lo+int64(len(buf))), r.ino})
		}
	}
	links := map[uint32][]link{}
	for i := 0; i < len(spans); {
		// adjacent spans (the directories of a group lie together) are read at once
		j, from := i+1, spans[i].lo
		for j < len(spans) && spans[j].lo == spans[j-1].hi && spans[j].hi-from <= int64(len(buf)) {
			j++
		}
		run := buf[:spans[j-1].hi-from]
		if err := f.readAt(run, from); err != nil {
			return false, err
		}
		for _, sp := range spans[i:j] {
			for lo := sp.lo; lo < sp.hi; lo += bs {
				if !x.entryLinks(run[lo-from:lo-from+bs], sp.dir, names, links) {
					return false, nil
				}
			}
		}
		i = j
	}
	paths := map[uint32][]string{rootIno: {}}
	const cycle = "\x00" // a directory whose path is being found
	var dirPath func(dir uint32) ([]string, bool)
	dirPath = func(dir uint32) ([]string, bool) {
		if p, done := paths[dir]; done {
			return p, len(p) == 0 || p[0] != cycle
		}
		ls := links[dir]
		switch {
		case len(ls) == 0:
			return nil, true // reached from no directory: unnamed
		case len(ls) > 1:
			return nil, false
		}
		paths[dir] = []string{cycle}
		parent, ok := dirPath(ls[0].dir)
		if !ok {
			return nil, false
		}
		var p []string
		// the walk names a directory no deeper than blockuse.MaxDepth
		if parent != nil || ls[0].dir == rootIno {
			if len(parent) < blockuse.MaxDepth {
				p = append(slices.Clip(parent), ls[0].name)
			}
		}
		paths[dir] = p
		return p, true
	}
	for ino := range names {
		if ino == rootIno {
			names[ino] = "/"
			continue
		}
		var best []string
		for _, l := range links[ino] {
			parent, ok := dirPath(l.dir)
			if !ok {
				return false, nil
			}
			if parent == nil && l.dir != rootIno {
				continue // unnamed directory
			}
			if p := append(slices.Clip(parent), l.name); best == nil || slices.Compare(p, best) < 0 {
				best = p
			}
		}
		if known, dir := x.isDir(ino); known && dir {
			if len(links[ino]) > 1 {
				return false, nil
			}
			if p, ok := dirPath(ino); !ok {
				return false, nil
			} else {
				best = p
			}
		}
		if best != nil {
			names[ino] = "/" + strings.Join(best, "/")
		}
	}
	return true, nil
}

// entryLinks adds the links of one directory block's entries that point at an inode of
// names or at a directory. It says false where parseEntries would fail, or for an entry
// pointing at an inode not in use.
func (x *inodeIndex) entryLinks(b []byte, dir uint32, names map[uint32]string, links map[uint32][]link) bool {
	le := binary.LittleEndian
	f := x.fs
	hasType := f.sb.incompat&incompatFiletype != 0
	for off := 0; off < len(b); {
		if len(b)-off < 8 {
			return false
		}
		ino := le.Uint32(b[off:])
		recLen := int(le.Uint16(b[off+4:]))
		if f.sb.blockSize == 65536 && (recLen == 65535 || recLen == 0) {
			recLen = 65536
		}
		nameLen := int(b[off+6])
		if !hasType {
			nameLen = int(le.Uint16(b[off+6:]))
		}
		if recLen < 8 || off+recLen > len(b) || 8+nameLen > recLen {
			return false
		}
		if ino != 0 && nameLen > 0 {
			name := b[off+8 : off+8+nameLen]
			if string(name) != "." && string(name) != ".." {
				if slices.Contains(name, '/') || slices.Contains(name, 0) || ino > f.sb.inodesCount {
					return false
				}
				known, isDir := x.isDir(ino)
				if !known {
					return false
				}
				if _, wanted := names[ino]; wanted || isDir {
					links[ino] = append(links[ino], link{dir, string(name)})
				}
			}
		}
		off += recLen
	}
	return true
}
