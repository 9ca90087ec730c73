package blockuse

import (
	"slices"
	"sort"
)

// Pending holds the offsets a filesystem walk has still to explain, sorted, and what it
// found so far (a Use, or what the filesystem needs to make one): each block map visited
// claims the offsets in its extents.
type Pending[T any] struct {
	offsets []int64
	out     map[int64]T
}

// NewPending starts a walk over offsets, recording what it finds in out.
func NewPending[T any](out map[int64]T, offsets []int64) *Pending[T] {
	p := &Pending[T]{offsets: slices.Clone(offsets), out: out}
	slices.Sort(p.offsets)
	return p
}

// Len is how many offsets are left: a walk stops at 0.
func (p *Pending[T]) Len() int { return len(p.offsets) }

// Claim resolves the offsets in [lo, hi): use gets each offset's distance from lo.
func (p *Pending[T]) Claim(lo, hi int64, use func(fromLo int64) T) {
	i := sort.Search(len(p.offsets), func(i int) bool { return p.offsets[i] >= lo })
	j := i
	for ; j < len(p.offsets) && p.offsets[j] < hi; j++ {
		p.out[p.offsets[j]] = use(p.offsets[j] - lo)
	}
	p.offsets = append(p.offsets[:i], p.offsets[j:]...)
}

// Finish gives every offset left u (what no walk claimed: metadata).
func (p *Pending[T]) Finish(u T) {
	for _, off := range p.offsets {
		p.out[off] = u
	}
	p.offsets = nil
}

// ResolveByWalk finds the owners of the pending offsets (allocated, not yet explained) by
// a walk that claims them, and records what no walk claims as metadata.
func ResolveByWalk(out map[int64]Use, pending []int64, walk func(Claimer) error) (map[int64]Use, error) {
	p := NewPending(out, pending)
	if p.Len() > 0 {
		if err := walk(p); err != nil {
			return nil, err
		}
	}
	p.Finish(Use{Kind: Metadata})
	return out, nil
}
