package ebsread

import (
	"context"
	"fmt"
	"io"
)

// ReadAt reads len(p) bytes at off under the context given to Open.
func (s *Snapshot) ReadAt(p []byte, off int64) (int, error) {
	return s.ReadAtContext(s.ctx, p, off)
}

// ReadAtContext is ReadAt bounded by ctx as well. All the blocks the range needs are
// requested at once, so one large read is fetched in parallel.
func (s *Snapshot) ReadAtContext(ctx context.Context, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("ebsread: snapshot %s: negative offset %d", s.id, off)
	}
	if off >= s.size {
		return 0, io.EOF
	}
	n, eof := len(p), error(nil)
	if int64(n) > s.size-off {
		n, eof = int(s.size-off), io.EOF
	}
	if n == 0 {
		return 0, eof
	}
	first, last := off/s.blockSize, (off+int64(n)-1)/s.blockSize
	slots := make([]slot, 0, last-first+1)
	for b := first; b <= last; b++ {
		sl, err := s.slot(int32(b), false)
		if err != nil {
			return 0, err
		}
		slots = append(slots, sl)
	}
	s.readAhead(first, last)

	done := 0
	for i, sl := range slots {
		data, err := sl.wait(ctx, s.ctx)
		if err != nil {
			return done, err
		}
		blockStart := (first + int64(i)) * s.blockSize
		lo, hi := max(off, blockStart), min(off+int64(n), blockStart+s.blockSize)
		dst := p[lo-off : hi-off]
		if data == nil {
			clear(dst)
		} else {
			copy(dst, data[lo-blockStart:hi-blockStart])
		}
		done = int(hi - off)
	}
	return n, eof
}

// readAhead starts fetching the blocks after a read that continues a run: one whose
// preceding block is cached or on its way, or one spanning several blocks. That is the
// pattern of a file, an inode table or a run of directory blocks read in order, even when
// the reader hops elsewhere between two steps (to an inode table and back, say).
// Keeping ReadAhead blocks requested past each step keeps the run's fetches overlapped.
func (s *Snapshot) readAhead(first, last int64) {
	if s.opts.ReadAhead <= 0 {
		return
	}
	if last == first && !s.holds(first-1) {
		return
	}
	s.prefetchBlocks(last+1, last+int64(s.opts.ReadAhead))
}

// holds tells whether block b is cached or being fetched, without touching the LRU order.
func (s *Snapshot) holds(b int64) bool {
	if b < 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cache.Contains(int32(b)) || s.inflight[int32(b)] != nil
}

// Prefetch starts fetching the blocks covering [off, off+length) in the background, at
// read-ahead priority, and returns at once. A filesystem reader can use it to announce
// what it will read next (an inode table, a directory's blocks).
func (s *Snapshot) Prefetch(off, length int64) {
	if length <= 0 || off >= s.size {
		return
	}
	off = max(off, 0)
	end := min(off+length, s.size)
	s.prefetchBlocks(off/s.blockSize, (end-1)/s.blockSize)
}

func (s *Snapshot) prefetchBlocks(first, last int64) {
	last = min(last, (s.size-1)/s.blockSize)
	for b := first; b <= last; b++ {
		if _, err := s.slot(int32(b), true); err != nil {
			return
		}
	}
}
