package blockuse

import "testing"

// Claim takes the offsets in [lo, hi) only, and each once: a later claim of the same
// bytes (a cross-linked block) does not overwrite the first owner.
func TestPendingClaim(t *testing.T) {
	out := map[int64]Use{}
	p := NewPending(out, []int64{9000, 100, 4095, 4096, -1})
	p.Claim(0, 4096, FileUse("/a", 200))
	p.Claim(0, 4096, FileUse("/b", 200))
	p.Claim(8192, 12288, MetadataOf("/dir"))
	if p.Len() != 2 {
		t.Fatalf("%d offsets left, want 2 (-1 and 4096)", p.Len())
	}
	p.Finish(Use{Kind: Metadata})
	for off, want := range map[int64]Use{
		100:  {Kind: File, Path: "/a"},
		4095: {Kind: Slack, Path: "/a"},
		9000: {Kind: Metadata, Path: "/dir"},
		4096: {Kind: Metadata},
		-1:   {Kind: Metadata},
	} {
		if out[off] != want {
			t.Errorf("offset %d: got %+v, want %+v", off, out[off], want)
		}
	}
}
