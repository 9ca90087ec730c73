// Package vmdk reads hosted sparse VMDK disks read-only: monolithicSparse, and
// streamOptimized with deflate-compressed grains, whether the grain directory's offset is
// in the header at offset 0 (as qemu-img writes it, with no footer) or in a footer at the
// end (as VMware and VirtualBox write it). A split or flat disk (a text descriptor file
// whose extents are other files) is read by OpenDescriptor; a child of a parent disk is
// refused with an error saying so.
package vmdk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// ErrCorrupt marks a disk that contradicts itself or its file.
var ErrCorrupt = errors.New("corrupt VMDK")

// ErrUnsupported marks a valid disk this reader cannot read alone.
var ErrUnsupported = errors.New("unsupported VMDK")

var le = binary.LittleEndian

const (
	magic        = "KDMV"
	sector       = 512
	gdAtEnd      = 0xFFFFFFFFFFFFFFFF
	flagZeroGTE  = 1 << 2  // a grain table entry of 1 means a grain of zeros
	flagCompress = 1 << 16 // grains are compressed, each behind a 12-byte header
	deflate      = 1
)

// Bounds that keep memory in check whatever the header claims.
const (
	maxGrainSize = 1 << 20  // bytes; qemu and VMware write 64 KiB
	maxGTEs      = 4096     // per grain table; the format says 512
	maxGDSize    = 64 << 20 // bytes of grain directory
)

// header is the sparse extent header, in bytes where the file stores sectors.
type header struct {
	version    uint32
	flags      uint32
	capacity   int64 // bytes of the virtual disk
	grainSize  int64 // bytes
	gtes       int64 // entries per grain table
	gdOffset   int64 // bytes
	descriptor string
	createType string
}

func (h *header) compressed() bool { return h.flags&flagCompress != 0 }

// parseHeader reads the header at offset 0 and, when it says the grain directory is at
// the end, the footer that repeats it with the real offset.
func parseHeader(r io.ReaderAt, size int64) (*header, error) { return parseHeaderOf(r, size, true) }

// parseHeaderOf reads the header; standalone says the file must be a whole disk (its
// embedded descriptor naming it as the only extent), not an extent of a descriptor file.
func parseHeaderOf(r io.ReaderAt, size int64, standalone bool) (*header, error) {
	b := make([]byte, sector)
	if err := readat.Full(r, b, 0); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if string(b[:4]) != magic {
		return nil, fmt.Errorf("%w: no KDMV magic", ErrCorrupt)
	}
	h, err := decodeHeader(b, size)
	if err != nil {
		return nil, err
	}
	if descOff, descLen := int64(le.Uint64(b[28:])), int64(le.Uint64(b[36:])); descOff > 0 && descLen > 0 {
		if descLen > 2048 || (descOff+descLen)*sector > size {
			return nil, fmt.Errorf("%w: descriptor of %d sectors at sector %d", ErrCorrupt, descLen, descOff)
		}
		d := make([]byte, descLen*sector)
		if err := readat.Full(r, d, descOff*sector); err != nil {
			return nil, fmt.Errorf("descriptor: %w", err)
		}
		h.descriptor = strings.TrimRight(string(d), "\x00")
	}
	if standalone {
		if err := h.checkDescriptor(); err != nil {
			return nil, err
		}
	}
	if le.Uint64(b[56:]) == gdAtEnd {
		// streamOptimized as VMware writes it: footer marker, footer, end-of-stream marker
		if size < 3*sector {
			return nil, fmt.Errorf("%w: no room for a footer", ErrCorrupt)
		}
		f := make([]byte, sector)
		if err := readat.Full(r, f, size-2*sector); err != nil {
			return nil, fmt.Errorf("footer: %w", err)
		}
		if string(f[:4]) != magic {
			return nil, fmt.Errorf("%w: the header says the grain directory is at the end, but there is no footer (truncated?)", ErrCorrupt)
		}
		footer, err := decodeHeader(f, size)
		if err != nil {
			return nil, fmt.Errorf("footer: %w", err)
		}
		if le.Uint64(f[56:]) == gdAtEnd || footer.capacity != h.capacity || footer.grainSize != h.grainSize {
			return nil, fmt.Errorf("%w: the footer disagrees with the header", ErrCorrupt)
		}
		h.gdOffset = footer.gdOffset
	}
	return h, nil
}

