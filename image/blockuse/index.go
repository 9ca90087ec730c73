package blockuse

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sort"
)

// Claimer is what a walk for owners claims byte ranges from: the offsets of the hits,
// resolved as the walk meets them (Pending).
type Claimer interface {
	Claim(lo, hi int64, use func(fromLo int64) Use)
	// Len is 0 when the walk can stop.
	Len() int
}

var _ Claimer = (*Pending[Use])(nil)

// MaxIndexRanges bounds an owner index: past it (a filesystem of millions of extents)
// the index is given up and the hits are mapped by a walk after the scan, as without
// one.
const MaxIndexRanges = 1 << 19

// ErrIndexFull says an index passed MaxIndexRanges.
var ErrIndexFull = errors.New("block index: too many ranges")

// Indexed answers for offsets from what an Indexer recorded, as the Mapper's Uses would
// by walking.
type Indexed interface {
	Uses(offsets []int64) (map[int64]Use, error)
}

// Indexer is a Mapper that can record its owners ahead of knowing the offsets (while
// the deep scan reads the volume), from its inode tables rather than by walking the
// tree; the Indexed it returns then answers from the record, walking (Tree.Names) only
// for the names of the inodes holding the offsets.
type Indexer interface {
	Mapper
	Index(ctx context.Context) (Indexed, error)
}

// SortSpans sorts an index's ranges by where they start (span gives a range's bytes
// [lo, hi) of the volume) and returns i > 0 when ranges i-1 and i overlap: which owner a
// walk would name there depends on its order, which a lookup cannot tell.
func SortSpans[R any](rs []R, span func(R) (lo, hi int64)) (overlap int) {
	if !sortByPackedKeys(rs, span) {
		slices.SortFunc(rs, func(a, b R) int {
			alo, _ := span(a)
			blo, _ := span(b)
			return cmp.Compare(alo, blo)
		})
	}
	for i := 1; i < len(rs); i++ {
		lo, _ := span(rs[i])
		if _, prevHi := span(rs[i-1]); lo < prevHi {
			return i
		}
	}
	return 0
}

// packedIndexBits is how many low bits of a packed key hold the range's index.
const packedIndexBits = 20

// sortByPackedKeys sorts rs as SortSpans does, through keys that pack each range's
// start above its index, so that the sort compares integers rather than calling span
// (three times faster on an index of 60,000 ranges). It says false, leaving rs as it
// was, when a start or the count does not fit.
func sortByPackedKeys[R any](rs []R, span func(R) (lo, hi int64)) bool {
	if len(rs) > 1<<packedIndexBits {
		return false
	}
	keys := make([]uint64, len(rs))
	for i, r := range rs {
		lo, _ := span(r)
		if lo < 0 || lo >= 1<<(63-packedIndexBits) { // the top bit marks places filled, below
			return false
		}
		keys[i] = uint64(lo)<<packedIndexBits | uint64(i)
	}
	slices.Sort(keys)
	// rs[i] takes the range at the index keys[i] holds: moved in place, cycle by cycle,
	// the top bit of a key marking a place filled (a start never reaches it)
	const index, filled = 1<<packedIndexBits - 1, 1 << 63
	for i := range keys {
		if keys[i]&filled != 0 {
			continue
		}
		first, j := rs[i], i
		for {
			from := int(keys[j] & index)
			keys[j] |= filled
			if from == i {
				rs[j] = first
				break
			}
			rs[j], j = rs[from], from
		}
	}
	return true
}

// SpanHolding returns the index of the range of rs (sorted by SortSpans) holding off.
func SpanHolding[R any](rs []R, off int64, span func(R) (lo, hi int64)) (int, bool) {
	i := sort.Search(len(rs), func(i int) bool { lo, _ := span(rs[i]); return lo > off }) - 1
	if i < 0 {
		return 0, false
	}
	_, hi := span(rs[i])
	return i, off < hi
}
