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
// It reads a small part of the log, and checkLog decides as from the whole read: clean
// when fresh, needing recovery when dirty. (The wrapped log, unmounted, is clean in runs
// on their own; in 2 of 5 runs beside a whole `make test` its newest record was not the
// unmount record, by the whole read too, so there it is held to the whole read's answer.)
func TestLogHeadFoundByBisection(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs", "xfs_io")
	img := filepath.Join(t.TempDir(), "fs.img")
	imagetest.MkfsXFS(t, t.TempDir(), img, 300)
	const sameAsWhole = -1
	check := func(state string, clean int) (firstCycle uint32) {
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
		want := cleanLog(whole.newest)
		switch {
		case (err == nil) != (want == nil):
			t.Fatalf("%s log: checkLog: %v; from the whole read: %v", state, err, want)
		case clean != sameAsWhole && (clean == 1) != (err == nil), clean == 0 && !errors.Is(err, ErrUnsupported):
			t.Fatalf("%s log: checkLog: %v, want clean %t", state, err, clean == 1)
		}
		t.Logf("%s log (%d bytes of a %d-byte volume): newest LSN %#x, %d bytes read", state, logSize, size, near.newestLSN, near.reads)
		first, err := near.cycle(0)
		if err != nil {
			t.Fatal(err)
		}
		return first
	}
	check("fresh", 1)
	// create and remove 160,000 files, which writes the 64 MiB log past its end (about
	// 120,000 do)
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
	if cycle := check("wrapped", sameAsWhole); cycle < 2 {
		t.Fatalf("the log was not wrapped: its first block is of cycle %d", cycle)
	}
	imagetest.Mount(t, img, func(dir string) {
		if err := os.WriteFile(filepath.Join(dir, "new-key"), []byte("secret"), 0o600); err != nil {
			t.Fatal(err)
		}
		unix.Sync()
		imagetest.Run(t, "xfs_io", "-x", "-c", "shutdown -f", dir)
	})
	check("dirty", 0)
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

// synthLog is a log of n basic blocks of cycle c up to head and c-1 after it, with a
// record (header and data block) of its cycle at each of records, a block before head.
func synthLog(n, head int, c uint32, records ...int) []byte {
	b := make([]byte, n*logBB)
	for bb := range n {
		cycle := c
		if bb >= head {
			cycle = c - 1
		}
		be.PutUint32(b[bb*logBB:], cycle)
	}
	for _, at := range records {
		h := b[at*logBB:]
		cycle := be.Uint32(h)
		be.PutUint32(h, logRecordMagic)
		be.PutUint32(h[4:], cycle)
		be.PutUint32(h[8:], 2)
		be.PutUint64(h[16:], uint64(cycle)<<32|uint64(at))
		be.PutUint32(h[40:], 1)
		be.PutUint32(h[320:], 32<<10)
		h[logBB+9] = unmountTrans
	}
	return b
}

// The bisection finds the head wherever it lies, and the newest record near it as the
// whole read does, the log's end included when the head is near its start; a log with a
// block of the current cycle past the head, or of one cycle throughout, is left to the
// whole read.
func TestLogHeadOfSyntheticLogs(t *testing.T) {
	const n = 64 << 20 / logBB
	near := logWindow / logBB
	for _, c := range []struct {
		name  string
		log   []byte
		found bool
	}{
		{"head in the middle", synthLog(n, n/2+7, 5, 100, n/2+4), true},
		{"head near the start, newest record at the end", synthLog(n, 3, 5, n-near+3, 1000), true},
		{"head near the start, newest record before it", synthLog(n, near/2, 5, n-10, near/2-3), true},
		{"head at the very start of a cycle", synthLog(n, 1, 2, n-5), true},
		{"a block of the cycle past the head", func() []byte {
			b := synthLog(n, n/2, 3, n/2-4)
			be.PutUint32(b[(n/2+100)*logBB:], 3)
			return b
		}(), false},
		{"one cycle throughout", synthLog(n, n, 4, 200), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &FS{r: bytes.NewReader(c.log)}
			l := &logRecords{f: f, size: int64(len(c.log))}
			found, err := l.nearHead()
			if err != nil {
				t.Fatal(err)
			}
			whole := &logRecords{f: f, size: int64(len(c.log))}
			if err := whole.scan(0, whole.size); err != nil {
				t.Fatal(err)
			}
			if found && l.newestLSN != whole.newestLSN {
				t.Fatalf("newest LSN %#x near the head, %#x in the whole log", l.newestLSN, whole.newestLSN)
			}
			if found != c.found {
				t.Fatalf("found near the head: %t, want %t (whole log: newest LSN %#x)", found, c.found, whole.newestLSN)
			}
			if found && l.reads > 3*logWindow {
				t.Errorf("%d bytes read", l.reads)
			}
		})
	}
}
