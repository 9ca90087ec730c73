package ntfs_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/ntfs"
)

// seedFile is a 2 MiB volume made by mkntfs and ntfs-3g (a directory of 40 names in
// index blocks, a symlink, a compressed file), with every byte the reader does not read
// zeroed so that it gzips to a few KiB. UPDATE_NTFS_SEED=1 go test -run TestWriteFuzzSeed
// remakes it.
const seedFile = "testdata/seed.img.gz"

// FuzzOpen reads whatever a hostile image holds: errors are fine, panics, hangs and
// unbounded allocations are not. The engine mutates only the seed's non-zero sectors
// (its metadata and data, some 64 KiB), laid back at their places in a zeroed volume:
// mutating 2 MiB of mostly zeros would get it nowhere.
//
// Its inputs are 63.5 KiB, addressed by sector: the engine's minimizer, which deletes a
// byte at a time (shifting every later sector), spends its whole budget on each input
// that finds new coverage and gains nothing ("0 execs/sec" for a minute after each
// find, and a shorter -fuzztime drops the find). Run it with -fuzzminimizetime 0, as
// scripts/fuzz.sh does. Each call reuses its 2 MiB volume rather than allocating it,
// which was most of the cost of a call that fails early.
func FuzzOpen(f *testing.F) {
	seed, err := readSeed()
	if err != nil {
		f.Fatal(err)
	}
	var sectors []int
	var packed []byte
	for off := 0; off < len(seed); off += 512 {
		if bytes.ContainsFunc(seed[off:off+512], func(r rune) bool { return r != 0 }) {
			sectors = append(sectors, off)
			packed = append(packed, seed[off:off+512]...)
		}
	}
	f.Add(packed)
	volumes := sync.Pool{New: func() any { return new([]byte) }}
	f.Fuzz(func(t *testing.T, in []byte) {
		// the volume: zeros but for the sectors the input fills (the reader never writes
		// to it, so only those are cleared for the next call)
		vol := volumes.Get().(*[]byte)
		defer volumes.Put(vol)
		if len(*vol) != len(seed) {
			*vol = make([]byte, len(seed))
		}
		b := *vol
		for _, off := range sectors {
			n := copy(b[off:off+512], in)
			clear(b[off+n : off+512])
			in = in[n:]
		}
		exercise(b)
	})
}

// exercise is what FuzzOpen does with a volume: open it, walk it reading every file and
// link, map spread offsets, read the fixed-up MFT whole. It returns Open's error, if any.
func exercise(b []byte) error {
	fsys, err := ntfs.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			_, _ = fs.ReadLink(fsys, p)
			_, _ = fs.Stat(fsys, p)
		}
		if d.Type().IsRegular() {
			if f, err := fsys.Open(p); err == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(f, 4<<20))
				f.Close()
			}
		}
		return nil
	})
	_, _ = fsys.Uses(imagetest.SpreadOffsets(int64(len(b)), 64))
	// the deep scan's fixed-up MFT: every record read, every stride mapped (Size is
	// bounded by the volume's size)
	m := fsys.FixedMFT()
	buf := make([]byte, 40<<10+100) // records cut at both ends
	for off := int64(0); off < m.Size(); off += int64(len(buf)) {
		if _, err := m.ReadAt(buf, off); err != nil && err != io.EOF {
			break
		}
	}
	for off := int64(0); off < m.Size(); off += 512 {
		_, _ = m.VolumeOffset(off)
	}
	return nil
}

func readSeed() ([]byte, error) {
	f, err := os.Open(seedFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(z, 4<<20))
}

// TestFuzzSeedReads: the committed seed is a volume the reader reads whole.
func TestFuzzSeedReads(t *testing.T) {
	seed, err := readSeed()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := ntfs.Open(bytes.NewReader(seed), int64(len(seed)))
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
			_, err = fs.ReadFile(fsys, p)
		}
		return err
	})
	if err != nil || files < 40 {
		t.Fatalf("%d files, %v", files, err)
	}
}

