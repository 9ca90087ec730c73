package fat_test

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/fat"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// FuzzOpen reads whatever a hostile image holds: errors are fine, panics and hangs are
// not. The seed is a small FAT12 made by mkfs.vfat and mcopy (when they are installed).
func FuzzOpen(f *testing.F) {
	_, mkfs := exec.LookPath("mkfs.vfat")
	_, mcopy := exec.LookPath("mcopy")
	if mkfs == nil && mcopy == nil {
		dir := f.TempDir()
		img := filepath.Join(dir, "fat.img")
		os.MkdirAll(filepath.Join(dir, "EFI", "BOOT"), 0o755)
		os.WriteFile(filepath.Join(dir, "EFI", "BOOT", "a long grub.cfg"), []byte("set root\n"), 0o644)
		if out, err := exec.Command("mkfs.vfat", "-C", "-F", "12", "-r", "16", img, "64").CombinedOutput(); err != nil {
			f.Fatalf("mkfs: %v\n%s", err, out)
		}
		cmd := exec.Command("mcopy", "-s", "-Q", "-i", img, filepath.Join(dir, "EFI"), "::/")
		cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			f.Fatalf("mcopy: %v\n%s", err, out)
		}
		seed, _ := os.ReadFile(img)
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys, err := fat.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if f, err := fsys.Open(p); err == nil {
					_, _ = io.Copy(io.Discard, io.LimitReader(f, 4<<20))
					f.Close()
				}
			}
			return nil
		})
		_, _ = fsys.Uses(imagetest.SpreadOffsets(int64(len(b)), 64))
	})
}
