package vhdx_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/vhdx"
)

// rawDisk is random data with holes, of a size that is no multiple of a block.
func rawDisk(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	rnd := rand.New(rand.NewSource(1))
	b := make([]byte, 21<<20+7*512)
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

func openBytes(b []byte) (*vhdx.Disk, error) { return vhdx.Open(bytes.NewReader(b), int64(len(b))) }

func TestReadsWhatQemuWrites(t *testing.T) {
	imagetest.Need(t, "qemu-img")
	dir := t.TempDir()
	raw, want := rawDisk(t, dir)
	for _, opts := range []string{"subformat=dynamic", "subformat=fixed", "subformat=dynamic,block_size=1M,log_size=1M", "subformat=dynamic,block_size=256M"} {
		t.Run(opts, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "disk.vhdx")
			imagetest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", opts, raw, out)
			b, _ := os.ReadFile(out)
			d, err := openBytes(b)
			if err != nil {
				t.Fatal(err)
			}
			if d.Size() != int64(len(want)) {
				t.Fatalf("size %d, want %d", d.Size(), len(want))
			}
			got := make([]byte, d.Size())
			for off, step := 0, 7; off < len(got); off, step = off+step, step*5%700001+1 {
				if _, err := d.ReadAt(got[off:min(len(got), off+step)], int64(off)); err != nil && err != io.EOF {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, want) {
				t.Fatal("the virtual disk differs from the raw disk")
			}
		})
	}
}

// TestBadFiles: truncated, torn headers, a pending log, a parent: errors, never zeros.
func TestBadFiles(t *testing.T) {
	imagetest.Need(t, "qemu-img")
	dir := t.TempDir()
	raw, _ := rawDisk(t, dir)
	out := filepath.Join(dir, "disk.vhdx")
	imagetest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vhdx", raw, out)
	good, _ := os.ReadFile(out)
	le := binary.LittleEndian
	// current picks the header with the higher sequence number
	current := func(b []byte) []byte {
		h1, h2 := b[64<<10:68<<10], b[128<<10:132<<10]
		if le.Uint64(h2[8:]) > le.Uint64(h1[8:]) {
			return h2
		}
		return h1
	}
	reCRC := func(h []byte) {
		le.PutUint32(h[4:], 0)
		le.PutUint32(h[4:], crc32.Checksum(h, crc32.MakeTable(crc32.Castagnoli)))
	}
	cases := map[string]struct {
		damage func(b []byte) []byte
		want   error
	}{
		"truncated": {func(b []byte) []byte { return b[:len(b)*2/3] }, vhdx.ErrCorrupt},
		"both headers torn": {func(b []byte) []byte {
			b[64<<10+100]++
			b[128<<10+100]++
			return b
		}, vhdx.ErrCorrupt},
		"a log to replay": {func(b []byte) []byte {
			h := current(b)
			copy(h[48:64], "0123456789abcdef")
			reCRC(h)
			logAt := le.Uint64(h[72:])
			copy(b[logAt:], "loge")
			copy(b[logAt+32:], "0123456789abcdef")
			return b
		}, vhdx.ErrUnsupported},
		"no identifier": {func(b []byte) []byte { copy(b, "notvhdx!"); return b }, vhdx.ErrCorrupt},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := openBytes(tc.damage(bytes.Clone(good)))
			t.Logf("%v", err)
			if !errors.Is(err, tc.want) {
				t.Errorf("%v, want %v", err, tc.want)
			}
		})
	}
	// a log GUID with no entry of it needs no replay
	b := bytes.Clone(good)
	h := current(b)
	copy(h[48:64], "0123456789abcdef")
	reCRC(h)
	if _, err := openBytes(b); err != nil {
		t.Errorf("a log GUID with an empty log: %v", err)
	}
}
