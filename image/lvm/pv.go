// Package lvm reads LVM2 volume groups from their physical volumes' on-disk metadata,
// read-only and without device-mapper: PV label, metadata area, text metadata, then each
// logical volume as an io.ReaderAt over its linear segments. RHEL-family images keep their
// root filesystem in one. Any other kind of logical volume (striped, thin, RAID, mirror,
// snapshot, cache, VDO) is reported as not supported, by name.
package lvm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// ErrCorrupt marks metadata that contradicts itself or its device.
var ErrCorrupt = errors.New("corrupt LVM2 metadata")

// ErrUnsupported marks a logical volume this reader cannot read.
var ErrUnsupported = errors.New("not supported")

var le = binary.LittleEndian

const (
	sectorSize = 512
	labelID    = "LABELONE"
	labelType  = "LVM2 001"
	mdaMagic   = " LVM2 x[5A%r0N*>"
	maxText    = 16 << 20 // bytes of metadata text; lvm2 itself writes well under 1 MiB
)

// PV is an LVM2 physical volume: a partition or disk holding a label.
type PV struct {
	UUID string // 32 characters, no dashes
	r    io.ReaderAt
	size int64
	text string // the newest metadata text of its metadata areas, "" when it has none
}

// Probe tells whether r holds an LVM2 label in one of its first four sectors.
func Probe(r io.ReaderAt) bool {
	_, _, err := findLabel(r)
	return err == nil
}

// ReadPV reads the label, PV header and metadata areas of a physical volume of size bytes.
func ReadPV(r io.ReaderAt, size int64) (*PV, error) {
	sec, at, err := findLabel(r)
	if err != nil {
		return nil, err
	}
	if crc(sec[20:]) != le.Uint32(sec[16:]) {
		return nil, fmt.Errorf("%w: the label in sector %d fails its checksum", ErrCorrupt, at)
	}
	off := int(le.Uint32(sec[20:]))
	if off < 32 || off+40 > sectorSize {
		return nil, fmt.Errorf("%w: PV header at %d", ErrCorrupt, off)
	}
	h := sec[off:]
	pv := &PV{UUID: string(h[:32]), r: r, size: size}
	// two lists of (offset, size) pairs ended by zeros: data areas, then metadata areas
	p, lists := 40, [2][][2]int64{}
	for i := range lists {
		for {
			if p+16 > len(h) {
				return nil, fmt.Errorf("%w: PV header area lists run past the label sector", ErrCorrupt)
			}
			o, n := int64(le.Uint64(h[p:])), int64(le.Uint64(h[p+8:]))
			p += 16
			if o == 0 && n == 0 {
				break
			}
			lists[i] = append(lists[i], [2]int64{o, n})
		}
	}
	var best int64 = -1
	for _, mda := range lists[1] {
		text, seqno, err := readMetadataArea(r, size, mda[0], mda[1])
		if err != nil {
			return nil, err
		}
		if text != "" && seqno > best {
			pv.text, best = text, seqno
		}
	}
	return pv, nil
}

// findLabel returns the sector holding the label and its number.
func findLabel(r io.ReaderAt) ([]byte, int, error) {
	for i := 0; i < 4; i++ {
		sec := make([]byte, sectorSize)
		if n, _ := r.ReadAt(sec, int64(i)*sectorSize); n != sectorSize {
			break
		}
		if string(sec[:8]) == labelID && string(sec[24:32]) == labelType && le.Uint64(sec[8:]) == uint64(i) {
			return sec, i, nil
		}
	}
	return nil, 0, fmt.Errorf("%w: no LVM2 label", ErrCorrupt)
}

// readMetadataArea returns the current metadata text of the area at off (of n bytes)
// and its seqno. The area is a ring buffer after its 512-byte header: the text may wrap.
func readMetadataArea(r io.ReaderAt, size, off, n int64) (string, int64, error) {
	if off < 0 || n < 2*sectorSize || off+n > size {
		return "", 0, fmt.Errorf("%w: metadata area at %d (%d bytes) on a %d-byte device (truncated?)", ErrCorrupt, off, n, size)
	}
	h := make([]byte, sectorSize)
	if err := readat.Full(r, h, off); err != nil {
		return "", 0, fmt.Errorf("metadata area: %w", err)
	}
	if string(h[4:20]) != mdaMagic || crc(h[4:]) != le.Uint32(h[:4]) {
		return "", 0, fmt.Errorf("%w: the metadata area header at %d fails its magic or checksum", ErrCorrupt, off)
	}
	loc, length, sum := int64(le.Uint64(h[40:])), int64(le.Uint64(h[48:])), le.Uint32(h[56:])
	if loc == 0 && length == 0 {
		return "", 0, nil // a PV not in any volume group yet
	}
	if loc < sectorSize || loc >= n || length <= 0 || length > min(maxText, n-sectorSize) {
		return "", 0, fmt.Errorf("%w: metadata text at %d (%d bytes) in a %d-byte area", ErrCorrupt, loc, length, n)
	}
	text := make([]byte, length)
	first := min(length, n-loc)
	if err := readat.Full(r, text[:first], off+loc); err != nil {
		return "", 0, err
	}
	if first < length { // wrapped around to the start of the ring
		if err := readat.Full(r, text[first:], off+sectorSize); err != nil {
			return "", 0, err
		}
	}
	if crc(text) != sum {
		return "", 0, fmt.Errorf("%w: the metadata text fails its checksum", ErrCorrupt)
	}
	s := strings.TrimRight(string(text), "\x00")
	root, err := parseText(s)
	if err != nil {
		return "", 0, err
	}
	var seqno int64
	for _, name := range root.order {
		seqno, _ = root.children[name].num("seqno")
	}
	return s, seqno, nil
}

// crc is LVM2's CRC-32: the IEEE polynomial, seeded with 0xf597a6cf, not inverted.
func crc(b []byte) uint32 {
	return ^crc32.Update(^uint32(0xf597a6cf), crc32.IEEETable, b)
}
