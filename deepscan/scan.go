// Package deepscan reads every byte of a volume — free space, journal and slack included —
// for private keys and credentials, then tells for each hit whether a live file holds it
// or it is a remnant that deleting or shredding the file left behind.
package deepscan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// Defaults: buffers big enough that a read costs one syscall per 4 MiB, few enough that
// memory stays at workers × 4 MiB whatever the volume's size.
const (
	DefaultChunkSize = 4 << 20
	DefaultMaxHits   = 1000
)

// Options tune a scan; the zero value takes the defaults.
type Options struct {
	ChunkSize int
	Workers   int // buffers read and scanned at once; default GOMAXPROCS, at most 8
	MaxHits   int
}

// Hit is one secret found in a volume. It never holds the secret.
type Hit struct {
	Offset      int64 // of the secret, in bytes from the start of the volume
	Rule        string
	Description string
	Severity    cleanup.Severity
	Preview     string // redacted
	Owner       Owner  // set by Locate
}

// Result is what a scan found.
type Result struct {
	Hits      []Hit // by offset, at most MaxHits
	Total     int   // hits found, including those past MaxHits
	BytesRead int64
}

// Scan reads the size bytes of r, the volume called name, and returns the secrets in it.
// A read error fails the scan, naming the volume and offset: a part not read is never
// reported as clean.
func Scan(ctx context.Context, name string, r io.ReaderAt, size int64, opt Options) (*Result, error) {
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = DefaultChunkSize
	}
	opt.ChunkSize = max(opt.ChunkSize, 4*contextBytes) // the carried context fits in one buffer
	if opt.Workers <= 0 {
		opt.Workers = min(runtime.GOMAXPROCS(0), 8)
	}
	if opt.MaxHits <= 0 {
		opt.MaxHits = DefaultMaxHits
	}
	s := &scanner{name: name, r: r, size: size, opt: opt}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// One goroutine reads sequentially, as dd does, so the kernel's readahead keeps the
	// disk busy; the workers scan the buffers it fills. Buffers are recycled: memory is
	// (Workers+2) buffers whatever the volume's size.
	free := make(chan []byte, opt.Workers+2)
	for range cap(free) {
		free <- make([]byte, opt.ChunkSize+2*contextBytes)
	}
	work := make(chan chunk, opt.Workers)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				s.scan(c)
				free <- c.buf
			}
		}()
	}
	if err := s.readAll(ctx, free, work); err != nil {
		cancel(err)
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	res := &Result{Hits: s.hits, Total: s.total, BytesRead: s.read.Load()}
	sort.Slice(res.Hits, func(i, j int) bool { return res.Hits[i].Offset < res.Hits[j].Offset })
	return res, nil
}

type scanner struct {
	name string
	r    io.ReaderAt
	size int64
	opt  Options
	read atomic.Int64

	mu    sync.Mutex
	hits  []Hit
	total int
}

// sliceBytes is the part of a buffer all anchors are searched in before moving on.
const sliceBytes = 256 << 10

// anchorCount is the number of anchors of all rules.
var anchorCount = func() int {
	n := 0
	for _, r := range rules {
		n += len(r.anchors)
	}
	return n
}()

// chunk is a buffer holding the volume's bytes [from, from+len(buf)); anchors starting
// in [start, end) are its to scan, the rest is context shared with its neighbours.
type chunk struct {
	buf              []byte
	from, start, end int64
}

// readAll fills buffers in order. Each one starts with the last 2*contextBytes of the
// previous one (copied, not read again), so every byte is read once, front to back.
func (s *scanner) readAll(ctx context.Context, free chan []byte, work chan<- chunk) error {
	carry := make([]byte, 0, 2*contextBytes)
	for start := int64(0); start < s.size; start += int64(s.opt.ChunkSize) {
		var buf []byte
		select {
		case buf = <-free:
		case <-ctx.Done():
			return nil
		}
		end := min(start+int64(s.opt.ChunkSize), s.size)
		from, to := max(start-contextBytes, 0), min(end+contextBytes, s.size)
		data := buf[:to-from]
		have := copy(data, carry)
		n, err := s.r.ReadAt(data[have:], from+int64(have))
		s.read.Add(int64(n))
		if n < len(data)-have {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("deep scan of %s: reading %d bytes at offset %d: %w", s.name, len(data)-have, from+int64(have+n), err)
		}
		carry = append(carry[:0], data[max(len(data)-2*contextBytes, 0):]...)
		work <- chunk{buf: data, from: from, start: start, end: end}
	}
	return nil
}

// scan looks for every rule's anchors in the chunk, and runs the rule's regexp around each.
func (s *scanner) scan(c chunk) {
	data, from, start, end := c.buf, c.from, c.start, c.end
	lo, hi := int(start-from), int(end-from) // anchors must start in data[lo:hi]
	var found []Hit
	done := make([]int, anchorCount) // per anchor, the end of its last match: anchors inside it are the same secret
	// Every anchor is searched in one cache-sized slice before the next slice: the passes
	// then read the L2 cache, not memory.
	for sliceLo := lo; sliceLo < hi; sliceLo += sliceBytes {
		sliceHi := min(sliceLo+sliceBytes, hi)
		k := 0
		for _, r := range rules {
			for _, a := range r.anchors {
				for p := sliceLo; p < sliceHi; {
					i := bytes.Index(data[p:min(sliceHi+len(a)-1, len(data))], []byte(a))
					if i < 0 {
						break
					}
					p += i
					if p >= done[k] {
						if h, end, ok := match(r, data, p, len(a)); ok {
							h.Offset += from
							found, done[k] = append(found, h), end
						}
					}
					p++
				}
				k++
			}
		}
	}
	if len(found) > 0 {
		s.add(found)
	}
}

func (s *scanner) add(found []Hit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total += len(found)
	room := s.opt.MaxHits - len(s.hits)
	s.hits = append(s.hits, found[:min(room, len(found))]...)
}

// match runs r's pattern around the anchor at data[p:p+alen]. It returns the hit (offset
// relative to data) and where the match ends.
func match(r *rule, data []byte, p, alen int) (Hit, int, bool) {
	if quickReject(r, data, p) {
		return Hit{}, 0, false
	}
	ws, we := max(p-r.before, 0), min(p+alen+r.after, len(data))
	win := data[ws:we]
	for _, m := range r.pattern.FindAllSubmatchIndex(win, -1) {
		if m[0] > p-ws || m[1] <= p-ws {
			continue // a match that does not cover this anchor is another anchor's
		}
		start, end := m[0], m[1]
		for g := 2; g+1 < len(m); g += 2 {
			if m[g] >= 0 {
				start, end = m[g], m[g+1]
				break
			}
		}
		secret := win[start:end]
		if r.ignore != nil && r.ignore(secret) {
			return Hit{}, 0, false
		}
		if r.companion != nil && !hasCompanion(r, data, ws+start, ws+end) {
			return Hit{}, 0, false
		}
		return Hit{Offset: int64(ws + start), Rule: r.id, Description: r.desc, Severity: r.sev,
			Preview: cleanup.RedactSecret(secret)}, ws + m[1], true
	}
	return Hit{}, 0, false
}

// companionRange is how far from an AWS key ID its secret may be: the same credentials
// file section, environment file or JSON object.
const companionRange = 1024

func hasCompanion(r *rule, data []byte, start, end int) bool {
	win := data[max(start-companionRange, 0):min(end+companionRange, len(data))]
	for _, m := range r.companion.FindAllSubmatchIndex(win, -1) {
		if plausibleAWSSecret(win[m[2]:m[3]]) {
			return true
		}
	}
	return false
}
