package ntfs_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/ntfs"
)

var le = binary.LittleEndian

// badBase is a small volume made by mkntfs and ntfs-3g for the corruptions below.
func badBase(t *testing.T) string {
	t.Helper()
	tree := t.TempDir()
	files := map[string]imagetest.File{
		"hello.txt":       {Data: "hello\n"},
		"big.bin":         {Data: strings.Repeat("0123456789abcdef", 8192)},
		"loop/a/b/c.txt":  {Data: "c\n"},
		"loop/a/b2/d.txt": {Data: "d\n"},
	}
	for i := range 300 {
		files[fmt.Sprintf("many/entry-%03d.txt", i)] = imagetest.File{Data: "x"}
	}
	imagetest.WriteTree(t, tree, files)
	img := filepath.Join(t.TempDir(), "base.img")
	imagetest.NTFS(t, tree, img, 8)
	return img
}

// attr returns the offset of the first attribute of type typ in a fixed-up record.
func attr(t *testing.T, rec []byte, typ uint32) int {
	t.Helper()
	for off := int(le.Uint16(rec[0x14:])); off+8 < len(rec); off += int(le.Uint32(rec[off+4:])) {
		switch le.Uint32(rec[off:]) {
		case typ:
			return off
		case 0xFFFFFFFF:
			t.Fatalf("no attribute 0x%x", typ)
		}
	}
	t.Fatalf("no attribute 0x%x", typ)
	return 0
}

// rootEntries calls fn with the offset of each entry of a record's $INDEX_ROOT.
func rootEntries(t *testing.T, rec []byte, fn func(e int, name string)) {
	a := attr(t, rec, 0x90)
	nodeEntries(rec, a+int(le.Uint16(rec[a+0x14:]))+0x10, fn)
}

// nodeEntries calls fn with the offset of each entry of the index node at node.
func nodeEntries(rec []byte, node int, fn func(e int, name string)) {
	for e := node + int(le.Uint32(rec[node:])); ; e += int(le.Uint16(rec[e+8:])) {
		var name string
		if le.Uint16(rec[e+12:])&2 == 0 {
			n := int(rec[e+0x50])
			name = string(utf16Decode(rec[e+0x52 : e+0x52+2*n]))
		}
		fn(e, name)
		if le.Uint16(rec[e+12:])&2 != 0 {
			return
		}
	}
}

// firstSubnode is the VCN the first entry of an INDX block points at.
func firstSubnode(b []byte) uint64 {
	var vcn uint64
	found := false
	nodeEntries(b, 0x18, func(e int, _ string) {
		if !found && le.Uint16(b[e+12:])&1 != 0 {
			vcn, found = le.Uint64(b[e+int(le.Uint16(b[e+8:]))-8:]), true
		}
	})
	return vcn
}

func utf16Decode(b []byte) []rune {
	var r []rune
	for i := 0; i+1 < len(b); i += 2 {
		r = append(r, rune(le.Uint16(b[i:])))
	}
	return r
}

// patch changes the record or index block of size bytes at off in img, fixups redone.
func patch(t *testing.T, img string, off, size int64, fn func(b []byte)) {
	t.Helper()
	f, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, size)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	if err := ntfs.ApplyFixups(b, "test"); err != nil {
		t.Fatal(err)
	}
	fn(b)
	ntfs.WriteFixups(b)
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// readAll opens the volume, walks it and reads every file; it returns the first error.
func readAll(img string) error {
	f, err := os.Open(img)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, _ := f.Stat()
	fsys, err := ntfs.Open(f, fi.Size())
	if err != nil {
		return err
	}
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fl, err := fsys.Open(p)
			if err != nil {
				return err
			}
			defer fl.Close()
			_, err = io.Copy(io.Discard, fl)
			return err
		}
		return nil
	})
}

