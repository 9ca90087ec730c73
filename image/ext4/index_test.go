package ext4

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// The inode-table index names every inode it holds as the walk in name order does, on
// each layout: the names found from one read of the directory blocks
// (pathsFromEntries) are those of the walk (pathsOf), for hard links in one and in
// two directories, an htree directory, directories nested past blockuse.MaxDepth and a
// file at their bottom, block-mapped files with pointer blocks and slow symlinks; and
// looking offsets up answers as Uses does. Inline-data directories, which are not in
// blocks, are left to the walk.
func TestIndexNamesInodesAsTheWalk(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "debugfs")
	for _, v := range []struct {
		name          string
		args          []string
		fast, extents bool
	}{
		{"ext4 4k blocks", []string{"-b", "4096"}, true, true},
		{"ext4 1k blocks", []string{"-b", "1024"}, true, true},
		{"ext3", []string{"-t", "ext3"}, true, false},
		{"ext2 1k blocks", []string{"-t", "ext2", "-b", "1024"}, true, false},
		{"ext4 inline_data", []string{"-O", "inline_data"}, false, true},
	} {
		t.Run(v.name, func(t *testing.T) {
			files := map[string]imagetest.File{
				"etc/ssh/ssh_host_ed25519_key": {Data: "HOST-KEY-MARKER\n"},
				"srv/big":                      {Data: "BIG-MARKER" + strings.Repeat("b", 3<<20)},
				"srv/link":                     {Link: strings.Repeat("long/", 20) + "target"},
				"zz/original":                  {Data: "LINKED-MARKER\n"},
			}
			for i := range 600 {
				files[fmt.Sprintf("many/file-%03d", i)] = imagetest.File{Data: fmt.Sprintf("MANY-%03d\n", i)}
			}
			tree := imagetest.MappedTree(t, files)
			for _, name := range []string{"zz/hard", "aa/hard", "zz/a-hard"} {
				p := filepath.Join(tree, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Link(filepath.Join(tree, "zz", "original"), p); err != nil {
					t.Fatal(err)
				}
			}
			img := filepath.Join(t.TempDir(), "fs.img")
			imagetest.Mkfs(t, tree, img, 64, v.args...)
			deep := filepath.Join(t.TempDir(), "deep")
			if err := os.WriteFile(deep, []byte("DEEP-MARKER\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			imagetest.Debugfs(t, img, append(imagetest.DeepChainCommands("srv", blockuse.MaxDepth+3), "write "+deep+" bottom"))
			var unwritten int64 // a block of an unwritten (preallocated) extent
			if v.extents {
				pre := filepath.Join(t.TempDir(), "pre")
				if err := os.WriteFile(pre, []byte(strings.Repeat("p", 10<<10)), 0o644); err != nil {
					t.Fatal(err)
				}
				imagetest.Debugfs(t, img, []string{"write " + pre + " /prealloc", "fallocate /prealloc 4 20"})
				out := strings.Split(strings.TrimSpace(imagetest.Run(t, "debugfs", "-R", "bmap /prealloc 15", img)), "\n")
				blk, err := strconv.ParseInt(strings.TrimSuffix(out[len(out)-1], " (uninit)"), 10, 64) // "8620 (uninit)"
				if err != nil || blk == 0 || !strings.HasSuffix(out[len(out)-1], " (uninit)") {
					t.Fatalf("debugfs bmap: %q, %v", out, err)
				}
				unwritten = blk // a block number until the block size is known
			}

			fsys := imagetest.OpenFS(t, img, Open)
			size := int64(fsys.sb.blocksCount) * fsys.sb.blockSize
			unwritten = unwritten*fsys.BlockSize() + 10
			ix, err := fsys.Index(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			x := ix.(*inodeIndex)
			all := map[uint32]string{}
			for _, r := range x.ranges {
				if r.ino != x.journal {
					all[r.ino] = ""
				}
			}
			walked, fast := maps.Clone(all), maps.Clone(all)
			if err := x.pathsOf(walked); err != nil {
				t.Fatal(err)
			}
			ok, err := x.pathsFromEntries(fast)
			if err != nil || ok != v.fast {
				t.Fatalf("pathsFromEntries: answered %t (%v), want %t", ok, err, v.fast)
			}
			named := map[string]bool{}
			for ino, p := range walked {
				named[p] = true
				if ok && fast[ino] != p {
					t.Errorf("inode %d: walked %q, from the entries %q", ino, p, fast[ino])
				}
			}
			deepest := "/srv" + strings.Repeat("/d", blockuse.MaxDepth-1)
			expect := map[string]bool{"/srv/big": true}
			if v.fast { // on inline_data, the small files and directories have no blocks
				expect = map[string]bool{
					"/etc/ssh/ssh_host_ed25519_key": true, "/srv/big": true, "/srv/link": true,
					"/many/file-599": true, "/aa/hard": true, deepest: true,
					"/zz/original": false, "/zz/hard": false, deepest + "/d": false,
				}
				if len(all) < 650 || !named[""] {
					t.Errorf("%d inodes indexed; an unnamed one among them: %t; want more than 650 and one", len(all), named[""])
				}
			}
			for p, want := range expect {
				if named[p] != want {
					t.Errorf("%s named: %t, want %t", p, named[p], want)
				}
			}
			at := imagetest.Offsets(t, img, map[string][]byte{"key": []byte("HOST-KEY-MARKER"), "big": []byte("BIG-MARKER"),
				"linked": []byte("LINKED-MARKER"), "many": []byte("MANY-599"), "deep": []byte("DEEP-MARKER")})
			offsets := imagetest.SpreadOffsets(size, 997)
			for _, off := range at {
				offsets = append(offsets, off, off+3<<20-1)
			}
			if v.extents {
				offsets = append(offsets, unwritten)
				if u, err := ix.Uses([]int64{unwritten}); err != nil || u[unwritten] != (Use{Kind: UseSlack, Path: "/prealloc"}) {
					t.Errorf("an unwritten extent: %+v, %v; want the slack of /prealloc", u, err)
				}
			}
			imagetest.ExpectIndexAgrees(t, fsys, offsets)
		})
	}
}

// A superblock counting fewer inodes than its first groups hold (hostile: only the
// counts' upper bound is checked at Open) builds an index of those it counts, or fails;
// it never reads past them.
func TestIndexOfASuperblockCountingFewerInodes(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4")
	files := map[string]imagetest.File{}
	for i := range 2500 { // more than a group's 2048 inodes: some in group 1
		files[fmt.Sprintf("many/%d", i)] = imagetest.File{Data: "x"}
	}
	img := filepath.Join(t.TempDir(), "fs.img")
	imagetest.Mkfs(t, imagetest.MappedTree(t, files), img, 64, "-b", "1024", "-N", "16384")
	fsys := imagetest.OpenFS(t, img, Open)
	if fsys.sb.groupCount < 3 || fsys.sb.inodesPerGroup < 16 {
		t.Fatalf("%d groups of %d inodes; the test needs three of 16", fsys.sb.groupCount, fsys.sb.inodesPerGroup)
	}
	fsys.sb.inodesCount = 16 // the root and lost+found; the files in use in group 1 are past it
	ix, err := fsys.Index(context.Background())
	if err == nil {
		_, err = ix.Uses([]int64{0, int64(fsys.sb.blocksCount) * fsys.sb.blockSize / 2})
	}
	t.Logf("index of a short inode count: %v", err)
}
