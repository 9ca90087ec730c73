// Package ext4 reads ext2, ext3 and ext4 filesystems, read-only, as an io/fs.FS that also
// implements fs.ReadLinkFS: symlinks are seen as symlinks and resolved inside the image,
// never on the host.
//
// It is written for verification, so it fails closed: a feature it cannot read correctly
// (encryption, a journal that needs replaying, compression, ...) makes Open return an
// error wrapping ErrUnsupported instead of a filesystem that silently misses files. It
// reads inline_data files and directories (the trap the pure-Go readers Trivy uses fall
// into: small files such as /etc/shadow missing from listings), htree directories
// (linearly, as readdir does), extents and ext2/ext3 block maps, meta_bg and 64-bit
// group descriptors.
package ext4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrUnsupported marks a filesystem or feature this package refuses to read.
var ErrUnsupported = errors.New("not supported")

// ErrCorrupt marks on-disk structures that contradict each other or the device size.
var ErrCorrupt = errors.New("corrupt filesystem")

const (
	superblockOffset = 1024
	superblockSize   = 1024
	magicOffset      = superblockOffset + 0x38
	magic            = 0xEF53
	rootIno          = 2
)

// Feature bits (see the kernel's fs/ext4/ext4.h).
const (
	compatHasJournal   = 0x4
	compatSparseSuper2 = 0x200

	roCompatSparseSuper = 0x1

	incompatCompression = 0x1
	incompatFiletype    = 0x2
	incompatRecover     = 0x4
	incompatJournalDev  = 0x8
	incompatMetaBG      = 0x10
	incompatExtents     = 0x40
	incompat64Bit       = 0x80
	incompatMMP         = 0x100
	incompatFlexBG      = 0x200
	incompatEAInode     = 0x400
	incompatDirData     = 0x1000
	incompatCsumSeed    = 0x2000
	incompatLargeDir    = 0x4000
	incompatInlineData  = 0x8000
	incompatEncrypt     = 0x10000
	incompatCasefold    = 0x20000
)

// readableIncompat are the incompatible features whose on-disk format this package reads.
const readableIncompat = incompatFiletype | incompatMetaBG | incompatExtents | incompat64Bit |
	incompatMMP | incompatFlexBG | incompatEAInode | incompatCsumSeed | incompatLargeDir |
	incompatInlineData | incompatCasefold

var refusedIncompat = []struct {
	bit uint32
	why string
}{
	{incompatRecover, "the journal needs recovery (the filesystem was not cleanly unmounted); replaying it is not supported yet, and without it recent changes may be missed"},
	{incompatEncrypt, "encrypted files (fscrypt) cannot be read"},
	{incompatCompression, "compression"},
	{incompatJournalDev, "this is an external journal device, not a filesystem"},
	{incompatDirData, "dirdata"},
}

type superblock struct {
	inodesCount    uint32
	blocksCount    uint64
	firstDataBlock uint32
	blockSize      int64
	blocksPerGroup uint32
	inodesPerGroup uint32
	inodeSize      int64
	compat         uint32
	incompat       uint32
	roCompat       uint32
	descSize       int64
	firstMetaBG    uint32
	backupBGs      [2]uint32
	volumeName     string
	uuid           [16]byte
	groupCount     uint64
	descPerBlock   uint64
	// what the deep scan's owner index starts from
	journalIno uint32 // 0 without a journal
	firstIno   uint32 // the first inode that is not reserved
	freeInodes uint32
}

// Probe tells whether r holds an ext2/3/4 superblock at its usual place.
func Probe(r io.ReaderAt) bool {
	b := make([]byte, 2)
	if _, err := r.ReadAt(b, magicOffset); err != nil {
		return false
	}
	return binary.LittleEndian.Uint16(b) == magic
}

func readSuperblock(r io.ReaderAt, devSize int64) (*superblock, error) {
	b := make([]byte, superblockSize)
	if _, err := r.ReadAt(b, superblockOffset); err != nil {
		return nil, fmt.Errorf("reading the superblock: %w", err)
	}
	le := binary.LittleEndian
	if le.Uint16(b[0x38:]) != magic {
		return nil, fmt.Errorf("%w: no ext2/3/4 superblock", ErrCorrupt)
	}
	sb := &superblock{
		inodesCount:    le.Uint32(b[0x00:]),
		blocksCount:    uint64(le.Uint32(b[0x04:])),
		firstDataBlock: le.Uint32(b[0x14:]),
		blocksPerGroup: le.Uint32(b[0x20:]),
		inodesPerGroup: le.Uint32(b[0x28:]),
		inodeSize:      128,
		compat:         le.Uint32(b[0x5C:]),
		incompat:       le.Uint32(b[0x60:]),
		roCompat:       le.Uint32(b[0x64:]),
		descSize:       32,
		firstMetaBG:    le.Uint32(b[0x104:]),
		backupBGs:      [2]uint32{le.Uint32(b[0x24C:]), le.Uint32(b[0x250:])},
		volumeName:     strings.TrimRight(string(b[0x78:0x88]), "\x00"),
		uuid:           [16]byte(b[0x68:0x78]),
	}
	logBlockSize := le.Uint32(b[0x18:])
	if logBlockSize > 6 {
		return nil, fmt.Errorf("%w: block size 2^%d KiB", ErrCorrupt, logBlockSize)
	}
	sb.blockSize = 1024 << logBlockSize
	sb.firstIno, sb.freeInodes = 11, le.Uint32(b[0x10:])
	if le.Uint32(b[0x4C:]) >= 1 { // dynamic revision: inode size, features, first inode are real
		sb.inodeSize = int64(le.Uint16(b[0x58:]))
		sb.firstIno = max(le.Uint32(b[0x54:]), 11)
	} else {
		sb.compat, sb.incompat, sb.roCompat = 0, 0, 0
	}
	if sb.compat&compatHasJournal != 0 {
		sb.journalIno = le.Uint32(b[0xE0:])
	}
	if sb.incompat&incompat64Bit != 0 {
		sb.blocksCount |= uint64(le.Uint32(b[0x150:])) << 32
		sb.descSize = int64(le.Uint16(b[0xFE:]))
		if sb.descSize < 64 || sb.descSize > 1024 || sb.descSize&(sb.descSize-1) != 0 {
			return nil, fmt.Errorf("%w: group descriptor size %d", ErrCorrupt, sb.descSize)
		}
	}
	if err := sb.validate(devSize); err != nil {
		return nil, err
	}
	return sb, nil
}

