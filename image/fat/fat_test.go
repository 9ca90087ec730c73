package fat_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/goldenimage/packer-plugin-sanitize/image/fat"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// variants are the FAT layouts EFI System Partitions and boot media have.
var variants = []struct {
	name, kind string
	mib        int
	args       []string
}{
	{"FAT12", "FAT12", 8, []string{"-F", "12"}},
	{"FAT16", "FAT16", 64, []string{"-F", "16"}},
	{"FAT16 4k sectors", "FAT16", 128, []string{"-F", "16", "-S", "4096"}},
	{"FAT32 512-byte clusters", "FAT32", 64, []string{"-F", "32", "-s", "1"}},
	{"FAT32 4k sectors", "FAT32", 300, []string{"-F", "32", "-S", "4096"}},
}

// testTree has what trips FAT readers: long and Unicode names, lower-case short names,
// a directory spanning several clusters, a file spanning many, empty files and dirs.
func testTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	rnd := rand.New(rand.NewSource(1))
	big := make([]byte, 3<<20+77)
	rnd.Read(big)
	files := map[string]imagetest.File{
		"EFI/BOOT/BOOTX64.EFI":                {Data: "MZ fake loader"},
		"EFI/debian/grub.cfg":                 {Data: "search.fs_uuid 1234 root\n"},
		"EFI/debian/shimx64.efi":              {Data: string(big)},
		"Long Name With Ünïcode ✓.txt":        {Data: "unicode\n"},
		"a name that is exactly 26.x":         {Data: "26\n"},
		"MixedCase.Conf":                      {Data: "mixed\n"},
		"empty":                               {Data: ""},
		"emptydir":                            {Dir: true},
		"deep/a/b/c/d/e/f/g/h":                {Data: "deep\n"},
		"keys/id_ed25519":                     {Data: "-----BEGIN OPENSSH PRIVATE KEY-----\n"},
		"thirteen-char":                       {Data: "13"},
		"twenty-six-characters-long":          {Data: "26"},
		strings.Repeat("very-long-name-", 16): {Data: "240 characters"},
	}
	for i := 0; i < 200; i++ { // 200 long names need 600 entries: several clusters
		files[fmt.Sprintf("many/a rather long file name %04d.txt", i)] = imagetest.File{Data: fmt.Sprint(i)}
	}
	imagetest.WriteTree(t, root, files)
	return root
}

func TestReadsEveryVariant(t *testing.T) {
	tree := testTree(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "fat.img")
			imagetest.Vfat(t, tree, img, v.mib, v.args...)
			fsys := openImage(t, img)
			if fsys.Kind() != v.kind {
				t.Errorf("kind %s, want %s", fsys.Kind(), v.kind)
			}
			imagetest.CompareTree(t, tree, fsys, imagetest.Keeps{})
			if err := fstest.TestFS(fsys, "EFI/debian/grub.cfg", "EFI/debian/shimx64.efi", "many/a rather long file name 0199.txt"); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestNamesAreCaseInsensitive(t *testing.T) {
	tree := testTree(t)
	img := filepath.Join(t.TempDir(), "fat.img")
	imagetest.Vfat(t, tree, img, 8, "-F", "12")
	fsys := openImage(t, img)
	for _, name := range []string{"efi/boot/bootx64.efi", "EFI/Boot/BootX64.efi", "mixedcase.conf"} {
		if _, err := fs.ReadFile(fsys, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := fs.Stat(fsys, "EFI/nope"); !os.IsNotExist(err) {
		t.Errorf("Stat of a missing file = %v", err)
	}
	if _, err := fs.ReadLink(fsys, "empty"); err == nil {
		t.Errorf("ReadLink of a regular file succeeded")
	}
}

// TestFragmentedFile reads a file whose clusters are not contiguous: it fills the hole a
// deleted file left, then continues after the last file.
func TestFragmentedFile(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, map[string]imagetest.File{
		"a": {Data: strings.Repeat("a", 10000)},
		"b": {Data: strings.Repeat("b", 10000)},
		"c": {Data: strings.Repeat("c", 10000)},
	})
	img := filepath.Join(dir, "fat.img")
	imagetest.Vfat(t, tree, img, 1, "-F", "12", "-s", "1")
	imagetest.Mtools(t, "mdel", img, "::/b")
	rnd := rand.New(rand.NewSource(2))
	frag := make([]byte, 50000)
	rnd.Read(frag)
	src := filepath.Join(dir, "frag")
	if err := os.WriteFile(src, frag, 0o644); err != nil {
		t.Fatal(err)
	}
	imagetest.Mtools(t, "mcopy", img, src, "::/frag")
	fsys := openImage(t, img)
	got, err := fs.ReadFile(fsys, "frag")
	if err != nil || !bytes.Equal(got, frag) {
		t.Fatalf("frag: %d bytes, %v; want the %d bytes written", len(got), err, len(frag))
	}
	// reads at odd offsets and backwards move the chain's cursor both ways
	f, err := fsys.Open("frag")
	if err != nil {
		t.Fatal(err)
	}
	ra := f.(interface {
		ReadAt([]byte, int64) (int, error)
	})
	for _, off := range []int64{40000, 3, 12345, 49990, 0} {
		b := make([]byte, 700)
		n, _ := ra.ReadAt(b, off)
		if !bytes.Equal(b[:n], frag[off:min(off+700, int64(len(frag)))]) {
			t.Errorf("ReadAt(%d) differs", off)
		}
	}
}

func openImage(t *testing.T, img string) *fat.FS { return imagetest.OpenFS(t, img, fat.Open) }
