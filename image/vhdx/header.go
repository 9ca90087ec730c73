// Package vhdx reads VHDX disks (Hyper-V) read-only, fixed and dynamic. A disk whose log
// holds writes not yet applied, or a differencing disk (it needs its parent), is refused:
// reading it as is would give a stale or partial disk.
package vhdx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// ErrCorrupt marks a disk that contradicts itself or its file.
var ErrCorrupt = errors.New("corrupt VHDX")

// ErrUnsupported marks a disk this reader cannot read correctly alone.
var ErrUnsupported = errors.New("unsupported VHDX")

var (
	le         = binary.LittleEndian
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

// GUIDs as stored (the first three fields little-endian).
var (
	guidBAT        = guid("2DC27766-F623-4200-9D64-115E9BFD4A08")
	guidMetadata   = guid("8B7CA206-4790-4B9A-B8FE-575F050F886E")
	guidFileParams = guid("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
	guidDiskSize   = guid("2FA54224-CD1B-4876-B211-5DBED83BF4B8")
	guidSectorSize = guid("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")
	// known items the reader does not need
	guidDiskID       = guid("BECA12AB-B2E6-4523-93EF-C309E000C746")
	guidPhysSector   = guid("CDA348C7-445D-4471-9CC9-E9885251C556")
	guidParentLocate = guid("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")
)

// layout is what the headers, region table and metadata say about the disk.
type layout struct {
	batOffset, batLength int64
	blockSize            int64
	sectorSize           int64
	diskSize             int64
}

// readLayout checks the file identifier, picks the current header (valid, highest
// sequence number), and reads the region table and the metadata items it needs.
func readLayout(r io.ReaderAt, size int64) (*layout, error) {
	id := make([]byte, 8)
	if err := readat.Full(r, id, 0); err != nil || string(id) != "vhdxfile" {
		return nil, fmt.Errorf("%w: no vhdxfile identifier", ErrCorrupt)
	}
	var cur []byte
	for _, off := range []int64{64 * kib, 128 * kib} {
		h := make([]byte, 4*kib)
		if err := readat.Full(r, h, off); err != nil || string(h[:4]) != "head" || !crcOK(h, 4) {
			continue
		}
		if cur == nil || le.Uint64(h[8:]) > le.Uint64(cur[8:]) {
			cur = h
		}
	}
	if cur == nil {
		return nil, fmt.Errorf("%w: neither header is valid (truncated?)", ErrCorrupt)
	}
	if v := le.Uint16(cur[66:]); v != 1 {
		return nil, fmt.Errorf("%w: version %d", ErrUnsupported, v)
	}
	if pending, err := logPending(r, size, cur); err != nil || pending {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: its log holds writes not yet applied to the disk (it was not closed cleanly): "+
			"replay it with `qemu-img check -r all` on a copy, or by mounting it once in Hyper-V", ErrUnsupported)
	}
	var regions []byte
	for _, off := range []int64{192 * kib, 256 * kib} {
		t := make([]byte, 64*kib)
		if err := readat.Full(r, t, off); err == nil && string(t[:4]) == "regi" && crcOK(t, 4) {
			regions = t
			break
		}
	}
	if regions == nil {
		return nil, fmt.Errorf("%w: neither region table is valid", ErrCorrupt)
	}
	l := &layout{}
	var metaOff, metaLen int64
	n := int(le.Uint32(regions[8:]))
	if n > 2047 {
		return nil, fmt.Errorf("%w: %d regions", ErrCorrupt, n)
	}
	for i := 0; i < n; i++ {
		e := regions[16+32*i : 48+32*i]
		off, length := int64(le.Uint64(e[16:])), int64(le.Uint32(e[24:]))
		if off < 0 || off+length > size || off%mib != 0 {
			return nil, fmt.Errorf("%w: region at %d (%d bytes) in a %d-byte file (truncated?)", ErrCorrupt, off, length, size)
		}
		switch {
		case bytes.Equal(e[:16], guidBAT):
			l.batOffset, l.batLength = off, length
		case bytes.Equal(e[:16], guidMetadata):
			metaOff, metaLen = off, length
		case le.Uint32(e[28:])&1 != 0:
			return nil, fmt.Errorf("%w: an unknown required region", ErrUnsupported)
		}
	}
	if l.batLength == 0 || metaLen < 64*kib {
		return nil, fmt.Errorf("%w: no block table or metadata region", ErrCorrupt)
	}
	if err := l.readMetadata(r, metaOff, metaLen); err != nil {
		return nil, err
	}
	return l, nil
}

// logPending tells whether the log may hold entries to replay: a zero LogGuid says it
// does not; otherwise any entry carrying the header's LogGuid counts, valid or not
// (refusing a disk that needed no replay is safe; reading one that did is not).
func logPending(r io.ReaderAt, size int64, h []byte) (bool, error) {
	logGUID := h[48:64]
	if bytes.Equal(logGUID, make([]byte, 16)) {
		return false, nil
	}
	off, length := int64(le.Uint64(h[72:])), int64(le.Uint32(h[68:]))
	if off < 0 || length > 256*mib || off+length > size {
		return false, fmt.Errorf("%w: log at %d (%d bytes) in a %d-byte file", ErrCorrupt, off, length, size)
	}
	sector := make([]byte, 64)
	for at := off; at < off+length; at += 4 * kib {
		if err := readat.Full(r, sector, at); err != nil {
			return false, fmt.Errorf("log: %w", err)
		}
		if string(sector[:4]) == "loge" && bytes.Equal(sector[32:48], logGUID) {
			return true, nil
		}
	}
	return false, nil
}

// readMetadata reads the block size, sector size and disk size, refusing a parent.
func (l *layout) readMetadata(r io.ReaderAt, off, length int64) error {
	table := make([]byte, 64*kib)
	if err := readat.Full(r, table, off); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	if string(table[:8]) != "metadata" {
		return fmt.Errorf("%w: no metadata signature", ErrCorrupt)
	}
	n := int(le.Uint16(table[10:]))
	if n > 2047 {
		return fmt.Errorf("%w: %d metadata items", ErrCorrupt, n)
	}
	item := func(e []byte) ([]byte, error) {
		at, size := int64(le.Uint32(e[16:])), int64(le.Uint32(e[20:]))
		if at < 64*kib || size < 4 || size > 64*kib || at+size > length {
			return nil, fmt.Errorf("%w: metadata item at %d (%d bytes)", ErrCorrupt, at, size)
		}
		b := make([]byte, size)
		return b, readat.Full(r, b, off+at)
	}
	var flags uint32
	for i := 0; i < n; i++ {
		e := table[32+32*i : 64+32*i]
		id := e[:16]
		if bytes.Equal(id, guidDiskID) || bytes.Equal(id, guidPhysSector) {
			continue
		}
		if bytes.Equal(id, guidParentLocate) {
			return fmt.Errorf("%w: a differencing disk: its parent is needed", ErrUnsupported)
		}
		var dst *int64
		switch {
		case bytes.Equal(id, guidFileParams):
			b, err := item(e)
			if err != nil {
				return err
			}
			l.blockSize, flags = int64(le.Uint32(b)), le.Uint32(b[4:])
			continue
		case bytes.Equal(id, guidDiskSize):
			dst = &l.diskSize
		case bytes.Equal(id, guidSectorSize):
			dst = &l.sectorSize
		default:
			if le.Uint32(e[24:])&4 != 0 { // IsRequired
				return fmt.Errorf("%w: an unknown required metadata item", ErrUnsupported)
			}
			continue
		}
		b, err := item(e)
		if err != nil {
			return err
		}
		if len(b) >= 8 {
			*dst = int64(le.Uint64(b))
		} else {
			*dst = int64(le.Uint32(b))
		}
	}
	switch {
	case flags&2 != 0:
		return fmt.Errorf("%w: a differencing disk: its parent is needed", ErrUnsupported)
	case l.blockSize < mib || l.blockSize > 256*mib || l.blockSize&(l.blockSize-1) != 0:
		return fmt.Errorf("%w: block size %d", ErrCorrupt, l.blockSize)
	case l.sectorSize != 512 && l.sectorSize != 4096:
		return fmt.Errorf("%w: logical sector size %d", ErrCorrupt, l.sectorSize)
	case l.diskSize <= 0 || l.diskSize > 64<<40 || l.diskSize%l.sectorSize != 0:
		return fmt.Errorf("%w: virtual disk size %d", ErrCorrupt, l.diskSize)
	}
	return nil
}

// crcOK checks a CRC-32C stored at at, computed with that field zeroed.
func crcOK(b []byte, at int) bool {
	want := le.Uint32(b[at:])
	c := bytes.Clone(b)
	clear(c[at : at+4])
	return crc32.Checksum(c, castagnoli) == want
}

// guid encodes a GUID the way VHDX stores it.
func guid(s string) []byte {
	var b [16]byte
	hex := func(s string) []byte {
		out := make([]byte, len(s)/2)
		for i := range out {
			fmt.Sscanf(s[2*i:2*i+2], "%02x", &out[i])
		}
		return out
	}
	d1, d2, d3 := hex(s[0:8]), hex(s[9:13]), hex(s[14:18])
	copy(b[0:], []byte{d1[3], d1[2], d1[1], d1[0], d2[1], d2[0], d3[1], d3[0]})
	copy(b[8:], hex(s[19:23]))
	copy(b[10:], hex(s[24:36]))
	return b[:]
}
