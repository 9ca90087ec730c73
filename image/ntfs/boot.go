// Package ntfs reads NTFS volumes (the system drive of every Windows image) read-only, as
// an io/fs.FS. It applies the update-sequence fixups of every MFT record and index block,
// follows the MFT's own runlist (the MFT may be fragmented), $ATTRIBUTE_LIST, directory
// B+ trees ($INDEX_ROOT and $INDEX_ALLOCATION), sparse runs and the initialized size of
// $DATA, and decompresses LZNT1. Nothing read from the volume is trusted: sizes are
// checked against the volume and capped, runlists and index trees are checked for loops.
//
// What it does not read fails closed: an encrypted (EFS) file, or one behind a reparse
// point other than a symlink or a junction (WOF-compressed system files, deduplicated
// files, cloud placeholders), opens with an error wrapping ErrUnsupported, never with
// wrong bytes. Symlinks and junctions are symlinks (Lstat, ReadLink); relative ones are
// followed inside the volume, absolute ones (C:\..., \??\Volume{...}) never. The NTFS
// metafiles ($MFT, $LogFile, ..., $Extend) are hidden: they are not files a user left,
// and the deep scan reads their bytes.
package ntfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrCorrupt marks a filesystem that contradicts itself or its volume.
var ErrCorrupt = errors.New("corrupt NTFS filesystem")

// ErrUnsupported marks valid data this reader does not read (it fails closed).
var ErrUnsupported = errors.New("not supported by the NTFS reader")

var le = binary.LittleEndian

// bootSector is the geometry sector 0 gives, in bytes.
type bootSector struct {
	sectorSize   int64
	clusterSize  int64
	clusters     int64 // in the volume
	mftOffset    int64
	recordSize   int64 // of an MFT record
	indexSize    int64 // of an index block, as formatted (each index says its own)
	serialNumber uint64
}

// Probe tells whether r starts with an NTFS boot sector whose geometry makes sense.
func Probe(r io.ReaderAt) bool {
	b := make([]byte, 512)
	if n, _ := r.ReadAt(b, 0); n != len(b) {
		return false
	}
	_, err := parseBootSector(b, 1<<62)
	return err == nil
}

// sizeField decodes the clusters-per-record fields: a positive count of clusters, or a
// negative n meaning 2^-n bytes (records smaller than a cluster).
func sizeField(v byte, clusterSize int64) (int64, bool) {
	s := int8(v)
	switch {
	case s > 0:
		return int64(s) * clusterSize, true
	case s < 0 && s >= -31:
		return 1 << uint(-s), true
	}
	return 0, false
}

func parseBootSector(b []byte, size int64) (*bootSector, error) {
	if string(b[3:11]) != "NTFS    " {
		return nil, fmt.Errorf("%w: no NTFS signature in the boot sector", ErrCorrupt)
	}
	bs := &bootSector{sectorSize: int64(le.Uint16(b[11:]))}
	if bs.sectorSize < 256 || bs.sectorSize > 4096 || bs.sectorSize&(bs.sectorSize-1) != 0 {
		return nil, fmt.Errorf("%w: %d bytes per sector", ErrCorrupt, bs.sectorSize)
	}
	perCluster := int64(b[13])
	if perCluster > 0x80 { // large clusters: 2^(256-n) sectors
		perCluster = 1 << uint(256-perCluster)
	}
	if perCluster == 0 || perCluster&(perCluster-1) != 0 {
		return nil, fmt.Errorf("%w: %d sectors per cluster", ErrCorrupt, b[13])
	}
	bs.clusterSize = bs.sectorSize * perCluster
	if bs.clusterSize > 2<<20 {
		return nil, fmt.Errorf("%w: %d-byte clusters", ErrCorrupt, bs.clusterSize)
	}
	sectors := le.Uint64(b[0x28:])
	if sectors == 0 || sectors > uint64(size/bs.sectorSize) {
		return nil, fmt.Errorf("%w: %d sectors of %d bytes, the volume has %d bytes", ErrCorrupt, sectors, bs.sectorSize, size)
	}
	bs.clusters = int64(sectors) / perCluster
	mftLCN := le.Uint64(b[0x30:])
	if mftLCN == 0 || mftLCN >= uint64(bs.clusters) {
		return nil, fmt.Errorf("%w: the MFT at cluster %d is outside the volume's %d clusters", ErrCorrupt, mftLCN, bs.clusters)
	}
	bs.mftOffset = int64(mftLCN) * bs.clusterSize
	var ok bool
	if bs.recordSize, ok = sizeField(b[0x40], bs.clusterSize); !ok || bs.recordSize < 512 || bs.recordSize > 64<<10 || bs.recordSize&(bs.recordSize-1) != 0 {
		return nil, fmt.Errorf("%w: MFT record size field 0x%02x", ErrCorrupt, b[0x40])
	}
	if bs.indexSize, ok = sizeField(b[0x44], bs.clusterSize); !ok || bs.indexSize < 512 || bs.indexSize > 64<<10 || bs.indexSize&(bs.indexSize-1) != 0 {
		return nil, fmt.Errorf("%w: index block size field 0x%02x", ErrCorrupt, b[0x44])
	}
	bs.serialNumber = le.Uint64(b[0x48:])
	return bs, nil
}
