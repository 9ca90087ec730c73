package blockuse

import (
	"cmp"
	"slices"
	"testing"
)

type span struct{ lo, hi int64 }

func (s span) bounds() (int64, int64) { return s.lo, s.hi }

// SortSpans orders ranges by start and names the first that overlaps the one before;
// SpanHolding finds the range holding an offset, and nothing in the gaps or past the end.
func TestSpansSortAndLookUp(t *testing.T) {
	rs := []span{{8192, 12288}, {0, 4096}, {4096, 4100}}
	if i := SortSpans(rs, span.bounds); i != 0 || rs[0].lo != 0 || rs[2].lo != 8192 {
		t.Fatalf("disjoint ranges: overlap at %d, sorted %v", i, rs)
	}
	for off, want := range map[int64]int{0: 0, 4095: 0, 4096: 1, 4099: 1, 8192: 2, 12287: 2} {
		if i, ok := SpanHolding(rs, off, span.bounds); !ok || i != want {
			t.Errorf("offset %d: range %d (%t), want %d", off, i, ok, want)
		}
	}
	for _, off := range []int64{-1, 4100, 8191, 12288} {
		if i, ok := SpanHolding(rs, off, span.bounds); ok {
			t.Errorf("offset %d: held by range %d, want none", off, i)
		}
	}
	crossed := []span{{0, 8192}, {20000, 20001}, {4096, 12288}}
	if i := SortSpans(crossed, span.bounds); i != 1 || crossed[i].lo != 4096 {
		t.Fatalf("overlapping ranges: overlap at %d in %v, want 1 (the range at 4096)", i, crossed)
	}
}

// Packed keys and the comparison sort order alike, ties kept in either order; a start
// past what a key holds falls back to the comparison sort.
func TestSortSpansByPackedKeysAsByComparison(t *testing.T) {
	rs := make([]span, 5000)
	for i := range rs {
		lo := int64(i*7919%5000) * 4096
		rs[i] = span{lo, lo + 4096}
	}
	packed := slices.Clone(rs)
	if !sortByPackedKeys(packed, span.bounds) {
		t.Fatal("5000 ranges under 1 TiB not sorted by packed keys")
	}
	if !slices.IsSortedFunc(packed, func(a, b span) int { return cmp.Compare(a.lo, b.lo) }) {
		t.Fatal("packed keys left the ranges out of order")
	}
	if i := SortSpans(rs, span.bounds); i != 0 || !slices.Equal(rs, packed) {
		t.Fatalf("SortSpans: overlap at %d, or another order than the packed keys'", i)
	}
	huge := []span{{1 << 43, 1<<43 + 1}, {0, 1}}
	if sortByPackedKeys(huge, span.bounds) || huge[0].lo != 1<<43 {
		t.Fatal("a start of 2^43 (8 TiB) packed, or the ranges changed when refused")
	}
	if SortSpans(huge, span.bounds) != 0 || huge[0].lo != 0 {
		t.Fatalf("ranges from 2^43 on not sorted by comparison: %v", huge)
	}
}
