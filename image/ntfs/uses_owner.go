package ntfs

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

// $FILE_NAME namespace of a DOS-only (8.3) alias.
const namespaceDOS = 2

// maxPathDepth bounds the walk up a file's parents.
const maxPathDepth = 256

// claimUse says what a claimed offset is: the journal, a metafile, a directory's index, a
// file's data or the slack past it (data never written: past the initialized size, or
// in the last cluster past the end).
func (f *FS) claimUse(c claim, paths map[uint64]string) (blockuse.Use, error) {
	switch {
	case c.unclaimed:
		return blockuse.Use{Kind: blockuse.Metadata}, nil
	case c.base == recordLogFile:
		return blockuse.Use{Kind: blockuse.Journal, Path: "/$LogFile"}, nil
	case c.base == recordMFT && c.typ == attrData && c.name == "":
		return f.mftRecordUse(c.fileOff, paths)
	}
	p := f.pathOf(c.base, paths)
	if (c.base < firstUserRecord && c.base != recordRoot) || strings.HasPrefix(p, "/$Extend/") || c.typ != attrData {
		return blockuse.Use{Kind: blockuse.Metadata, Path: p}, nil
	}
	n, err := f.node(c.base, 0)
	if err != nil {
		return blockuse.Use{}, fmt.Errorf("the owner of a cluster: %w", err)
	}
	if c.name != "" {
		p += ":" + c.name // an alternate data stream
	}
	u := blockuse.Use{Kind: blockuse.File, Path: p}
	for _, e := range n.extents(attrData, c.name) {
		if e.startVCN == 0 && !e.resident && !c.compressed && c.fileOff >= e.initSize {
			u.Kind = blockuse.Slack
		}
	}
	return u, nil
}

// mftRecordUse says what holds byte mftOff of the MFT: a small file's data lives in its
// record, a free record keeps what its last file held (a remnant), and the end of a record
// past its used bytes is slack.
func (f *FS) mftRecordUse(mftOff int64, paths map[uint64]string) (blockuse.Use, error) {
	mft := blockuse.Use{Kind: blockuse.Metadata, Path: "/$MFT"}
	num := uint64(mftOff / f.bs.recordSize)
	if num >= f.records {
		return mft, nil
	}
	b := make([]byte, f.bs.recordSize)
	if _, err := f.mft.ReadAt(b, int64(num)*f.bs.recordSize); err != nil {
		return blockuse.Use{}, fmt.Errorf("MFT record %d: %w", num, err)
	}
	if string(b[:4]) != "FILE" || le.Uint16(b[0x16:])&recordInUse == 0 {
		return blockuse.Use{Kind: blockuse.Free, Path: "/$MFT"}, nil
	}
	if inRecord := mftOff % f.bs.recordSize; inRecord >= int64(le.Uint32(b[0x18:])) {
		return blockuse.Use{Kind: blockuse.Slack, Path: "/$MFT"}, nil
	}
	rec, err := decodeRecord(b, num, f.bs.clusters)
	if err != nil {
		return blockuse.Use{}, err
	}
	base := num
	if rec.base != 0 {
		base = rec.base
	}
	if base < firstUserRecord || rec.flags&recordDirectory != 0 {
		return mft, nil
	}
	for _, a := range rec.attrs {
		if a.typ == attrData && a.resident {
			p := f.pathOf(base, paths)
			if a.name != "" {
				p += ":" + a.name
			}
			return blockuse.Use{Kind: blockuse.File, Path: p}, nil
		}
	}
	return mft, nil
}

// pathOf names file num by its $FILE_NAME parents, up to the root. A chain that breaks
// (corruption) names the record instead: the kind of use is still known.
func (f *FS) pathOf(num uint64, cache map[uint64]string) string {
	if p, ok := cache[num]; ok {
		return p
	}
	if name, ok := metafileNames[num]; ok {
		return "/" + name
	}
	var parts []string
	cur := num
	for depth := 0; cur != recordRoot; depth++ {
		parent, name, ok := f.fileName(cur)
		if !ok || depth >= maxPathDepth {
			return fmt.Sprintf("(MFT record %d)", num)
		}
		parts = append(parts, name)
		cur = parent
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString("/" + parts[i])
	}
	cache[num] = cmp.Or(b.String(), "/")
	return cache[num]
}

// fileName returns a file's parent record and its name, the long one when it has a DOS
// alias too.
func (f *FS) fileName(num uint64) (uint64, string, bool) {
	n, err := f.node(num, 0)
	if err != nil {
		return 0, "", false
	}
	var parent uint64
	var name string
	found := false
	for _, a := range n.extents(attrFileName, "") {
		v := a.value
		if !a.resident || len(v) < 0x42 || len(v) < 0x42+2*int(v[0x40]) {
			continue
		}
		if found && v[0x41] == namespaceDOS {
			continue
		}
		parent, name, found = le.Uint64(v)&refMask, utf16String(v[0x42:0x42+2*int(v[0x40])]), true
	}
	return parent, name, found
}
