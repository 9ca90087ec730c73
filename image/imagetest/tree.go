package imagetest

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Keeps says what a filesystem keeps of a host tree, for CompareTree.
type Keeps struct {
	// Modes: file types, permission bits and symlinks (not FAT, which has none).
	Modes bool
	// RootExtras are names mkfs adds at the root (ext4's lost+found).
	RootExtras []string
}

// CompareTree checks that fsys holds exactly the host tree: the same names in every
// directory, the same bytes, and what keeps says the filesystem records of modes and
// symlinks.
func CompareTree(t testing.TB, tree string, fsys fs.FS, keeps Keeps) {
	t.Helper()
	stat := fs.Stat
	if keeps.Modes {
		stat = fs.Lstat
	}
	err := filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(tree, p)
		name := filepath.ToSlash(rel)
		hostInfo, err := os.Lstat(p)
		if err != nil {
			return err
		}
		info, err := stat(fsys, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return nil
		}
		switch {
		case info.IsDir() != d.IsDir():
			t.Errorf("%s: dir %t, want %t", name, info.IsDir(), d.IsDir())
		case keeps.Modes && name != "." && info.Mode() != hostInfo.Mode():
			// the root's mode is mkfs's, not the tree's
			t.Errorf("%s: mode %v, want %v", name, info.Mode(), hostInfo.Mode())
		}
		switch {
		case keeps.Modes && d.Type()&fs.ModeSymlink != 0:
			want, _ := os.Readlink(p)
			if got, err := fs.ReadLink(fsys, name); err != nil || got != want {
				t.Errorf("%s: link %q, %v; want %q", name, got, err, want)
			}
		case d.IsDir():
			want, _ := os.ReadDir(p)
			got, err := fs.ReadDir(fsys, name)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return nil
			}
			var extras []string
			if name == "." {
				extras = keeps.RootExtras
			}
			if g, w := entryNames(got, extras), entryNames(want, nil); g != w {
				t.Errorf("%s: entries\n%.300s\nwant\n%.300s", name, g, w)
			}
		default:
			want, _ := os.ReadFile(p)
			got, err := fs.ReadFile(fsys, name)
			if err != nil || !bytes.Equal(got, want) || info.Size() != int64(len(want)) {
				t.Errorf("%s: %d bytes (size %d), %v; want %d bytes, equal %t", name, len(got), info.Size(), err, len(want), bytes.Equal(got, want))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// entryNames lists a directory's names, less the ones skip names.
func entryNames(entries []fs.DirEntry, skip []string) string {
	var out []string
	for _, e := range entries {
		if !slices.Contains(skip, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return strings.Join(out, " ")
}

// OpenFS opens the filesystem image img with a reader's Open; the file closes with the test.
func OpenFS[F any](t testing.TB, img string, open func(io.ReaderAt, int64) (F, error)) F {
	t.Helper()
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := open(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// Sub is fs.Sub, failing the test on error.
func Sub(t testing.TB, fsys fs.FS, dir string) fs.FS {
	t.Helper()
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
