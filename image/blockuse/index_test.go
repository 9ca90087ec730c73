package blockuse

import "testing"

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
