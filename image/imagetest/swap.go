package imagetest

import (
	"os"
	"testing"
)

// Swap writes out, a file of sizeMiB formatted as Linux swap by mkswap.
func Swap(t testing.TB, out string, sizeMiB int) string {
	t.Helper()
	Need(t, "mkswap")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(out, int64(sizeMiB)<<20); err != nil {
		t.Fatal(err)
	}
	Run(t, "mkswap", "-q", out)
	return out
}

// WriteAt writes data into the file path at offset off, without truncating it: residue
// planted where no filesystem would put it (a swap area's pages).
func WriteAt(t testing.TB, path string, off int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
}
