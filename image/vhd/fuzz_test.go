package vhd_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/vhd"
)

// FuzzOpen reads whatever a hostile VHD holds: errors are fine, panics, hangs and huge
// allocations are not. The seed is a small dynamic VHD made by qemu-img (when installed).
func FuzzOpen(f *testing.F) {
	if _, err := exec.LookPath("qemu-img"); err == nil {
		dir := f.TempDir()
		raw, out := filepath.Join(dir, "raw"), filepath.Join(dir, "disk.vhd")
		os.WriteFile(raw, append(bytes.Repeat([]byte("data"), 1000), make([]byte, 200000)...), 0o644)
		if b, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "force_size=on", raw, out).CombinedOutput(); err != nil {
			f.Fatalf("qemu-img: %v\n%s", err, b)
		}
		seed, _ := os.ReadFile(out)
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := vhd.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, io.NewSectionReader(d, 0, min(d.Size(), 64<<20)))
	})
}
