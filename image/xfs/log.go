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
	// logWindow is how much of the log before its head holds the newest record (a record
	// is at most 256 KiB and its headers), and how much after it must be older.
	logWindow = 2 << 20
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
	l := &logRecords{f: f, start: start, size: size}
	found, err := l.nearHead()
	if err != nil {
		return err
	}
	if !found {
		if err := l.scan(0, size); err != nil {
			return err
		}
	}
	return cleanLog(l.newest)
}

// cleanLog decides from the newest record (its header, then the first bytes of its
// data) whether the log was left clean: by an unmount record.
func cleanLog(newest []byte) error {
	if newest == nil {
		return fmt.Errorf("%w: no record in its log", ErrCorrupt)
	}
	ops, flags := be.Uint32(newest[40:]), newest[logBB+9]
	if ops != 1 || flags&unmountTrans == 0 {
		return fmt.Errorf("%w: its log needs recovery (it was not unmounted cleanly): the files would be read "+
			"without the last writes; mount it once, or run xfs_repair on a copy", ErrUnsupported)
	}
	return nil
}

// logRecords finds the newest record of a log: the bytes [start, start+size) of the
// volume.
type logRecords struct {
	f           *FS
	start, size int64
	newest      []byte // its header, then the first bytes of its data
	newestLSN   uint64
	reads       int64 // bytes of the log read (for tests)
}

// nearHead finds the newest record by reading only around the log's head, where the
// kernel writes next: every basic block starts with the cycle (pass over the log) it was
// written in, so the blocks run [c, ..., c, c-1, ..., c-1] and the head is where the
// cycle drops, found by bisection. The newest record then lies within logWindow before
// the head. It says false, having decided nothing, when the log does not look so (the
// head at its very end, a block of the current cycle past the head as an interrupted
// write leaves, a small log, no record near the head): the whole log is read then.
func (l *logRecords) nearHead() (bool, error) {
	blocks := l.size / logBB
	if l.size <= 4*logWindow {
		return false, nil
	}
	first, err := l.cycle(0)
	if err != nil {
		return false, err
	}
	lo, hi := int64(0), blocks-1
	last, err := l.cycle(hi)
	if err != nil || last+1 != first {
		return false, err
	}
	for hi-lo > 1 { // cycle(lo) == first, cycle(hi) == last
		mid := lo + (hi-lo)/2
		c, err := l.cycle(mid)
		switch {
		case err != nil:
			return false, err
		case c == first:
			lo = mid
		case c == last:
			hi = mid
		default:
			return false, nil
		}
	}
	head := hi * logBB
	// past the head, nothing of the current cycle
	after := make([]byte, min(logWindow, l.size-head))
	if err := l.read(after, head); err != nil {
		return false, err
	}
	for bb := 0; bb+logBB <= len(after); bb += logBB {
		if cycleOf(after[bb:]) == first {
			return false, nil
		}
	}
	if head >= logWindow {
		err = l.scan(head-logWindow, head)
	} else if err = l.scan(l.size-(logWindow-head), l.size); err == nil {
		err = l.scan(0, head)
	}
	return err == nil && l.newest != nil, err
}

// cycle reads the cycle basic block bb was written in.
func (l *logRecords) cycle(bb int64) (uint32, error) {
	b := make([]byte, logBB)
	if err := l.read(b, bb*logBB); err != nil {
		return 0, err
	}
	return cycleOf(b), nil
}

// cycleOf is the cycle a basic block was written in: its first word, or a record
// header's h_cycle.
func cycleOf(b []byte) uint32 {
	if be.Uint32(b) == logRecordMagic {
		return be.Uint32(b[4:])
	}
	return be.Uint32(b)
}

func (l *logRecords) read(b []byte, off int64) error {
	l.reads += int64(len(b))
	if err := readat.Full(l.f.r, b, l.start+off); err != nil {
		return fmt.Errorf("log: %w", err)
	}
	return nil
}

// scan looks for record headers in the log's bytes [from, to), keeping the newest.
func (l *logRecords) scan(from, to int64) error {
	buf := make([]byte, min(1<<20, to-from))
	for off := from; off < to; off += int64(len(buf)) {
		chunk := buf[:min(int64(len(buf)), to-off)]
		if err := l.read(chunk, off); err != nil {
			return err
		}
		for bb := 0; bb+logBB <= len(chunk); bb += logBB {
			h := chunk[bb : bb+logBB]
			if be.Uint32(h) != logRecordMagic || (be.Uint32(h[8:]) != 1 && be.Uint32(h[8:]) != 2) {
				continue
			}
			if lsn := be.Uint64(h[16:]); l.newest == nil || lsn > l.newestLSN {
				l.newest, l.newestLSN = append(l.newest[:0], h...), lsn
				// the first data block follows the header (and its extended headers)
				hsize := int64(be.Uint32(h[320:]))
				extra := int64(0)
				if be.Uint32(h[8:]) == 2 && hsize > 32<<10 {
					extra = (hsize+32<<10-1)/(32<<10)*logBB - logBB
				}
				dataAt := (off + int64(bb) + logBB + extra) % l.size
				data := make([]byte, 16)
				if err := l.read(data, dataAt); err != nil {
					return err
				}
				l.newest = append(l.newest, data...)
			}
		}
	}
	return nil
}
