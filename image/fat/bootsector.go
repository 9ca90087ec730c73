// Package fat reads FAT12, FAT16 and FAT32 filesystems (the EFI System Partition of every
// UEFI image, boot partitions, USB-style images) read-only, as an io/fs.FS with long file
// names. It checks the boot sector's geometry against the volume and every cluster chain
// against the FAT, so that a truncated or hostile volume is an error, never a loop or a
// silent short read.
package fat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrCorrupt marks a filesystem that contradicts itself or its volume.
var ErrCorrupt = errors.New("corrupt FAT filesystem")

// ErrUnsupported marks a valid filesystem this reader refuses (to stay within memory).
var ErrUnsupported = errors.New("unsupported FAT filesystem")

var le = binary.LittleEndian

// bootSector is the geometry the BIOS Parameter Block gives, in bytes and clusters.
type bootSector struct {
	kind        string // "FAT12", "FAT16" or "FAT32"
	bits        int    // FAT entry width: 12, 16 or 32
	sectorSize  int64
	clusterSize int64
	fatOffset   int64 // of the FAT in use
	fatSize     int64 // bytes
	rootOffset  int64 // FAT12/16: the fixed root directory region
	rootSize    int64
	rootCluster uint32 // FAT32
	dataOffset  int64  // of cluster 2
	clusters    uint32 // data clusters: valid numbers are 2 .. clusters+1
}

// maxFATSize bounds the FAT held in memory: 64 MiB is a FAT32 volume of 16M clusters
// (64 GiB with 4 KiB clusters), far beyond any EFI System Partition.
const maxFATSize = 64 << 20

// Probe tells whether r starts with a FAT boot sector whose geometry makes sense.
func Probe(r io.ReaderAt) bool {
	b := make([]byte, 512)
	if n, _ := r.ReadAt(b, 0); n != len(b) {
		return false
	}
	_, err := parseBootSector(b, 1<<62)
	return err == nil
}

// parseBootSector validates the BPB of sector 0 against a volume of size bytes. The FAT
// type follows from the cluster count, as the specification says, never from the label.
func parseBootSector(b []byte, size int64) (*bootSector, error) {
	if b[510] != 0x55 || b[511] != 0xAA || (b[0] != 0xEB && b[0] != 0xE9) {
		return nil, fmt.Errorf("%w: no boot sector signature", ErrCorrupt)
	}
	bs := &bootSector{sectorSize: int64(le.Uint16(b[11:]))}
	perCluster := int64(b[13])
	reserved := int64(le.Uint16(b[14:]))
	numFATs := int64(b[16])
	rootEntries := int64(le.Uint16(b[17:]))
	total := int64(le.Uint16(b[19:]))
	if total == 0 {
		total = int64(le.Uint32(b[32:]))
	}
	fatSectors := int64(le.Uint16(b[22:]))
	fat32 := fatSectors == 0
	if fat32 {
		fatSectors = int64(le.Uint32(b[36:]))
	}
	switch {
	case bs.sectorSize != 512 && bs.sectorSize != 1024 && bs.sectorSize != 2048 && bs.sectorSize != 4096:
		return nil, fmt.Errorf("%w: %d bytes per sector", ErrCorrupt, bs.sectorSize)
	case perCluster == 0 || perCluster&(perCluster-1) != 0:
		return nil, fmt.Errorf("%w: %d sectors per cluster", ErrCorrupt, perCluster)
	case reserved == 0 || numFATs == 0 || fatSectors == 0 || total == 0:
		return nil, fmt.Errorf("%w: a zero count in the boot sector", ErrCorrupt)
	case fat32 && rootEntries != 0:
		return nil, fmt.Errorf("%w: FAT32 with a fixed root directory", ErrCorrupt)
	case !fat32 && rootEntries == 0:
		return nil, fmt.Errorf("%w: FAT12/16 without a root directory", ErrCorrupt)
	}
	bs.clusterSize = perCluster * bs.sectorSize
	rootSectors := (rootEntries*32 + bs.sectorSize - 1) / bs.sectorSize
	meta := reserved + numFATs*fatSectors + rootSectors
	if meta+perCluster > total {
		return nil, fmt.Errorf("%w: %d metadata sectors in a %d-sector volume", ErrCorrupt, meta, total)
	}
	bs.clusters = uint32((total - meta) / perCluster)
	switch {
	case bs.clusters < 4085:
		bs.kind, bs.bits = "FAT12", 12
	case bs.clusters < 65525:
		bs.kind, bs.bits = "FAT16", 16
	default:
		bs.kind, bs.bits = "FAT32", 32
	}
	if fat32 != (bs.bits == 32) {
		return nil, fmt.Errorf("%w: a %s cluster count with a %s boot sector", ErrCorrupt, bs.kind, map[bool]string{true: "FAT32", false: "FAT12/16"}[fat32])
	}
	bs.fatSize = fatSectors * bs.sectorSize
	last := int64(bs.clusters) + 1 // the highest cluster number
	need := (last + 1) * int64(bs.bits) / 8
	if bs.bits == 12 {
		need = last + last/2 + 2 // a 12-bit entry is read as 16 bits
	}
	if need > bs.fatSize {
		return nil, fmt.Errorf("%w: a %d-byte FAT for %d clusters", ErrCorrupt, bs.fatSize, bs.clusters)
	}
	active := int64(0)
	if fat32 {
		if flags := le.Uint16(b[40:]); flags&0x80 != 0 { // mirroring off: one FAT is active
			active = int64(flags & 0x0F)
		}
		if active >= numFATs {
			return nil, fmt.Errorf("%w: active FAT %d of %d", ErrCorrupt, active, numFATs)
		}
		if v := le.Uint16(b[42:]); v != 0 {
			return nil, fmt.Errorf("%w: FAT32 version %d.%d", ErrUnsupported, v>>8, v&0xFF)
		}
		bs.rootCluster = le.Uint32(b[44:])
		if !bs.valid(bs.rootCluster) {
			return nil, fmt.Errorf("%w: root directory cluster %d", ErrCorrupt, bs.rootCluster)
		}
	}
	bs.fatOffset = (reserved + active*fatSectors) * bs.sectorSize
	bs.rootOffset = (reserved + numFATs*fatSectors) * bs.sectorSize
	bs.rootSize = rootEntries * 32
	bs.dataOffset = meta * bs.sectorSize
	if end := total * bs.sectorSize; end > size {
		return nil, fmt.Errorf("%w: the filesystem is %d bytes but its volume holds %d (truncated image?)", ErrCorrupt, end, size)
	}
	if bs.fatSize > maxFATSize {
		return nil, fmt.Errorf("%w: a %d MiB FAT (more than %d MiB)", ErrUnsupported, bs.fatSize>>20, maxFATSize>>20)
	}
	return bs, nil
}

// valid tells whether n names a data cluster.
func (bs *bootSector) valid(n uint32) bool { return n >= 2 && n-2 < bs.clusters }

// clusterOffset is where data cluster n starts.
func (bs *bootSector) clusterOffset(n uint32) int64 {
	return bs.dataOffset + int64(n-2)*bs.clusterSize
}