func (sb *superblock) validate(devSize int64) error {
	for _, f := range refusedIncompat {
		if sb.incompat&f.bit != 0 {
			return fmt.Errorf("%w: %s", ErrUnsupported, f.why)
		}
	}
	if unknown := sb.incompat &^ readableIncompat; unknown != 0 {
		return fmt.Errorf("%w: unknown incompatible features %#x", ErrUnsupported, unknown)
	}
	if sb.inodeSize < 128 || sb.inodeSize > sb.blockSize || sb.inodeSize&(sb.inodeSize-1) != 0 {
		return fmt.Errorf("%w: inode size %d", ErrCorrupt, sb.inodeSize)
	}
	bitsPerBlock := uint32(sb.blockSize * 8)
	if sb.blocksPerGroup == 0 || sb.blocksPerGroup > bitsPerBlock || sb.inodesPerGroup == 0 || sb.inodesPerGroup > bitsPerBlock {
		return fmt.Errorf("%w: %d blocks and %d inodes per group", ErrCorrupt, sb.blocksPerGroup, sb.inodesPerGroup)
	}
	if uint64(sb.firstDataBlock) >= sb.blocksCount {
		return fmt.Errorf("%w: first data block %d of %d", ErrCorrupt, sb.firstDataBlock, sb.blocksCount)
	}
	// A filesystem claiming more blocks than its device holds is a truncated image: reading
	// it would return errors (or zeros) for whatever lies past the end.
	if sb.blocksCount > uint64(devSize/sb.blockSize) {
		return fmt.Errorf("%w: the filesystem has %d blocks of %d bytes but its device holds only %d bytes (truncated image?)",
			ErrCorrupt, sb.blocksCount, sb.blockSize, devSize)
	}
	sb.groupCount = (sb.blocksCount - uint64(sb.firstDataBlock) + uint64(sb.blocksPerGroup) - 1) / uint64(sb.blocksPerGroup)
	if uint64(sb.inodesCount) > sb.groupCount*uint64(sb.inodesPerGroup) {
		return fmt.Errorf("%w: %d inodes in %d groups of %d", ErrCorrupt, sb.inodesCount, sb.groupCount, sb.inodesPerGroup)
	}
	sb.descPerBlock = uint64(sb.blockSize / sb.descSize)
	return nil
}

// hasSuper tells whether a block group holds a superblock backup (and so, with meta_bg,
// whether its descriptor block comes after one).
func (sb *superblock) hasSuper(group uint64) bool {
	if group == 0 {
		return true
	}
	if sb.compat&compatSparseSuper2 != 0 {
		return group == uint64(sb.backupBGs[0]) || group == uint64(sb.backupBGs[1])
	}
	if sb.roCompat&roCompatSparseSuper == 0 || group == 1 {
		return true
	}
	for _, base := range []uint64{3, 5, 7} {
		n := base
		for n < group {
			n *= base
		}
		if n == group {
			return true
		}
	}
	return false
}

// descriptorOffset is the byte offset of a block group's descriptor.
func (sb *superblock) descriptorOffset(group uint64) int64 {
	metaGroup := group / sb.descPerBlock
	var block uint64
	if sb.incompat&incompatMetaBG == 0 || metaGroup < uint64(sb.firstMetaBG) {
		block = uint64(sb.firstDataBlock) + 1 + metaGroup
	} else {
		first := metaGroup * sb.descPerBlock
		block = uint64(sb.firstDataBlock) + first*uint64(sb.blocksPerGroup)
		if sb.hasSuper(first) {
			block++
		}
	}
	return int64(block)*sb.blockSize + int64(group%sb.descPerBlock)*sb.descSize
}

// FeatureNames describes the filesystem for progress lines: "ext4 (4096-byte blocks)".
func (sb *superblock) kind() string {
	switch {
	case sb.incompat&(incompatExtents|incompatFlexBG|incompat64Bit|incompatInlineData) != 0:
		return "ext4"
	case sb.compat&compatHasJournal != 0:
		return "ext3"
	}
	return "ext2"
}
