package ntfs_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

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
	f.Fuzz(func(t *testing.T, in []byte) {
		b := make([]byte, len(seed))
		for _, off := range sectors {
			in = in[copy(b[off:off+512], in):]
		}
		fsys, err := ntfs.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
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
	})
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
