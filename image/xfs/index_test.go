package xfs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// The index built from the inode btrees answers as the walk for the first and last byte
// of every range it holds, and spread offsets: files under several names (hard links in
// one and in two directories), a directory of 600 entries, directories nested past
// blockuse.MaxDepth and a file at their bottom, a fragmented file whose extents are a
// btree, and a preallocated (unwritten) extent, which is slack.
func TestIndexAnswersAsTheWalk(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs")
	files := map[string]imagetest.File{"zz/original": {Data: "LINKED-MARKER\n"}}
	for i := range 600 {
		files[fmt.Sprintf("many/file-%03d", i)] = imagetest.File{Data: fmt.Sprintf("MANY-%03d\n", i)}
	}
	tree := imagetest.MappedTree(t, files)
	img := filepath.Join(t.TempDir(), "xfs.img")
	imagetest.MkfsXFS(t, tree, img, 300)
	deep := "srv" + strings.Repeat("/d", blockuse.MaxDepth+3)
	imagetest.Mount(t, img, func(mnt string) {
		for _, name := range []string{"zz/hard", "aa/hard", "zz/a-hard"} {
			os.MkdirAll(filepath.Join(mnt, filepath.Dir(name)), 0o755)
			if err := os.Link(filepath.Join(mnt, "zz", "original"), filepath.Join(mnt, name)); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(filepath.Join(mnt, deep), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mnt, deep, "bottom"), []byte("DEEP-MARKER\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		frag, err := os.Create(filepath.Join(mnt, "srv", "fragmented"))
		if err != nil {
			t.Fatal(err)
		}
		for i := range int64(300) { // a block every 64 KiB: 300 extents, past the inode's fork
			if _, err := frag.WriteAt([]byte("FRAG-MARKER"), i<<16); err != nil {
				t.Fatal(err)
			}
		}
		frag.Close()
		pre, err := os.Create(filepath.Join(mnt, "srv", "prealloc"))
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Fallocate(int(pre.Fd()), 0, 0, 1<<20); err != nil {
			t.Fatal(err)
		}
		pre.Close()
	})
	f := imagetest.OpenFS(t, img, Open)
	ix, err := f.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	x := ix.(*inodeIndex)
	var offsets []int64
	formats := map[byte]bool{}
	for _, r := range x.ranges {
		offsets = append(offsets, r.lo, r.hi-1)
		in, err := f.readInode(r.ino)
		if err != nil {
			t.Fatal(err)
		}
		formats[in.format] = true
	}
	if len(x.ranges) < 600 || !formats[formatBtree] {
		t.Fatalf("%d ranges indexed, a btree-format inode among them: %t", len(x.ranges), formats[formatBtree])
	}
	imagetest.ExpectIndexAgrees(t, f, append(offsets, imagetest.SpreadOffsets(int64(f.sb.blocks)*f.sb.blockSize, 997)...))

	at := imagetest.Offsets(t, img, map[string][]byte{"linked": []byte("LINKED-MARKER"), "deep": []byte("DEEP-MARKER"),
		"frag": []byte("FRAG-MARKER")})
	var pre int64 = -1
	for _, r := range x.ranges {
		if r.unwritten {
			pre = r.lo
		}
	}
	at["prealloc"] = pre
	looked, err := ix.Uses([]int64{at["linked"], at["deep"], at["frag"], pre})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]blockuse.Use{
		"linked":   {Kind: blockuse.File, Path: "/aa/hard"},
		"deep":     {Kind: blockuse.Metadata}, // below MaxDepth: the walk does not go there
		"frag":     {Kind: blockuse.File, Path: "/srv/fragmented"},
		"prealloc": {Kind: blockuse.Slack, Path: "/srv/prealloc"},
	} {
		if got := looked[at[name]]; got != want {
			t.Errorf("%s at %d: %+v, want %+v", name, at[name], got, want)
		}
	}
}

// With 64 KiB blocks a block holds 128 inodes of 512 bytes, so every other chunk of 64
// starts inside a block: the index reads each at its own place, and answers as the walk.
func TestIndexOfBigBlocks(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs")
	files := map[string]imagetest.File{}
	for i := range 300 {
		files[fmt.Sprintf("d%d/file-%03d", i%3, i)] = imagetest.File{Data: fmt.Sprintf("BIG-BLOCK-%03d\n", i)}
	}
	img := filepath.Join(t.TempDir(), "xfs.img")
	imagetest.MkfsXFS(t, imagetest.MappedTree(t, files), img, 300, "-b", "size=65536")
	f := imagetest.OpenFS(t, img, Open)
	if f.sb.inoPBLog <= 6 {
		t.Fatalf("%d inodes a block: no chunk starts inside one", 1<<f.sb.inoPBLog)
	}
	ix, err := f.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	x := ix.(*inodeIndex)
	var offsets []int64
	for _, r := range x.ranges {
		offsets = append(offsets, r.lo, r.hi-1)
	}
	if len(x.ranges) < 300 {
		t.Fatalf("%d ranges indexed, want the 300 files'", len(x.ranges))
	}
	imagetest.ExpectIndexAgrees(t, f, offsets)
	// a chunk in the second half of a block read alone, as it is after a free chunk
	var ag, start uint64
	for _, e := range x.inUse {
		ino := e >> 1
		if agino := ino & (1<<(f.sb.agBlkLog+f.sb.inoPBLog) - 1); agino&(1<<f.sb.inoPBLog-1) >= inodesPerChunk {
			ag, start = ino>>(f.sb.agBlkLog+f.sb.inoPBLog), agino&^(inodesPerChunk-1)
			break
		}
	}
	if start == 0 {
		t.Fatal("no inode in use in the second half of a block")
	}
	alone := &inodeIndex{fs: f, buf: make([]byte, chunkReadBytes)}
	if err := alone.inodeChunks(ag, []inobtRec{{start: uint32(start)}}); err != nil {
		t.Fatalf("the chunk at agino %d of group %d read alone: %v", start, ag, err)
	}
	first := ag<<(f.sb.agBlkLog+f.sb.inoPBLog) | start
	if len(alone.inUse) != inodesPerChunk || alone.inUse[0]>>1 != first {
		t.Fatalf("the chunk at inode %d read alone holds %d inodes", first, len(alone.inUse))
	}
}
