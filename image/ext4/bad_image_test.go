package ext4_test

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

func TestRefusesWhatItCannotRead(t *testing.T) {
	imagetest.Need(t, "debugfs", "tune2fs")
	tree := testTree(t)
	cases := []struct{ name, cmd, want string }{
		{"journal needs recovery", "debugfs -w -R 'feature needs_recovery' IMG", "journal needs recovery"},
		{"encryption", "tune2fs -O encrypt IMG", "encrypted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := buildImage(t, tree)
			imagetest.Run(t, "sh", "-c", strings.ReplaceAll(tc.cmd, "IMG", img)+" >/dev/null 2>&1")
			f, err := os.Open(img)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fi, _ := f.Stat()
			_, err = ext4.Open(f, fi.Size())
			if !errors.Is(err, ext4.ErrUnsupported) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want ErrUnsupported naming %q", err, tc.want)
			}
		})
	}
}

func TestDirectoryLoopIsAnError(t *testing.T) {
	imagetest.Need(t, "debugfs")
	img := buildImage(t, testTree(t))
	// a hard link from deep inside to an ancestor: a naive walk would never end
	imagetest.Run(t, "debugfs", "-w", "-R", "ln /data/deep /data/deep/a/b/back", img)
	fsys := openImage(t, img)
	var walkErr error
	n := 0
	_ = fs.WalkDir(fsys, "data/deep", func(p string, d fs.DirEntry, err error) error {
		if n++; n > 1000 {
			t.Fatal("the walk does not end")
		}
		if err != nil {
			walkErr = err
		}
		return nil
	})
	if walkErr == nil || !strings.Contains(walkErr.Error(), "directory loop") {
		t.Fatalf("walk error = %v, want a directory loop", walkErr)
	}
}

func TestTruncatedImage(t *testing.T) {
	img := buildImage(t, testTree(t))
	short := filepath.Join(t.TempDir(), "short.img")
	imagetest.Truncate(t, img, short, 8<<20)
	f, err := os.Open(short)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = ext4.Open(f, 8<<20)
	if !errors.Is(err, ext4.ErrCorrupt) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("Open of a truncated image = %v, want a truncation error", err)
	}
}

// TestCorruptionNeverPanics flips bytes in the metadata and reads everything: errors are
// expected, panics and hangs are not.
func TestCorruptionNeverPanics(t *testing.T) {
	img := buildImage(t, testTree(t))
	orig, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewSource(7))
	for i := 0; i < 60; i++ {
		b := bytes.Clone(orig)
		for j := 0; j < 200; j++ {
			b[1024+rnd.Intn(2<<20)] = byte(rnd.Intn(256)) // superblock, descriptors, inode tables, directories
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("iteration %d: panic: %v\n%s", i, p, debug.Stack())
				}
			}()
			fsys, err := ext4.Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				return
			}
			_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					_, _ = fs.ReadFile(fsys, p)
				}
				return nil
			})
		}()
	}
}
