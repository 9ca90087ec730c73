package ebsread_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ebsread"
)

// A real partitioned ext4 disk served as a snapshot reads back byte for byte.
func TestWholeSnapshotEqualsTheImage(t *testing.T) {
	disk := awsfake.BuildDisk(t, map[string]string{
		"etc/hostname":                "golden\n",
		"etc/passwd":                  "root:x:0:0:root:/root:/bin/bash\n",
		"root/.ssh/authorized_keys":   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO8 builder\n",
		"var/lib/big.bin":             string(bytes.Repeat([]byte("0123456789abcdef"), 300_000)),
		"home/ec2-user/.bash_history": "export AWS_SECRET_ACCESS_KEY=...\n",
	}, 1<<30)
	fake := awsfake.NewEBS()
	fake.PageSize = 7 // several ListSnapshotBlocks pages
	if err := fake.AddSnapshotFile(snapID, disk.Path); err != nil {
		t.Fatal(err)
	}
	s := open(t, awsfake.Serve(t, fake), ebsread.Options{})
	if s.Size() != disk.Size || s.BlockSize() != awsfake.BlockSize {
		t.Fatalf("size %d block %d, want %d %d", s.Size(), s.BlockSize(), disk.Size, awsfake.BlockSize)
	}
	if s.Stats().ListPages < 2 {
		t.Errorf("listed %d pages, want pagination", s.Stats().ListPages)
	}
	img, err := os.Open(disk.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()

	// Whole-volume copy in 3 MiB chunks, which straddle block boundaries.
	want, got := make([]byte, 3<<20), make([]byte, 3<<20)
	for off := int64(0); off < disk.Size; off += int64(len(want)) {
		n1, err1 := img.ReadAt(want, off)
		n2, err2 := s.ReadAt(got, off)
		if n1 != n2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("at %d: image gave %d, %v; snapshot gave %d, %v", off, n1, err1, n2, err2)
		}
		if !bytes.Equal(want[:n1], got[:n2]) {
			t.Fatalf("bytes differ in [%d, %d)", off, off+int64(n1))
		}
	}
	if st := s.Stats(); st.BlocksFetched != int64(len(fake.Blocks(snapID))) {
		t.Errorf("fetched %d blocks, the snapshot holds %d: each should be fetched once", st.BlocksFetched, len(fake.Blocks(snapID)))
	}

	// Small unaligned reads anywhere, as a filesystem reader makes them.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		off, n := rng.Int64N(disk.Size), 1+rng.IntN(9000)
		n1, _ := img.ReadAt(want[:n], off)
		n2, _ := s.ReadAt(got[:n], off)
		if n1 != n2 || !bytes.Equal(want[:n1], got[:n2]) {
			t.Fatalf("read of %d at %d differs", n, off)
		}
	}
}

func TestAbsentBlocksReadAsZerosWithoutAFetch(t *testing.T) {
	fake, url := smallSnapshot(t)
	s := open(t, url, ebsread.Options{ReadAhead: -1})
	for _, index := range []int32{8, 99, 101, 2046} {
		b, err := readBlock(t, s, index)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, make([]byte, len(b))) {
			t.Errorf("block %d is not zeros", index)
		}
	}
	if n := fake.TotalGets(); n != 0 {
		t.Errorf("%d GetSnapshotBlock calls for absent blocks", n)
	}
	// A read across a present and an absent block.
	buf := make([]byte, 10)
	off := int64(101)*awsfake.BlockSize - 5
	if _, err := s.ReadAt(buf, off); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, append(pattern(100)[awsfake.BlockSize-5:], 0, 0, 0, 0, 0)) {
		t.Errorf("straddling read: % x", buf)
	}
}

func TestEndOfVolume(t *testing.T) {
	_, url := smallSnapshot(t)
	s := open(t, url, ebsread.Options{})
	buf := make([]byte, 100)
	n, err := s.ReadAt(buf, s.Size()-40)
	if n != 40 || err != io.EOF {
		t.Errorf("read past the end: %d, %v; want 40, EOF", n, err)
	}
	if !bytes.Equal(buf[:40], pattern(2047)[awsfake.BlockSize-40:]) {
		t.Error("the tail of the last block differs")
	}
	if n, err := s.ReadAt(buf, s.Size()); n != 0 || err != io.EOF {
		t.Errorf("read at the end: %d, %v", n, err)
	}
	if _, err := s.ReadAt(buf, -1); err == nil {
		t.Error("negative offset accepted")
	}
}

