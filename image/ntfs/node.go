package ntfs

import (
	"fmt"
	"io"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// File attribute bits of $STANDARD_INFORMATION.
const (
	fileReadOnly  = 0x0001
	fileSystem    = 0x0004
	fileReparse   = 0x0400
	fileEncrypted = 0x4000
)

// Reparse tags of links; every other tag fails closed on read.
const (
	tagSymlink    = 0xA000000C
	tagMountPoint = 0xA0000003 // junctions and volume mount points
)

// Bounds on what one file may make the reader hold.
const (
	maxAttrList    = 256 << 10 // Windows' own limit on $ATTRIBUTE_LIST
	maxExtensions  = 4096      // extension records of one file
	maxReparseData = 16 << 10  // a reparse buffer is at most 16 KiB
)

// node is a file or directory: its base record's attributes with those of its extension
// records.
type node struct {
	num       uint64
	seq       uint16
	dir       bool
	attrs     []attribute
	fileAttrs uint32
	mtime     time.Time
	size      int64  // of the unnamed $DATA
	reparse   uint32 // reparse tag, 0 when none
	target    string // link target, slash-separated when relative
	absolute  bool   // the target names a drive or a volume: never followed
	interix   bool   // an Interix symlink (how ntfs-3g stores POSIX symlinks)
}

func (n *node) symlink() bool {
	return n.reparse == tagSymlink || n.reparse == tagMountPoint || n.interix
}

// extents returns the extents of the attribute of type typ and name.
func (n *node) extents(typ uint32, name string) []attribute {
	var out []attribute
	for _, a := range n.attrs {
		if a.typ == typ && a.name == name {
			out = append(out, a)
		}
	}
	return out
}

// readRecord reads, fixes up and parses MFT record num.
func (f *FS) readRecord(num uint64) (*record, error) {
	if num >= f.records {
		return nil, fmt.Errorf("%w: MFT record %d is past the MFT's %d records", ErrCorrupt, num, f.records)
	}
	b := make([]byte, f.bs.recordSize)
	if err := readat.Full(f.recordPages, b, int64(num)*f.bs.recordSize); err != nil {
		return nil, fmt.Errorf("MFT record %d: %w", num, err)
	}
	return decodeRecord(b, num, f.bs.clusters)
}

func decodeRecord(b []byte, num uint64, clusters int64) (*record, error) {
	if string(b[:4]) != "FILE" {
		return nil, fmt.Errorf("%w: MFT record %d has no FILE signature", ErrCorrupt, num)
	}
	if err := applyFixups(b, fmt.Sprintf("MFT record %d", num)); err != nil {
		return nil, err
	}
	// NTFS 3.1 records say their own number: a record read from the wrong place is caught
	if le.Uint16(b[4:]) >= 0x30 {
		if own := le.Uint32(b[0x2C:]); uint64(own) != num&0xFFFFFFFF {
			return nil, fmt.Errorf("%w: MFT record %d says it is record %d", ErrCorrupt, num, own)
		}
	}
	return parseRecord(b, num, clusters)
}

// node returns file num, checking that it is in use and, when seq is not 0, that it is
// still the file the reference meant.
func (f *FS) node(num uint64, seq uint16) (*node, error) {
	n, ok := f.nodes.Get(num)
	if !ok {
		var err error
		if n, err = f.loadNode(num); err != nil {
			return nil, err
		}
		f.nodes.Put(num, n)
	}
	if seq != 0 && n.seq != seq {
		return nil, fmt.Errorf("%w: a reference to MFT record %d sequence %d, the record is at sequence %d (stale entry)", ErrCorrupt, num, seq, n.seq)
	}
	return n, nil
}

func (f *FS) loadNode(num uint64) (*node, error) {
	rec, err := f.readRecord(num)
	if err != nil {
		return nil, err
	}
	if rec.flags&recordInUse == 0 {
		return nil, fmt.Errorf("%w: MFT record %d is not in use", ErrCorrupt, num)
	}
	if rec.base != 0 {
		return nil, fmt.Errorf("%w: MFT record %d is an extension of record %d, not a file", ErrCorrupt, num, rec.base)
	}
	n := &node{num: num, seq: rec.seq, dir: rec.flags&recordDirectory != 0}
	if n.attrs, err = f.allAttributes(rec); err != nil {
		return nil, err
	}
	if si := n.extents(attrStandardInfo, ""); len(si) > 0 && si[0].resident && len(si[0].value) >= 0x24 {
		n.mtime = fileTime(le.Uint64(si[0].value[8:]))
		n.fileAttrs = le.Uint32(si[0].value[0x20:])
	}
	if n.dir && len(n.extents(attrIndexRoot, "$I30")) == 0 {
		return nil, fmt.Errorf("%w: directory %d has no $I30 index", ErrCorrupt, num)
	}
	if data := n.extents(attrData, ""); len(data) > 0 {
		if data[0].resident {
			n.size = int64(len(data[0].value))
		} else {
			for _, e := range data {
				if e.startVCN == 0 {
					n.size = e.dataSize
				}
			}
		}
	}
	if err := f.readLink(n); err != nil {
		return nil, fmt.Errorf("MFT record %d: %w", num, err)
	}
	return n, nil
}

// allAttributes returns rec's attributes with those of the extension records its
// $ATTRIBUTE_LIST names.
func (f *FS) allAttributes(rec *record) ([]attribute, error) {
	attrs := rec.attrs
	var list []attribute
	for _, a := range rec.attrs {
		if a.typ == attrAttributeList {
			list = append(list, a)
		}
	}
	if len(list) == 0 {
		return attrs, nil
	}
	data, err := f.content(list, maxAttrList, "$ATTRIBUTE_LIST")
	if err != nil {
		return nil, fmt.Errorf("MFT record %d: %w", rec.num, err)
	}
	seen := map[uint64]bool{rec.num: true}
	for off := 0; off+0x1A <= len(data); {
		length := int(le.Uint16(data[off+4:]))
		if length < 0x1A || off+length > len(data) {
			return nil, fmt.Errorf("%w: MFT record %d: $ATTRIBUTE_LIST entry at %d has length %d", ErrCorrupt, rec.num, off, length)
		}
		seg := le.Uint64(data[off+0x10:]) & refMask
		off += length
		if seen[seg] {
			continue
		}
		seen[seg] = true
		if len(seen) > maxExtensions {
			return nil, fmt.Errorf("%w: MFT record %d has more than %d extension records", ErrUnsupported, rec.num, maxExtensions)
		}
		ext, err := f.readRecord(seg)
		if err != nil {
			return nil, fmt.Errorf("extension of MFT record %d: %w", rec.num, err)
		}
		if ext.flags&recordInUse == 0 || ext.base != rec.num {
			return nil, fmt.Errorf("%w: MFT record %d lists record %d, which is not its extension", ErrCorrupt, rec.num, seg)
		}
		attrs = append(attrs, ext.attrs...)
	}
	return attrs, nil
}

// content reads a whole attribute of at most limit bytes.
func (f *FS) content(extents []attribute, limit int64, what string) ([]byte, error) {
	if extents[0].resident {
		return extents[0].value, nil
	}
	s, err := newStream(f.r, f.bs.clusterSize, extents)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if s.dataSize > limit {
		return nil, fmt.Errorf("%w: a %d-byte %s", ErrCorrupt, s.dataSize, what)
	}
	b := make([]byte, s.dataSize)
	if _, err := s.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return b, nil
}

// fileTime converts 100 ns ticks since 1601 to a time.
func fileTime(t uint64) time.Time {
	const epochDiff = 116444736000000000 // 1601 to 1970 in ticks
	if t < epochDiff {
		return time.Unix(0, 0).UTC()
	}
	t -= epochDiff
	return time.Unix(int64(t/1e7), int64(t%1e7)*100).UTC()
}
