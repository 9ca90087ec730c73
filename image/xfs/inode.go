package xfs

import (
	"fmt"
	"io/fs"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// Data fork formats.
const (
	formatDev     = 0
	formatLocal   = 1
	formatExtents = 2
	formatBtree   = 3
)

const (
	inodeCore       = 176    // bytes of a v3 inode before its data fork
	flag2Nrext64    = 1 << 4 // di_flags2: the extent counters are 64 bits wide
	maxExtents      = 1 << 22
	maxSymlinkBytes = 1024
)

// inode is the part of an on-disk inode the reader uses.
type inode struct {
	num      uint64
	mode     uint16
	format   byte
	size     int64
	nextents uint64
	mtime    time.Time
	fork     []byte // the data fork's literal area
}

func (in *inode) isDir() bool     { return in.mode&0o170000 == 0o040000 }
func (in *inode) isRegular() bool { return in.mode&0o170000 == 0o100000 }
func (in *inode) isSymlink() bool { return in.mode&0o170000 == 0o120000 }

func (in *inode) fileMode() fs.FileMode {
	m := fs.FileMode(in.mode & 0o777)
	if in.mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if in.mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if in.mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	switch in.mode & 0o170000 {
	case 0o040000:
		m |= fs.ModeDir
	case 0o120000:
		m |= fs.ModeSymlink
	case 0o020000:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case 0o060000:
		m |= fs.ModeDevice
	case 0o010000:
		m |= fs.ModeNamedPipe
	case 0o140000:
		m |= fs.ModeSocket
	}
	return m
}

// readInode reads and checks inode num: magic, version, checksum, and that it is the
// inode the caller asked for (a stale pointer would otherwise read another file).
func (f *FS) readInode(num uint64) (*inode, error) {
	if in, ok := f.inodes.Get(num); ok {
		return in, nil
	}
	off := f.sb.inodeOffset(num)
	if off < 0 {
		return nil, fmt.Errorf("%w: inode %d lies outside the filesystem", ErrCorrupt, num)
	}
	b := make([]byte, f.sb.inodeSize)
	if err := readat.Full(f.meta, b, off); err != nil {
		return nil, fmt.Errorf("reading inode %d: %w", num, err)
	}
	in, err := f.parseInode(num, b)
	if err != nil {
		return nil, err
	}
	f.inodes.Put(num, in)
	return in, nil
}

// parseInode checks and decodes inode num from its bytes b (its fork points into b).
func (f *FS) parseInode(num uint64, b []byte) (*inode, error) {
	in := new(inode)
	if err := f.parseInodeInto(in, num, b); err != nil {
		return nil, err
	}
	return in, nil
}

// parseInodeInto is parseInode into in (the index parses every inode, and keeps none).
func (f *FS) parseInodeInto(in *inode, num uint64, b []byte) error {
	switch {
	case string(b[:2]) != "IN":
		return fmt.Errorf("%w: inode %d has no IN magic", ErrCorrupt, num)
	case b[4] != 3:
		return fmt.Errorf("%w: inode %d is version %d", ErrCorrupt, num, b[4])
	case !crcOK(b, 100):
		return fmt.Errorf("%w: inode %d fails its checksum", ErrCorrupt, num)
	case be.Uint64(b[152:]) != num:
		return fmt.Errorf("%w: inode %d says it is inode %d", ErrCorrupt, num, be.Uint64(b[152:]))
	}
	*in = inode{num: num, mode: be.Uint16(b[2:]), format: b[5], size: int64(be.Uint64(b[56:]))}
	// nrext64 moves the data fork's extent count to a 64-bit field where v3 inodes had
	// padding; the old 32-bit field then counts the attribute fork's extents
	if be.Uint64(b[120:])&flag2Nrext64 != 0 {
		if !f.sb.nrext64 {
			return fmt.Errorf("%w: inode %d has 64-bit extent counters on a filesystem without nrext64", ErrCorrupt, num)
		}
		in.nextents = be.Uint64(b[24:])
	} else {
		in.nextents = uint64(be.Uint32(b[76:]))
	}
	in.mtime = f.timestamp(b[40:48])
	forkEnd := f.sb.inodeSize
	if forkoff := int64(b[82]); forkoff != 0 {
		forkEnd = inodeCore + forkoff*8
	}
	if forkEnd > f.sb.inodeSize || in.size < 0 || in.nextents > maxExtents {
		return fmt.Errorf("%w: inode %d: fork end %d, size %d, %d extents", ErrCorrupt, num, forkEnd, in.size, in.nextents)
	}
	in.fork = b[inodeCore:forkEnd]
	switch {
	case in.format == formatLocal && in.size > int64(len(in.fork)):
		return fmt.Errorf("%w: inode %d keeps %d bytes in a %d-byte fork", ErrCorrupt, num, in.size, len(in.fork))
	case in.format == formatLocal && in.isRegular():
		return fmt.Errorf("%w: regular file inode %d in local format", ErrCorrupt, num)
	case in.format > formatBtree:
		return fmt.Errorf("%w: inode %d has data fork format %d", ErrUnsupported, num, in.format)
	}
	return nil
}

// timestamp decodes an inode time: seconds and nanoseconds, or with bigtime nanoseconds
// since 1901-12-13 in one 64-bit field.
func (f *FS) timestamp(b []byte) time.Time {
	if f.sb.bigtime {
		ns := be.Uint64(b)
		return time.Unix(int64(ns/1e9)-(1<<31), int64(ns%1e9)).UTC()
	}
	return time.Unix(int64(int32(be.Uint32(b))), int64(be.Uint32(b[4:]))).UTC()
}
