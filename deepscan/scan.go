// Package deepscan reads every byte of a volume — free space, journal and slack included —
// for private keys and credentials, then tells for each hit whether a live file holds it
// or it is a remnant that deleting or shredding the file left behind.
package deepscan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// Defaults: a chunk that fits a core's L2 cache, so that the bytes a worker reads are
// still in its cache when it scans them (the copy out of the page cache took 0.54 s per
// 2 GiB with 4 MiB chunks a reader goroutine handed to the workers, 0.34 s so). Memory
// stays at workers × 1 MiB whatever the volume's size.
const (
	DefaultChunkSize = 1 << 20
	DefaultMaxHits   = 1000
)

// Options tune a scan; the zero value takes the defaults.
type Options struct {
	ChunkSize int
	Workers   int // chunks read and scanned at once; default GOMAXPROCS, at most 8
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
	// KnownZeros is how many bytes were not read because the image knows them to be
	// zeros without storing them (readat.KnownZeros): the holes of a sparse image file,
	// the clusters of a qcow2 image never written.
	KnownZeros int64
}

// Scan reads the size bytes of r, the volume called name, and returns the secrets in it.
// A read error fails the scan, naming the volume and offset: a part not read is never
// reported as clean.
func Scan(ctx context.Context, name string, r io.ReaderAt, size int64, opt Options) (*Result, error) {
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = DefaultChunkSize
	}
	opt.ChunkSize = max(opt.ChunkSize, 4*contextBytes)
	if opt.Workers <= 0 {
		opt.Workers = min(runtime.GOMAXPROCS(0), 8)
	}
	if opt.MaxHits <= 0 {
		opt.MaxHits = DefaultMaxHits
	}
	s := &scanner{name: name, r: r, size: size, opt: opt}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Each worker takes the next chunk in volume order, reads it and scans it while it is
	// still in its cache: with two workers, two neighbouring chunks are in flight, which
	// the kernel's readahead sees as one sequential read.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(s)
			for ctx.Err() == nil {
				start := next.Add(1) - 1
				if start >= (size+int64(opt.ChunkSize)-1)/int64(opt.ChunkSize) {
					break
				}
				if err := w.chunk(start * int64(opt.ChunkSize)); err != nil {
					cancel(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	res := &Result{Hits: s.hits, Total: s.total, BytesRead: s.read.Load(), KnownZeros: s.zeros.Load()}
	sort.Slice(res.Hits, func(i, j int) bool { return res.Hits[i].Offset < res.Hits[j].Offset })
	return res, nil
}

type scanner struct {
	name  string
	r     io.ReaderAt
	size  int64
	opt   Options
	read  atomic.Int64
	zeros atomic.Int64 // bytes known to be zeros, not read

	mu    sync.Mutex
	hits  []Hit
	total int
}

// readAt fills p from the volume at off, counting the bytes; a short read is an error
// naming the volume and offset, and so is a container reader crashing on a hostile image
// (a qcow2 or VHDX reader panicking in a worker would end the process).
func (s *scanner) readAt(p []byte, off int64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("deep scan of %s: reading %d bytes at offset %d: the image reader crashed: %v", s.name, len(p), off, r)
		}
	}()
	n, err := s.r.ReadAt(p, off)
	s.read.Add(int64(n))
	if n < len(p) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("deep scan of %s: reading %d bytes at offset %d: %w", s.name, len(p), off+int64(n), err)
	}
	return nil
}

// knownZeros is how many of the n bytes from off on the image knows to be zeros
// (readat.KnownZeros); 0 when it cannot tell, or its reader crashes (the bytes are then
// read, and a crash there is an error).
func (s *scanner) knownZeros(off, n int64) (zeros int64) {
	defer func() {
		if recover() != nil {
			zeros = 0
		}
	}()
	z, err := readat.KnownZeros(s.r, off, n)
	if err != nil {
		return 0
	}
	return z
}

func (s *scanner) add(found []Hit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total += len(found)
	room := s.opt.MaxHits - len(s.hits)
	s.hits = append(s.hits, found[:max(min(room, len(found)), 0)]...)
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
