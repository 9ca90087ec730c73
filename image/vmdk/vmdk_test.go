package vmdk_test

import (
	"bytes"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/vmdk"
)

// rawDisk writes a disk of random data with holes (which qemu-img leaves unallocated)
// and a size that is no multiple of the 64 KiB grain.
func rawDisk(t *testing.T, dir string) string {
	t.Helper()
	rnd := rand.New(rand.NewSource(1))
	b := make([]byte, 9<<20+3*512)
	for off := 0; off < len(b); off += 96 << 10 {
		if rnd.Intn(3) > 0 {
			rnd.Read(b[off:min(len(b), off+(40<<10)+rnd.Intn(100<<10))])
		}
	}
	copy(b[len(b)-700:], "the last bytes of the disk")
	raw := filepath.Join(dir, "disk.raw")
	if err := os.WriteFile(raw, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return raw
}

// convert writes the raw disk as VMDK with qemu-img; args are -o options.
func convert(t *testing.T, raw, out string, opts ...string) string {
	t.Helper()
	imagetest.Need(t, "qemu-img")
	args := []string{"convert", "-f", "raw", "-O", "vmdk"}
	for _, o := range opts {
		args = append(args, "-o", o)
	}
	imagetest.Run(t, "qemu-img", append(args, raw, out)...)
	return out
}

// vmwareLayout rewrites qemu's streamOptimized file the way VMware and VirtualBox lay it
// out: the header at offset 0 says "grain directory at the end", and a footer marker,
// a footer (the header with the real offset) and an end-of-stream marker close the file.
func vmwareLayout(t *testing.T, in, out string) string {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	footer := bytes.Clone(b[:512])
	for i := 56; i < 64; i++ {
		b[i] = 0xFF
	}
	b = append(b, make([]byte, (512-len(b)%512)%512)...)
	marker := make([]byte, 512)
	marker[0], marker[12] = 1, 3 // one sector of metadata, type footer
	b = append(append(append(b, marker...), footer...), make([]byte, 512)...)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func open(t *testing.T, path string) *vmdk.Disk {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, _ := f.Stat()
	d, err := vmdk.Open(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReadsWhatQemuWrites(t *testing.T) {
	dir := t.TempDir()
	raw := rawDisk(t, dir)
	want, _ := os.ReadFile(raw)
	stream := convert(t, raw, filepath.Join(dir, "stream.vmdk"), "subformat=streamOptimized")
	cases := map[string]struct {
		path, kind string
	}{
		"monolithicSparse":                  {convert(t, raw, filepath.Join(dir, "sparse.vmdk")), "monolithicSparse"},
		"streamOptimized (qemu: no footer)": {stream, "streamOptimized"},
		"streamOptimized (VMware: footer)":  {vmwareLayout(t, stream, filepath.Join(dir, "vmware.vmdk")), "streamOptimized"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := open(t, tc.path)
			if d.Kind() != tc.kind || d.Size() != int64(len(want)) {
				t.Fatalf("kind %q size %d, want %q %d", d.Kind(), d.Size(), tc.kind, len(want))
			}
			// odd-sized reads cross grain boundaries and hit the grain cache
			got := make([]byte, len(want))
			for off, step := 0, 1; off < len(got); off, step = off+step, step*3%200003+1 {
				if _, err := d.ReadAt(got[off:min(len(got), off+step)], int64(off)); err != nil {
					t.Fatalf("ReadAt(%d): %v", off, err)
				}
			}
			if !bytes.Equal(got, want) {
				t.Fatal("the virtual disk differs from the raw disk")
			}
		})
	}
}

func TestRefusesWhatNeedsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	raw := rawDisk(t, dir)
	split := convert(t, raw, filepath.Join(dir, "split.vmdk"), "subformat=twoGbMaxExtentSparse")
	flat := convert(t, raw, filepath.Join(dir, "flat.vmdk"), "subformat=monolithicFlat")
	extent := filepath.Join(dir, "split-s001.vmdk")
	for _, p := range []string{split, flat, extent} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		_, err = vmdk.Open(f, fi.Size())
		f.Close()
		if !errors.Is(err, vmdk.ErrUnsupported) && !errors.Is(err, vmdk.ErrCorrupt) {
			t.Errorf("%s: %v, want an unsupported error", filepath.Base(p), err)
		}
		t.Logf("%s: %v", filepath.Base(p), err)
	}
}

// TestZeroedGrains: with zeroed_grain=on a grain table entry of 1 means zeros, not the
// data at sector 1 (the header).
func TestZeroedGrains(t *testing.T) {
	imagetest.Need(t, "qemu-img", "qemu-io")
	img := filepath.Join(t.TempDir(), "zeroed.vmdk")
	imagetest.Run(t, "qemu-img", "create", "-q", "-f", "vmdk", "-o", "zeroed_grain=on", img, "4M")
	imagetest.Run(t, "qemu-io", "-c", "write -P 0x5a 0 64k", "-c", "write -z 64k 128k", "-c", "write -P 0xa5 192k 64k", img)
	got := make([]byte, 256<<10)
	if _, err := open(t, img).ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	want := append(append(bytes.Repeat([]byte{0x5a}, 64<<10), make([]byte, 128<<10)...), bytes.Repeat([]byte{0xa5}, 64<<10)...)
	if !bytes.Equal(got, want) {
		t.Fatal("zeroed grains do not read as zeros")
	}
}
