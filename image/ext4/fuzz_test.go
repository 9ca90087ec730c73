package ext4_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
)

// FuzzOpen reads whatever a hostile image holds, and maps offsets to owners: errors are fine, panics and hangs are
// not. The seed is a 128 KiB ext2 made by mkfs (when it is installed).
func FuzzOpen(f *testing.F) {
	if _, err := exec.LookPath("mkfs.ext4"); err == nil {
		dir := f.TempDir()
		tree, img := filepath.Join(dir, "t"), filepath.Join(dir, "fs.img")
		os.MkdirAll(filepath.Join(tree, "etc"), 0o755)
		os.WriteFile(filepath.Join(tree, "etc", "shadow"), []byte("root:*:1::::::\n"), 0o640)
		os.Symlink("/etc/shadow", filepath.Join(tree, "link"))
		out, err := exec.Command("mkfs.ext4", "-q", "-F", "-b", "1024", "-N", "16", "-O", "^has_journal,^resize_inode",
			"-d", tree, img, "128K").CombinedOutput()
		if err != nil {
			f.Fatalf("mkfs: %v\n%s", err, out)
		}
		seed, _ := os.ReadFile(img)
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys, err := ext4.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				_, _ = fs.ReadLink(fsys, p)
				_, _ = fs.Stat(fsys, p)
			case d.Type().IsRegular():
				// as the checks read: at most a few MiB of any file
				if f, err := fsys.Open(p); err == nil {
					_, _ = io.Copy(io.Discard, io.LimitReader(f, 4<<20))
					f.Close()
				}
			}
			return nil
		})
		// the deep scan's owner mapping: by a walk, and from the inode-table index
		offsets := []int64{0, int64(len(b) / 2), int64(len(b)) - 1}
		_, _ = fsys.Uses(offsets)
		if x, err := fsys.Index(context.Background()); err == nil {
			_, _ = x.Uses(offsets)
		}
	})
}
