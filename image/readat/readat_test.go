package readat

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

func TestFull(t *testing.T) {
	r := strings.NewReader("0123456789")
	for _, tc := range []struct {
		name    string
		size    int
		off     int64
		want    string
		wantErr string
	}{
		{"inside", 4, 2, "2345", ""},
		{"up to the end", 3, 7, "789", ""},
		{"cut short", 4, 8, "", "reading 4 bytes at offset 8: unexpected EOF"},
		{"past the end", 1, 20, "", "reading 1 bytes at offset 20: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := make([]byte, tc.size)
			err := Full(r, b, tc.off)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("err = %v, want %q wrapping io.ErrUnexpectedEOF", err, tc.wantErr)
				}
				return
			}
			if err != nil || string(b) != tc.want {
				t.Fatalf("got %q, %v; want %q", b, err, tc.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	negative := errors.New("negative offset")
	p := make([]byte, 4)
	for _, tc := range []struct {
		name          string
		off, size     int64
		wantLen       int
		wantEOF, want error
	}{
		{"inside", 2, 10, 4, nil, nil},
		{"reaching the end", 8, 10, 2, io.EOF, nil},
		{"exactly to the end", 6, 10, 4, nil, nil},
		{"at the end", 10, 10, 0, nil, io.EOF},
		{"past the end", 20, 10, 0, nil, io.EOF},
		{"negative", -1, 10, 0, nil, negative},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, eof, err := Clip(p, tc.off, tc.size, negative)
			if len(q) != tc.wantLen || eof != tc.wantEOF || err != tc.want {
				t.Fatalf("Clip = %d bytes, %v, %v; want %d, %v, %v", len(q), eof, err, tc.wantLen, tc.wantEOF, tc.want)
			}
		})
	}
}

// countingReader counts the reads that reach it.
type countingReader struct {
	r     io.ReaderAt
	reads int
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	return c.r.ReadAt(p, off)
}

func TestPagesServesSmallReadsFromCachedPages(t *testing.T) {
	const data = "0123456789abcdefghij" // 20 bytes: pages of 8 are 0-7, 8-15, 16-19
	for _, tc := range []struct {
		name      string
		off       int64
		size      int
		want      string
		wantErr   error
		wantReads int // reaching the underlying reader, on an empty cache
	}{
		{"inside a page", 2, 3, "234", nil, 1},
		{"across two pages", 6, 4, "6789", nil, 2},
		{"the short last page", 17, 3, "hij", nil, 1},
		{"cut by the end", 18, 4, "ij", io.EOF, 1},
		{"past the end", 25, 2, "", io.EOF, 0},
		{"a page or more goes straight through", 3, 9, "3456789ab", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			under := &countingReader{r: strings.NewReader(data)}
			c := NewPages(under, int64(len(data)), 8, 4)
			p := make([]byte, tc.size)
			n, err := c.ReadAt(p, tc.off)
			if string(p[:n]) != tc.want || err != tc.wantErr || under.reads != tc.wantReads {
				t.Fatalf("ReadAt = %q, %v after %d reads; want %q, %v after %d", p[:n], err, under.reads, tc.want, tc.wantErr, tc.wantReads)
			}
			// Again: pages read once are served from memory.
			before := under.reads
			if n, _ := c.ReadAt(p, tc.off); string(p[:n]) != tc.want {
				t.Fatalf("second ReadAt = %q, want %q", p[:n], tc.want)
			}
			if tc.size < 8 && under.reads != before {
				t.Fatalf("the second read reached the reader %d times; the page was cached", under.reads-before)
			}
		})
	}
}

func TestPagesStayWithinTheirBudget(t *testing.T) {
	under := &countingReader{r: strings.NewReader(strings.Repeat("x", 100))}
	c := NewPages(under, 100, 8, 2)
	b := make([]byte, 1)
	for off := int64(0); off < 100; off += 8 {
		if _, err := c.ReadAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.pages) > 2 {
		t.Fatalf("%d pages kept, budget 2", len(c.pages))
	}
}

func TestPagesPassAReadErrorOnAndDoNotCacheIt(t *testing.T) {
	// The reader claims 20 bytes but holds 10: the page at 8 is cut short.
	under := &countingReader{r: strings.NewReader("0123456789")}
	c := NewPages(under, 20, 8, 4)
	p := make([]byte, 4)
	if n, err := c.ReadAt(p, 9); n != 1 || err == nil {
		t.Fatalf("ReadAt = %d, %v; want 1 byte and an error", n, err)
	}
	if _, ok := c.pages[1]; ok {
		t.Fatal("a page cut short was cached")
	}
	if err := Full(c, p, 12); !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		t.Fatalf("Full past the data = %v", err)
	}
}

// Readers sharing a cache that keeps starting over (and reusing the dropped pages'
// buffers) each get the bytes they asked for (run with -race).
func TestPagesServeConcurrentReadersWhileReusingBuffers(t *testing.T) {
	data := make([]byte, 1<<16)
	for i := range data {
		data[i] = byte(i * 7 / 3)
	}
	c := NewPages(bytes.NewReader(data), int64(len(data)), 64, 3)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make([]byte, 40)
			for k := range 20000 {
				off := int64((g*13 + k*29) % 220) // four pages of 64 bytes, three cached: hits and misses
				if err := Full(c, p, off); err != nil || !bytes.Equal(p, data[off:off+int64(len(p))]) {
					t.Errorf("read at %d: %v, wrong bytes: %t", off, err, !bytes.Equal(p, data[off:off+int64(len(p))]))
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(c.spare) == 0 {
		t.Error("no page buffer was kept for reuse")
	}
}

// badSector fails every read that touches [lo, hi).
type badSector struct {
	r      io.ReaderAt
	lo, hi int64
}

func (b badSector) ReadAt(p []byte, off int64) (int, error) {
	if off < b.hi && off+int64(len(p)) > b.lo {
		return 0, errors.New("unreadable sector")
	}
	return b.r.ReadAt(p, off)
}

// An unreadable sector fails only the reads that touch it, not its page's neighbours.
func TestPagesConfineAReadErrorToItsBytes(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 64) // 1 KiB
	c := NewPages(badSector{bytes.NewReader(data), 512, 1024}, int64(len(data)), 1024, 4)
	p := make([]byte, 16)
	if err := Full(c, p, 256); err != nil || !bytes.Equal(p, data[256:272]) {
		t.Fatalf("a read beside the bad sector: %v", err)
	}
	if err := Full(c, p, 600); err == nil {
		t.Fatal("a read of the bad sector succeeded")
	}
}
