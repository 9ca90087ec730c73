package ext4

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"time"
)

// Inode flags (i_flags).
const (
	flagEncrypt    = 0x800
	flagExtents    = 0x80000
	flagInlineData = 0x10000000
)

// Mode type bits (i_mode & 0xF000).
const (
	typeMask    = 0xF000
	typeFifo    = 0x1000
	typeCharDev = 0x2000
	typeDir     = 0x4000
	typeBlkDev  = 0x6000
	typeRegular = 0x8000
	typeSymlink = 0xA000
	typeSocket  = 0xC000
)

// maxSymlinkSize is the longest symlink target read (PATH_MAX).
const maxSymlinkSize = 4096

type inode struct {
	num   uint32
	mode  uint16
	size  int64
	mtime int64
	flags uint32
	block [60]byte // i_block: block map, extent tree root, fast symlink or inline data
	// ibody holds the bytes after the 128-byte base inode (extra fields, then in-inode
	// extended attributes, where inline data continues).
	ibody      []byte
	extraIsize int
}

func (f *FS) readInode(num uint32) (*inode, error) {
	sb := f.sb
	if num < 1 || num > sb.inodesCount {
		return nil, fmt.Errorf("%w: inode %d out of range (1..%d)", ErrCorrupt, num, sb.inodesCount)
	}
	if in, ok := f.inodes.Get(num); ok {
		return in, nil
	}
	group := uint64(num-1) / uint64(sb.inodesPerGroup)
	index := int64(uint64(num-1) % uint64(sb.inodesPerGroup))
	table, err := f.inodeTable(group)
	if err != nil {
		return nil, err
	}
	off := int64(table)*sb.blockSize + index*sb.inodeSize
	b := make([]byte, sb.inodeSize)
	if err := f.readMeta(b, off); err != nil {
		return nil, fmt.Errorf("reading inode %d: %w", num, err)
	}
	le := binary.LittleEndian
	in := &inode{
		num:   num,
		mode:  le.Uint16(b[0x00:]),
		size:  int64(uint64(le.Uint32(b[0x04:])) | uint64(le.Uint32(b[0x6C:]))<<32),
		mtime: int64(int32(le.Uint32(b[0x10:]))),
		flags: le.Uint32(b[0x20:]),
	}
	copy(in.block[:], b[0x28:0x28+60])
	if in.size < 0 {
		return nil, fmt.Errorf("%w: inode %d has size %d", ErrCorrupt, num, in.size)
	}
	if sb.inodeSize > 128 {
		in.ibody = b[128:]
		in.extraIsize = int(le.Uint16(b[0x80:]))
		if in.extraIsize > len(in.ibody) || in.extraIsize%4 != 0 {
			return nil, fmt.Errorf("%w: inode %d extra size %d", ErrCorrupt, num, in.extraIsize)
		}
	}
	f.inodes.Put(num, in)
	return in, nil
}

// inodeTable returns the first block of a group's inode table, reading the group's
// descriptor on first use.
func (f *FS) inodeTable(group uint64) (uint64, error) {
	f.mu.Lock()
	table, ok := f.tables[group]
	f.mu.Unlock()
	if ok {
		return table, nil
	}
	b := make([]byte, f.sb.descSize)
	if err := f.readMeta(b, f.sb.descriptorOffset(group)); err != nil {
		return 0, fmt.Errorf("reading group descriptor %d: %w", group, err)
	}
	table = uint64(binary.LittleEndian.Uint32(b[0x08:]))
	if f.sb.descSize >= 64 {
		table |= uint64(binary.LittleEndian.Uint32(b[0x28:])) << 32
	}
	if table == 0 || table >= f.sb.blocksCount {
		return 0, fmt.Errorf("%w: group %d inode table at block %d", ErrCorrupt, group, table)
	}
	f.mu.Lock()
	f.tables[group] = table
	f.mu.Unlock()
	return table, nil
}

func (in *inode) isDir() bool     { return in.mode&typeMask == typeDir }
func (in *inode) isSymlink() bool { return in.mode&typeMask == typeSymlink }
func (in *inode) isRegular() bool { return in.mode&typeMask == typeRegular }

func (in *inode) fileMode() fs.FileMode {
	m := fs.FileMode(in.mode & 0o777)
	if in.mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	if in.mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if in.mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	switch in.mode & typeMask {
	case typeRegular:
	case typeDir:
		m |= fs.ModeDir
	case typeSymlink:
		m |= fs.ModeSymlink
	case typeFifo:
		m |= fs.ModeNamedPipe
	case typeCharDev:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case typeBlkDev:
		m |= fs.ModeDevice
	case typeSocket:
		m |= fs.ModeSocket
	default:
		m |= fs.ModeIrregular
	}
	return m
}

// inlineXattr returns the value of the in-inode extended attribute system.data, which
// holds the part of an inline_data file or directory that does not fit in i_block.
func (in *inode) inlineXattr() ([]byte, error) {
	le := binary.LittleEndian
	start := in.extraIsize
	if len(in.ibody) < start+4 || le.Uint32(in.ibody[start:]) != 0xEA020000 {
		return nil, nil // no in-inode attributes: everything fits in i_block
	}
	area := in.ibody[start+4:] // value offsets count from here
	for off := 0; off+16 <= len(area) && le.Uint32(area[off:]) != 0; {
		nameLen := int(area[off])
		nameIndex := area[off+1]
		valueOff := int(le.Uint16(area[off+2:]))
		valueInum := le.Uint32(area[off+4:])
		valueSize := int(le.Uint32(area[off+8:]))
		if off+16+nameLen > len(area) {
			return nil, fmt.Errorf("%w: inode %d: extended attribute runs past the inode", ErrCorrupt, in.num)
		}
		name := string(area[off+16 : off+16+nameLen])
		if nameIndex == 7 && name == "data" { // "system.data"
			if valueInum != 0 || valueOff+valueSize > len(area) || valueSize < 0 {
				return nil, fmt.Errorf("%w: inode %d: inline data attribute out of bounds", ErrCorrupt, in.num)
			}
			return area[valueOff : valueOff+valueSize], nil
		}
		off += (16 + nameLen + 3) &^ 3
	}
	return nil, nil
}

// inlineData returns the content of an inline_data file or symlink: i_block, then
// system.data. (Directories keep two separate entry areas: see inlineDirEntries.)
func (in *inode) inlineData() ([]byte, error) {
	extra, err := in.inlineXattr()
	if err != nil {
		return nil, err
	}
	data := append(append([]byte{}, in.block[:]...), extra...)
	if in.size > int64(len(data)) {
		return nil, fmt.Errorf("%w: inode %d: inline file of %d bytes holds only %d", ErrCorrupt, in.num, in.size, len(data))
	}
	return data[:in.size], nil
}

// fileInfo describes an inode under a name.
type fileInfo struct {
	name string
	in   *inode
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return fi.in.size }
func (fi fileInfo) Mode() fs.FileMode  { return fi.in.fileMode() }
func (fi fileInfo) ModTime() time.Time { return time.Unix(fi.in.mtime, 0) }
func (fi fileInfo) IsDir() bool        { return fi.in.isDir() }

// Sys returns the inode number.
func (fi fileInfo) Sys() any { return fi.in.num }
