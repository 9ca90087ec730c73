package vhdx_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FuzzOpen reads whatever a hostile VHDX holds: errors are fine, panics, hangs and huge
// allocations are not. The seed is a small dynamic VHDX made by qemu-img (when installed).
func FuzzOpen(f *testing.F) {
	if _, err := exec.LookPath("qemu-img"); err == nil {
		dir := f.TempDir()
		raw, out := filepath.Join(dir, "raw"), filepath.Join(dir, "disk.vhdx")
		os.WriteFile(raw, append(bytes.Repeat([]byte("data"), 1000), make([]byte, 200000)...), 0o644)
		if b, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M,log_size=1M", raw, out).CombinedOutput(); err != nil {
			f.Fatalf("qemu-img: %v\n%s", err, b)
		}
		seed, _ := os.ReadFile(out)
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := openBytes(b)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, io.NewSectionReader(d, 0, min(d.Size(), 64<<20)))
	})
}
