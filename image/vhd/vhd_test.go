package vhd_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/vhd"
)

// rawDisk is random data with holes, of a size that is no multiple of a 2 MiB block.
func rawDisk(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	rnd := rand.New(rand.NewSource(1))
	b := make([]byte, 11<<20+5*512)
	for off := 0; off < len(b); off += 1 << 20 {
		if rnd.Intn(3) > 0 {
			rnd.Read(b[off:min(len(b), off+(300<<10))])
		}
	}
	copy(b[len(b)-100:], "the end")
	p := filepath.Join(dir, "disk.raw")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, b
}

func open(t *testing.T, p string) (*vhd.Disk, error) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, _ := f.Stat()
	return vhd.Open(f, fi.Size())
}

func TestReadsWhatQemuWrites(t *testing.T) {
	imagetest.Need(t, "qemu-img")
	dir := t.TempDir()
	raw, want := rawDisk(t, dir)
	for _, opts := range []string{"subformat=dynamic", "subformat=dynamic,force_size=on"} {
		t.Run(opts, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "disk.vhd")
			imagetest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", opts, raw, out)
			d, err := open(t, out)
			if err != nil {
				t.Fatal(err)
			}
			// without force_size qemu rounds the size up to a CHS geometry
			if d.Size() < int64(len(want)) {
				t.Fatalf("size %d < %d", d.Size(), len(want))
			}
			got := make([]byte, d.Size())
			for off, step := 0, 7; off < len(got); off, step = off+step, step*5%700001+1 {
				if _, err := d.ReadAt(got[off:min(len(got), off+step)], int64(off)); err != nil && err != io.EOF {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got[:len(want)], want) || bytes.Count(got[len(want):], []byte{0}) != len(got)-len(want) {
				t.Fatal("the virtual disk differs from the raw disk")
			}
		})
	}
}

func TestBadFiles(t *testing.T) {
	imagetest.Need(t, "qemu-img")
	dir := t.TempDir()
	raw, _ := rawDisk(t, dir)
	dyn := filepath.Join(dir, "dyn.vhd")
	imagetest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vpc", raw, dyn)
	fixed := filepath.Join(dir, "fixed.vhd")
	imagetest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed", raw, fixed)
	b, _ := os.ReadFile(dyn)
	// qemu-img cannot write a differencing VHD: relabel the dynamic one as such
	child := filepath.Join(dir, "child.vhd")
	diff := bytes.Clone(b)
	for _, at := range []int{0, len(diff) - 512} {
		f := diff[at : at+512]
		binary.BigEndian.PutUint32(f[60:], 4)
		binary.BigEndian.PutUint32(f[64:], 0)
		var sum uint32
		for _, c := range f {
			sum += uint32(c)
		}
		binary.BigEndian.PutUint32(f[64:], ^sum)
	}
	os.WriteFile(child, diff, 0o644)
	cut := filepath.Join(dir, "cut.vhd")
	os.WriteFile(cut, b[:len(b)/2], 0o644) // the footer at 0 survives, blocks do not
	noCopy := filepath.Join(dir, "nocopy.vhd")
	os.WriteFile(noCopy, append(make([]byte, 512), b[512:len(b)/2]...), 0o644)
	for name, tc := range map[string]struct {
		path string
		want error
	}{
		"fixed":        {fixed, vhd.ErrUnsupported},
		"truncated":    {cut, vhd.ErrCorrupt},
		"no footer":    {noCopy, vhd.ErrCorrupt},
		"differencing": {child, vhd.ErrUnsupported},
	} {
		_, err := open(t, tc.path)
		t.Logf("%s: %v", name, err)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}
