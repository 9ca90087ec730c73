package fat

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// entry builds a 32-byte short directory entry.
func entry(name83 string, attr, ntCase byte, cluster uint32, size uint32) []byte {
	e := make([]byte, 32)
	copy(e, name83)
	e[11], e[12] = attr, ntCase
	le.PutUint16(e[20:], uint16(cluster>>16))
	le.PutUint16(e[26:], uint16(cluster))
	le.PutUint32(e[28:], size)
	le.PutUint16(e[24:], 45<<9|3<<5|7) // 2025-03-07
	return e
}

// lfnEntries builds the long-name entries (last first, as on disk) for a short entry.
func lfnEntries(name string, short []byte, badChecksum bool) []byte {
	u := []uint16{}
	for _, r := range name {
		u = append(u, uint16(r))
	}
	u = append(u, 0)
	for len(u)%13 != 0 {
		u = append(u, 0xFFFF)
	}
	n := len(u) / 13
	sum := checksum(short[:11])
	if badChecksum {
		sum++
	}
	var out []byte
	for seq := n; seq >= 1; seq-- {
		e := make([]byte, 32)
		e[0] = byte(seq)
		if seq == n {
			e[0] |= 0x40
		}
		e[11], e[13] = attrLFN, sum
		for i, at := range []int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
			le.PutUint16(e[at:], u[(seq-1)*13+i])
		}
		out = append(out, e...)
	}
	return out
}

func TestParseDir(t *testing.T) {
	grub := entry("GRUB    CFG", 0x20, 0x18, 5, 10)
	long := entry("LONGNA~1TXT", 0x20, 0, 6, 1)
	orphan := entry("ORPHAN  TXT", 0x20, 0, 7, 1)
	kanji := entry("\x05BC     TXT", 0x20, 0, 8, 1)
	var dir []byte
	dir = append(dir, entry(".          ", attrDir, 0, 3, 0)...)
	dir = append(dir, entry("LABEL      ", attrVolumeID, 0, 0, 0)...)
	dir = append(dir, grub...)
	dir = append(dir, lfnEntries("Long Name ✓ with more than 13 characters", long, false)...)
	dir = append(dir, long...)
	dir = append(dir, lfnEntries("forgotten.txt", orphan, true)...)
	dir = append(dir, orphan...)
	deleted := entry("GONE    TXT", 0x20, 0, 9, 1)
	deleted[0] = 0xE5
	dir = append(dir, deleted...)
	dir = append(dir, kanji...)
	dir = append(dir, make([]byte, 32)...) // the end
	dir = append(dir, entry("AFTEREND   ", 0x20, 0, 10, 1)...)
	got, err := parseDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range got {
		names = append(names, d.name)
	}
	want := []string{"grub.cfg", "Long Name ✓ with more than 13 characters", "ORPHAN.TXT", "σBC.TXT"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("names %q, want %q", names, want)
	}
	if !got[0].mtime.Equal(time.Date(2025, 3, 7, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("mtime %v", got[0].mtime)
	}

	bad := map[string][]byte{
		"listed twice": append(append([]byte{}, grub...), append(lfnEntries("GRUB.cfg", long, false), long...)...),
		"slash":        append(lfnEntries("a/b", long, false), long...),
		"no cluster":   entry("SUBDIR     ", attrDir, 0, 0, 0),
	}
	for name, data := range bad {
		if _, err := parseDir(data, true); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

// TestBadImages damages a real FAT16 image in the ways a corrupt or hostile one would be.
func TestBadImages(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, map[string]imagetest.File{
		"a/b/file": {Data: strings.Repeat("x", 5000)},
		"big":      {Data: strings.Repeat("y", 100000)},
	})
	img := filepath.Join(dir, "fat.img")
	imagetest.Vfat(t, tree, img, 16, "-F", "16", "-s", "1")
	good, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := Open(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := fsys.resolve("stat", "a")
	b, _ := fsys.resolve("stat", "a/b")
	big, _ := fsys.resolve("stat", "big")
	bs := fsys.bs
	// where the entry of "b" sits inside a's first cluster
	aData := good[bs.clusterOffset(a.cluster) : bs.clusterOffset(a.cluster)+bs.clusterSize]
	bAt := bs.clusterOffset(a.cluster) + int64(bytes.Index(aData, []byte("B          ")))
	fatEntry := func(n uint32) int64 { return bs.fatOffset + 2*int64(n) }

	cases := []struct {
		name   string
		damage func(img []byte) []byte
		walk   string // the error is met when walking, not at Open
	}{
		{"truncated", func(img []byte) []byte { return img[:len(img)/2] }, ""},
		{"bad boot signature", func(img []byte) []byte { img[510] = 0; return img }, ""},
		{"zero sectors per cluster", func(img []byte) []byte { img[13] = 0; return img }, ""},
		{"directory loop", func(img []byte) []byte {
			le.PutUint16(img[bAt+26:], uint16(a.cluster))
			return img
		}, "also listed elsewhere"},
		{"cross-linked directories", func(img []byte) []byte {
			bigAt := bs.rootOffset + int64(bytes.Index(img[bs.rootOffset:bs.rootOffset+bs.rootSize], []byte("BIG        ")))
			img[bigAt+11] = attrDir
			le.PutUint16(img[bigAt+26:], uint16(b.cluster))
			return img
		}, "also listed elsewhere"},
		{"chain into a free cluster", func(img []byte) []byte {
			le.PutUint16(img[fatEntry(big.cluster):], 0)
			return img
		}, "chains to 0"},
		{"chain outside the volume", func(img []byte) []byte {
			le.PutUint16(img[fatEntry(big.cluster):], 0xFFF0)
			return img
		}, "chains to"},
		{"directory chain loop", func(img []byte) []byte {
			le.PutUint16(img[fatEntry(b.cluster):], uint16(b.cluster))
			return img
		}, "longer than"},
		{"short chain", func(img []byte) []byte {
			le.PutUint16(img[fatEntry(big.cluster):], 0xFFFF)
			return img
		}, "ends after 1 clusters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := tc.damage(bytes.Clone(good))
			fsys, err := Open(bytes.NewReader(img), int64(len(img)))
			if err == nil {
				err = walkAll(fsys)
			}
			if err == nil {
				t.Fatal("read without error")
			}
			t.Logf("error: %v", err)
			if tc.walk != "" && !strings.Contains(err.Error(), tc.walk) {
				t.Errorf("error %q lacks %q", err, tc.walk)
			}
		})
	}
}

// walkAll reads every file, as the content scan would.
func walkAll(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_, err = fs.ReadFile(fsys, p)
		}
		return err
	})
}
