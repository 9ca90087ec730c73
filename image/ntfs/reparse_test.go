package ntfs_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/ntfs"
)

// xattrAttributes is how ntfs-3g exposes a file's attribute bits (big-endian).
const xattrAttributes = "system.ntfs_attrib_be"

func setAttributes(t *testing.T, p string, bits uint32) {
	t.Helper()
	var cur [4]byte
	if _, err := syscall.Getxattr(p, xattrAttributes, cur[:]); err != nil {
		t.Fatalf("getxattr %s: %v", p, err)
	}
	v := binary.BigEndian.Uint32(cur[:]) | bits
	if err := syscall.Setxattr(p, xattrAttributes, binary.BigEndian.AppendUint32(nil, v), 0); err != nil {
		t.Fatalf("setxattr %s: %v", p, err)
	}
}

// TestReparsePointsAndCompression: Windows symlinks and junctions (reparse points, put
// in through ntfs-3g's raw reparse attribute) are symlinks never followed outside the
// volume; LZNT1-compressed files (written by ntfs-3g in a directory marked compressed)
// read back byte for byte; a WOF-compressed file is refused, not read as zeros.
func TestReparsePointsAndCompression(t *testing.T) {
	rnd := rand.New(rand.NewSource(2))
	random := make([]byte, 300<<10)
	rnd.Read(random)
	text := []byte(strings.Repeat("C:\\Windows\\System32\\config\\SOFTWARE compresses well\r\n", 9000))
	mixed := append(append(append([]byte{}, text[:100000]...), make([]byte, 200000)...), random[:70000]...)

	img := filepath.Join(t.TempDir(), "ntfs.img")
	imagetest.MkNTFS(t, img, 32)
	imagetest.MountNTFS(t, img, func(dir string) {
		comp := filepath.Join(dir, "Compressed")
		os.Mkdir(comp, 0o755)
		setAttributes(t, comp, 0x800)
		for name, b := range map[string][]byte{"text.log": text, "random.bin": random, "mixed.bin": mixed, "small.txt": []byte("tiny\n")} {
			if err := os.WriteFile(filepath.Join(comp, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		os.WriteFile(filepath.Join(dir, "target.txt"), []byte("target\n"), 0o644)
		set := func(name string, isDir bool, buf []byte) {
			p := filepath.Join(dir, name)
			if isDir {
				os.Mkdir(p, 0o755)
			} else {
				os.WriteFile(p, nil, 0o644)
			}
			imagetest.NTFSReparse(t, p, buf)
		}
		set("rel-link", false, imagetest.NTFSLinkBuffer(imagetest.TagSymlink, `Compressed\small.txt`, true))
		set("abs-link", false, imagetest.NTFSLinkBuffer(imagetest.TagSymlink, `C:\target.txt`, false))
		set("All Users", true, imagetest.NTFSLinkBuffer(imagetest.TagMountPoint, `C:\ProgramData`, false))
		set("wof.dll", false, append(binary.LittleEndian.AppendUint32(nil, 0x80000017), 16, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0))
	}, "compression")

	fsys := imagetest.OpenFS(t, img, ntfs.Open)
	for name, want := range map[string][]byte{"text.log": text, "random.bin": random, "mixed.bin": mixed, "small.txt": []byte("tiny\n")} {
		got, err := fs.ReadFile(fsys, "Compressed/"+name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Compressed/%s: %d bytes, %v; want %d bytes as written", name, len(got), err, len(want))
		}
	}
	if _, _, compressed, _, err := ntfs.DataRuns(fsys, "Compressed/text.log"); err != nil || !compressed {
		t.Errorf("text.log is not compressed (%v): the test proves nothing", err)
	}
	for name, want := range map[string]string{"rel-link": "Compressed/small.txt", "abs-link": `C:\target.txt`, "All Users": `C:\ProgramData`} {
		info, err := fs.Lstat(fsys, name)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s: %v, %v; want a symlink", name, info, err)
		}
		if got, err := fs.ReadLink(fsys, name); err != nil || got != want {
			t.Errorf("%s -> %q, %v; want %q", name, got, err, want)
		}
	}
	if b, err := fs.ReadFile(fsys, "rel-link"); err != nil || string(b) != "tiny\n" {
		t.Errorf("rel-link reads %q, %v", b, err)
	}
	for _, name := range []string{"abs-link", "All Users/x"} {
		if _, err := fs.Stat(fsys, name); !errors.Is(err, ntfs.ErrNotFollowed) {
			t.Errorf("%s: %v, want ErrNotFollowed", name, err)
		}
	}
	if _, err := fs.ReadFile(fsys, "wof.dll"); !errors.Is(err, ntfs.ErrUnsupported) || !strings.Contains(err.Error(), "WOF") {
		t.Errorf("wof.dll: %v, want a WOF not-verified error", err)
	}
	// a walk lists links without descending into them
	var walked []string
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Errorf("walk %s: %v", p, err)
		}
		walked = append(walked, p)
		return nil
	})
	if len(walked) != 11 {
		t.Errorf("walked %q", walked)
	}
}
