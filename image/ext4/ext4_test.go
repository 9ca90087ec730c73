package ext4_test

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// variants are the ext2/3/4 layouts real images have.
var variants = []struct {
	name string
	args []string
	mib  int // image size; 0 means 64 MiB
}{
	{"ext4 4k blocks", nil, 0},
	{"ext4 1k blocks", []string{"-b", "1024"}, 0},
	{"ext3", []string{"-t", "ext3"}, 0},
	{"ext2 1k blocks", []string{"-t", "ext2", "-b", "1024"}, 0},
	{"ext4 inline_data", []string{"-O", "inline_data"}, 0},
	{"ext4 meta_bg", []string{"-O", "meta_bg,^resize_inode"}, 0},
	{"ext4 32-bit, 128-byte inodes", []string{"-O", "^64bit,^metadata_csum", "-I", "128"}, 0},
	{"ext4 64k blocks", []string{"-b", "65536"}, 512}, // 3000 small files need 3000 64k blocks
}

// testTree covers what trips readers: tiny files (inline), a file spanning double
// indirect blocks, a sparse file with hundreds of extents, a directory big enough for an
// htree, symlinks fast and slow, absolute and relative.
func testTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]imagetest.File{
		"data/etc/shadow":         {Data: "root:*:19000:0:99999:7:::\n", Mode: 0o640},
		"data/etc/hostname":       {Data: "x"},
		"data/empty":              {Data: ""},
		"data/emptydir":           {Dir: true},
		"data/name with spaces ü": {Data: "unicode\n"},
		"data/deep/a/b/c/d/e/f":   {Data: "deep\n"},
		"data/link-abs":           {Link: "/data/etc/shadow"},
		"data/link-rel":           {Link: "etc/hostname"},
		"data/link-dir":           {Link: "deep/a"},
		"data/link-long":          {Link: "deep/a/b/c/../../../../" + strings.Repeat("./", 35) + "etc/shadow"},
		"data/big/file59":         {Data: strings.Repeat("y", 59)},
		"data/big/file61":         {Data: strings.Repeat("z", 61)},
		"links/dangling":          {Link: "/nowhere"},
		"links/loop1":             {Link: "loop2"},
		"links/loop2":             {Link: "loop1"},
	}
	rnd := rand.New(rand.NewSource(1))
	big := make([]byte, 5<<20+123)
	rnd.Read(big)
	files["data/big/random"] = imagetest.File{Data: string(big)}
	// zero blocks become holes (mkfs.ext4 -d skips them): hundreds of extents
	sparse := make([]byte, 2<<20)
	for off := 0; off < len(sparse); off += 8192 {
		copy(sparse[off:], fmt.Sprintf("block at %d", off))
	}
	sparse[len(sparse)-1] = 1 // no trailing hole: mkfs.ext4 -O inline_data -d drops its size
	files["data/big/sparse"] = imagetest.File{Data: string(sparse)}
	for i := 0; i < 3000; i++ {
		files[fmt.Sprintf("data/many/entry-%04d", i)] = imagetest.File{Data: fmt.Sprint(i)}
	}
	imagetest.WriteTree(t, root, files)
	return root
}

func TestReadsEveryVariant(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "e2fsck")
	tree := testTree(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "fs.img")
			mib := v.mib
			if mib == 0 {
				mib = 64
			}
			imagetest.Mkfs(t, tree, img, mib, v.args...)
			// e2fsck -D turns the big directory into an htree, as a long-lived system has
			imagetest.Run(t, "sh", "-c", "e2fsck -fyD "+img+" >/dev/null 2>&1; [ $? -le 1 ]")
			fsys := openImage(t, img)
			imagetest.CompareTree(t, tree, fsys, imagetest.Keeps{Modes: true, RootExtras: []string{"lost+found"}})
			if err := fstest.TestFS(imagetest.Sub(t, fsys, "data"), "etc/shadow", "big/random", "many/entry-2999", "link-abs"); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestInlineDataSmallFilesAreListed(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "debugfs")
	tree := t.TempDir()
	imagetest.WriteTree(t, tree, map[string]imagetest.File{
		"etc/shadow": {Data: "root:$6$x$y:19000::::::\n"},
		"etc/passwd": {Data: "root:x:0:0::/root:/bin/sh\n"},
	})
	img := filepath.Join(t.TempDir(), "fs.img")
	imagetest.Mkfs(t, tree, img, 16, "-O", "inline_data")
	if out := imagetest.Run(t, "debugfs", "-R", "stat /etc/shadow", img); !strings.Contains(out, "Size of inline data") {
		t.Fatalf("mkfs did not store /etc/shadow inline; the test proves nothing:\n%s", out)
	}
	fsys := openImage(t, img)
	entries, err := fs.ReadDir(fsys, "etc")
	if err != nil || len(entries) != 2 || entries[1].Name() != "shadow" {
		t.Fatalf("ReadDir(etc) = %v, %v; want passwd and shadow", entries, err)
	}
	b, err := fs.ReadFile(fsys, "etc/shadow")
	if err != nil || string(b) != "root:$6$x$y:19000::::::\n" {
		t.Fatalf("ReadFile(etc/shadow) = %q, %v", b, err)
	}
}

func TestSymlinksStaySymlinks(t *testing.T) {
	fsys := openImage(t, buildImage(t, testTree(t)))
	fi, err := fs.Lstat(fsys, "data/link-abs")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat(link-abs) = %v, %v; want a symlink", fi, err)
	}
	if target, err := fs.ReadLink(fsys, "data/link-abs"); err != nil || target != "/data/etc/shadow" {
		t.Fatalf("ReadLink = %q, %v; the absolute target must stay as stored", target, err)
	}
	// an absolute target means the image's root, never the host's
	if b, err := fs.ReadFile(fsys, "data/link-abs"); err != nil || !strings.HasPrefix(string(b), "root:*") {
		t.Fatalf("reading through link-abs = %q, %v", b, err)
	}
	if _, err := fs.ReadFile(fsys, "data/link-dir/b/c/d/e/f"); err != nil {
		t.Fatalf("a symlinked directory in the middle of a path: %v", err)
	}
	if _, err := fs.Stat(fsys, "links/loop1"); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Fatalf("Stat of a symlink loop = %v, want ELOOP", err)
	}
	if _, err := fs.Stat(fsys, "links/dangling"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat of a dangling link = %v, want not exist", err)
	}
}

func buildImage(t *testing.T, tree string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "fs.img")
	imagetest.Mkfs(t, tree, img, 64)
	return img
}

func openImage(t *testing.T, img string) *ext4.FS { return imagetest.OpenFS(t, img, ext4.Open) }
