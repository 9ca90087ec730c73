package vmdk

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Bounds of a descriptor file: VMware's are a few hundred bytes; a 2 TiB
// twoGbMaxExtentSparse disk lists about 1000 extents.
const (
	MaxDescriptorSize = 256 << 10
	maxExtents        = 4096
)

// DescriptorMagic starts a VMDK descriptor file.
const DescriptorMagic = "# Disk DescriptorFile"

// Descriptor is a parsed VMDK descriptor file.
type Descriptor struct {
	CreateType string
	Extents    []Extent
}

// Extent is one line of the extent description: a piece of the virtual disk, in order.
type Extent struct {
	Sectors int64  // of the virtual disk it covers
	Type    string // "SPARSE", "FLAT" (or "VMFS"), "ZERO"
	File    string // relative to the descriptor's directory; "" for ZERO
	Offset  int64  // FLAT: sectors into File where the extent starts
}

// descriptor createTypes whose extents this package reads.
var splitTypes = map[string]bool{
	"twoGbMaxExtentSparse": true, "monolithicFlat": true, "twoGbMaxExtentFlat": true,
	"vmfs": true, "custom": true,
}

var extentLineRe = regexp.MustCompile(`^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$`)

// ParseDescriptor parses a descriptor file strictly: an unknown extent type, a delta
// disk (parentCID), a file name that leaves the descriptor's directory or a size out of
// bounds is an error.
func ParseDescriptor(b []byte) (*Descriptor, error) {
	if len(b) > MaxDescriptorSize {
		return nil, fmt.Errorf("%w: a descriptor of %d bytes (at most %d are read)", ErrCorrupt, len(b), MaxDescriptorSize)
	}
	if !bytes.HasPrefix(b, []byte(DescriptorMagic)) {
		return nil, fmt.Errorf("%w: no %q line", ErrCorrupt, DescriptorMagic)
	}
	// The text ends at the first NUL, as qemu and VMware read it. qemu-img pads the file
	// with NULs; when it rewrites the descriptor with a shorter CID (printed without
	// leading zeros) it writes the new text and one NUL over the old, and the old text's
	// last bytes stay past it: the tail of one line. Anything more after a NUL is corrupt.
	if i := bytes.IndexByte(b, 0); i >= 0 {
		rest := bytes.ReplaceAll(b[i:], []byte{0}, nil)
		if nl := bytes.IndexByte(rest, '\n'); nl >= 0 && nl != len(rest)-1 {
			return nil, fmt.Errorf("%w: a NUL byte in the descriptor, lines after it", ErrCorrupt)
		}
		b = b[:i]
	}
	d := &Descriptor{}
	var total int64
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && !extentLineRe.MatchString(line) {
			k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
			switch k {
			case "createType":
				d.CreateType = v
			case "parentCID":
				if !strings.EqualFold(v, "ffffffff") {
					return nil, fmt.Errorf("%w: a delta disk of parent %s: its parent is needed", ErrUnsupported, v)
				}
			case "parentFileNameHint":
				return nil, fmt.Errorf("%w: a delta disk of parent %q: its parent is needed", ErrUnsupported, v)
			}
			continue
		}
		e, err := parseExtent(line)
		if err != nil {
			return nil, fmt.Errorf("descriptor line %d: %w", i+1, err)
		}
		if len(d.Extents) == maxExtents {
			return nil, fmt.Errorf("%w: more than %d extents", ErrCorrupt, maxExtents)
		}
		if total += e.Sectors; total > 1<<40 {
			return nil, fmt.Errorf("%w: the extents add up to more than 512 TiB", ErrCorrupt)
		}
		d.Extents = append(d.Extents, e)
	}
	if !splitTypes[d.CreateType] {
		return nil, fmt.Errorf("%w: a descriptor of createType %q (twoGbMaxExtentSparse, monolithicFlat, twoGbMaxExtentFlat are read)", ErrUnsupported, d.CreateType)
	}
	if len(d.Extents) == 0 {
		return nil, fmt.Errorf("%w: the descriptor lists no extent", ErrCorrupt)
	}
	return d, nil
}

func parseExtent(line string) (Extent, error) {
	m := extentLineRe.FindStringSubmatch(line)
	if m == nil {
		return Extent{}, fmt.Errorf("%w: %q is neither a setting nor an extent", ErrCorrupt, line)
	}
	if m[1] == "NOACCESS" {
		return Extent{}, fmt.Errorf("%w: a NOACCESS extent", ErrUnsupported)
	}
	n, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return Extent{}, fmt.Errorf("%w: an extent of %s sectors", ErrCorrupt, m[2])
	}
	e := Extent{Sectors: n, Type: m[3], File: m[4]}
	switch e.Type {
	case "ZERO":
		return e, nil
	case "VMFS":
		e.Type = "FLAT" // ESXi's flat extent
	case "SPARSE", "FLAT":
	default:
		return Extent{}, fmt.Errorf("%w: extent type %s (SPARSE, FLAT and ZERO are read)", ErrUnsupported, e.Type)
	}
	if err := checkExtentName(e.File); err != nil {
		return Extent{}, err
	}
	if m[5] != "" {
		if e.Type != "FLAT" {
			return Extent{}, fmt.Errorf("%w: an offset on a %s extent", ErrCorrupt, e.Type)
		}
		if e.Offset, err = strconv.ParseInt(m[5], 10, 64); err != nil || e.Offset > 1<<40 {
			return Extent{}, fmt.Errorf("%w: extent offset %s", ErrCorrupt, m[5])
		}
	}
	return e, nil
}

// checkExtentName refuses a name that could make the reader open a file outside the
// descriptor's directory: an artifact must never make the plugin read the host's files.
func checkExtentName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: an extent with no file name", ErrCorrupt)
	case strings.HasPrefix(name, "/"), strings.HasPrefix(name, `\`), len(name) > 1 && name[1] == ':':
		return fmt.Errorf("%w: the extent file %q is an absolute path (only files next to the descriptor are read)", ErrCorrupt, name)
	}
	for _, elem := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if elem == ".." {
			return fmt.Errorf("%w: the extent file %q leaves the descriptor's directory (only files next to it are read)", ErrCorrupt, name)
		}
	}
	return nil
}
