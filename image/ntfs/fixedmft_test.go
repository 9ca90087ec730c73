package ntfs

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// fixedMFTVariants: 4 KiB clusters, 512-byte clusters (a record spans two clusters) and
// 4 KiB sectors (4 KiB records of eight strides).
var fixedMFTVariants = []struct {
	name string
	args []string
}{
	{"defaults", nil},
	{"512-byte clusters", []string{"-c", "512"}},
	{"4k sectors", []string{"-s", "4096"}},
}

// letters returns n random letters: no byte of them is an update sequence number's.
func letters(seed int64, n int) []byte {
	r := rand.New(rand.NewSource(seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.Intn(26))
	}
	return b
}

// TestFixedMFTUndoesUpdateSequences: a resident file's data straddling its record's first
// stride end (record offset 510) holds the update sequence number there on disk, and its
// true bytes in the fixed stream, for a live file and for a deleted one whose record is
// free; every stride maps to the volume bytes it came from; a record whose update
// sequence does not check out reads as on disk, without an error.
func TestFixedMFTUndoesUpdateSequences(t *testing.T) {
	live, gone := letters(1, 560), letters(2, 560)
	for _, v := range fixedMFTVariants {
		t.Run(v.name, func(t *testing.T) {
			tree := t.TempDir()
			imagetest.WriteTree(t, tree, map[string]imagetest.File{"straddle.txt": {Data: string(live)}})
			img := filepath.Join(t.TempDir(), "ntfs.img")
			imagetest.NTFS(t, tree, img, 16, v.args...)
			imagetest.MountNTFS(t, img, func(mnt string) {
				imagetest.PlantDeleted(t, filepath.Join(mnt, "gone.txt"), gone)
			})
			f := imagetest.OpenFS(t, img, Open)
			raw, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			m, rs := f.FixedMFT(), f.bs.recordSize
			if m.Size() != int64(f.records)*rs || m.RecordSize() != rs {
				t.Fatalf("size %d, record size %d; want %d records of %d", m.Size(), m.RecordSize(), f.records, rs)
			}
			stream, err := io.ReadAll(io.NewSectionReader(m, 0, m.Size())) // unaligned reads of 512 bytes
			if err != nil || int64(len(stream)) != m.Size() {
				t.Fatalf("read %d of %d bytes: %v", len(stream), m.Size(), err)
			}
			// every stride is the volume's bytes but for its last two
			onDisk := make([]byte, len(stream))
			for off := int64(0); off < m.Size(); off += fixupStride {
				vo, err := m.VolumeOffset(off)
				if err != nil {
					t.Fatal(err)
				}
				copy(onDisk[off:off+fixupStride], raw[vo:vo+fixupStride])
				if !bytes.Equal(stream[off:off+fixupStride-2], raw[vo:vo+fixupStride-2]) {
					t.Fatalf("stream bytes %d.. differ from volume bytes %d..", off, vo)
				}
			}
			n, err := f.resolve("test", "straddle.txt", false)
			if err != nil {
				t.Fatal(err)
			}
			checkStraddle(t, m, raw, onDisk, int64(n.num)*rs, live, true)
			i := bytes.Index(stream, gone[:64])
			if i < 0 {
				t.Fatal("the deleted file's data is not in the fixed stream")
			}
			checkStraddle(t, m, raw, onDisk, int64(i)/rs*rs, gone, false)
			// records without the FILE signature read as on disk
			for off := int64(0); off < m.Size(); off += rs {
				if string(onDisk[off:off+4]) != "FILE" && !bytes.Equal(stream[off:off+rs], onDisk[off:off+rs]) {
					t.Fatalf("record %d has no FILE signature and was changed", off/rs)
				}
			}
			// a torn record reads as on disk
			vo, _ := m.VolumeOffset(int64(n.num)*rs + 2*fixupStride - 2)
			imagetest.WriteAt(t, img, vo, []byte{0xEE, 0xEE})
			f = imagetest.OpenFS(t, img, Open)
			raw, _ = os.ReadFile(img)
			start, _ := f.FixedMFT().VolumeOffset(int64(n.num) * rs)
			rec := make([]byte, rs)
			if _, err := f.FixedMFT().ReadAt(rec, int64(n.num)*rs); err != nil {
				t.Fatalf("a torn record: %v", err)
			}
			if !bytes.Equal(rec, raw[start:start+rs]) {
				t.Fatal("a torn record was changed")
			}
		})
	}
}

