package vmdk_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/vmdk"
)

// FuzzOpen reads whatever a hostile VMDK holds: errors are fine, panics, hangs and huge
// allocations are not. Seeds: small qemu-img outputs of both subformats (when installed).
func FuzzOpen(f *testing.F) {
	if _, err := exec.LookPath("qemu-img"); err == nil {
		dir := f.TempDir()
		raw := filepath.Join(dir, "raw")
		os.WriteFile(raw, append(bytes.Repeat([]byte("data"), 40000), make([]byte, 100000)...), 0o644)
		for _, sub := range []string{"monolithicSparse", "streamOptimized"} {
			out := filepath.Join(dir, sub)
			if b, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat="+sub, raw, out).CombinedOutput(); err != nil {
				f.Fatalf("qemu-img: %v\n%s", err, b)
			}
			seed, _ := os.ReadFile(out)
			f.Add(seed)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := vmdk.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, io.NewSectionReader(d, 0, min(d.Size(), 64<<20)))
	})
}