func TestCorruptVolumesAreClearErrors(t *testing.T) {
	base := badBase(t)
	if err := readAll(base); err != nil {
		t.Fatalf("the base volume does not read: %v", err)
	}
	fsys := imagetest.OpenFS(t, base, ntfs.Open)
	locate := func(name string) (int64, int64) {
		off, size, err := ntfs.RecordOffset(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		return off, size
	}
	ref := func(name string) uint64 {
		r, err := ntfs.Ref(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// entryB patches the reference of "b" in the index of loop/a
	entryB := func(newRef func(old uint64) uint64) func(t *testing.T, img string) {
		return func(t *testing.T, img string) {
			off, size := locate("loop/a")
			patch(t, img, off, size, func(rec []byte) {
				rootEntries(t, rec, func(e int, name string) {
					if name == "b" {
						le.PutUint64(rec[e:], newRef(le.Uint64(rec[e:])))
					}
				})
			})
		}
	}
	dataAttr := func(name string, fn func(rec []byte, a int)) func(t *testing.T, img string) {
		return func(t *testing.T, img string) {
			off, size := locate(name)
			patch(t, img, off, size, func(rec []byte) { fn(rec, attr(t, rec, 0x80)) })
		}
	}
	tests := []struct {
		name    string
		corrupt func(t *testing.T, img string)
		want    string
	}{
		{"torn root directory record", func(t *testing.T, img string) {
			off, _ := locate(".")
			f, err := os.OpenFile(img, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.WriteAt([]byte{0xde, 0xad}, off+510)
		}, "update sequence mismatch in sector 0"},
		{"truncated volume", func(t *testing.T, img string) {
			imagetest.Truncate(t, base, img, 5<<20)
		}, "the volume has 5242880 bytes"},
		{"directory listed under itself", entryB(func(uint64) uint64 { return ref("loop") }), "directory"},
		// a directory under a second name in the same parent: k such names at each of d
		// levels would be k^d paths to a walk
		{"directory listed twice in one parent", entryB(func(uint64) uint64 { return ref("loop/a/b2") }), "linked from several places"},
		{"reference past the MFT", entryB(func(uint64) uint64 { return 1 << 40 }), "past the MFT"},
		{"stale reference", entryB(func(old uint64) uint64 { return old + 1<<48 }), "stale entry"},
		{"record not in use", func(t *testing.T, img string) {
			off, size := locate("hello.txt")
			patch(t, img, off, size, func(rec []byte) { le.PutUint16(rec[0x16:], 0) })
		}, "not in use"},
		{"record that says another number", func(t *testing.T, img string) {
			off, size := locate("hello.txt")
			patch(t, img, off, size, func(rec []byte) { le.PutUint32(rec[0x2C:], 7) })
		}, "says it is record 7"},
		{"attribute past the record", func(t *testing.T, img string) {
			off, size := locate("hello.txt")
			patch(t, img, off, size, func(rec []byte) { le.PutUint32(rec[attr(t, rec, 0x30)+4:], 0x7FF8) })
		}, "has length"},
		{"absurd data size", dataAttr("big.bin", func(rec []byte, a int) { le.PutUint64(rec[a+0x30:], 1<<62) }), "sizes"},
		{"run outside the volume", dataAttr("big.bin", func(rec []byte, a int) {
			r := a + int(le.Uint16(rec[a+0x20:]))
			h := rec[r]
			for i := 1 + int(h&0xF); i < 1+int(h&0xF)+int(h>>4); i++ {
				rec[r+i] = 0x7F
			}
		}), "outside the volume"},
		{"runlist shorter than its VCNs", dataAttr("big.bin", func(rec []byte, a int) { le.PutUint64(rec[a+0x18:], le.Uint64(rec[a+0x18:])+5) }), "runlist covers"},
		{"index block listed twice (loop)", func(t *testing.T, img string) {
			// ntfs-3g keeps only an end entry in a big directory's root: its one child is
			// the internal block whose subnodes are the leaves
			off, size := locate("many")
			var top uint64
			patch(t, img, off, size, func(rec []byte) {
				rootEntries(t, rec, func(e int, _ string) { top = le.Uint64(rec[e+int(le.Uint16(rec[e+8:]))-8:]) })
			})
			off, size, err := ntfs.IndexBlockOffset(fsys, "many", int64(top))
			if err != nil {
				t.Fatal(err)
			}
			subnodes := 0
			patch(t, img, off, size, func(b []byte) {
				nodeEntries(b, 0x18, func(e int, _ string) {
					if le.Uint16(b[e+12:])&1 != 0 {
						if subnodes++; subnodes > 1 { // every subnode is the first leaf
							le.PutUint64(b[e+int(le.Uint16(b[e+8:]))-8:], firstSubnode(b))
						}
					}
				})
			})
			if subnodes < 2 {
				t.Fatalf("index block %d has %d subnodes: the test needs a deeper tree", top, subnodes)
			}
		}, "reached twice (index loop)"},
		{"index block at the wrong VCN", func(t *testing.T, img string) {
			off, size, err := ntfs.IndexBlockOffset(fsys, "many", 0)
			if err != nil {
				t.Fatal(err)
			}
			patch(t, img, off, size, func(b []byte) { le.PutUint64(b[0x10:], 99) })
		}, "says it is at VCN 99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "bad.img")
			imagetest.Truncate(t, base, img, 1<<40)
			tc.corrupt(t, img)
			err := readAll(img)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}
