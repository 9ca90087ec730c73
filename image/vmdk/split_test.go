package vmdk_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/vmdk"
)

// openSplit opens a descriptor file and its extents next to it.
func openSplit(t *testing.T, desc string) (*vmdk.Split, error) {
	t.Helper()
	b, err := os.ReadFile(desc)
	if err != nil {
		t.Fatal(err)
	}
	d, err := vmdk.ParseDescriptor(b)
	if err != nil {
		return nil, err
	}
	return vmdk.OpenDescriptor(d, func(name string) (io.ReaderAt, int64, error) {
		f, err := os.Open(filepath.Join(filepath.Dir(desc), name))
		if err != nil {
			return nil, 0, err
		}
		t.Cleanup(func() { f.Close() })
		fi, err := f.Stat()
		if err != nil {
			return nil, 0, err
		}
		return f, fi.Size(), nil
	})
}

// TestReadsSplitAndFlatDisks reads what qemu-img writes for vmware-iso's disk types, and
// a hand-made descriptor whose disk spans two flat extents and a zero extent.
func TestReadsSplitAndFlatDisks(t *testing.T) {
	dir := t.TempDir()
	raw := rawDisk(t, dir)
	want, _ := os.ReadFile(raw)

	two := filepath.Join(dir, "two")
	if err := os.Mkdir(two, 0o755); err != nil {
		t.Fatal(err)
	}
	half := (len(want) / 2) &^ 511
	rest := len(want) - half
	os.WriteFile(filepath.Join(two, "a-flat.vmdk"), append(make([]byte, 4096), want[:half]...), 0o644)
	os.WriteFile(filepath.Join(two, "b-flat.vmdk"), want[half:], 0o644)
	desc := fmt.Sprintf("# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\n"+
		"# Extent description\nRW %d FLAT \"a-flat.vmdk\" 8\nRW %d FLAT \"b-flat.vmdk\" 0\nRW 16 ZERO\n\nddb.adapterType = \"lsilogic\"\n", half/512, rest/512)
	os.WriteFile(filepath.Join(two, "disk.vmdk"), []byte(desc), 0o644)
	want2 := append(bytes.Clone(want), make([]byte, 16*512)...)

	cases := []struct {
		name, desc, kind string
		want             []byte
	}{
		{"twoGbMaxExtentSparse", convert(t, raw, filepath.Join(dir, "split.vmdk"), "subformat=twoGbMaxExtentSparse"), "twoGbMaxExtentSparse", want},
		{"monolithicFlat", convert(t, raw, filepath.Join(dir, "flat.vmdk"), "subformat=monolithicFlat"), "monolithicFlat", want},
		{"twoGbMaxExtentFlat", convert(t, raw, filepath.Join(dir, "split-flat.vmdk"), "subformat=twoGbMaxExtentFlat"), "twoGbMaxExtentFlat", want},
		{"two flat extents and a zero one", filepath.Join(two, "disk.vmdk"), "monolithicFlat", want2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := openSplit(t, tc.desc)
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind() != tc.kind || s.Size() != int64(len(tc.want)) {
				t.Fatalf("kind %q size %d, want %q %d", s.Kind(), s.Size(), tc.kind, len(tc.want))
			}
			got := make([]byte, len(tc.want))
			for off, step := 0, 1; off < len(got); off, step = off+step, step*3%200003+1 {
				if _, err := s.ReadAt(got[off:min(len(got), off+step)], int64(off)); err != nil {
					t.Fatalf("ReadAt(%d): %v", off, err)
				}
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatal("the virtual disk differs from the raw disk")
			}
			if n, err := s.ReadAt(make([]byte, 10), s.Size()-4); n != 4 || err != io.EOF {
				t.Errorf("read across the end: %d, %v", n, err)
			}
		})
	}
}

// TestParseDescriptorAsQemuImgLeavesIt: qemu-img pads a descriptor with NULs, and when it
// rewrote it with a shorter CID the old text's last bytes stay past the first NUL (seen
// once in about 80 conversions: "…2147483647\"\n\x00\n\x00…"). The text ends at the
// first NUL, as qemu and VMware read it.
func TestParseDescriptorAsQemuImgLeavesIt(t *testing.T) {
	text := "# Disk DescriptorFile\nversion=1\nCID=f5d979\nparentCID=ffffffff\ncreateType=\"twoGbMaxExtentSparse\"\n\n" +
		"# Extent description\nRW 65536 SPARSE \"s-s001.vmdk\"\n\nddb.toolsVersion = \"2147483647\"\n"
	for name, tail := range map[string]string{
		"padded":             "",
		"one byte left":      "\x00\n",
		"a line's tail left": "\x00647\"\n",
	} {
		b := append([]byte(text+tail), make([]byte, 512-len(text+tail))...)
		d, err := vmdk.ParseDescriptor(b)
		if err != nil || len(d.Extents) != 1 || d.Extents[0].File != "s-s001.vmdk" {
			t.Errorf("%s: %+v, %v", name, d, err)
		}
	}
}

