package xfs_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/xfs"
)

func smallTree(t *testing.T) string {
	tree := t.TempDir()
	imagetest.WriteTree(t, tree, map[string]imagetest.File{
		"etc/shadow": {Data: "root:$6$x$y:19000::::::\n"},
		"etc/passwd": {Data: "root:x:0:0::/root:/bin/sh\n"},
	})
	return tree
}

// TestDirtyLogIsRefused: a filesystem shut down with changes only in its log (as a
// snapshot of a running machine has) is refused; once the log is replayed it reads.
func TestDirtyLogIsRefused(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs", "xfs_io")
	img := filepath.Join(t.TempDir(), "fs.img")
	imagetest.MkfsXFS(t, smallTree(t), img, 300)
	imagetest.Mount(t, img, func(dir string) {
		f, err := os.Create(filepath.Join(dir, "etc", "new-key"))
		if err == nil {
			_, err = f.WriteString("secret")
		}
		if err == nil {
			err = f.Sync() // the data and the inode's size reach the log
		}
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		// flush the log, not the metadata, then stop: what a crash or a live snapshot leaves
		imagetest.Run(t, "xfs_io", "-x", "-c", "shutdown -f", dir)
	})
	f, _ := os.Open(img)
	defer f.Close()
	fi, _ := f.Stat()
	_, err := xfs.Open(f, fi.Size())
	if !errors.Is(err, xfs.ErrUnsupported) || !strings.Contains(err.Error(), "needs recovery") {
		t.Fatalf("a dirty log: %v, want refused as needing recovery", err)
	}
	imagetest.Mount(t, img, func(string) {}) // the kernel replays the log
	fsys := openImage(t, img)
	if b, err := fs.ReadFile(fsys, "etc/new-key"); err != nil || string(b) != "secret" {
		t.Fatalf("after recovery: %q, %v", b, err)
	}
}

func TestBadImages(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs", "xfs_db")
	img := filepath.Join(t.TempDir(), "fs.img")
	imagetest.MkfsXFS(t, smallTree(t), img, 300)
	good, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	// where /etc/shadow's inode lies, from xfs_db
	var ino int64
	out := imagetest.Run(t, "xfs_db", "-r", "-c", "path /etc/shadow", "-c", "print core.magic", "-c", "daddr", img)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "current daddr is ") {
			fmtSscan(t, strings.TrimPrefix(line, "current daddr is "), &ino)
		}
	}
	cases := map[string]struct {
		damage func(b []byte) []byte
		want   string
	}{
		"truncated":                {func(b []byte) []byte { return b[:len(b)/2] }, "truncated"},
		"superblock checksum":      {func(b []byte) []byte { b[100]++; return b }, "checksum"},
		"unknown incompat feature": {func(b []byte) []byte { b[216] |= 0x80; return resum(b) }, "incompatible features 0x80000000"},
		"needs repair":             {func(b []byte) []byte { b[219] |= 0x10; return resum(b) }, "xfs_repair"},
		"inode checksum":           {func(b []byte) []byte { b[ino*512+60]++; return b }, "fails its checksum"},
		"v4 (crc=0) is not read":   {func(b []byte) []byte { b[101] = 4; return b }, "version 4"},
		"more allocation groups than blocks": {func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[88:], 1<<31) // sb_agcount
			return resum(b)
		}, "cannot hold 2147483648 allocation groups"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := tc.damage(bytes.Clone(good))
			fsys, err := xfs.Open(bytes.NewReader(b), int64(len(b)))
			if err == nil {
				_, err = fs.ReadFile(fsys, "etc/shadow")
			}
			t.Logf("%v", err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func fmtSscan(t *testing.T, s string, v *int64) {
	t.Helper()
	if _, err := fmt.Sscan(s, v); err != nil {
		t.Fatalf("xfs_db: %q: %v", s, err)
	}
}

// resum recomputes the superblock's CRC-32C (little-endian, at byte 224 of its sector).
func resum(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[224:], 0)
	binary.LittleEndian.PutUint32(b[224:], crc32.Checksum(b[:512], crc32.MakeTable(crc32.Castagnoli)))
	return b
}