// TestCraftedMFTSizeIsBounded: a 2 MiB volume whose $MFT claims the largest $DATA an
// attribute of its may claim (4096 clusters * 2 MiB: 8 Mi records) over runs mapping 64
// KiB is read within the volume's bounds: FixedMFT stops at the records the volume could
// hold, reading past the runs is ErrCorrupt, and the whole exercise finishes quickly.
func TestCraftedMFTSizeIsBounded(t *testing.T) {
	vol, err := readSeed()
	if err != nil {
		t.Fatal(err)
	}
	cluster := int64(le.Uint16(vol[11:])) * int64(vol[13])
	clusters := int64(le.Uint64(vol[0x28:])) / int64(vol[13])
	mftOff := int64(le.Uint64(vol[0x30:])) * cluster
	rs := int64(int8(vol[0x40])) * cluster // clusters per record, or 2^-n bytes
	if rs < 0 {
		rs = 1 << uint(-rs/cluster)
	}
	rec := vol[mftOff : mftOff+rs]
	if err := ntfs.ApplyFixups(rec, "$MFT"); err != nil {
		t.Fatal(err)
	}
	a := attr(t, rec, 0x80)
	if rec[a+8] == 0 {
		t.Fatal("the seed's $MFT $DATA is resident")
	}
	huge := uint64(clusters) * (2 << 20)
	for _, f := range []int{0x28, 0x30, 0x38} { // allocated, data, initialized sizes
		le.PutUint64(rec[a+f:], huge)
	}
	ntfs.WriteFixups(rec)

	type result struct {
		size     int64
		open     error
		readPast error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		if r.open = exercise(vol); r.open == nil {
			fsys, _ := ntfs.Open(bytes.NewReader(vol), int64(len(vol)))
			m := fsys.FixedMFT()
			r.size = m.Size()
			_, r.readPast = m.ReadAt(make([]byte, rs), m.Size()-rs)
		}
		done <- r
	}()
	select {
	case r := <-done:
		if r.open != nil {
			t.Fatal(r.open)
		}
		if r.size > int64(len(vol)) || r.size%rs != 0 {
			t.Errorf("FixedMFT of %d bytes in a %d-byte volume", r.size, len(vol))
		}
		if !errors.Is(r.readPast, ntfs.ErrCorrupt) {
			t.Errorf("reading the last record past the MFT's runs: %v, want ErrCorrupt", r.readPast)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a crafted MFT size kept the reader busy for 10 s")
	}
}

// recorder remembers the byte ranges read.
type recorder struct {
	r    io.ReaderAt
	mu   sync.Mutex
	used []bool
}

func (r *recorder) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	r.mu.Lock()
	for i := range n {
		r.used[off+int64(i)] = true
	}
	r.mu.Unlock()
	return n, err
}

func TestWriteFuzzSeed(t *testing.T) {
	if os.Getenv("UPDATE_NTFS_SEED") != "1" {
		t.Skip("UPDATE_NTFS_SEED=1 remakes " + seedFile)
	}
	tree := t.TempDir()
	files := map[string]imagetest.File{"Users/a/x.txt": {Data: "secret\n"}, "Users/l": {Link: "a/x.txt"}}
	for i := range 40 {
		files[fmt.Sprintf("Windows/Temp/file-with-a-long-name-%02d.txt", i)] = imagetest.File{Data: fmt.Sprint(i)}
	}
	imagetest.WriteTree(t, tree, files)
	img := filepath.Join(t.TempDir(), "seed.img")
	imagetest.NTFS(t, tree, img, 2, "-c", "512", "-T")
	imagetest.MountNTFS(t, img, func(dir string) {
		c := filepath.Join(dir, "c")
		os.Mkdir(c, 0o755)
		setAttributes(t, c, 0x800)
		os.WriteFile(filepath.Join(c, "z.txt"), bytes.Repeat([]byte("compress me "), 1000), 0o644)
	}, "compression")
	raw, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{r: bytes.NewReader(raw), used: make([]bool, len(raw))}
	fsys, err := ntfs.Open(rec, int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			fs.ReadFile(fsys, p)
		}
		return err
	})
	for i := range raw {
		if !rec.used[i] {
			raw[i] = 0
		}
	}
	var buf bytes.Buffer
	z, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	z.Write(raw)
	z.Close()
	if err := os.WriteFile(seedFile, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes", seedFile, buf.Len())
}
