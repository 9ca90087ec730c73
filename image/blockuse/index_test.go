package blockuse

import (
	"context"
	"errors"
	"testing"
)

// An index tells what a walk resolving the same offsets would: the range holding an
// offset, relative to its start; nothing outside every range.
func TestIndexLooksUpWhatAWalkClaims(t *testing.T) {
	x := NewIndex(context.Background())
	x.Claim(8192, 12288, MetadataOf("/dir"))
	x.Claim(0, 4096, FileUse("/a", 200))
	x.Claim(4096, 4096, FileUse("/empty", 0)) // an empty range records nothing
	x.Claim(0, 4096, FileUse("/a-link", 200)) // a hard link: the first name stays
	if err := x.Seal(); err != nil {
		t.Fatal(err)
	}
	for off, want := range map[int64]Use{
		100:  {Kind: File, Path: "/a"},
		4095: {Kind: Slack, Path: "/a"},
		9000: {Kind: Metadata, Path: "/dir"},
	} {
		if got, ok := x.Lookup(off); !ok || got != want {
			t.Errorf("offset %d: got %+v, %v; want %+v", off, got, ok, want)
		}
	}
	for _, off := range []int64{-1, 4096, 8191, 12288} {
		if got, ok := x.Lookup(off); ok {
			t.Errorf("offset %d: got %+v, want nothing", off, got)
		}
	}
	out := map[int64]Use{}
	p := NewPending(out, []int64{100, 5000})
	x.Resolve(p)
	if p.Len() != 1 || out[100] != (Use{Kind: File, Path: "/a"}) {
		t.Fatalf("Resolve left %d offsets, out %v", p.Len(), out)
	}
}

// An index that cannot answer as the walk would is refused when sealed: cross-linked
// ranges (the walk's order decides them), a walk cut short by a cancelled context or by
// the size bound. The deep scan then walks after the scan, as without an index.
func TestIndexRefusesWhatItCannotAnswer(t *testing.T) {
	crossed := NewIndex(context.Background())
	crossed.Claim(0, 8192, FileUse("/a", 8192))
	crossed.Claim(4096, 12288, FileUse("/b", 8192))
	if err := crossed.Seal(); err == nil {
		t.Error("cross-linked ranges sealed")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cut := NewIndex(ctx)
	if cut.Len() == 0 {
		t.Fatal("a new index stops the walk")
	}
	cancel()
	if cut.Len() != 0 {
		t.Error("a cancelled index does not stop the walk")
	}
	if err := cut.Seal(); !errors.Is(err, context.Canceled) {
		t.Errorf("Seal after cancel = %v", err)
	}

	full := NewIndex(context.Background())
	for i := range int64(MaxIndexRanges + 1) {
		full.Claim(i*2, i*2+1, MetadataOf("/"))
	}
	if full.Len() != 0 {
		t.Error("a full index does not stop the walk")
	}
	if err := full.Seal(); !errors.Is(err, ErrIndexFull) {
		t.Errorf("Seal of a full index = %v", err)
	}
}
