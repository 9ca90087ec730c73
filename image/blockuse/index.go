package blockuse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Claimer is what a walk for owners claims byte ranges from: a Pending (the offsets of
// the hits, resolved as the walk meets them) or an Index (every range, recorded).
type Claimer interface {
	Claim(lo, hi int64, use func(fromLo int64) Use)
	// Len is 0 when the walk can stop.
	Len() int
}

var (
	_ Claimer = (*Pending[Use])(nil)
	_ Claimer = (*Index)(nil)
)

// MaxIndexRanges bounds an Index: past it (a filesystem of millions of extents) the
// index is given up and the hits are mapped by a walk after the scan, as without one.
const MaxIndexRanges = 1 << 19

// ErrIndexFull says an Index passed MaxIndexRanges.
var ErrIndexFull = errors.New("block index: too many ranges")

// Index records every range a whole walk claims, so that the owners of offsets found
// later are looked up instead of walked for. The deep scan builds one while it reads
// the volume (Indexer), which takes the owner walk off the end of the scan.
type Index struct {
	ctx    context.Context
	ranges []claimed
	full   bool
	sorted bool
}

type claimed struct {
	lo, hi int64
	use    func(fromLo int64) Use
}

// NewIndex starts an index; a cancelled ctx stops the walk filling it.
func NewIndex(ctx context.Context) *Index { return &Index{ctx: ctx} }

// Claim records [lo, hi) as use's.
func (x *Index) Claim(lo, hi int64, use func(fromLo int64) Use) {
	if x.full || hi <= lo {
		return
	}
	if len(x.ranges) >= MaxIndexRanges {
		x.full = true
		return
	}
	x.ranges = append(x.ranges, claimed{lo, hi, use})
}

// Len is 0, stopping the walk, once the index is full or its context cancelled.
func (x *Index) Len() int {
	if x.full || x.ctx.Err() != nil {
		return 0
	}
	return 1
}

// Seal ends the recording: it fails when the walk was cut short (full, cancelled) or
// when two ranges overlap but for being the same (cross-linked blocks: a walk's
// first-come order decides those, which a lookup could not), and the index must not be
// used.
func (x *Index) Seal() error {
	if x.full {
		return fmt.Errorf("%w (more than %d)", ErrIndexFull, MaxIndexRanges)
	}
	if err := x.ctx.Err(); err != nil {
		return err
	}
	slices.SortStableFunc(x.ranges, func(a, b claimed) int { return cmp.Compare(a.lo, b.lo) })
	// A hard-linked file is met once per name: the same ranges again. The walk's first
	// claim wins, as the stable sort keeps it first.
	x.ranges = slices.CompactFunc(x.ranges, func(a, b claimed) bool { return a.lo == b.lo && a.hi == b.hi })
	for i := 1; i < len(x.ranges); i++ {
		if x.ranges[i].lo < x.ranges[i-1].hi {
			return fmt.Errorf("block index: ranges at %d and %d overlap", x.ranges[i-1].lo, x.ranges[i].lo)
		}
	}
	x.sorted = true
	return nil
}

// Lookup tells what holds off, if a recorded range does. The index must be sealed.
func (x *Index) Lookup(off int64) (Use, bool) {
	if !x.sorted {
		panic("blockuse: Lookup on an index not sealed")
	}
	i := sort.Search(len(x.ranges), func(i int) bool { return x.ranges[i].lo > off }) - 1
	if i < 0 || off >= x.ranges[i].hi {
		return Use{}, false
	}
	return x.ranges[i].use(off - x.ranges[i].lo), true
}

// Resolve claims every pending offset the index holds, as a walk would have.
func (x *Index) Resolve(p *Pending[Use]) {
	left := p.offsets[:0]
	for _, off := range p.offsets {
		if u, ok := x.Lookup(off); ok {
			p.out[off] = u
		} else {
			left = append(left, off)
		}
	}
	p.offsets = left
}

// Indexed answers for offsets from what an Indexer recorded, as the Mapper's Uses would
// by walking.
type Indexed interface {
	Uses(offsets []int64) (map[int64]Use, error)
}

// Indexer is a Mapper that can record its owners ahead of knowing the offsets (while
// the deep scan reads the volume); the Indexed it returns then answers from the record.
type Indexer interface {
	Mapper
	Index(ctx context.Context) (Indexed, error)
}
