package lvm_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/lvm"
)

func randomFile(t *testing.T, path string, size int) []byte {
	t.Helper()
	b := make([]byte, size)
	rand.New(rand.NewSource(int64(size))).Read(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

func readPV(t *testing.T, path string) *lvm.PV {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, _ := f.Stat()
	if !lvm.Probe(f) {
		t.Fatalf("%s: no LVM2 label", path)
	}
	pv, err := lvm.ReadPV(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	return pv
}

func TestLinearVolumes(t *testing.T) {
	dir := t.TempDir()
	root := randomFile(t, filepath.Join(dir, "root"), 12<<20+5)
	data := randomFile(t, filepath.Join(dir, "data"), 3<<20)
	pvPath := filepath.Join(dir, "pv.img")
	imagetest.LVMPV(t, pvPath, 64, "sanitizetestvg", []imagetest.LV{
		{Name: "root", Image: filepath.Join(dir, "root"), Extents: []int{1, 2, 1}}, // three segments, last first on disk
		{Name: "data", Image: filepath.Join(dir, "data")},
		{Name: "wide", Stripes: 2, Extents: []int{2}},
		// a thin pool and a thin volume in it, as lvcreate --thin makes them
		{Name: "pool_tmeta", Hidden: true, Extents: []int{1}},
		{Name: "pool_tdata", Hidden: true, Extents: []int{2}},
		{Name: "pool", Type: "thin-pool", Extents: []int{2}, Segment: "metadata = \"pool_tmeta\"\npool = \"pool_tdata\"\n" +
			"transaction_id = 1\nchunk_size = 128\ndiscards = \"passdown\"\nzero_new_blocks = 1\n"},
		{Name: "thin", Type: "thin", Extents: []int{4}, Segment: "thin_pool = \"pool\"\ntransaction_id = 0\ndevice_id = 1\n"},
	})
	lvs, err := lvm.Assemble([]*lvm.PV{readPV(t, pvPath)})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]lvm.LV{}
	for _, lv := range lvs {
		byName[lv.Name] = lv
		t.Logf("%s/%s: %d bytes, err %v", lv.VG, lv.Name, lv.Size, lv.Err)
	}
	for name, want := range map[string][]byte{"root": root, "data": data} {
		lv := byName[name]
		if lv.Err != nil || lv.VG != "sanitizetestvg" {
			t.Fatalf("%s: %+v", name, lv)
		}
		got := make([]byte, len(want))
		if _, err := io.ReadFull(io.NewSectionReader(lv.R, 0, lv.Size), got); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: the volume's bytes differ from what was written (%v)", name, err)
		}
	}
	if _, ok := byName["pool_tdata"]; ok {
		t.Errorf("a hidden volume is listed")
	}
	for _, name := range []string{"pool", "thin", "wide"} {
		lv := byName[name]
		if !errors.Is(lv.Err, lvm.ErrUnsupported) || !strings.Contains(lv.Err.Error(), "sanitizetestvg/"+name) {
			t.Errorf("%s: %v, want not supported, naming the volume", name, lv.Err)
		}
	}
}
