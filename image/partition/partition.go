// Package partition reads MBR (with extended and logical partitions) and GPT partition
// tables, read-only, from any io.ReaderAt. Every partition is returned, whatever its
// type or name: choosing what to verify is the caller's business, and it must not skip a
// partition because of its label (Trivy does).
package partition

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrCorrupt marks a partition table that contradicts itself or the disk size.
var ErrCorrupt = errors.New("corrupt partition table")

// Partition is one partition.
type Partition struct {
	// Number follows Linux: MBR primaries 1-4, logical partitions from 5; GPT entries
	// from 1 in table order.
	Number int
	Start  int64 // bytes from the start of the disk
	Size   int64 // bytes
	// Scheme is "MBR", "MBR logical" or "GPT".
	Scheme string
	// Type is the MBR type byte ("0x83") or the GPT type GUID.
	Type string
	// TypeName is a well-known type's name ("EFI System", "Linux filesystem"), or "".
	TypeName string
	// Name is the GPT partition name.
	Name string
	// UUID is what /etc/fstab's PARTUUID= names: the GPT entry's unique GUID, or for MBR
	// the disk signature and the partition number ("1b2c3d4e-05"), lower case.
	UUID string
}

// Table is a disk's partition table.
type Table struct {
	Scheme     string // "MBR" or "GPT"
	Partitions []Partition
}

// Read returns the disk's partition table, or nil (and no error) when sector 0 holds no
// partition table. An unreadable or inconsistent table is an error.
func Read(r io.ReaderAt, size int64) (*Table, error) {
	if t, err := readGPT(r, size); t != nil || err != nil {
		return t, err
	}
	return readMBR(r, size)
}

// inBounds checks a partition against the disk: a partition past the end means a
// truncated image, whose missing part would otherwise read as an error or as zeros.
func inBounds(p Partition, size int64) error {
	if p.Start < 0 || p.Size <= 0 || p.Start+p.Size > size || p.Start+p.Size < p.Start {
		return fmt.Errorf("%w: partition %d (bytes %d..%d) lies outside the %d-byte disk (truncated image?)",
			ErrCorrupt, p.Number, p.Start, p.Start+p.Size, size)
	}
	return nil
}

var le = binary.LittleEndian