// decodeHeader checks the fields the reader relies on.
func decodeHeader(b []byte, size int64) (*header, error) {
	h := &header{version: le.Uint32(b[4:]), flags: le.Uint32(b[8:])}
	capSectors, grainSectors := le.Uint64(b[12:]), le.Uint64(b[20:])
	h.gtes = int64(le.Uint32(b[44:]))
	gd := le.Uint64(b[56:])
	switch {
	case h.version < 1 || h.version > 3:
		return nil, fmt.Errorf("%w: version %d", ErrUnsupported, h.version)
	case grainSectors < 8 || grainSectors&(grainSectors-1) != 0 || grainSectors*sector > maxGrainSize:
		return nil, fmt.Errorf("%w: grain of %d sectors", ErrCorrupt, grainSectors)
	case capSectors == 0 || capSectors > 1<<40: // 512 TiB
		return nil, fmt.Errorf("%w: capacity of %d sectors", ErrCorrupt, capSectors)
	case h.gtes < 1 || h.gtes > maxGTEs:
		return nil, fmt.Errorf("%w: %d entries per grain table", ErrCorrupt, h.gtes)
	case h.compressed() && le.Uint16(b[77:]) != deflate:
		return nil, fmt.Errorf("%w: compression algorithm %d", ErrUnsupported, le.Uint16(b[77:]))
	}
	h.capacity, h.grainSize = int64(capSectors)*sector, int64(grainSectors)*sector
	if gd != gdAtEnd {
		if gd == 0 || gd > uint64(size/sector) {
			return nil, fmt.Errorf("%w: grain directory at sector %d of a %d-byte file (truncated?)", ErrCorrupt, gd, size)
		}
		h.gdOffset = int64(gd) * sector
	}
	return h, nil
}

var (
	createTypeRe = regexp.MustCompile(`(?m)^\s*createType\s*=\s*"([^"]*)"`)
	parentCIDRe  = regexp.MustCompile(`(?m)^\s*parentCID\s*=\s*([0-9a-fA-F]+)`)
	extentRe     = regexp.MustCompile(`(?m)^\s*(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\S+)`)
)

// checkDescriptor refuses what needs another file: a child of a parent disk, or extents
// besides this one. A sparse extent with no embedded descriptor is one piece of a split
// disk, whose descriptor file must be opened instead.
func (h *header) checkDescriptor() error {
	if h.descriptor == "" {
		return fmt.Errorf("%w: a sparse extent without a descriptor: one piece of a split disk (open its descriptor .vmdk)", ErrUnsupported)
	}
	if m := createTypeRe.FindStringSubmatch(h.descriptor); m != nil {
		h.createType = m[1]
	}
	if h.createType != "monolithicSparse" && h.createType != "streamOptimized" {
		return fmt.Errorf("%w: createType %q (monolithicSparse and streamOptimized are read)", ErrUnsupported, h.createType)
	}
	if m := parentCIDRe.FindStringSubmatch(h.descriptor); m != nil && !strings.EqualFold(m[1], "ffffffff") {
		return fmt.Errorf("%w: a delta disk of parent %s: its parent is needed", ErrUnsupported, m[1])
	}
	extents := extentRe.FindAllStringSubmatch(h.descriptor, -1)
	if len(extents) != 1 || extents[0][3] != "SPARSE" {
		return fmt.Errorf("%w: %d extents in the descriptor (one SPARSE extent is read)", ErrUnsupported, len(extents))
	}
	if n, err := strconv.ParseInt(extents[0][2], 10, 64); err != nil || n*sector != h.capacity {
		return fmt.Errorf("%w: the extent has %s sectors, the header %d", ErrCorrupt, extents[0][2], h.capacity/sector)
	}
	return nil
}
