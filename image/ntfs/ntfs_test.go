package ntfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/ntfs"
)

// variants are the geometries mkntfs makes: 4 KiB clusters (Windows' default), 512-byte
// clusters (index blocks of 8 clusters), 64 KiB clusters (index blocks addressed in
// 512-byte units) and 4 KiB sectors (4 KiB MFT records).
var variants = []struct {
	name string
	args []string
}{
	{"defaults", nil},
	{"512-byte clusters", []string{"-c", "512"}},
	{"64k clusters", []string{"-c", "65536"}},
	{"4k sectors", []string{"-s", "4096"}},
}

// testTree is what trips readers: a resident tiny file, an empty file and directory,
// unicode names, a deep path, a directory of 2000 entries (an index of several INDX
// blocks), hard links with long names (an $ATTRIBUTE_LIST), symlinks (Interix, as
// ntfs-3g writes them) and a sparse file.
func testTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]imagetest.File{
		"Windows/System32/drivers/etc/hosts": {Data: "127.0.0.1 localhost\r\n"},
		"tiny.txt":                           {Data: "x"},
		"empty":                              {Data: ""},
		"emptydir":                           {Dir: true},
		"données/ünïcødé-✓ 日本語.txt":          {Data: "unicode\n"},
		"Program Files/A Long Name With Spaces.config": {Data: "<config/>\n"},
		"deep/a/b/c/d/e/f/g/h":                         {Data: "deep\n"},
		"links/rel":                                    {Link: "../tiny.txt"},
		"links/dir":                                    {Link: "../deep/a"},
		"links/dangling":                               {Link: "nowhere"},
	}
	for i := range 2000 {
		files[fmt.Sprintf("many/entry-with-a-longer-name-%04d.txt", i)] = imagetest.File{Data: fmt.Sprint(i)}
	}
	imagetest.WriteTree(t, root, files)
	long := strings.Repeat("a-hard-link-with-a-long-name-", 4)
	for i := range 24 {
		if err := os.Link(filepath.Join(root, "tiny.txt"), filepath.Join(root, "links", fmt.Sprintf("%s%02d", long, i))); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(root, "sparse.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{1 << 20, 6 << 20} {
		if _, err := f.WriteAt([]byte("data after a hole"), off); err != nil {
			t.Fatal(err)
		}
	}
	f.Truncate(8 << 20)
	f.Close()
	return root
}

// fillFragmented writes big.bin, on a volume whose free space is holes
// between other files: the file (and the MFT, grown meanwhile) gets many runs.
func fillFragmented(t *testing.T, dir string, big []byte) {
	t.Helper()
	fill := filepath.Join(dir, "fill")
	os.Mkdir(fill, 0o755)
	chunk := make([]byte, 64<<10)
	var n int
	for ; ; n++ {
		if err := os.WriteFile(filepath.Join(fill, fmt.Sprint(n)), chunk, 0o644); err != nil {
			t.Logf("volume full after %d files: %v", n, err)
			break
		}
	}
	for i := 0; i < n; i += 2 {
		os.Remove(filepath.Join(fill, fmt.Sprint(i)))
	}
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o644); err != nil { // replaces cp's copy
		t.Fatal(err)
	}
	os.RemoveAll(fill)
}

func TestReadsWhatNTFS3GWrote(t *testing.T) {
	tree := testTree(t)
	big := make([]byte, 14<<20+4321) // more than the MFT zone, kept free until the end
	rand.New(rand.NewSource(1)).Read(big)
	if err := os.WriteFile(filepath.Join(tree, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "ntfs.img")
			imagetest.MkNTFS(t, img, 48, v.args...)
			imagetest.MountNTFS(t, img, func(dir string) {
				imagetest.Run(t, "cp", "-a", "--no-preserve=ownership,mode", tree+"/.", dir+"/")
				os.Remove(filepath.Join(dir, "big.bin"))
				fillFragmented(t, dir, big)
			})
			fsys := imagetest.OpenFS(t, img, ntfs.Open)
			imagetest.CompareTree(t, tree, fsys, imagetest.Keeps{Modes: true})
			checkLinks(t, fsys)
			got, err := fs.ReadFile(fsys, "big.bin")
			if err != nil || !bytes.Equal(got, big) {
				t.Errorf("big.bin: %d bytes, %v; want the %d bytes written", len(got), err, len(big))
			}
			runs, _, _, _, err := ntfs.DataRuns(fsys, "big.bin")
			// ntfs-3g's allocator decides how many holes the file takes (7 to 200+ seen):
			// any run list of several runs exercises the multi-run reads.
			if err != nil || runs < 3 {
				t.Errorf("big.bin has %d runs (%v): the test meant a fragmented file", runs, err)
			}
			t.Logf("big.bin in %d runs", runs)
			if _, sparse, _, _, err := ntfs.DataRuns(fsys, "sparse.bin"); err != nil || sparse == 0 {
				t.Errorf("sparse.bin has %d sparse runs (%v): cp meant a sparse file", sparse, err)
			}
			if _, _, _, list, err := ntfs.DataRuns(fsys, "tiny.txt"); err != nil || !list {
				t.Errorf("tiny.txt has no $ATTRIBUTE_LIST (%v): 25 long names meant one", err)
			}
			if blocks, err := ntfs.IndexBlocks(fsys, "many"); err != nil || blocks < 3 {
				t.Errorf("many/ has %d index blocks (%v), want several", blocks, err)
			}
			t.Logf("MFT in %d runs", ntfs.MFTRuns(fsys))
			entries, err := fs.ReadDir(fsys, ".")
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), "$") {
					t.Errorf("metafile %s is listed", e.Name())
				}
			}
		})
	}
}

// checkLinks: symlinks are symlinks with their target; relative ones are followed.
func checkLinks(t *testing.T, fsys fs.FS) {
	t.Helper()
	for name, want := range map[string]string{"links/rel": "../tiny.txt", "links/dir": "../deep/a", "links/dangling": "nowhere"} {
		info, err := fs.Lstat(fsys, name)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s: %v, %v; want a symlink", name, info, err)
			continue
		}
		if got, err := fs.ReadLink(fsys, name); err != nil || got != want {
			t.Errorf("%s -> %q, %v; want %q", name, got, err, want)
		}
	}
	if b, err := fs.ReadFile(fsys, "links/rel"); err != nil || string(b) != "x" {
		t.Errorf("links/rel reads %q, %v", b, err)
	}
	if _, err := fs.ReadDir(fsys, "links/dir/b/c"); err != nil {
		t.Errorf("through links/dir: %v", err)
	}
	if _, err := fs.Stat(fsys, "links/dangling"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("links/dangling: %v, want not exist", err)
	}
	if _, err := fs.Stat(fsys, "tiny.txt/x"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("tiny.txt/x: %v, want ENOTDIR", err)
	}
	if _, err := fs.Stat(fsys, "TINY.TXT"); err != nil {
		t.Errorf("names are case-insensitive to Windows: %v", err)
	}
	// A directory reached under two spellings is one directory in one place, not one
	// linked from several places.
	for _, spelled := range []string{"links/dir/b", "LINKS/dir/B", "Links/Dir/b/c"} {
		if _, err := fs.ReadDir(fsys, spelled); err != nil {
			t.Errorf("%s: %v", spelled, err)
		}
	}
}