func TestEachBlockFetchedOnceThenCached(t *testing.T) {
	fake, url := smallSnapshot(t)
	s := open(t, url, ebsread.Options{ReadAhead: -1})
	for range 3 {
		if b, err := readBlock(t, s, 100); err != nil || !bytes.Equal(b, pattern(100)) {
			t.Fatalf("block 100: %v", err)
		}
	}
	if n := fake.Gets(snapID, 100); n != 1 {
		t.Errorf("block 100 fetched %d times", n)
	}
	if st := s.Stats(); st.CacheHits != 2 || st.BlocksFetched != 1 || st.BytesFetched != awsfake.BlockSize {
		t.Errorf("stats %+v", st)
	}
}

func TestBigReadFetchesInParallel(t *testing.T) {
	fake := awsfake.NewEBS()
	fake.Latency = 50 * time.Millisecond
	blocks := map[int32][]byte{}
	for i := int32(0); i < 32; i++ {
		blocks[i] = pattern(i)
	}
	fake.AddBlocks(snapID, 1, blocks)
	s := open(t, awsfake.Serve(t, fake), ebsread.Options{Workers: 8, ReadAhead: -1})
	start := time.Now()
	buf := make([]byte, 32*awsfake.BlockSize)
	if _, err := s.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	for i := int32(0); i < 32; i++ {
		if !bytes.Equal(buf[int(i)*awsfake.BlockSize:int(i+1)*awsfake.BlockSize], pattern(i)) {
			t.Fatalf("block %d differs", i)
		}
	}
	if m := fake.MaxInFlight(); m < 2 || m > 8 {
		t.Errorf("at most %d fetches were in flight; want 2..8 (the pool)", m)
	}
	if serial := 32 * fake.Latency; took >= serial {
		t.Errorf("32 blocks took %v; one at a time would take %v", took, serial)
	}
}

func TestSequentialReadsPrefetchTheNextBlocks(t *testing.T) {
	fake, url := smallSnapshot(t)
	s := open(t, url, ebsread.Options{ReadAhead: 4})
	buf := make([]byte, 4096)
	s.ReadAt(buf, 0)                 // block 0
	s.ReadAt(buf, awsfake.BlockSize) // block 1: moving forward, so 2-5 are fetched ahead
	eventually(t, "read-ahead of blocks 2-5", func() bool {
		return fake.Gets(snapID, 2) == 1 && fake.Gets(snapID, 5) == 1
	})
	if fake.Gets(snapID, 6) != 0 {
		t.Error("read ahead further than asked")
	}
	if b, err := readBlock(t, s, 3); err != nil || !bytes.Equal(b, pattern(3)) || fake.Gets(snapID, 3) != 1 {
		t.Errorf("block 3 after read-ahead: %v, %d fetches", err, fake.Gets(snapID, 3))
	}
	if s.Stats().ReadAheads == 0 {
		t.Error("no read-ahead counted")
	}
}

func TestCancelStopsReads(t *testing.T) {
	fake, url := smallSnapshot(t)
	fake.Latency = 5 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	s, err := ebsread.Open(ctx, client(url), snapID, ebsread.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = readBlock(t, s, 100)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("cancel took %v", time.Since(start))
	}
}

func TestReadAtContextDeadline(t *testing.T) {
	fake, url := smallSnapshot(t)
	fake.Latency = 5 * time.Second
	s := open(t, url, ebsread.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.ReadAtContext(ctx, make([]byte, 10), 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v", err)
	}
}

func TestClosedSnapshotRefusesReads(t *testing.T) {
	_, url := smallSnapshot(t)
	s := open(t, url, ebsread.Options{})
	s.Close()
	if _, err := readBlock(t, s, 0); !errors.Is(err, os.ErrClosed) {
		t.Errorf("read after Close: %v", err)
	}
}
