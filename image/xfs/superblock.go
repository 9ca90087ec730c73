// Package xfs reads XFS v5 filesystems read-only, as an io/fs.FS with symlinks
// (fs.ReadLinkFS). It reads every inode layout mkfs.xfs and the kernel write, the 64-bit
// extent counters of nrext64 included (a known pure-Go reader reads their files back as
// zeros), and refuses what it cannot read correctly: an unknown incompatible feature, a
// log that needs recovery, a realtime volume.
package xfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/bits"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// ErrCorrupt marks a filesystem that contradicts itself or its volume.
var ErrCorrupt = errors.New("corrupt xfs filesystem")

// ErrUnsupported marks a valid filesystem this reader refuses.
var ErrUnsupported = errors.New("unsupported xfs filesystem")

var (
	be         = binary.BigEndian
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// Incompatible features this reader handles; any other bit is refused.
const (
	incompatFtype    = 1 << 0
	incompatSpinodes = 1 << 1
	incompatMetaUUID = 1 << 2
	incompatBigtime  = 1 << 3
	incompatRepair   = 1 << 4 // xfs_repair must run first
	incompatNrext64  = 1 << 5
	incompatExchange = 1 << 6 // file range exchange: log items only
	incompatParent   = 1 << 7 // parent pointers, kept in extended attributes
	known            = incompatFtype | incompatSpinodes | incompatMetaUUID | incompatBigtime |
		incompatNrext64 | incompatExchange | incompatParent
)

// superblock holds the geometry the reader needs.
type superblock struct {
	blockSize  int64
	blocks     uint64 // data blocks
	agBlocks   uint64
	agCount    uint64
	agBlkLog   uint
	inodeSize  int64
	inoPBLog   uint
	dirBlkLog  uint
	rootIno    uint64
	logStart   uint64 // fsbno of an internal log, 0 for an external one
	logBlocks  uint64
	sectorSize int64
	ftype      bool
	nrext64    bool
	bigtime    bool
	incompat   uint32
	uuid       [16]byte // sb_uuid: what blkid and fstab's UUID= name
	label      string   // sb_fname
}

// Probe tells whether r starts with an XFS superblock.
func Probe(r io.ReaderAt) bool {
	b := make([]byte, 4)
	n, _ := r.ReadAt(b, 0)
	return n == 4 && string(b) == "XFSB"
}

func readSuperblock(r io.ReaderAt, size int64) (*superblock, error) {
	b := make([]byte, 512)
	if err := readat.Full(r, b, 0); err != nil {
		return nil, fmt.Errorf("superblock: %w", err)
	}
	if string(b[:4]) != "XFSB" {
		return nil, fmt.Errorf("%w: no XFSB magic", ErrCorrupt)
	}
	if v := be.Uint16(b[100:]) & 0xF; v != 5 {
		return nil, fmt.Errorf("%w: version %d (v5, the default since 2015, is read)", ErrUnsupported, v)
	}
	sb := &superblock{
		blockSize:  int64(be.Uint32(b[4:])),
		blocks:     be.Uint64(b[8:]),
		rootIno:    be.Uint64(b[56:]),
		agBlocks:   uint64(be.Uint32(b[84:])),
		agCount:    uint64(be.Uint32(b[88:])),
		sectorSize: int64(be.Uint16(b[102:])),
		inodeSize:  int64(be.Uint16(b[104:])),
		inoPBLog:   uint(b[123]),
		agBlkLog:   uint(b[124]),
		dirBlkLog:  uint(b[192]),
		logStart:   be.Uint64(b[48:]),
		logBlocks:  uint64(be.Uint32(b[96:])),
		incompat:   be.Uint32(b[216:]),
		uuid:       [16]byte(b[32:48]),
		label:      strings.TrimRight(string(b[108:120]), "\x00"),
	}
	sectSize := int(sb.sectorSize)
	if sectSize < 512 || sectSize > 32768 || sectSize&(sectSize-1) != 0 {
		return nil, fmt.Errorf("%w: sector size %d", ErrCorrupt, sectSize)
	}
	full := make([]byte, sectSize)
	if err := readat.Full(r, full, 0); err != nil {
		return nil, fmt.Errorf("superblock: %w", err)
	}
	if !crcOK(full, 224) {
		return nil, fmt.Errorf("%w: the superblock fails its checksum", ErrCorrupt)
	}
	switch {
	case sb.blockSize < 512 || sb.blockSize > 65536 || sb.blockSize&(sb.blockSize-1) != 0:
		return nil, fmt.Errorf("%w: block size %d", ErrCorrupt, sb.blockSize)
	case sb.inodeSize < 512 || sb.inodeSize > 2048 || sb.inodeSize&(sb.inodeSize-1) != 0 || sb.inodeSize > sb.blockSize:
		return nil, fmt.Errorf("%w: inode size %d", ErrCorrupt, sb.inodeSize)
	case 1<<sb.inoPBLog != sb.blockSize/sb.inodeSize:
		return nil, fmt.Errorf("%w: %d inodes per block", ErrCorrupt, 1<<sb.inoPBLog)
	case sb.agBlocks == 0 || sb.agCount == 0 || sb.agBlkLog > 31 || 1<<sb.agBlkLog < sb.agBlocks || uint(bits.Len64(sb.agBlocks-1)) != sb.agBlkLog:
		return nil, fmt.Errorf("%w: %d allocation groups of %d blocks (log %d)", ErrCorrupt, sb.agCount, sb.agBlocks, sb.agBlkLog)
	case sb.dirBlkLog > 8 || sb.blockSize<<sb.dirBlkLog > 65536:
		return nil, fmt.Errorf("%w: directory block log %d", ErrCorrupt, sb.dirBlkLog)
	case be.Uint64(b[16:]) != 0:
		return nil, fmt.Errorf("%w: a realtime volume", ErrUnsupported)
	case sb.incompat&incompatRepair != 0:
		return nil, fmt.Errorf("%w: it is marked as needing xfs_repair", ErrUnsupported)
	case sb.incompat&^known != 0:
		return nil, fmt.Errorf("%w: incompatible features %#x", ErrUnsupported, sb.incompat&^known)
	case be.Uint32(b[220:]) != 0:
		return nil, fmt.Errorf("%w: the log holds items of incompatible features (%#x): it needs recovery; mount it once, or run xfs_repair on a copy", ErrUnsupported, be.Uint32(b[220:]))
	}
	sb.ftype = sb.incompat&incompatFtype != 0
	sb.nrext64 = sb.incompat&incompatNrext64 != 0
	sb.bigtime = sb.incompat&incompatBigtime != 0
	if end := int64(sb.blocks) * sb.blockSize; end > size || sb.blocks > sb.agBlocks*sb.agCount {
		return nil, fmt.Errorf("%w: the filesystem is %d bytes but its volume holds %d (truncated image?)", ErrCorrupt, end, size)
	}
	// as the kernel checks: every group but the last is whole, and the last holds at least
	// minAGBlocks (an allocation group count past the blocks would be trusted by loops
	// and allocations over the groups)
	if sb.blocks < (sb.agCount-1)*sb.agBlocks+minAGBlocks {
		return nil, fmt.Errorf("%w: %d blocks cannot hold %d allocation groups of %d blocks", ErrCorrupt, sb.blocks, sb.agCount, sb.agBlocks)
	}
	return sb, nil
}

// minAGBlocks is the fewest blocks an allocation group holds (XFS_MIN_AG_BLOCKS).
const minAGBlocks = 64

// offset converts a filesystem block number (allocation group in the high bits) to a
// byte offset, or -1 when it lies outside the filesystem.
func (sb *superblock) offset(fsbno uint64) int64 {
	ag, bno := fsbno>>sb.agBlkLog, fsbno&(1<<sb.agBlkLog-1)
	if ag >= sb.agCount || bno >= sb.agBlocks {
		return -1
	}
	b := ag*sb.agBlocks + bno
	if b >= sb.blocks {
		return -1
	}
	return int64(b) * sb.blockSize
}

// inodeOffset is where inode ino is stored, or -1.
func (sb *superblock) inodeOffset(ino uint64) int64 {
	block := sb.offset(ino >> sb.inoPBLog)
	if block < 0 {
		return -1
	}
	return block + int64(ino&(1<<sb.inoPBLog-1))*sb.inodeSize
}

// crcOK checks a little-endian CRC-32C stored at at, computed with that field zeroed.
// zeroCRC stands for the CRC field while the CRC is computed.
var zeroCRC [4]byte

func crcOK(b []byte, at int) bool {
	crc := crc32.Update(0, castagnoli, b[:at])
	crc = crc32.Update(crc, castagnoli, zeroCRC[:])
	crc = crc32.Update(crc, castagnoli, b[at+4:])
	return crc == binary.LittleEndian.Uint32(b[at:])
}
