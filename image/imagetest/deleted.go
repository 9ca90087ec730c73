package imagetest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// PlantDeletedKey writes a fresh OpenSSH private key as path (on a mounted test
// filesystem), flushes it to its blocks and deletes it with rm, as a build step that
// "cleans up" would: its bytes stay in the free space. Without the fsync, delayed
// allocation would drop the file before it ever reached a block. It returns a line of the
// key unique to it (the one holding the public key), to look for in the image.
func PlantDeletedKey(t testing.TB, path string) []byte {
	t.Helper()
	Need(t, "ssh-keygen")
	key := filepath.Join(t.TempDir(), "id_ed25519")
	Run(t, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "old-deploy-key", "-f", key)
	pem, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(pem, []byte("\n"))
	if len(lines) < 4 {
		t.Fatalf("ssh-keygen wrote %d lines", len(lines))
	}
	PlantDeleted(t, path, pem)
	return lines[2]
}

// PlantDeleted writes data as path (on a mounted test filesystem), flushes it to its
// blocks and deletes it with rm: its bytes stay in the free space.
func PlantDeleted(t testing.TB, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	Run(t, "rm", path)
	syscall.Sync()
}

// FileContains reads the whole file for needle.
func FileContains(t testing.TB, path string, needle []byte) bool {
	t.Helper()
	return FileOffset(t, path, needle) >= 0
}

// FileOffset returns the offset of needle's first occurrence in the file, or -1, reading
// it in chunks that overlap by needle's length.
func FileOffset(t testing.TB, path string, needle []byte) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4<<20)
	keep, base := 0, int64(0) // base: the file offset of buf[0]
	for {
		n, err := f.Read(buf[keep:])
		if i := bytes.Index(buf[:keep+n], needle); i >= 0 {
			return base + int64(i)
		}
		if err == io.EOF {
			return -1
		}
		if err != nil {
			t.Fatal(err)
		}
		total := keep + n
		keep = min(len(needle)-1, total)
		copy(buf, buf[total-keep:total])
		base += int64(total - keep)
	}
}
