package xfs_test

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/xfs"
)

// variants are the xfs layouts real images have, the traps of other readers included:
// nrext64 (a reader ignoring it reads files as zeros), 4k sectors, 1k blocks, big inodes,
// multi-block directory blocks.
var variants = []struct {
	name string
	args []string
}{
	{"defaults", nil},
	{"4k sectors", []string{"-s", "size=4096"}},
	{"nrext64", []string{"-i", "nrext64=1"}},
	{"nrext64, 4k sectors", []string{"-i", "nrext64=1", "-s", "size=4096"}},
	{"1k blocks", []string{"-b", "size=1024"}},
	{"1k inodes, 8k directory blocks", []string{"-i", "size=1024", "-n", "size=8192"}},
	{"no bigtime, no ftype-less", []string{"-m", "bigtime=0"}},
}

// testTree covers what trips readers: short-form, block, leaf and node directories, tiny
// and big files, a file of hundreds of extents (a block map btree), symlinks in the
// inode and in remote blocks, absolute and relative.
func testTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]imagetest.File{
		"data/etc/shadow":       {Data: "root:*:19000:0:99999:7:::\n", Mode: 0o640},
		"data/etc/hostname":     {Data: "x"},
		"data/empty":            {Data: ""},
		"data/emptydir":         {Dir: true},
		"data/unicode-ü-✓":      {Data: "unicode\n"},
		"data/deep/a/b/c/d/e/f": {Data: "deep\n"},
		"data/setuid":           {Data: "#!/bin/sh\n", Mode: 0o4755},
		"data/link-abs":         {Link: "/data/etc/shadow"},
		"data/link-rel":         {Link: "etc/hostname"},
		"data/link-dir":         {Link: "deep/a"},
		"data/link-remote":      {Link: strings.Repeat("./", 300) + "etc/shadow"},
		"links/dangling":        {Link: "/nowhere"},
		"links/loop1":           {Link: "loop2"},
		"links/loop2":           {Link: "loop1"},
	}
	rnd := rand.New(rand.NewSource(1))
	big := make([]byte, 5<<20+123)
	rnd.Read(big)
	files["data/big/random"] = imagetest.File{Data: string(big)}
	for i := 0; i < 40; i++ { // a block directory
		files[fmt.Sprintf("data/some/entry-%02d", i)] = imagetest.File{Data: fmt.Sprint(i)}
	}
	for i := 0; i < 3000; i++ { // leaf and node directories
		files[fmt.Sprintf("data/many/entry-with-a-longer-name-%04d", i)] = imagetest.File{Data: fmt.Sprint(i)}
	}
	imagetest.WriteTree(t, root, files)
	writeSparse(t, filepath.Join(root, "data", "big", "sparse"))
	return root
}

// writeSparse writes 4 KiB every 16 KiB over 4 MiB, then 1 MiB that reads as zeros: on
// xfs, hundreds of extents (a block map btree) and an unwritten (preallocated) extent.
func writeSparse(t *testing.T, p string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for off := 0; off < 4<<20; off += 16 << 10 {
		if _, err := f.WriteAt([]byte(fmt.Sprintf("block at %d", off)+strings.Repeat(".", 4000)), int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Fallocate(int(f.Fd()), 0, 4<<20, 1<<20); err != nil {
		if err := f.Truncate(5 << 20); err != nil {
			t.Fatal(err)
		}
	}
}

// buildImage makes the xfs image of tree with mkfs.xfs -p, then rewrites through a mount
// what mkfs.xfs 6.1 cannot write: a sparse file (it copies files whole, holes included)
// and a symlink in a remote block (it leaves out the block's v5 header).
func buildImage(t *testing.T, tree, img string, args ...string) {
	t.Helper()
	imagetest.MkfsXFS(t, tree, img, 300, args...)
	imagetest.Mount(t, img, func(dir string) {
		writeSparse(t, filepath.Join(dir, "data", "big", "sparse"))
		link := filepath.Join(dir, "data", "link-remote")
		target, _ := os.Readlink(filepath.Join(tree, "data", "link-remote"))
		if err := os.Remove(link); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	})
}

func TestReadsEveryVariant(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs", "xfs_db")
	tree := testTree(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "fs.img")
			buildImage(t, tree, img, v.args...)
			fsys := openImage(t, img)
			if strings.Contains(v.name, "nrext64") {
				out := imagetest.Run(t, "xfs_db", "-r", "-c", "path /data/big/random", "-c", "print v3.nrext64", img)
				if !strings.Contains(strings.Join(fsys.Features(), ","), "nrext64") || !strings.Contains(out, "nrext64 = 1") {
					t.Fatalf("mkfs did not give the files 64-bit extent counters; the test proves nothing: %s", out)
				}
			}
			// the sparse file must be in btree format, or the btree code is untested
			if out := imagetest.Run(t, "xfs_db", "-r", "-c", "path /data/big/sparse", "-c", "print core.format", img); !strings.Contains(out, "btree") {
				t.Fatalf("the sparse file is not in btree format: %s", out)
			}
			imagetest.CompareTree(t, tree, fsys, imagetest.Keeps{Modes: true})
			if err := fstest.TestFS(imagetest.Sub(t, fsys, "data"), "etc/shadow", "big/random", "many/entry-with-a-longer-name-2999", "link-abs"); err != nil {
				t.Error(err)
			}
			if _, err := fs.Stat(fsys, "links/loop1"); err == nil || !strings.Contains(err.Error(), "too many levels") {
				t.Errorf("Stat of a symlink loop = %v, want ELOOP", err)
			}
			if _, err := fs.Stat(fsys, "links/dangling"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Stat of a dangling link = %v", err)
			}
		})
	}
}

func openImage(t *testing.T, img string) *xfs.FS { return imagetest.OpenFS(t, img, xfs.Open) }
