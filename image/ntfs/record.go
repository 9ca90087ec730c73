package ntfs

import (
	"fmt"
	"unicode/utf16"
)

// Attribute types this reader uses.
const (
	attrStandardInfo  = 0x10
	attrAttributeList = 0x20
	attrFileName      = 0x30
	attrData          = 0x80
	attrIndexRoot     = 0x90
	attrIndexAlloc    = 0xA0
	attrReparsePoint  = 0xC0
	attrEnd           = 0xFFFFFFFF
)

// Attribute header flags.
const (
	flagCompressed = 0x0001
	flagEncrypted  = 0x4000
)

// MFT record header flags.
const (
	recordInUse     = 0x0001
	recordDirectory = 0x0002
)

// fixupStride is the span each update-sequence entry protects, whatever the sector size.
const fixupStride = 512

// applyFixups checks and undoes the update sequence of a multi-sector structure (MFT
// record, INDX block): the last two bytes of every 512-byte stride must hold the update
// sequence number, and get back the bytes saved in the array. A mismatch is a torn or
// corrupt write.
func applyFixups(b []byte, what string) error {
	if len(b) < 8 {
		return fmt.Errorf("%w: %s: %d bytes", ErrCorrupt, what, len(b))
	}
	off, count := int(le.Uint16(b[4:])), int(le.Uint16(b[6:]))
	strides := len(b) / fixupStride
	if count != strides+1 || off < 8 || off%2 != 0 || off+2*count > len(b) || off+2*count > fixupStride-2 {
		return fmt.Errorf("%w: %s: update sequence of %d entries at %d for %d bytes", ErrCorrupt, what, count, off, len(b))
	}
	usn := le.Uint16(b[off:])
	for i := range strides {
		end := (i+1)*fixupStride - 2
		if le.Uint16(b[end:]) != usn {
			return fmt.Errorf("%w: %s: update sequence mismatch in sector %d (torn or corrupt write)", ErrCorrupt, what, i)
		}
		copy(b[end:end+2], b[off+2+2*i:off+4+2*i])
	}
	return nil
}

// attribute is one attribute of a file record (one extent, for a non-resident attribute
// spread over several records).
type attribute struct {
	typ      uint32
	name     string
	flags    uint16
	id       uint16
	resident bool
	value    []byte // resident content
	// non-resident
	startVCN, lastVCN  int64
	runs               []run
	allocSize          int64
	dataSize, initSize int64
	compressionUnit    int // log2 of clusters per compression unit
}

// record is a parsed MFT record.
type record struct {
	num   uint64
	seq   uint16
	flags uint16
	base  uint64 // record number of the base record; 0 for a base record
	links uint16
	attrs []attribute
}

// parseRecord checks and parses an MFT record (fixups already applied).
func parseRecord(b []byte, num uint64, clusters int64) (*record, error) {
	what := fmt.Sprintf("MFT record %d", num)
	if string(b[:4]) != "FILE" {
		return nil, fmt.Errorf("%w: %s has no FILE signature", ErrCorrupt, what)
	}
	rec := &record{num: num, seq: le.Uint16(b[0x10:]), links: le.Uint16(b[0x12:]), flags: le.Uint16(b[0x16:]), base: le.Uint64(b[0x20:]) & refMask}
	used := int(le.Uint32(b[0x18:]))
	if used > len(b) || used < 0x30 {
		return nil, fmt.Errorf("%w: %s uses %d of %d bytes", ErrCorrupt, what, used, len(b))
	}
	off := int(le.Uint16(b[0x14:]))
	for {
		if off < 0x18 || off+4 > used {
			return nil, fmt.Errorf("%w: %s: attribute at %d runs past the record's %d bytes", ErrCorrupt, what, off, used)
		}
		typ := le.Uint32(b[off:])
		if typ == attrEnd {
			return rec, nil
		}
		if off+16 > used {
			return nil, fmt.Errorf("%w: %s: truncated attribute header at %d", ErrCorrupt, what, off)
		}
		length := int(le.Uint32(b[off+4:]))
		if length < 16 || length%8 != 0 || off+length > used {
			return nil, fmt.Errorf("%w: %s: attribute 0x%x at %d has length %d", ErrCorrupt, what, typ, off, length)
		}
		a, err := parseAttribute(b[off:off+length], clusters)
		if err != nil {
			return nil, fmt.Errorf("%s: attribute 0x%x at %d: %w", what, typ, off, err)
		}
		rec.attrs = append(rec.attrs, a)
		off += length
	}
}

func parseAttribute(b []byte, clusters int64) (attribute, error) {
	a := attribute{typ: le.Uint32(b), resident: b[8] == 0, flags: le.Uint16(b[0xC:]), id: le.Uint16(b[0xE:])}
	if nameLen := int(b[9]); nameLen > 0 {
		nameOff := int(le.Uint16(b[0xA:]))
		if nameOff+2*nameLen > len(b) {
			return a, fmt.Errorf("%w: name past the attribute", ErrCorrupt)
		}
		a.name = utf16String(b[nameOff : nameOff+2*nameLen])
	}
	if a.resident {
		if len(b) < 0x18 {
			return a, fmt.Errorf("%w: resident header truncated", ErrCorrupt)
		}
		vlen, voff := int(le.Uint32(b[0x10:])), int(le.Uint16(b[0x14:]))
		if voff+vlen > len(b) || vlen < 0 {
			return a, fmt.Errorf("%w: %d-byte value at %d in a %d-byte attribute", ErrCorrupt, vlen, voff, len(b))
		}
		a.value = b[voff : voff+vlen]
		return a, nil
	}
	if len(b) < 0x40 {
		return a, fmt.Errorf("%w: non-resident header truncated", ErrCorrupt)
	}
	a.startVCN, a.lastVCN = int64(le.Uint64(b[0x10:])), int64(le.Uint64(b[0x18:]))
	a.compressionUnit = int(le.Uint16(b[0x22:]))
	a.allocSize, a.dataSize, a.initSize = int64(le.Uint64(b[0x28:])), int64(le.Uint64(b[0x30:])), int64(le.Uint64(b[0x38:]))
	limit := clusters * (2 << 20) // no stream is bigger than the volume could address
	switch {
	case a.startVCN < 0 || a.lastVCN < a.startVCN-1 || a.lastVCN >= clusters<<8:
		return a, fmt.Errorf("%w: VCNs %d..%d", ErrCorrupt, a.startVCN, a.lastVCN)
	case a.allocSize < 0 || a.dataSize < 0 || a.initSize < 0 || a.dataSize > limit || a.allocSize > limit:
		return a, fmt.Errorf("%w: sizes %d (allocated) %d (data) %d (initialized)", ErrCorrupt, a.allocSize, a.dataSize, a.initSize)
	case a.compressionUnit > 16:
		return a, fmt.Errorf("%w: compression unit of 2^%d clusters", ErrCorrupt, a.compressionUnit)
	}
	if a.initSize > a.dataSize {
		a.initSize = a.dataSize
	}
	runOff := int(le.Uint16(b[0x20:]))
	if runOff >= len(b) {
		return a, fmt.Errorf("%w: runlist at %d past the attribute", ErrCorrupt, runOff)
	}
	runs, err := decodeRuns(b[runOff:], a.startVCN, a.lastVCN, clusters)
	if err != nil {
		return a, err
	}
	a.runs = runs
	return a, nil
}

// utf16String decodes little-endian UTF-16 (unpaired surrogates become U+FFFD).
func utf16String(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = le.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// refMask keeps the record number of a file reference (the top 16 bits are its sequence
// number).
const refMask = 1<<48 - 1
