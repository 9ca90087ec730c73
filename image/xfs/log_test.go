package xfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"golang.org/x/sys/unix"
)

// The newest log record, found by bisecting for the log's head and reading around it,
// is the one a read of the whole log finds: on a log fresh from mkfs, on one the kernel
// has written past its end and wrapped, and on one left dirty by a shutdown after that.
// It reads a small part of the log, and checkLog decides as before.
func TestLogHeadFoundByBisection(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs", "xfs_io")
	img := filepath.Join(t.TempDir(), "fs.img")
	imagetest.MkfsXFS(t, t.TempDir(), img, 300)
	check := func(state string, clean bool) (firstCycle uint32) {
		t.Helper()
		f, size := openLog(t, img)
		start := f.sb.offset(f.sb.logStart)
		logSize := int64(f.sb.logBlocks) * f.sb.blockSize
		near := &logRecords{f: f, start: start, size: logSize}
		found, err := near.nearHead()
		if err != nil || !found {
			t.Fatalf("%s log: found near the head: %t, %v", state, found, err)
		}
		whole := &logRecords{f: f, start: start, size: logSize}
		if err := whole.scan(0, logSize); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(near.newest, whole.newest) || near.newestLSN != whole.newestLSN {
			t.Fatalf("%s log: newest record near the head has LSN %#x, in the whole log %#x", state, near.newestLSN, whole.newestLSN)
		}
		if near.reads > logSize/8 {
			t.Errorf("%s log: %d of its %d bytes read to find the head", state, near.reads, logSize)
		}
		err = f.checkLog()
		if clean != (err == nil) || (!clean && !errors.Is(err, ErrUnsupported)) {
			t.Fatalf("%s log: checkLog: %v, want clean %t", state, err, clean)
		}
		t.Logf("%s log (%d bytes of a %d-byte volume): newest LSN %#x, %d bytes read", state, logSize, size, near.newestLSN, near.reads)
		first, err := near.cycle(0)
		if err != nil {
			t.Fatal(err)
		}
		return first
	}
	check("fresh", true)
	// create and remove files until the log has been written past its end (64 MiB: about
	// 120,000 of each)
	imagetest.Mount(t, img, func(dir string) {
		for round := range 16 {
			d := filepath.Join(dir, fmt.Sprint(round))
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
			for i := range 10000 {
				if err := os.WriteFile(filepath.Join(d, fmt.Sprint(i)), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			unix.Sync()
			if err := os.RemoveAll(d); err != nil {
				t.Fatal(err)
			}
			unix.Sync()
		}
	})
	if cycle := check("wrapped", true); cycle < 2 {
		t.Fatalf("the log was not wrapped: its first block is of cycle %d", cycle)
	}
	imagetest.Mount(t, img, func(dir string) {
		if err := os.WriteFile(filepath.Join(dir, "new-key"), []byte("secret"), 0o600); err != nil {
			t.Fatal(err)
		}
		unix.Sync()
		imagetest.Run(t, "xfs_io", "-x", "-c", "shutdown -f", dir)
	})
	check("dirty", false)
}

// openLog opens img's superblock and reader, without checking the log.
func openLog(t *testing.T, img string) (*FS, int64) {
	t.Helper()
	file, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	fi, err := file.Stat()
	if err != nil {
		t.Fatal(err)
	}
	sb, err := readSuperblock(file, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	return newFS(file, sb), fi.Size()
}