// checkStraddle: the record at stream offset recOff holds data straddling offset 510,
// which the volume has the update sequence number in place of and the stream has whole.
func checkStraddle(t *testing.T, m *FixedMFT, raw, onDisk []byte, recOff int64, data []byte, inUse bool) {
	t.Helper()
	rs := m.RecordSize()
	disk := onDisk[recOff : recOff+rs]
	if got := le.Uint16(disk[0x16:])&recordInUse != 0; got != inUse {
		t.Fatalf("record %d in use: %t, want %t", recOff/rs, got, inUse)
	}
	at := int64(bytes.Index(disk, data[:64]))
	end := at + int64(len(data))
	if at < 0 || at >= fixupStride-2 || end <= fixupStride {
		t.Fatalf("the data is at record offset %d..%d: it does not straddle offset %d", at, end, fixupStride-2)
	}
	usn := disk[le.Uint16(disk[4:]):][:2]
	if !bytes.Equal(disk[fixupStride-2:fixupStride], usn) || bytes.Contains(raw, data) {
		t.Fatal("the volume holds the data whole: the test proves nothing")
	}
	fixed := make([]byte, rs)
	if _, err := m.ReadAt(fixed, recOff); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fixed[at:end], data) {
		t.Fatalf("record %d: the fixed stream does not hold the data whole", recOff/rs)
	}
	// a read from the middle of a record, across the stride end, is fixed up too
	part := make([]byte, 32)
	if _, err := m.ReadAt(part, recOff+fixupStride-16); err != nil || !bytes.Equal(part, data[fixupStride-16-at:][:32]) {
		t.Fatalf("a read across the stride end: %v", err)
	}
	vo, err := m.VolumeOffset(recOff + at)
	if err != nil || !bytes.Equal(raw[vo:vo+64], data[:64]) {
		t.Fatalf("VolumeOffset(%d) = %d, %v: not where the data starts", recOff+at, vo, err)
	}
}

// TestFixedMFTMapsAFragmentedMFT: over an MFT in two runs with a record split between
// them and a sparse run after, records read fixed up from both places, VolumeOffset
// follows the runs, and offsets in the sparse run or past the end are errors.
func TestFixedMFTMapsAFragmentedMFT(t *testing.T) {
	const cs, rs = 512, 1024
	vol := make([]byte, 64*cs)
	runs := []run{{vcn: 0, lcn: 10, length: 3}, {vcn: 3, lcn: 30, length: 3}, {vcn: 6, lcn: -1, length: 2}}
	at := func(off int64) int64 { // the volume offset, by hand
		if off < 3*cs {
			return 10*cs + off
		}
		return 30*cs + off - 3*cs
	}
	var want []byte
	for num := range 3 {
		rec := letters(int64(num), rs)
		copy(rec, "FILE")
		le.PutUint16(rec[4:], 0x30)
		le.PutUint16(rec[6:], 3)
		le.PutUint16(rec[0x30:], 7) // the update sequence number
		disk := bytes.Clone(rec)
		WriteFixups(disk)
		copy(rec[0x32:0x36], disk[0x32:0x36]) // the array keeps the saved bytes
		if num == 2 {
			le.PutUint16(disk[rs-2:], 8) // torn: stays as on disk
			rec = disk
		}
		want = append(want, rec...)
		for s := int64(0); s < rs; s += cs {
			copy(vol[at(int64(num)*rs+s):], disk[s:s+cs])
		}
	}
	f := &FS{r: bytes.NewReader(vol), bs: &bootSector{clusterSize: cs, clusters: 64, recordSize: rs},
		mft: &stream{r: bytes.NewReader(vol), clusterSize: cs, runs: runs, dataSize: 8 * cs, initSize: 8 * cs}, records: 4}
	m := f.FixedMFT()
	if m.Size() != 4*rs {
		t.Fatalf("size %d", m.Size())
	}
	got := make([]byte, 3*rs-100)
	if n, err := m.ReadAt(got, 50); n != len(got) || err != nil || !bytes.Equal(got, want[50:3*rs-50]) {
		t.Fatalf("ReadAt: %d, %v; equal: %t", n, err, bytes.Equal(got, want[50:3*rs-50]))
	}
	if n, err := m.ReadAt(make([]byte, 2*rs), 3*rs); n != rs || err != io.EOF {
		t.Fatalf("a read past the end: %d, %v", n, err)
	}
	for _, off := range []int64{0, 3*cs - 1, 3 * cs, rs + cs + 7, 3*rs - 1} {
		if vo, err := m.VolumeOffset(off); err != nil || vo != at(off) {
			t.Errorf("VolumeOffset(%d) = %d, %v; want %d", off, vo, err, at(off))
		}
	}
	for _, off := range []int64{3 * rs, 4*rs - 1, 4 * rs, -1} {
		if _, err := m.VolumeOffset(off); !errors.Is(err, ErrCorrupt) {
			t.Errorf("VolumeOffset(%d): %v, want an error", off, err)
		}
	}
}
