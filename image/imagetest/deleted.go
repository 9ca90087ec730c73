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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(pem); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	Run(t, "rm", path)
	syscall.Sync()
	return lines[2]
}

// FileContains reads the whole file for needle, in chunks that overlap by its length.
func FileContains(t testing.TB, path string, needle []byte) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4<<20)
	keep := 0
	for {
		n, err := f.Read(buf[keep:])
		if bytes.Contains(buf[:keep+n], needle) {
			return true
		}
		if err == io.EOF {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		total := keep + n
		keep = min(len(needle)-1, total)
		copy(buf, buf[total-keep:total])
	}
}
