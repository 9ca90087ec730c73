package xfs

import (
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

const (
	logRecordMagic = 0xFEEDBABE
	logBB          = 512  // the log's unit: a basic block
	unmountTrans   = 0x20 // op header flag of the record a clean unmount writes last
	maxLogSize     = 2 << 30
)

// checkLog refuses a filesystem whose log needs recovery, as the kernel decides at mount:
// the newest log record (highest LSN) must be the unmount record, a single operation
// flagged XLOG_UNMOUNT_TRANS. Otherwise metadata changes sit only in the log, and the
// files as read could miss the last writes (a key written just before a snapshot).
func (f *FS) checkLog() error {
	if f.sb.logStart == 0 {
		return fmt.Errorf("%w: its log is on an external device, so whether it needs recovery cannot be told", ErrUnsupported)
	}
	start := f.sb.offset(f.sb.logStart)
	size := int64(f.sb.logBlocks) * f.sb.blockSize
	if start < 0 || size < 2*logBB || size > maxLogSize || f.sb.offset(f.sb.logStart+f.sb.logBlocks-1) < 0 {
		return fmt.Errorf("%w: log of %d blocks at block %d", ErrCorrupt, f.sb.logBlocks, f.sb.logStart)
	}
	var head []byte
	var headLSN uint64
	buf := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(buf)) {
		chunk := buf[:min(int64(len(buf)), size-off)]
		if err := readat.Full(f.r, chunk, start+off); err != nil {
			return fmt.Errorf("log: %w", err)
		}
		for bb := 0; bb+logBB <= len(chunk); bb += logBB {
			h := chunk[bb : bb+logBB]
			if be.Uint32(h) != logRecordMagic || (be.Uint32(h[8:]) != 1 && be.Uint32(h[8:]) != 2) {
				continue
			}
			if lsn := be.Uint64(h[16:]); head == nil || lsn > headLSN {
				head, headLSN = append(head[:0], h...), lsn
				// the first data block follows the header (and its extended headers)
				hsize := int64(be.Uint32(h[320:]))
				extra := int64(0)
				if be.Uint32(h[8:]) == 2 && hsize > 32<<10 {
					extra = (hsize+32<<10-1)/(32<<10)*logBB - logBB
				}
				dataAt := (off + int64(bb) + logBB + extra) % size
				data := make([]byte, 16)
				if err := readat.Full(f.r, data, start+dataAt); err != nil {
					return fmt.Errorf("log: %w", err)
				}
				head = append(head, data...)
			}
		}
	}
	if head == nil {
		return fmt.Errorf("%w: no record in its log", ErrCorrupt)
	}
	ops, flags := be.Uint32(head[40:]), head[logBB+9]
	if ops != 1 || flags&unmountTrans == 0 {
		return fmt.Errorf("%w: its log needs recovery (it was not unmounted cleanly): the files would be read "+
			"without the last writes; mount it once, or run xfs_repair on a copy", ErrUnsupported)
	}
	return nil
}
