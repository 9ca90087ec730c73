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
	if opt.Workers <= 0 {
		opt.Workers = min(runtime.GOMAXPROCS(0), 8)
	}
	if opt.MaxHits <= 0 {
		opt.MaxHits = DefaultMaxHits
	}
	s := &scanner{name: name, r: r, size: size, opt: opt}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	chunks := (size + int64(opt.ChunkSize) - 1) / int64(opt.ChunkSize)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, opt.ChunkSize+2*contextBytes)
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= chunks {
					return
				}
				if err := s.chunk(buf, i*int64(opt.ChunkSize)); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
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

// chunk scans the anchors starting in [start, start+ChunkSize), reading contextBytes
// more on each side so that a rule sees the whole secret around an anchor at the edge.
func (s *scanner) chunk(buf []byte, start int64) error {
	end := min(start+int64(s.opt.ChunkSize), s.size)
	from, to := max(start-contextBytes, 0), min(end+contextBytes, s.size)
	data := buf[:to-from]
	n, err := s.r.ReadAt(data, from)
	s.read.Add(int64(n))
	if n < len(data) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("deep scan of %s: reading %d bytes at offset %d: %w", s.name, len(data), from+int64(n), err)
	}
	lo, hi := int(start-from), int(end-from) // anchors must start in data[lo:hi]
	var found []Hit
	for _, r := range rules {
		for _, a := range r.anchors {
			done := -1 // the end of the last match: anchors inside it are the same secret
			for p := lo; p < hi; {
				i := bytes.Index(data[p:min(hi+len(a)-1, len(data))], []byte(a))
				if i < 0 {
					break
				}
				p += i
				if p >= done {
					if h, end, ok := match(r, data, p, len(a)); ok {
						h.Offset += from
						found, done = append(found, h), end
					}
				}
				p++
			}
		}
	}
	if len(found) > 0 {
		s.add(found)
	}
	return nil
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