// TestParseDescriptorRefuses: a descriptor is parsed strictly, and no extent name may lead
// outside the descriptor's directory.
func TestParseDescriptorRefuses(t *testing.T) {
	head := "# Disk DescriptorFile\nversion=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
	cases := []struct{ name, text, want string }{
		{"dot-dot escape", head + `RW 8 FLAT "../../etc/passwd" 0`, "leaves the descriptor's directory"},
		{"dot-dot inside", head + `RW 8 FLAT "sub/../../x" 0`, "leaves the descriptor's directory"},
		{"backslash escape", head + `RW 8 FLAT "..\..\windows\system32\config\SAM" 0`, "leaves the descriptor's directory"},
		{"absolute", head + `RW 8 FLAT "/etc/shadow" 0`, "absolute path"},
		{"drive letter", head + `RW 8 FLAT "C:\disk-flat.vmdk" 0`, "absolute path"},
		{"no name", head + `RW 8 FLAT "" 0`, "no file name"},
		{"delta disk", strings.Replace(head, "ffffffff", "1a2b3c4d", 1) + `RW 8 SPARSE "x.vmdk"`, "delta disk"},
		{"parent hint", head + "parentFileNameHint=\"base.vmdk\"\n" + `RW 8 SPARSE "x.vmdk"`, "delta disk"},
		{"unknown type", head + `RW 8 VMFSSPARSE "x.vmdk"`, "extent type VMFSSPARSE"},
		{"noaccess", head + `NOACCESS 8 FLAT "x.vmdk" 0`, "NOACCESS"},
		{"garbage line", head + "RW eight FLAT x\n", "neither a setting nor an extent"},
		{"huge extent", head + `RW 99999999999999 FLAT "x.vmdk" 0`, "sectors"},
		{"no extent", head, "no extent"},
		{"monolithicSparse descriptor", strings.Replace(head, "monolithicFlat", "monolithicSparse", 1) + `RW 8 SPARSE "x.vmdk"`, "createType"},
		{"NUL byte", head + "\x00" + `RW 8 FLAT "x.vmdk" 0` + "\n" + `RW 8 FLAT "y.vmdk" 0` + "\n", "NUL"},
		{"not a descriptor", "version=1\n", "no \"# Disk DescriptorFile\""},
		{"too large", head + strings.Repeat("#\n", vmdk.MaxDescriptorSize), "bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vmdk.ParseDescriptor([]byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if !errors.Is(err, vmdk.ErrCorrupt) && !errors.Is(err, vmdk.ErrUnsupported) {
				t.Errorf("error %v is neither ErrCorrupt nor ErrUnsupported", err)
			}
		})
	}
}

// TestSplitExtentMismatch: an extent missing, shorter than the descriptor says, or of
// another size than its header is an error naming the file.
func TestSplitExtentMismatch(t *testing.T) {
	dir := t.TempDir()
	raw := rawDisk(t, dir)
	flat := convert(t, raw, filepath.Join(dir, "flat.vmdk"), "subformat=monolithicFlat")
	split := convert(t, raw, filepath.Join(dir, "split.vmdk"), "subformat=twoGbMaxExtentSparse")
	b, _ := os.ReadFile(split)
	grown := filepath.Join(dir, "grown.vmdk")
	sectors := len(mustRead(t, raw)) / 512
	os.WriteFile(grown, bytes.Replace(b, fmt.Appendf(nil, "RW %d SPARSE", sectors), fmt.Appendf(nil, "RW %d SPARSE", sectors+8), 1), 0o644)
	if bytes.Equal(b, mustRead(t, grown)) {
		t.Fatalf("the descriptor did not say RW %d:\n%s", sectors, b)
	}
	os.Truncate(filepath.Join(dir, "flat-flat.vmdk"), 4096)
	if _, err := openSplit(t, flat); err == nil || !strings.Contains(err.Error(), "flat-flat.vmdk") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("a truncated flat extent: %v", err)
	}
	if _, err := openSplit(t, grown); err == nil || !strings.Contains(err.Error(), "split-s001.vmdk") || !strings.Contains(err.Error(), fmt.Sprintf("holds %d sectors", sectors)) {
		t.Errorf("a sparse extent of another size: %v", err)
	}
	os.Remove(filepath.Join(dir, "split-s001.vmdk"))
	if _, err := openSplit(t, split); err == nil || !strings.Contains(err.Error(), "split-s001.vmdk") {
		t.Errorf("a missing extent: %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDescriptor: no descriptor makes the parser or the extent reader panic, and no
// accepted extent name leaves the directory.
func FuzzDescriptor(f *testing.F) {
	f.Add([]byte("# Disk DescriptorFile\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW 8 FLAT \"a.vmdk\" 0\nRW 8 ZERO\nRW 8 SPARSE \"b.vmdk\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := vmdk.ParseDescriptor(data)
		if err != nil {
			return
		}
		for _, e := range d.Extents {
			if strings.Contains(e.File, "..") && strings.Contains(filepath.Clean("x/"+strings.ReplaceAll(e.File, `\`, "/")), "..") {
				t.Fatalf("extent %q accepted", e.File)
			}
		}
		s, err := vmdk.OpenDescriptor(d, func(string) (io.ReaderAt, int64, error) {
			return bytes.NewReader(make([]byte, 8192)), 8192, nil
		})
		if err == nil {
			s.ReadAt(make([]byte, 1024), s.Size()/2)
		}
	})
}
