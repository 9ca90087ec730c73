package imagetest

import (
	"context"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

// MappedFiles are the files every Mapper test puts in its image: a live file of several
// blocks, and a short one whose last block (4 KiB at most) gets a secret past its end
// (PlantSlack).
const (
	MappedLive  = "/etc/app/live.conf"
	MappedShort = "/var/log/short.log"
)

// MappedTree writes the files of MappedLive and MappedShort, with extra, into a new
// directory tree and returns it.
func MappedTree(t testing.TB, extra map[string]File) string {
	t.Helper()
	files := map[string]File{
		MappedLive[1:]:  {Data: "LIVE-SECRET-MARKER\n" + strings.Repeat("x", 10<<10)},
		MappedShort[1:]: {Data: "SLACK-HOST-MARKER\n" + strings.Repeat("y", 1500)},
	}
	for name, f := range extra {
		files[name] = f
	}
	tree := filepath.Join(t.TempDir(), "tree")
	WriteTree(t, tree, files)
	return tree
}

// MappedOffsets finds MappedTree's files and the extra needles in the image, and writes
// a secret 3000 bytes into MappedShort, past its end in its last block (what a truncated
// file leaves): "live", "host" (MappedShort's data), "slack" and extra's names.
func MappedOffsets(t testing.TB, img string, extra map[string][]byte) map[string]int64 {
	t.Helper()
	needles := map[string][]byte{"live": []byte("LIVE-SECRET-MARKER"), "host": []byte("SLACK-HOST-MARKER")}
	for name, n := range extra {
		needles[name] = n
	}
	at := Offsets(t, img, needles)
	at["slack"] = at["host"] + 3000
	WriteAt(t, img, at["slack"], []byte("SLACK-SECRET"))
	return at
}

// MappedUses is what a Mapper must answer for MappedOffsets' offsets, with extra.
func MappedUses(extra map[string]blockuse.Use) map[string]blockuse.Use {
	want := map[string]blockuse.Use{
		"live":  {Kind: blockuse.File, Path: MappedLive},
		"host":  {Kind: blockuse.File, Path: MappedShort},
		"slack": {Kind: blockuse.Slack, Path: MappedShort},
	}
	for name, u := range extra {
		want[name] = u
	}
	return want
}

// Offsets finds each needle in the image file img: name -> the offset of its first
// occurrence. A needle missing from the image fails the test.
func Offsets(t testing.TB, img string, needles map[string][]byte) map[string]int64 {
	t.Helper()
	at := map[string]int64{}
	for name, needle := range needles {
		if at[name] = FileOffset(t, img, needle); at[name] < 0 {
			t.Fatalf("%s: not in the image", name)
		}
	}
	return at
}

// ExpectUses asks m what holds every offset of at, and checks the answer for each name
// of want.
func ExpectUses(t testing.TB, m blockuse.Mapper, at map[string]int64, want map[string]blockuse.Use) {
	t.Helper()
	var offsets []int64
	for _, off := range at {
		offsets = append(offsets, off)
	}
	uses, err := m.Uses(offsets)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		if got := uses[at[name]]; got != w {
			t.Errorf("%s at %d: got %+v, want %+v", name, at[name], got, w)
		}
	}
	ExpectIndexAgrees(t, m, offsets)
}

// ExpectIndexAgrees checks, on a Mapper that is also an Indexer, that looking offsets up
// in its index (as the deep scan does when it built one during the scan) tells the same
// as walking for them, and spread offsets besides.
func ExpectIndexAgrees(t testing.TB, m blockuse.Mapper, offsets []int64) {
	t.Helper()
	ix, ok := m.(blockuse.Indexer)
	if !ok {
		return
	}
	x, err := ix.Index(context.Background())
	if err != nil {
		t.Fatalf("Index: %v", err)
	}
	for _, set := range [][]int64{offsets, SpreadOffsets(maxOffset(offsets)+1<<20, 997)} {
		walked, err := m.Uses(set)
		if err != nil {
			t.Fatal(err)
		}
		looked, err := x.Uses(set)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(walked, looked) {
			for off, w := range walked {
				if looked[off] != w {
					t.Errorf("offset %d: walked %+v, looked up %+v", off, w, looked[off])
				}
			}
		}
	}
}

func maxOffset(offsets []int64) int64 {
	var m int64
	for _, o := range offsets {
		m = max(m, o)
	}
	return m
}

// SpreadOffsets returns n offsets spread evenly over a volume of size bytes, with one
// before it and one past its end: what a fuzz target asks a Mapper about.
func SpreadOffsets(size int64, n int) []int64 {
	out := []int64{-1, size}
	for i := range int64(n) {
		out = append(out, size/int64(n)*i+i%4096)
	}
	return out
}
